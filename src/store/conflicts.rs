//! Contradictions between stations, and a duty leader's decision on each.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{ConflictResolved, Event};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::validate::{FieldError, normalize_input};
use crate::store::log::EventRecord;

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub key: String,
    /// sign_out / mark / close / return / student_edit / hazard / patrol_close / patrol_check
    pub kind: String,
    pub entity: String,
    /// The competing events, in log order.
    pub events: Vec<EventRecord>,
    /// The event shown meanwhile (or the one chosen).
    pub provisional: String,
    /// (chosen event, by, at, note) once decided.
    pub decided: Option<(String, String, i64, String)>,
}

impl Store {
    pub fn conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.key, c.kind, c.entity, c.events, c.provisional, r.chosen, r.by, r.at_ms, r.note
             FROM conflicts c LEFT JOIN resolutions r ON r.key = c.key ORDER BY r.chosen IS NOT NULL, c.key",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = vec![];
        for row in rows {
            let (key, kind, entity, ids, provisional, chosen, by, at, note) = row?;
            let ids: Vec<String> = serde_json::from_str(&ids).unwrap_or_default();
            let events = super::log::for_entity(&self.conn, &entity)?
                .into_iter()
                .filter(|e| ids.contains(&e.id))
                .collect();
            out.push(Conflict {
                key,
                kind,
                entity,
                events,
                provisional,
                decided: chosen.map(|c| {
                    (
                        c,
                        by.map(|b| self.operator_name(&b)).unwrap_or_default(),
                        at.unwrap_or(0),
                        note.unwrap_or_default(),
                    )
                }),
            });
        }
        Ok(out)
    }

    /// Records which competing event stands, with a note.
    pub fn resolve_conflict(
        &mut self,
        actor: &Actor,
        key: &str,
        chosen: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        require(actor.role, Permission::ResolveConflicts)?;
        let c = self
            .conflicts()?
            .into_iter()
            .find(|c| c.key == key)
            .ok_or(DomainError::NotFound)?;
        if !c.events.iter().any(|e| e.id == chosen) {
            return Err(DomainError::NotFound.into());
        }
        let note = normalize_input(note);
        if note.is_empty() {
            return Err(DomainError::Invalid(vec![("note", FieldError::Required)]).into());
        }
        let (key, chosen) = (key.to_string(), chosen.to_string());
        self.write(actor, |_| {
            Ok((
                vec![Event::ConflictResolved(ConflictResolved {
                    key,
                    chosen,
                    note,
                })],
                (),
            ))
        })
    }

    /// The boarder a leave or a gate departure (`leave:…`, `departure:…`)
    /// is about, for the review list's title.
    pub fn boarder_of(&self, entity: &str) -> Result<Option<String>, StoreError> {
        let sql = match entity.split_once(':') {
            Some(("leave", _)) => "SELECT student_id FROM leaves WHERE id = ?1",
            Some(("departure", _)) => "SELECT student_id FROM departures WHERE id = ?1",
            _ => return Ok(None),
        };
        let id = entity.split_once(':').map_or("", |(_, id)| id);
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
        Ok(rows.next().transpose()?)
    }
}
