//! Roster commands: enrolling boarders, beds, moves and leavers, and
//! applying an import's diff as events.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{BedAdded, Event, StudentEnrolled, StudentLeft, StudentMoved, StudentUpdated};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::roster::{BedRef, StudentData, Zone};

impl Store {
    fn bed_exists(&self, bed: &BedRef) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS(SELECT 1 FROM beds WHERE key = ?1)", [bed.key()], |r| r.get(0))?)
    }

    /// Events for a bed the roster has not seen yet (none if known).
    pub(crate) fn bed_events(&self, bed: &BedRef, zone: Zone, seen: &mut Vec<String>) -> Result<Vec<Event>, StoreError> {
        if seen.contains(&bed.key()) || self.bed_exists(bed)? {
            return Ok(vec![]);
        }
        seen.push(bed.key());
        Ok(vec![Event::BedAdded(BedAdded { bed: bed.clone(), zone })])
    }

    /// Enrols one boarder (and their bed, if new). Admins only.
    pub fn enroll_student(
        &mut self,
        actor: &Actor,
        data: StudentData,
        bed: Option<BedRef>,
        zone: Option<Zone>,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            if data.name.trim().is_empty() {
                return Err(DomainError::Invalid(vec![("name", crate::domain::validate::FieldError::Required)]).into());
            }
            let id = s.new_id();
            let mut events = vec![];
            if let Some(b) = &bed {
                let zone = zone.or(data.gender.map(Zone::for_gender)).unwrap_or(Zone::Boys);
                events.extend(s.bed_events(b, zone, &mut vec![])?);
            }
            events.push(Event::StudentEnrolled(StudentEnrolled {
                student_id: id.clone(),
                data,
                bed,
            }));
            Ok((events, id))
        })
    }

    pub fn move_student(&mut self, actor: &Actor, id: &str, bed: Option<BedRef>, zone: Zone) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            s.student(id)?.ok_or(DomainError::NotFound)?;
            let mut events = vec![];
            if let Some(b) = &bed {
                events.extend(s.bed_events(b, zone, &mut vec![])?);
            }
            events.push(Event::StudentMoved(StudentMoved {
                student_id: id.to_string(),
                bed,
            }));
            Ok((events, ()))
        })
    }

    pub fn update_student(&mut self, actor: &Actor, id: &str, data: StudentData) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            let cur = s.student(id)?.ok_or(DomainError::NotFound)?;
            if cur.data == data {
                return Err(DomainError::NothingChanged.into());
            }
            Ok((
                vec![Event::StudentUpdated(StudentUpdated {
                    student_id: id.to_string(),
                    data,
                })],
                (),
            ))
        })
    }

    pub fn student_left(&mut self, actor: &Actor, id: &str, reason: &str) -> Result<(), StoreError> {
        let a = actor.clone();
        let reason = crate::domain::validate::normalize_input(reason);
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            s.student(id)?.ok_or(DomainError::NotFound)?;
            if reason.is_empty() {
                return Err(DomainError::ReasonRequired.into());
            }
            Ok((
                vec![Event::StudentLeft(StudentLeft {
                    student_id: id.to_string(),
                    reason,
                })],
                (),
            ))
        })
    }
}
