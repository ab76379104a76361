//! The watchlist's commands and queries.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::Event;
use crate::domain::role::Actor;
use crate::domain::watch::WatchEntry;
use crate::domain::watchlist::{self, WatchEntryData, WatchForm};

#[derive(Debug, Clone, PartialEq)]
pub struct WatchRow {
    pub id: String,
    pub data: WatchEntryData,
    pub active: bool,
    pub added_by: String,
    pub added_ms: i64,
    pub removed_reason: Option<String>,
}

impl WatchRow {
    pub fn as_match_entry(&self) -> WatchEntry {
        WatchEntry {
            id: self.id.clone(),
            name: self.data.name.clone(),
            id_no: self.data.id_no.clone(),
            phone: self.data.phone.clone(),
        }
    }
}

impl Store {
    pub fn watch_entries(&self, active_only: bool) -> Result<Vec<WatchRow>, StoreError> {
        let sql = if active_only {
            "SELECT id, entry, active, added_by, added_ms, removed_reason FROM watchlist WHERE active = 1 ORDER BY added_ms DESC, id"
        } else {
            "SELECT id, entry, active, added_by, added_ms, removed_reason FROM watchlist ORDER BY active DESC, added_ms DESC, id"
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| {
            let e: String = r.get(1)?;
            Ok((r.get(0)?, e, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, e, active, added_by, added_ms, removed_reason): (
                String,
                String,
                bool,
                String,
                i64,
                Option<String>,
            ) = row?;
            if let Ok(data) = serde_json::from_str(&e) {
                out.push(WatchRow {
                    id,
                    data,
                    active,
                    added_by,
                    added_ms,
                    removed_reason,
                });
            }
        }
        Ok(out)
    }

    pub fn add_watch(&mut self, actor: &Actor, form: &WatchForm) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let id = s.new_id();
            let ev = watchlist::decide_add(&a, id.clone(), form)?;
            Ok((vec![Event::WatchlistAdded(ev)], id))
        })
    }

    pub fn remove_watch(
        &mut self,
        actor: &Actor,
        entry_id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let active: bool = s
                .conn
                .query_row(
                    "SELECT active FROM watchlist WHERE id = ?1",
                    [entry_id],
                    |r| r.get(0),
                )
                .map_err(|_| DomainError::NotFound)?;
            let ev = watchlist::decide_remove(&a, entry_id, active, reason)?;
            Ok((vec![Event::WatchlistRemoved(ev)], ()))
        })
    }
}
