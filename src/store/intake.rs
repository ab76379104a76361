//! Taking a bundle's events into this station's log: each one is new, known,
//! a replay with different content, or not linked to its chain; the new ones
//! are appended, then projected. Built so a first sync of a whole school
//! year (a million events) costs little more than writing them: chain heads
//! are tracked in memory instead of looked up per event, and a record this
//! station had never seen is projected from the events in hand instead of
//! being read back from the log. A bundle with more new events than
//! `IN_MEMORY` stops holding them: they are read again in one forward walk,
//! each record projected once the walk has passed its last new event, so
//! memory stays the same whatever the bundle's length. The walk reads the
//! bundle a second time when the caller can (`project_again`: its reading
//! thread parses the events beside the projection), else the log's rows
//! after its last row before the import.

use super::log::{self, EventRecord};
use super::project::{self, FACT_KINDS, Pending};
use super::{Store, StoreError};
use crate::domain::event::Event;
use rusqlite::{Connection, params};
use std::collections::HashMap;

/// New events held in memory to project them without reading them back
/// (~600 bytes each): past this, the import reads them from the log.
pub const IN_MEMORY: usize = 50_000;

/// What became of one event of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    New,
    Known,
    /// Its chain has a gap here (an earlier event of its origin is missing):
    /// skipped, to arrive again in a later bundle.
    Unlinked,
    /// This station holds a different event at the same place of the chain:
    /// the bundle replays a sequence number with other content.
    Replayed,
    /// Its id belongs to another event already held: forged.
    DuplicateId,
}

/// A chain as this import sees it: its length here before the bundle, and
/// its head as extended by the bundle so far.
struct Head {
    seq: i64,
    hash: [u8; 32],
}

/// The new events of one record.
struct Group {
    entity: String,
    /// The record had no events here before this bundle: all of its events
    /// are in `events`, so it is projected from them without reading back.
    fresh: bool,
    /// Some event changes the record's row (not only a simple fact).
    recompute: bool,
    events: Vec<usize>,
}

/// An event read again from the bundle, parsed if its kind is known.
pub type ReadAgain = (EventRecord, Option<Event>);

/// Gives the bundle's next events read again (see `Intake::project_again`).
pub type NextAgain<'a> =
    dyn FnMut(Vec<ReadAgain>) -> Result<Option<Vec<ReadAgain>>, StoreError> + 'a;

/// One bundle's events on their way into the log. Runs inside
/// `Store::batch`; `take` each event, then `project` once.
pub struct Intake {
    heads: HashMap<String, Head>,
    /// New events, in arrival order. Kept as text and parsed when projected:
    /// a parsed event takes about twice the memory of its JSON.
    new: Vec<EventRecord>,
    groups: Vec<Group>,
    by_entity: HashMap<String, usize>,
    /// How many new events `new` may hold before the intake spills.
    limit: usize,
    /// The log's last rowid before this import, once the first event came.
    before: Option<i64>,
    /// Spilled: `new`, `groups` and `by_entity` are given up; only the
    /// simple facts are kept (few), in arrival order, to apply first.
    spilled: bool,
    facts: Vec<EventRecord>,
    /// Events taken and no longer needed (`spent`).
    spent: Vec<EventRecord>,
    max_hlc: crate::domain::hlc::Hlc,
    /// Events offered to `take`, which of them were new (a bit each, by
    /// place in the bundle), and a digest of the new ones' hashes in order:
    /// what a second read of the bundle must give again.
    taken: usize,
    new_at: Vec<u64>,
    appended: i64,
    digest: blake3::Hasher,
}

/// The limit a default intake holds: `IN_MEMORY`, lowered by tests that
/// take the spilled path through a real import.
static LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(IN_MEMORY);

/// Sets the number of new events an import holds in memory before it
/// spills, for every intake made after (tests only).
#[doc(hidden)]
pub fn set_in_memory_limit(limit: usize) {
    LIMIT.store(limit, std::sync::atomic::Ordering::Relaxed);
}

impl Default for Intake {
    fn default() -> Self {
        Intake::with_limit(LIMIT.load(std::sync::atomic::Ordering::Relaxed))
    }
}

