//! What this station has heard that each other station holds: per peer, the
//! last sequence number it held of every origin, as that peer stated it in
//! its own bundle (or as a third station passed the statement on).
//! Station-local bookkeeping, not a school fact: never an event, never
//! synced as such. Losing it is safe — a peer with no entry gets everything.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{Event, StationRetired};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::validate::{FieldError, normalize_input};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

/// A station an admin retired: when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retired {
    pub at_ms: i64,
    pub by: String,
    pub note: String,
}

/// One station's knowledge as last heard: `at_ms` is the time on that
/// station's clock when it stated it, so an older statement relayed late
/// never replaces a newer one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeerView {
    pub at_ms: i64,
    /// Origin → last sequence number held (gapless from 1).
    pub heads: BTreeMap<String, i64>,
}

impl Store {
    /// This station's own heads: origin → (last seq, its hash). One index
    /// seek per origin, so a year-long log costs no more than a new one.
    pub fn own_heads(&self) -> Result<BTreeMap<String, (i64, [u8; 32])>, StoreError> {
        let mut out = BTreeMap::new();
        let mut next = self.conn.prepare_cached(
            "SELECT origin FROM events WHERE origin > ?1 ORDER BY origin LIMIT 1",
        )?;
        let mut after = String::new();
        while let Some(origin) = next
            .query_row([&after], |r| r.get::<_, String>(0))
            .optional()?
        {
            let head = super::log::head(&self.conn, &origin)?;
            out.insert(origin.clone(), head);
            after = origin;
        }
        Ok(out)
    }

    /// Reads `above < seq <= upto` of each origin's chain, origin by origin:
    /// what an incremental bundle carries.
    pub fn for_each_event_in_ranges(
        &self,
        ranges: &BTreeMap<String, (i64, i64)>,
        mut f: impl FnMut(super::log::EventRecord) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for (origin, &(above, upto)) in ranges {
            if upto > above {
                super::log::for_each_in_chain_range(&self.conn, origin, above, upto, &mut f)?;
            }
        }
        Ok(())
    }

    /// Every peer's knowledge as last heard.
    pub fn peer_views(&self) -> Result<BTreeMap<String, PeerView>, StoreError> {
        let mut out: BTreeMap<String, PeerView> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached("SELECT peer, at_ms FROM peers")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        for row in rows {
            let (peer, at_ms) = row?;
            out.insert(
                peer,
                PeerView {
                    at_ms,
                    heads: BTreeMap::new(),
                },
            );
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT peer, origin, seq FROM peer_heads")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (peer, origin, seq) = row?;
            if let Some(v) = out.get_mut(&peer) {
                v.heads.insert(origin, seq);
            }
        }
        Ok(out)
    }

    /// Records what `peer` stated it holds: a newer statement replaces the
    /// one here (a station restored from a backup holds less than before),
    /// one of the same time adds to it (both were true then), an older one
    /// is ignored. `heard_ms` (this station's clock) is set when the
    /// statement came from the peer's own bundle. Returns whether anything
    /// was recorded.
    pub fn record_peer_view(
        &self,
        peer: &str,
        view: &PeerView,
        heard_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        let conn = &self.conn;
        if let Some(ms) = heard_ms {
            conn.prepare_cached(
                "INSERT INTO peers (peer, at_ms, heard_ms) VALUES (?1, -1, ?2)
                 ON CONFLICT(peer) DO UPDATE SET heard_ms = MAX(COALESCE(heard_ms, 0), ?2)",
            )?
            .execute(params![peer, ms])?;
        }
        let held: Option<i64> = conn
            .prepare_cached("SELECT at_ms FROM peers WHERE peer = ?1")?
            .query_row([peer], |r| r.get(0))
            .optional()?;
        if held.is_some_and(|at| at > view.at_ms) {
            return Ok(false);
        }
        if held == Some(view.at_ms) {
            let mut raise = conn.prepare_cached(
                "INSERT INTO peer_heads (peer, origin, seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT(peer, origin) DO UPDATE SET seq = MAX(seq, ?3)",
            )?;
            for (origin, seq) in &view.heads {
                raise.execute(params![peer, origin, seq])?;
            }
            return Ok(true);
        }
        conn.prepare_cached(
            "INSERT INTO peers (peer, at_ms) VALUES (?1, ?2)
             ON CONFLICT(peer) DO UPDATE SET at_ms = ?2",
        )?
        .execute(params![peer, view.at_ms])?;
        conn.prepare_cached("DELETE FROM peer_heads WHERE peer = ?1")?
            .execute([peer])?;
        let mut ins =
            conn.prepare_cached("INSERT INTO peer_heads (peer, origin, seq) VALUES (?1, ?2, ?3)")?;
        for (origin, seq) in &view.heads {
            ins.execute(params![peer, origin, seq])?;
        }
        Ok(true)
    }

