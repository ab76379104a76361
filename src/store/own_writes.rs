//! A station restored from an old backup that wrote before importing has
//! forked its own chain: its writes since the split move to a new origin
//! (issue 10, "Restore from backup"), so neither branch is lost.

use super::log::{self, EventRecord};
use super::project;
use super::{Store, StoreError};
use crate::domain::event::Event;

/// What moving a restored station's own writes to a new origin did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub old_origin: String,
    pub new_origin: String,
    /// Events moved: those above the split, re-signed under the new origin.
    pub events: u64,
}

impl Store {
    /// A station restored from an old backup wrote past `split` on its own
    /// chain while the others hold another continuation of it. Its own
    /// events above `split` move to a new origin — the station's new id —
    /// in a fresh chain: each keeps its id, time, kind, record, author and
    /// content, only its place (origin, seq, links) changes, so nothing is
    /// attributed to anyone who did not act. The old origin stays as a
    /// station of its own, retired, whose continuation the others hold and
    /// bring back like any station's events. `actor` (an admin) is recorded
    /// on the new station's creation and the retirement; all of it is one
    /// transaction, with the projections rebuilt inside it.
    pub fn move_own_writes(
        &mut self,
        actor: &crate::domain::role::Actor,
        split: i64,
        note: &str,
    ) -> Result<Moved, StoreError> {
        use crate::domain::event::{StationCreated, StationRetired};
        use crate::domain::role::{Permission, require};
        require(actor.role, Permission::Sync)?;
        let note = crate::domain::validate::normalize_input(note);
        if note.is_empty() {
            return Err(crate::domain::error::DomainError::Invalid(vec![(
                "note",
                crate::domain::validate::FieldError::Required,
            )])
            .into());
        }
        let old = self.require_station()?.clone();
        let (head, _) = log::head(&self.conn, &old.id)?;
        if split < 0 || split > head {
            return Err(crate::domain::error::DomainError::NotFound.into());
        }
        let school_id = self.meta("school_id")?.unwrap_or_default();
        let new_id = self.new_id();
        let mut moving: Vec<EventRecord> = Vec::new();
        log::for_each_in_chain_range(&self.conn, &old.id, split, head, |r| {
            moving.push(r);
            Ok(())
        })?;
        let moved = moving.len() as u64;
        let prev_station = self.station.clone();
        let res = self.batch(|s| {
            s.conn.execute(
                "DELETE FROM events WHERE origin = ?1 AND seq > ?2",
                rusqlite::params![old.id, split],
            )?;
            let mut prev = [0u8; 32];
            for (i, mut r) in moving.into_iter().enumerate() {
                r.origin = new_id.clone();
                r.seq = i as i64 + 1;
                r.prev_hash = prev;
                r.hash = r.compute_hash();
                prev = r.hash;
                log::insert(&s.conn, &r)?;
            }
            s.conn.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'station_id'",
                [&new_id],
            )?;
            s.station = Some(super::Station {
                id: new_id.clone(),
                ..old.clone()
            });
            let created = Event::StationCreated(StationCreated {
                station_id: new_id.clone(),
                school_id: school_id.clone(),
                school: old.school.clone(),
                name: old.name.clone(),
                kind: old.kind.clone(),
                utc_offset_min: old.utc_offset_min,
            });
            let retired = Event::StationRetired(StationRetired {
                station_id: old.id.clone(),
                note: note.clone(),
            });
            s.append(actor, &[created, retired])?;
            // Moved events changed place in the log order only where times
            // tie, but facts keyed by origin and seq changed: rebuild all.
            project::rebuild(&s.conn)
        });
        if let Err(e) = res {
            self.station = prev_station;
            return Err(e);
        }
        self.note_retirements_seen()?;
        Ok(Moved {
            old_origin: old.id,
            new_origin: new_id,
            events: moved,
        })
    }
}