impl Intake {
    /// An intake holding at most `limit` new events in memory.
    pub fn with_limit(limit: usize) -> Intake {
        Intake {
            heads: HashMap::new(),
            new: Vec::new(),
            groups: Vec::new(),
            by_entity: HashMap::new(),
            limit,
            before: None,
            spilled: false,
            facts: Vec::new(),
            spent: Vec::new(),
            max_hlc: Default::default(),
            taken: 0,
            new_at: Vec::new(),
            appended: 0,
            digest: blake3::Hasher::new(),
        }
    }

    /// Checks one event against this station's log and appends it if new.
    /// Its hash must already have been checked against its content.
    pub fn take(&mut self, store: &Store, rec: EventRecord) -> Result<Verdict, StoreError> {
        let at = self.taken;
        self.taken += 1;
        let hash = rec.hash;
        let verdict = self.take_one(store, rec)?;
        if verdict == Verdict::New {
            if self.new_at.len() <= at / 64 {
                self.new_at.resize(at / 64 + 1, 0);
            }
            self.new_at[at / 64] |= 1 << (at % 64);
            self.appended += 1;
            self.digest.update(&hash);
        }
        Ok(verdict)
    }

    fn take_one(&mut self, store: &Store, rec: EventRecord) -> Result<Verdict, StoreError> {
        let conn = &store.conn;
        if self.before.is_none() {
            self.before = Some(conn.query_row(
                "SELECT COALESCE(MAX(rowid), 0) FROM events",
                [],
                |r| r.get(0),
            )?);
        }
        if !self.heads.contains_key(&rec.origin) {
            let (seq, hash) = log::head(conn, &rec.origin)?;
            self.heads.insert(rec.origin.clone(), Head { seq, hash });
        }
        let head = self.heads.get_mut(&rec.origin).expect("inserted above");
        if rec.seq <= head.seq {
            // Held here already (from before, or earlier in this bundle).
            let verdict = match log::hash_at(conn, &rec.origin, rec.seq)? {
                Some(h) if h == rec.hash => Verdict::Known,
                Some(_) => Verdict::Replayed,
                None => Verdict::Unlinked,
            };
            self.spent.push(rec);
            return Ok(verdict);
        }
        if rec.seq != head.seq + 1 || rec.prev_hash != head.hash {
            self.spent.push(rec);
            return Ok(Verdict::Unlinked);
        }
        if self.spilled {
            let linked = append_linked(conn, &rec, head, &mut self.max_hlc)?;
            if linked && FACT_KINDS.contains(&rec.kind.as_str()) {
                self.facts.push(rec);
            } else {
                self.spent.push(rec);
            }
            return Ok(if linked {
                Verdict::New
            } else {
                Verdict::DuplicateId
            });
        }
        let group = match self.by_entity.get(&rec.entity) {
            Some(&g) => g,
            None => {
                let fresh = !entity_known(conn, &rec.entity)?;
                self.by_entity.insert(rec.entity.clone(), self.groups.len());
                self.groups.push(Group {
                    entity: rec.entity.clone(),
                    fresh,
                    recompute: false,
                    events: Vec::new(),
                });
                self.groups.len() - 1
            }
        };
        if !append_linked(conn, &rec, head, &mut self.max_hlc)? {
            return Ok(Verdict::DuplicateId);
        }
        let g = &mut self.groups[group];
        g.recompute |= recomputes(&rec.kind);
        g.events.push(self.new.len());
        self.new.push(rec);
        if self.new.len() > self.limit {
            self.spill();
        }
        Ok(Verdict::New)
    }

    /// Events taken that this intake no longer needs, for the caller to free
    /// where they were made: the bundle's reader thread allocated them, and
    /// freeing a million of them here contends for its allocator's lock.
    pub fn spent(&mut self) -> Vec<EventRecord> {
        std::mem::take(&mut self.spent)
    }

    /// Gives up the events held: every new one is in the log already.
    fn spill(&mut self) {
        let (facts, spent) = std::mem::take(&mut self.new)
            .into_iter()
            .partition(|r| FACT_KINDS.contains(&r.kind.as_str()));
        self.facts = facts;
        self.spent.extend::<Vec<EventRecord>>(spent);
        self.groups = Vec::new();
        self.by_entity = HashMap::new();
        self.spilled = true;
    }