    /// Notes that a bundle `peer` made at `made_ms` was taken in whole:
    /// every event it held is held here now, so it and any older bundle of
    /// that peer bring nothing more.
    pub fn note_bundle_taken(&self, peer: &str, made_ms: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO peers (peer, at_ms, taken_ms) VALUES (?1, -1, ?2)
                 ON CONFLICT(peer) DO UPDATE SET taken_ms = MAX(COALESCE(taken_ms, ?2), ?2)",
            )?
            .execute(params![peer, made_ms])?;
        Ok(())
    }

    /// When the newest bundle of `peer` taken in whole was made.
    pub fn peer_taken_ms(&self, peer: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT taken_ms FROM peers WHERE peer = ?1")?
            .query_row([peer], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// When this station last imported a bundle made by each peer (its own
    /// clock), for peers heard from directly.
    pub fn peers_heard(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT peer, heard_ms FROM peers WHERE heard_ms IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Retires another station of the school (an admin; a note says why):
    /// bundles stop keeping for it what it has not received, unless it is
    /// heard from again. Recorded as an event naming the admin.
    pub fn retire_station(
        &mut self,
        actor: &Actor,
        station_id: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        require(actor.role, Permission::Sync)?;
        let note = normalize_input(note);
        if note.is_empty() {
            return Err(DomainError::Invalid(vec![("note", FieldError::Required)]).into());
        }
        // Only another station of the school can be retired.
        if self.require_station()?.id == station_id
            || !self.school_station_ids()?.iter().any(|s| s == station_id)
        {
            return Err(DomainError::NotFound.into());
        }
        if self.retired_stations()?.contains_key(station_id) {
            return Err(DomainError::NothingChanged.into());
        }
        let station_id = station_id.to_string();
        self.write(actor, |_| {
            let retire = Event::StationRetired(StationRetired { station_id, note });
            Ok((vec![retire], ()))
        })?;
        self.note_retirements_seen()
    }

    /// Notes, on this station's clock, when it first knew of each
    /// retirement it holds. A retired station heard from at or after that
    /// time is back in service.
    pub fn note_retirements_seen(&self) -> Result<(), StoreError> {
        // Most schools never retire a station: no write on every export.
        let any: bool = self
            .conn
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM retired_stations)")?
            .query_row([], |r| r.get(0))?;
        if !any {
            return Ok(());
        }
        self.conn
            .prepare_cached(
                "INSERT INTO peers (peer, at_ms, retired_seen_ms)
                 SELECT station_id, -1, ?1 FROM retired_stations WHERE true
                 ON CONFLICT(peer) DO UPDATE SET retired_seen_ms = COALESCE(retired_seen_ms, ?1)",
            )?
            .execute([self.now_ms()])?;
        Ok(())
    }

    /// Retired stations not heard from since this station knew of their
    /// retirement: they hold no bundle back.
    pub fn out_of_service(&self) -> Result<std::collections::BTreeSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.peer FROM peers p JOIN retired_stations r ON r.station_id = p.peer
             WHERE p.retired_seen_ms IS NOT NULL
               AND (p.heard_ms IS NULL OR p.heard_ms < p.retired_seen_ms)",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The retired stations.
    pub fn retired_stations(&self) -> Result<BTreeMap<String, Retired>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT station_id, at_ms, by, note FROM retired_stations")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                Retired {
                    at_ms: r.get(1)?,
                    by: r.get(2)?,
                    note: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every station of the school this log has met (by its creation).
    pub fn school_station_ids(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM stations ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets every peer's knowledge: the next bundles are whole again.
    pub fn forget_peers(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("DELETE FROM peer_heads; DELETE FROM peers;")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::test_station as station;

    fn view(at_ms: i64, heads: &[(&str, i64)]) -> PeerView {
        PeerView {
            at_ms,
            heads: heads.iter().map(|(o, s)| (o.to_string(), *s)).collect(),
        }
    }

    #[test]
    fn a_newer_statement_replaces_an_older_one_never_the_reverse() {
        let s = station();
        assert!(s.peer_views().unwrap().is_empty());
        assert!(
            s.record_peer_view("b", &view(10, &[("a", 3), ("b", 7)]), None)
                .unwrap()
        );
        // Relayed late: an older statement of b's is ignored.
        assert!(
            !s.record_peer_view("b", &view(5, &[("a", 1)]), None)
                .unwrap()
        );
        // Two statements of one time (two bundles in one millisecond): the
        // higher of each.
        assert!(
            s.record_peer_view("b", &view(10, &[("a", 1), ("c", 2)]), None)
                .unwrap()
        );
        assert_eq!(
            s.peer_views().unwrap()["b"],
            view(10, &[("a", 3), ("b", 7), ("c", 2)])
        );
        // A newer one replaces it whole, even lower (a restored station).
        assert!(
            s.record_peer_view("b", &view(20, &[("b", 2)]), Some(99))
                .unwrap()
        );
        assert_eq!(s.peer_views().unwrap()["b"], view(20, &[("b", 2)]));
        assert_eq!(s.peers_heard().unwrap()["b"], 99);
        assert_eq!(s.peer_taken_ms("b").unwrap(), None);
        s.note_bundle_taken("b", 30).unwrap();
        s.note_bundle_taken("b", 25).unwrap();
        assert_eq!(s.peer_taken_ms("b").unwrap(), Some(30));
        s.note_bundle_taken("new", 5).unwrap();
        assert_eq!(s.peer_taken_ms("new").unwrap(), Some(5));
        s.forget_peers().unwrap();
        assert!(s.peer_views().unwrap().is_empty());
    }

    #[test]
    fn hearing_from_a_peer_before_its_statement_is_kept() {
        let s = station();
        // Heard directly, with a statement older than one relayed earlier.
        s.record_peer_view("c", &view(30, &[("c", 4)]), None)
            .unwrap();
        assert!(
            !s.record_peer_view("c", &view(20, &[("c", 2)]), Some(50))
                .unwrap()
        );
        assert_eq!(s.peer_views().unwrap()["c"], view(30, &[("c", 4)]));
        assert_eq!(s.peers_heard().unwrap()["c"], 50);
        // Heard of only through others: no time of hearing.
        s.record_peer_view("d", &view(1, &[]), None).unwrap();
        assert!(!s.peers_heard().unwrap().contains_key("d"));
    }

    #[test]
    fn own_heads_name_every_origin_with_its_last_event() {
        let s = station();
        let heads = s.own_heads().unwrap();
        let id = s.require_station().unwrap().id.clone();
        assert_eq!(heads.keys().collect::<Vec<_>>(), vec![&id]);
        let (seq, hash) = heads[&id];
        assert_eq!((seq, hash), super::super::log::head(s.conn(), &id).unwrap());
        assert!(seq > 0);
    }
}
