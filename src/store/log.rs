//! The append-only event log: gapless per-origin sequence, UUIDv7 ids, HLC
//! timestamps and a blake3 hash chain per origin.

use super::{StoreError, personal};
use crate::domain::hlc::Hlc;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRecord {
    pub origin: String,
    pub seq: i64,
    pub id: String,
    pub hlc: Hlc,
    pub kind: String,
    pub entity: String,
    pub schema: i64,
    pub actor: String,
    pub body: String,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl EventRecord {
    /// The hash of every field but `hash`, chained to `prev_hash`. Fields are
    /// length-prefixed so no two different events can hash alike by shifting
    /// bytes between fields. A body holding personal data is hashed in its
    /// erasable form (`personal`), so erasing it later keeps the hash.
    pub fn compute_hash(&self) -> [u8; 32] {
        let sealed = personal::holds_personal(&self.kind, self.schema)
            .then(|| personal::hash_form(&self.body))
            .flatten();
        let body = sealed.as_deref().unwrap_or(&self.body);
        let mut h = blake3::Hasher::new();
        h.update(b"dutydesk-event-v1");
        h.update(&self.prev_hash);
        for part in [
            self.origin.as_bytes(),
            &self.seq.to_le_bytes(),
            self.id.as_bytes(),
            &self.hlc.ms.to_le_bytes(),
            &self.hlc.c.to_le_bytes(),
            self.kind.as_bytes(),
            self.entity.as_bytes(),
            &self.schema.to_le_bytes(),
            self.actor.as_bytes(),
            body.as_bytes(),
        ] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        *h.finalize().as_bytes()
    }
}

const COLS: &str =
    "origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash";

fn read(r: &rusqlite::Row) -> rusqlite::Result<EventRecord> {
    let blob32 = |i: usize| -> rusqlite::Result<[u8; 32]> {
        let v: Vec<u8> = r.get(i)?;
        Ok(v.try_into().unwrap_or([0; 32]))
    };
    Ok(EventRecord {
        origin: r.get(0)?,
        seq: r.get(1)?,
        id: r.get(2)?,
        hlc: Hlc {
            ms: r.get(3)?,
            c: r.get(4)?,
        },
        kind: r.get(5)?,
        entity: r.get(6)?,
        schema: r.get(7)?,
        actor: r.get(8)?,
        body: r.get(9)?,
        prev_hash: blob32(10)?,
        hash: blob32(11)?,
    })
}

/// The last (seq, hash) of an origin; (0, zeros) for an empty chain.
pub fn head(conn: &Connection, origin: &str) -> Result<(i64, [u8; 32]), StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM events WHERE origin = ?1 ORDER BY seq DESC LIMIT 1",
            [origin],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((seq, h)) => (seq, h.try_into().unwrap_or([0; 32])),
        None => (0, [0; 32]),
    })
}

/// The hash of one event of a chain, if held: where two stations' copies of
/// a chain are compared (an import, a restored station's fork).
pub fn hash_at(conn: &Connection, origin: &str, seq: i64) -> Result<Option<[u8; 32]>, StoreError> {
    let v: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM events WHERE origin = ?1 AND seq = ?2")?
        .query_row(params![origin, seq], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| v.try_into().ok()))
}

impl super::Store {
    /// The last (seq, hash) of one origin's chain here.
    pub fn chain_head(&self, origin: &str) -> Result<(i64, [u8; 32]), StoreError> {
        head(&self.conn, origin)
    }

    /// The hash of event `seq` of `origin`'s chain, if held here.
    pub fn chain_hash_at(&self, origin: &str, seq: i64) -> Result<Option<[u8; 32]>, StoreError> {
        hash_at(&self.conn, origin, seq)
    }
}