    /// Projects the new events: simple facts first, then every record they
    /// change, once, from all of its events in log order; returning-visitor
    /// rows last, once per person.
    pub fn project(mut self, store: &Store) -> Result<(), StoreError> {
        let conn = &store.conn;
        if self.spilled {
            return self.project_spilled(conn, None).map(|_| ());
        }
        // Records whose shown value a decision changed, and which are not
        // recomputed below anyway.
        let mut decided: Vec<String> = Vec::new();
        for rec in &self.new {
            if FACT_KINDS.contains(&rec.kind.as_str())
                && let Some(Ok(ev)) = Event::parse(&rec.kind, &rec.body)
                && let Some(entity) = project::apply_fact(conn, rec, &ev)?
                && !self
                    .by_entity
                    .get(&entity)
                    .is_some_and(|&g| self.groups[g].recompute)
            {
                decided.push(entity);
            }
        }
        let mut pending = Pending::default();
        for entity in &decided {
            let events = project::entity_events(conn, entity)?;
            project::project_entity(conn, entity, &events, false, &mut pending)?;
        }
        for g in std::mem::take(&mut self.groups)
            .iter()
            .filter(|g| g.recompute)
        {
            let events = if g.fresh {
                // Each new event belongs to one group: move it out.
                let recs: Vec<ReadAgain> = g
                    .events
                    .iter()
                    .map(|&i| (std::mem::take(&mut self.new[i]), None))
                    .collect();
                in_log_order(recs)
            } else {
                project::entity_events(conn, &g.entity)?
            };
            project::project_entity(conn, &g.entity, &events, g.fresh, &mut pending)?;
        }
        pending.finish(conn)
    }

    /// `project`, and for a spilled intake fed the bundle's events again in
    /// the same order by `next` (called only then): called with the events
    /// it is done with (to be freed where they were made), it gives the
    /// next ones, and `None` once the bundle was read to its end and
    /// verified. `Ok(false)` when
    /// the events read again are not those taken (the file changed): the
    /// caller must roll back.
    pub fn project_again(self, store: &Store, next: &mut NextAgain) -> Result<bool, StoreError> {
        if !self.spilled {
            return self.project(store).map(|()| true);
        }
        self.project_spilled(&store.conn, Some(next))
    }

    /// `project` once the events were given up: the same work, the records
    /// read again in one forward walk of the new events — from the bundle
    /// (`again`) or the log's new rows. Each record is projected once the
    /// walk has passed its last new event, from the events gathered on the
    /// way; a record that held events before this import (or whose gathered
    /// events were dropped to bound memory) is read whole by its entity
    /// instead. False when the bundle read again differs.
    fn project_spilled(
        self,
        conn: &Connection,
        again: Option<&mut NextAgain>,
    ) -> Result<bool, StoreError> {
        let before = self.before.unwrap_or(0);
        // A decided record is recomputed here unless it has new events:
        // then the walk below projects it once, `fresh` if it is new (as
        // the in-memory path does).
        let mut decided: Vec<String> = Vec::new();
        let mut new_kinds =
            conn.prepare("SELECT kind FROM events WHERE entity = ?1 AND rowid > ?2")?;
        for rec in &self.facts {
            if let Some(Ok(ev)) = Event::parse(&rec.kind, &rec.body)
                && let Some(entity) = project::apply_fact(conn, rec, &ev)?
            {
                let mut kinds = new_kinds.query(params![entity, before])?;
                let mut walked_later = false;
                while let Some(k) = kinds.next()? {
                    walked_later |= recomputes(&k.get::<_, String>(0)?);
                }
                if !walked_later {
                    decided.push(entity);
                }
            }
        }
        let mut pending = Pending::default();
        for entity in &decided {
            let events = project::entity_events(conn, entity)?;
            project::project_entity(conn, entity, &events, false, &mut pending)?;
        }
        // Each record with new events and where its new events end, from the
        // entity index alone (it holds the rowid), sorted in SQLite's own
        // bounded memory. A record whose new events are only simple facts
        // may be recomputed too: the same result, rarely.
        let mut ends = conn.prepare(
            "SELECT entity, MIN(rowid) AS first, MAX(rowid) AS last FROM events
             GROUP BY entity HAVING last > ?1 ORDER BY last",
        )?;
        let mut ends = ends.query([before])?;
        // The bundle's new events were appended in a row (rowids before+1…)
        // only if nothing else was: else the log is walked.
        let end: i64 = conn.query_row("SELECT COALESCE(MAX(rowid), 0) FROM events", [], |r| {
            r.get(0)
        })?;
        let mut log_walk = log::appended(conn)?;
        let mut walk = match again {
            Some(next) if end == before + self.appended => Walk::Again(Box::new(Again {
                next,
                chunk: Vec::new().into_iter(),
                at: 0,
                rowid: before,
                new_at: &self.new_at,
                digest: blake3::Hasher::new(),
                spent: Vec::new(),
                done: false,
            })),
            _ => Walk::Log(log_walk.query([before])?),
        };
        let mut gathered = Gathered::new(self.limit);
        let mut walked = before;
        while let Some(row) = ends.next()? {
            let entity: String = row.get(0)?;
            let fresh = row.get::<_, i64>(1)? > before;
            let last: i64 = row.get(2)?;
            while walked < last {
                let Some((rowid, read)) = walk.next()? else {
                    break;
                };
                walked = rowid;
                gathered.add(read);
            }
            let events = match gathered.finish(&entity) {
                Some(recs) if fresh => in_log_order(recs),
                _ => project::entity_events(conn, &entity)?,
            };
            if events.iter().any(|(r, _)| recomputes(&r.kind)) {
                project::project_entity(conn, &entity, &events, fresh, &mut pending)?;
            }
            walk.done_with(events);
        }
        pending.finish(conn)?;
        match walk {
            Walk::Log(_) => Ok(true),
            Walk::Again(mut a) => {
                while a.next()?.is_some() {}
                Ok(a.at == self.taken
                    && a.rowid == before + self.appended
                    && a.digest.finalize() == self.digest.finalize())
            }
        }
    }

