//! Boarders leaving through the gate (离校), returns from leave or the gate
//! (返校), and the curfew that sets when they are due.

use crate::domain::boarding;
use crate::domain::error::DomainError;
use crate::domain::event::{Event, GateDeparted, GateReturned, LeaveReturned};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::time;
use crate::domain::validate::normalize_input;
use crate::store::{Store, StoreError};
use rusqlite::OptionalExtension;

impl Store {
    /// Records a return, from leave or through the gate (返校).
    pub fn record_return(&mut self, actor: &Actor, id: &str, gate: bool) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::RegisterVisit)?;
            let now = s.now_ms();
            let (table, ev) = if gate {
                (
                    "departures",
                    Event::GateReturned(GateReturned {
                        departure_id: id.to_string(),
                        at_ms: now,
                    }),
                )
            } else {
                (
                    "leaves",
                    Event::LeaveReturned(LeaveReturned {
                        leave_id: id.to_string(),
                        at_ms: now,
                    }),
                )
            };
            let returned: Option<Option<i64>> = s
                .conn
                .query_row(
                    &format!("SELECT returned_ms FROM {table} WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            match returned {
                None => Err(DomainError::NotFound.into()),
                Some(Some(_)) => Err(DomainError::AlreadySignedOut.into()),
                Some(None) => Ok((vec![ev], ())),
            }
        })
    }

    /// A boarder leaves through the gate (离校). Someone not on the pick-up
    /// list needs a duty leader's approval: `approver` is (operator id, PIN).
    #[allow(clippy::too_many_arguments)]
    pub fn gate_depart(
        &mut self,
        actor: &Actor,
        student_id: &str,
        with_name: &str,
        relation: &str,
        phone: &str,
        due_ms: Option<i64>,
        note: &str,
        approver: Option<(&str, &str)>,
    ) -> Result<String, StoreError> {
        let approver = match approver {
            Some((id, pin)) => Some(self.verify_pin(id, pin)?.actor()),
            None => None,
        };
        let a = actor.clone();
        self.write(actor, |s| {
            let st = s.student(student_id)?.ok_or(DomainError::NotFound)?;
            let phone_n = match normalize_input(phone) {
                p if p.is_empty() => None,
                p => Some(
                    crate::domain::validate::check_mobile(&p)
                        .map_err(|e| DomainError::Invalid(vec![("phone", e)]))?,
                ),
            };
            let on_list =
                boarding::authorised_pickup(&st.data.guardians, with_name, phone_n.as_deref());
            let approved_by =
                boarding::decide_departure(&a, on_list, approver.as_ref(), with_name)?;
            let id = s.new_id();
            // Without an agreed return, the boarder is due back by the
            // building's curfew (tonight's, or tomorrow's if already past).
            let due_ms = Some(due_ms.unwrap_or_else(|| {
                let now = s.now_ms();
                let curfew = s.curfew(st.bed.as_ref().map(|b| b.building.as_str()).unwrap_or(""));
                let at = time::today_at(now, s.offset_min(), curfew as u32);
                if at > now { at } else { at + 86_400_000 }
            }));
            Ok((
                vec![Event::GateDeparted(GateDeparted {
                    departure_id: id.clone(),
                    student_id: student_id.to_string(),
                    with_name: normalize_input(with_name),
                    relation: normalize_input(relation),
                    phone: phone_n,
                    authorised: on_list,
                    approved_by,
                    due_ms,
                    note: normalize_input(note),
                })],
                id,
            ))
        })
    }

    /// The curfew of a building (minutes after midnight): its own setting,
    /// else the station's.
    pub fn curfew(&self, building: &str) -> i64 {
        let own = crate::domain::settings::curfew_key(building);
        if self.has_setting(&own) {
            self.setting(&own)
        } else {
            self.setting(crate::domain::settings::CURFEW_MINUTES)
        }
    }
}