pub fn max_hlc(conn: &Connection) -> Result<Hlc, StoreError> {
    let row: Option<(i64, u32)> = conn
        .query_row(
            "SELECT hlc_ms, hlc_c FROM events ORDER BY hlc_ms DESC, hlc_c DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(ms, c)| Hlc { ms, c }).unwrap_or_default())
}

pub fn insert(conn: &Connection, e: &EventRecord) -> Result<(), StoreError> {
    insert_body(conn, e, &e.body)
}

/// Appends an event received from another station. One about a visit
/// whose personal data was purged here, from a station that had not purged
/// yet, is kept erased: the fields never come back.
pub fn insert_received(conn: &Connection, e: &EventRecord) -> Result<(), StoreError> {
    let erased = purged_entity(conn, &e.kind, e.schema, &e.entity)?
        .then(|| personal::erase(&e.body))
        .flatten();
    insert_body(conn, e, erased.as_ref().unwrap_or(&e.body))
}

fn insert_body(conn: &Connection, e: &EventRecord, body: &str) -> Result<(), StoreError> {
    // The statement text spelled out: a million-event import looks it up in
    // the cache once per event.
    conn.prepare_cached(
        "INSERT INTO events (origin, seq, id, hlc_ms, hlc_c, kind, entity, schema, actor, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        e.origin,
        e.seq,
        e.id,
        e.hlc.ms,
        e.hlc.c,
        e.kind,
        e.entity,
        e.schema,
        e.actor,
        body,
        &e.prev_hash[..],
        &e.hash[..]
    ])?;
    Ok(())
}

/// True for an event of a visit whose personal data was purged here.
fn purged_entity(
    conn: &Connection,
    kind: &str,
    schema: i64,
    entity: &str,
) -> Result<bool, StoreError> {
    let Some(visit) = entity.strip_prefix("visit:") else {
        return Ok(false);
    };
    if !personal::holds_personal(kind, schema) {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM purged_visits WHERE visit_id = ?1)")?
        .query_row([visit], |r| r.get(0))?)
}

/// Erases the personal fields of every event of one visit held here.
pub fn erase_visit(conn: &Connection, visit_id: &str) -> Result<(), StoreError> {
    for (e, body) in erasable(conn, visit_id)?.0 {
        conn.prepare_cached("UPDATE events SET body = ?1 WHERE origin = ?2 AND seq = ?3")?
            .execute(params![body, e.origin, e.seq])?;
    }
    Ok(())
}

/// (events `erase_visit` would erase, events written before erasable
/// bodies — their fields stay in the log) of one visit.
pub fn erased_counts(conn: &Connection, visit_id: &str) -> Result<(usize, usize), StoreError> {
    let (erasable, legacy) = erasable(conn, visit_id)?;
    Ok((erasable.len(), legacy))
}

type Erasable = (Vec<(EventRecord, String)>, usize);

fn erasable(conn: &Connection, visit_id: &str) -> Result<Erasable, StoreError> {
    let mut out = vec![];
    let mut legacy = 0;
    for e in for_entity(conn, &format!("visit:{visit_id}"))? {
        if personal::holds_personal(&e.kind, e.schema) {
            if let Some(body) = personal::erase(&e.body) {
                out.push((e, body));
            }
        } else if e.kind != "visit.signed_out" {
            legacy += 1;
        }
    }
    Ok((out, legacy))
}

/// Calls `f` with every event `sql` (a query over `COLS`) selects.
fn each(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut f: impl FnMut(EventRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        f(read(r)?)?;
    }
    Ok(())
}