    /// The newest HLC among the new events.
    pub fn max_hlc(&self) -> crate::domain::hlc::Hlc {
        self.max_hlc
    }
}

/// Where a spilled projection reads the new events again, in log order,
/// each with its rowid in the log.
enum Walk<'w, 'n> {
    Log(rusqlite::Rows<'w>),
    Again(Box<Again<'n>>),
}

impl Walk<'_, '_> {
    fn next(&mut self) -> Result<Option<(i64, ReadAgain)>, StoreError> {
        match self {
            Walk::Log(rows) => Ok(log::next_appended(rows)?.map(|(id, r)| (id, (r, None)))),
            Walk::Again(a) => a.next(),
        }
    }

    /// A projected record's events, freed where they were made.
    fn done_with(&mut self, events: Vec<(EventRecord, Event)>) {
        if let Walk::Again(a) = self {
            a.spent
                .extend(events.into_iter().map(|(r, ev)| (r, Some(ev))));
        }
    }
}

/// The bundle read a second time: its events in file order, of which the
/// new ones (`new_at`) were appended at rowids `before`+1, +2, … in turn.
struct Again<'n> {
    next: &'n mut NextAgain<'n>,
    chunk: std::vec::IntoIter<ReadAgain>,
    /// Place in the bundle of the next event of `chunk`.
    at: usize,
    rowid: i64,
    new_at: &'n [u64],
    digest: blake3::Hasher,
    spent: Vec<ReadAgain>,
    done: bool,
}

impl Again<'_> {
    fn next(&mut self) -> Result<Option<(i64, ReadAgain)>, StoreError> {
        loop {
            if let Some(read) = self.chunk.next() {
                let at = self.at;
                self.at += 1;
                if self
                    .new_at
                    .get(at / 64)
                    .is_some_and(|w| w & (1 << (at % 64)) != 0)
                {
                    self.rowid += 1;
                    self.digest.update(&read.0.hash);
                    return Ok(Some((self.rowid, read)));
                }
                self.spent.push(read);
                continue;
            }
            if self.done {
                return Ok(None);
            }
            match (self.next)(std::mem::take(&mut self.spent))? {
                Some(chunk) => self.chunk = chunk.into_iter(),
                None => self.done = true,
            }
        }
    }
}

/// New events gathered per record while the log is walked, until the walk
/// passes the record's last one. Few are open at once (a round's night, a
/// visit's day: ~4,000 events for a school year); past `limit`, the largest
/// records' events are dropped and those records read whole instead.
struct Gathered {
    open: HashMap<String, Vec<ReadAgain>>,
    dropped: std::collections::HashSet<String>,
    held: usize,
    limit: usize,
}

impl Gathered {
    fn new(limit: usize) -> Gathered {
        Gathered {
            open: HashMap::new(),
            dropped: Default::default(),
            held: 0,
            limit,
        }
    }

    fn add(&mut self, read: ReadAgain) {
        if self.dropped.contains(&read.0.entity) {
            return;
        }
        self.held += 1;
        self.open
            .entry(read.0.entity.clone())
            .or_default()
            .push(read);
        if self.held <= self.limit {
            return;
        }
        // Down to half the limit in one pass, largest records first, so a
        // bundle of many open records does not pay this at every event.
        let mut sizes: Vec<(usize, String)> = self
            .open
            .iter()
            .map(|(k, v)| (v.len(), k.clone()))
            .collect();
        sizes.sort_unstable_by_key(|s| std::cmp::Reverse(s.0));
        for (n, entity) in sizes {
            if self.held <= self.limit / 2 {
                break;
            }
            self.open.remove(&entity);
            self.held -= n;
            self.dropped.insert(entity);
        }
    }

    /// The record's gathered events, or None when they were dropped.
    fn finish(&mut self, entity: &str) -> Option<Vec<ReadAgain>> {
        if self.dropped.remove(entity) {
            return None;
        }
        let recs = self.open.remove(entity).unwrap_or_default();
        self.held -= recs.len();
        Some(recs)
    }
}

/// A fresh record's new events (all of its events), parsed (unless they
/// were) in the log's order, as `project::entity_events` would read them.
fn in_log_order(mut recs: Vec<ReadAgain>) -> Vec<(EventRecord, Event)> {
    recs.sort_by(|(a, _), (b, _)| (a.hlc, &a.origin, a.seq).cmp(&(b.hlc, &b.origin, b.seq)));
    recs.into_iter()
        .filter_map(|(r, ev)| match ev {
            Some(ev) => Some((r, ev)),
            None => project::parse_one(r),
        })
        .collect()
}

/// An event of this kind changes its record's row (not only a simple fact).
fn recomputes(kind: &str) -> bool {
    Event::KINDS.contains(&kind) && !FACT_KINDS.contains(&kind)
}

/// Appends an event that links onto its chain and moves the chain's head;
/// false, with nothing written, when another event already has its id.
fn append_linked(
    conn: &Connection,
    rec: &EventRecord,
    head: &mut Head,
    max_hlc: &mut crate::domain::hlc::Hlc,
) -> Result<bool, StoreError> {
    match log::insert_received(conn, rec) {
        Ok(()) => {}
        Err(e) if is_constraint(&e) => return Ok(false),
        Err(e) => return Err(e),
    }
    head.seq = rec.seq;
    head.hash = rec.hash;
    *max_hlc = (*max_hlc).max(rec.hlc);
    Ok(true)
}