/// Every event in replay order: by HLC, then origin and sequence, which is
/// the same order on every station that holds the same events.
pub fn for_each(
    conn: &Connection,
    f: impl FnMut(EventRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!("SELECT {COLS} FROM events ORDER BY hlc_ms, hlc_c, origin, seq");
    each(conn, &sql, [], f)
}

/// Every event by origin and sequence: each chain from its start, the order
/// bundles carry them in.
pub fn for_each_in_chains(
    conn: &Connection,
    f: impl FnMut(EventRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!("SELECT {COLS} FROM events ORDER BY origin, seq");
    each(conn, &sql, [], f)
}

/// The events of one origin with `above < seq <= upto`, in order: the part
/// of a chain an incremental bundle carries.
pub fn for_each_in_chain_range(
    conn: &Connection,
    origin: &str,
    above: i64,
    upto: i64,
    f: impl FnMut(EventRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM events WHERE origin = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq"
    );
    each(conn, &sql, params![origin, above, upto], f)
}

/// The events of the given kinds in replay order.
pub fn for_each_of_kinds(
    conn: &Connection,
    kinds: &[&str],
    f: impl FnMut(EventRecord) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let marks = vec!["?"; kinds.len().max(1)].join(", ");
    let sql = format!(
        "SELECT {COLS} FROM events WHERE kind IN ({marks}) ORDER BY hlc_ms, hlc_c, origin, seq"
    );
    each(conn, &sql, rusqlite::params_from_iter(kinds), f)
}

/// Every record's events together, each record's in replay order: one pass
/// over the log sorted by record. The `+` keeps SQLite from walking the
/// entity index, which would fetch rows from all over the file one by one.
pub fn for_each_entity(
    conn: &Connection,
    mut f: impl FnMut(Vec<EventRecord>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM events ORDER BY +entity, hlc_ms, hlc_c, origin, seq"
    ))?;
    let mut rows = stmt.query([])?;
    let mut group: Vec<EventRecord> = Vec::new();
    while let Some(r) = rows.next()? {
        let rec = read(r)?;
        if group.first().is_some_and(|g| g.entity != rec.entity) {
            f(std::mem::take(&mut group))?;
        }
        group.push(rec);
    }
    if !group.is_empty() {
        f(group)?;
    }
    Ok(())
}

/// The events appended after the row `before`, in append order, each with
/// its rowid: one forward walk of the log's table (`next_appended`).
pub fn appended(conn: &Connection) -> Result<rusqlite::Statement<'_>, StoreError> {
    Ok(conn.prepare(&format!(
        "SELECT {COLS}, rowid FROM events WHERE rowid > ?1 ORDER BY rowid"
    ))?)
}

/// The next row of an `appended` query.
pub fn next_appended(
    rows: &mut rusqlite::Rows<'_>,
) -> Result<Option<(i64, EventRecord)>, StoreError> {
    Ok(match rows.next()? {
        Some(r) => Some((r.get(12)?, read(r)?)),
        None => None,
    })
}

/// Events recorded between two times (by HLC), any origin: a shift's records.
pub fn between(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<EventRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM events WHERE hlc_ms >= ?1 AND hlc_ms <= ?2 ORDER BY hlc_ms, hlc_c, origin, seq"
    ))?;
    let rows = stmt.query_map([from_ms, to_ms], read)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One event by id, if this station holds it.
pub fn by_id(conn: &Connection, id: &str) -> Result<Option<EventRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM events WHERE id = ?1"))?;
    Ok(stmt.query_row([id], read).optional()?)
}

pub fn for_entity(conn: &Connection, entity: &str) -> Result<Vec<EventRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM events WHERE entity = ?1 ORDER BY hlc_ms, hlc_c, origin, seq"
    ))?;
    let rows = stmt.query_map([entity], read)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainFault {
    Gap {
        origin: String,
        expected: i64,
        found: i64,
    },
    BrokenLink {
        origin: String,
        seq: i64,
    },
    BadHash {
        origin: String,
        seq: i64,
    },
}

/// Walks every origin's chain: gapless from 1, each event linked to the one
/// before, each hash matching its content. Returns the events checked.
pub fn verify(conn: &Connection) -> Result<Result<u64, ChainFault>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLS} FROM events ORDER BY origin, seq"))?;
    let mut rows = stmt.query([])?;
    let mut cur: Option<(String, i64, [u8; 32])> = None;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let e = read(r)?;
        let (expected_seq, prev) = match &cur {
            Some((o, s, h)) if *o == e.origin => (s + 1, *h),
            _ => (1, [0; 32]),
        };
        if e.seq != expected_seq {
            return Ok(Err(ChainFault::Gap {
                origin: e.origin,
                expected: expected_seq,
                found: e.seq,
            }));
        }
        if e.prev_hash != prev {
            return Ok(Err(ChainFault::BrokenLink {
                origin: e.origin,
                seq: e.seq,
            }));
        }
        if e.compute_hash() != e.hash {
            return Ok(Err(ChainFault::BadHash {
                origin: e.origin,
                seq: e.seq,
            }));
        }
        cur = Some((e.origin.clone(), e.seq, e.hash));
        n += 1;
    }
    Ok(Ok(n))
}