/// An event id that another event already has: forged.
fn is_constraint(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
        if e.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn entity_known(conn: &Connection, entity: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM events WHERE entity = ?1)")?
        .query_row([entity], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::hlc::Hlc;
    use crate::domain::time::FixedClock;
    use crate::store::Store;
    use std::sync::Arc;

    use crate::store::test_station as station;

    /// A chain of `n` settings changes from another station.
    fn chain(n: i64) -> Vec<EventRecord> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let mut r = EventRecord {
                    origin: "other".into(),
                    seq,
                    id: format!("id-{seq}"),
                    hlc: Hlc {
                        ms: 1_795_000_000_000 + seq,
                        c: 0,
                    },
                    kind: "setting.changed".into(),
                    entity: "setting:idle_lock_min".into(),
                    schema: 1,
                    actor: "a".into(),
                    body: format!(r#"{{"key":"idle_lock_min","value":{}}}"#, 10 + seq),
                    prev_hash: prev,
                    hash: [0; 32],
                };
                r.hash = r.compute_hash();
                prev = r.hash;
                r
            })
            .collect()
    }

    #[test]
    fn new_known_gap_and_replay() {
        let s = station();
        let c = chain(3);
        let mut intake = Intake::default();
        let take = |i: &mut Intake, r: &EventRecord| i.take(&s, r.clone());
        assert_eq!(take(&mut intake, &c[0]).unwrap(), Verdict::New);
        // Its successor's predecessor missing: skipped, not applied.
        assert_eq!(take(&mut intake, &c[2]).unwrap(), Verdict::Unlinked);
        assert_eq!(take(&mut intake, &c[0]).unwrap(), Verdict::Known);
        assert_eq!(take(&mut intake, &c[1]).unwrap(), Verdict::New);
        assert_eq!(take(&mut intake, &c[2]).unwrap(), Verdict::New);
        // A held (origin, seq) with other content, hashed to match itself.
        let mut forged = c[1].clone();
        forged.body = r#"{"key":"idle_lock_min","value":99}"#.into();
        forged.hash = forged.compute_hash();
        assert_eq!(take(&mut intake, &forged).unwrap(), Verdict::Replayed);
        intake.project(&s).unwrap();
        let v: i64 = s
            .conn()
            .query_row(
                "SELECT value FROM settings WHERE key = 'idle_lock_min'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, 13, "the latest change in log order");
    }

    #[test]
    fn an_id_already_taken_is_refused() {
        let s = station();
        let taken: String = s
            .conn()
            .query_row("SELECT id FROM events LIMIT 1", [], |r| r.get(0))
            .unwrap();
        let mut c = chain(2);
        c[1].id = taken;
        c[1].prev_hash = c[0].hash;
        c[1].hash = c[1].compute_hash();
        // Held in memory, and spilled after the first event.
        for limit in [IN_MEMORY, 0] {
            let mut intake = Intake::with_limit(limit);
            assert_eq!(intake.take(&s, c[0].clone()).unwrap(), Verdict::New);
            assert_eq!(intake.spilled, limit == 0);
            assert_eq!(intake.take(&s, c[1].clone()).unwrap(), Verdict::DuplicateId);
            s.conn()
                .execute("DELETE FROM events WHERE origin = 'other'", [])
                .unwrap();
        }
    }

    /// The demo school's projections, and its events in bundle order.
    fn demo_events() -> (Vec<String>, Vec<EventRecord>) {
        let now = 1_795_000_000_000;
        let clock = FixedClock::new(now);
        let mut src = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        crate::demo::generate(&mut src, &clock, crate::demo::Scale::Small, 42, now).unwrap();
        (project::dump(src.conn()).unwrap(), in_chains(&src))
    }

    /// A station's events in bundle order.
    fn in_chains(s: &Store) -> Vec<EventRecord> {
        let mut recs = Vec::new();
        log::for_each_in_chains(s.conn(), |r| {
            recs.push(r);
            Ok(())
        })
        .unwrap();
        recs
    }

    fn empty_station() -> Store {
        Store::open_in_memory(Arc::new(FixedClock::new(1_795_000_000_000))).unwrap()
    }

    /// Takes `recs` in one batch holding at most `limit` in memory, then
    /// projects them — when `again`, from `recs` read a second time, in
    /// chunks, every other event parsed as a bundle's reader would; whether
    /// it spilled.
    fn take_all(s: &mut Store, recs: &[EventRecord], limit: usize, again: bool) -> bool {
        s.batch(|s| {
            let mut intake = Intake::with_limit(limit);
            for r in recs {
                let v = intake.take(s, r.clone())?;
                assert!(matches!(v, Verdict::New | Verdict::Known), "{v:?}");
            }
            let spilled = intake.spilled;
            if again {
                let mut chunks = read_again(recs).into_iter();
                assert!(intake.project_again(s, &mut |_| Ok(chunks.next()))?);
            } else {
                intake.project(s)?;
            }
            Ok(spilled)
        })
        .unwrap()
    }

    /// `recs` as a bundle's reader sends them again: chunks of 7, every
    /// other event parsed.
    fn read_again(recs: &[EventRecord]) -> Vec<Vec<ReadAgain>> {
        let all: Vec<ReadAgain> = recs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let ev = (i % 2 == 0)
                    .then(|| Event::parse(&r.kind, &r.body).and_then(Result::ok))
                    .flatten();
                (r.clone(), ev)
            })
            .collect();
        all.chunks(7).map(<[ReadAgain]>::to_vec).collect()
    }

    #[test]
    fn a_spilled_intake_projects_what_one_held_in_memory_does() {
        let (expected, recs) = demo_events();
        assert!(recs.len() > 1000, "{} events", recs.len());
        // Spilled, records are gathered on a walk of the log or of the
        // bundle read again; a limit of 1 drops nearly every record's
        // gathered events for a read by entity.
        for again in [false, true] {
            for limit in [usize::MAX, 100, 1] {
                // One bundle, and two: the second's records are mostly
                // known, and it starts with 50 events held already.
                for split in [recs.len(), recs.len() / 2] {
                    let mut s = empty_station();
                    let a = take_all(&mut s, &recs[..split], limit, again);
                    let b = take_all(&mut s, &recs[split.saturating_sub(50)..], limit, again);
                    assert_eq!(a || b, limit != usize::MAX);
                    let got = project::dump(s.conn()).unwrap();
                    assert!(
                        got == expected,
                        "limit {limit}, split at {split}, again {again}"
                    );
                }
            }
        }
    }

    /// A purge of visits an earlier bundle brought, arriving in a spilled
    /// bundle of its own: the visits show erased, as when held in memory.
    #[test]
    fn a_later_purge_of_known_visits_projects_alike_when_spilled() {
        let now = 1_795_000_000_000;
        let clock = FixedClock::new(now);
        let mut src = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        crate::demo::generate(&mut src, &clock, crate::demo::Scale::Small, 42, now).unwrap();
        let first = in_chains(&src);
        let admin = src
            .operators()
            .unwrap()
            .into_iter()
            .find(|o| o.role == crate::domain::role::Role::Admin)
            .unwrap()
            .actor();
        let later_ms = now + 400 * 86_400_000;
        clock.set(later_ms);
        let purged = src
            .purge_personal(&admin, later_ms, &mut |_, _| true)
            .unwrap();
        assert!(purged.visits > 0, "{purged:?}");
        let expected = project::dump(src.conn()).unwrap();
        let known: std::collections::HashSet<String> = first.iter().map(|r| r.id.clone()).collect();
        let second: Vec<EventRecord> = in_chains(&src)
            .into_iter()
            .filter(|r| !known.contains(&r.id))
            .collect();
        assert!(second.iter().any(|r| r.kind == "visits.purged"));
        for (limit, again) in [(usize::MAX, false), (0, false), (0, true)] {
            let mut s = empty_station();
            take_all(&mut s, &first, usize::MAX, false);
            assert_eq!(take_all(&mut s, &second, limit, again), limit == 0);
            let got = project::dump(s.conn()).unwrap();
            assert!(got == expected, "limit {limit}, again {again}");
        }
    }

    #[test]
    fn a_bundle_that_changed_before_its_second_read_is_refused() {
        let (_, recs) = demo_events();
        // One event's content changed (hashed to match itself, as a reader
        // checks), one left out, one more at the end.
        let mut changed = read_again(&recs);
        let (r, _) = &mut changed[3][2];
        r.body = r.body.replace('"', "'");
        r.hash = r.compute_hash();
        let mut shorter = read_again(&recs);
        shorter[5].remove(0);
        let mut longer = read_again(&recs);
        longer.push(vec![(recs[0].clone(), None)]);
        for chunks in [changed, shorter, longer] {
            let mut s = empty_station();
            let mut chunks = chunks.into_iter();
            let same = s
                .batch(|s| {
                    let mut intake = Intake::with_limit(100);
                    for r in &recs {
                        intake.take(s, r.clone())?;
                    }
                    intake.project_again(s, &mut |_| Ok(chunks.next()))
                })
                .unwrap();
            assert!(!same);
        }
    }

    #[test]
    fn a_spilled_intake_refused_later_leaves_nothing() {
        let (_, recs) = demo_events();
        let mut s = empty_station();
        let out = s.batch(|s| {
            let mut intake = Intake::with_limit(10);
            for r in &recs[..500] {
                intake.take(s, r.clone())?;
            }
            assert!(intake.spilled);
            Err::<(), _>(StoreError::Io(std::io::Error::other("refused")))
        });
        assert!(out.is_err());
        let n: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn a_record_known_before_is_recomputed_from_the_log() {
        let s = station();
        let c = chain(2);
        let mut first = Intake::default();
        first.take(&s, c[0].clone()).unwrap();
        first.project(&s).unwrap();
        let mut second = Intake::default();
        second.take(&s, c[1].clone()).unwrap();
        assert!(!second.groups[0].fresh);
        second.project(&s).unwrap();
        let before = project::dump(s.conn()).unwrap();
        project::rebuild(s.conn()).unwrap();
        assert_eq!(before, project::dump(s.conn()).unwrap());
    }
}
