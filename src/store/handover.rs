//! Handover commands (sign, accept, countersign — each with the operator's
//! PIN), the signed handovers, their seals and the amendments made since.

use super::log::{self, EventRecord};
use super::{Store, StoreError};
use crate::domain::event::{Event, Remark};
use crate::domain::handover::{self, AMENDING_KINDS, HandoverState, Section, Stage, seal_hash};
use crate::domain::role::Actor;
use crate::domain::shift::{self, ShiftId};
use rusqlite::{OptionalExtension, params};
use std::collections::{BTreeSet, HashSet};

/// A signed handover as the projection holds it, names resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoverRow {
    pub shift: ShiftId,
    pub station_name: String,
    pub signed_by: String,
    pub signed_by_name: String,
    pub signed_ms: i64,
    pub sign_event: String,
    pub note: String,
    /// (record, its state as signed), in sheet order.
    pub items: Vec<(String, String)>,
    pub seal: String,
    pub accepted_by: Option<String>,
    pub accepted_ms: Option<i64>,
    pub accepted_by_name: Option<String>,
    pub remarks: Vec<Remark>,
    pub countersigned_by: Option<String>,
    pub countersigned_ms: Option<i64>,
    pub countersigned_by_name: Option<String>,
    pub countersign_note: Option<String>,
}

impl HandoverRow {
    pub fn state(&self) -> HandoverState {
        HandoverState {
            signed: Some((
                self.signed_by.clone(),
                self.signed_ms,
                self.sign_event.clone(),
            )),
            accepted: self.accepted_by.clone().zip(self.accepted_ms),
            countersigned: self.countersigned_by.clone().zip(self.countersigned_ms),
        }
    }

    pub fn stage(&self) -> Stage {
        self.state().stage()
    }
}

/// Whether a signed shift's records are still as the signer saw them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealCheck {
    Intact {
        events: usize,
    },
    /// Events missing from the log, events whose content no longer matches
    /// its hash, or a seal that no longer adds up.
    Broken {
        missing: usize,
        changed: usize,
    },
}

/// A change to a sealed record made after the seal: who, what and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub entity: String,
    pub kind: String,
    pub by: String,
    pub at_ms: i64,
    /// The reason or note the event gives, as typed.
    pub reason: String,
}

const ROW_COLS: &str =
    "key, signed_by, signed_ms, sign_event, note, items, seal, accepted_by, accepted_ms,
    remarks, countersigned_by, countersigned_ms, countersign_note";

/// Record kinds whose later correction matters to a sealed sheet.
const RECORD_PREFIXES: &[&str] = &[
    "visit:",
    "round:",
    "patrol:",
    "hazard:",
    "shiftlog:",
    "student:",
    "sick:",
    "leave:",
    "departure:",
];

impl Store {
    /// The date of a station's first signed handover. Handovers are kept
    /// from then on: the shifts before it were never meant to be signed.
    pub fn handovers_since(&self, station_id: &str) -> Result<Option<String>, StoreError> {
        let mut first = self
            .conn
            .prepare_cached("SELECT MIN(date) FROM handovers WHERE station = ?1")?;
        Ok(first.query_row([station_id], |r| r.get(0))?)
    }

    /// Whether the shift before `id` was signed over — once its station
    /// keeps handovers at all (`None` before then, and for the first shift).
    pub fn prev_handed_over(&self, id: &ShiftId) -> Result<Option<bool>, StoreError> {
        let Some(since) = self.handovers_since(&id.station_id)? else {
            return Ok(None);
        };
        Ok(match self.previous_shift(id)? {
            Some(prev) if prev.date >= since => Some(self.handover(&prev)?.is_some()),
            _ => None,
        })
    }

    /// The shift before `id` at its station.
    pub fn previous_shift(&self, id: &ShiftId) -> Result<Option<ShiftId>, StoreError> {
        let defs = self.shift_defs(&id.station_id)?;
        let Some(date) = id.naive_date() else {
            return Ok(None);
        };
        Ok(shift::previous(&defs, date, &id.shift, self.offset_min())
            .map(|(d, s)| ShiftId::new(&id.station_id, d, &s.key)))
    }

    fn read_handover(&self, r: &rusqlite::Row) -> rusqlite::Result<HandoverRow> {
        let key: String = r.get(0)?;
        let signed_by: String = r.get(1)?;
        let accepted_by: Option<String> = r.get(7)?;
        let countersigned_by: Option<String> = r.get(10)?;
        let shift = ShiftId::parse_key(&key).unwrap_or(ShiftId {
            station_id: String::new(),
            date: String::new(),
            shift: String::new(),
        });
        Ok(HandoverRow {
            station_name: self.station_name(&shift.station_id),
            shift,
            accepted_by_name: accepted_by.as_deref().map(|a| self.operator_name(a)),
            countersigned_by_name: countersigned_by.as_deref().map(|a| self.operator_name(a)),
            signed_by_name: self.operator_name(&signed_by),
            signed_by,
            signed_ms: r.get(2)?,
            sign_event: r.get(3)?,
            note: r.get(4)?,
            items: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
            seal: r.get(6)?,
            accepted_by,
            accepted_ms: r.get(8)?,
            remarks: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
            countersigned_by,
            countersigned_ms: r.get(11)?,
            countersign_note: r.get(12)?,
        })
    }

    pub fn handover(&self, id: &ShiftId) -> Result<Option<HandoverRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {ROW_COLS} FROM handovers WHERE key = ?1"))?;
        Ok(stmt
            .query_row([id.key()], |r| self.read_handover(r))
            .optional()?)
    }

    /// Signed handovers with dates in `[from, to]` (YYYY-MM-DD), newest
    /// first; one station's or every station's.
    pub fn handovers_between(
        &self,
        from: &str,
        to: &str,
        station: Option<&str>,
    ) -> Result<Vec<HandoverRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLS} FROM handovers WHERE date >= ?1 AND date <= ?2 AND (?3 IS NULL OR station = ?3)
             ORDER BY date DESC, signed_ms DESC"
        ))?;
        let rows = stmt.query_map(params![from, to, station], |r| self.read_handover(r))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn handover_state(&self, id: &ShiftId) -> Result<HandoverState, StoreError> {
        Ok(self.handover(id)?.map(|h| h.state()).unwrap_or_default())
    }

    /// The events a signature seals: everything recorded in the shift up to
    /// now, and every event of each record on the sheet.
    fn seal_events(
        &self,
        window: (i64, i64),
        items: &[String],
        now_ms: i64,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let mut out = log::between(&self.conn, window.0, now_ms.min(window.1).max(window.0))?;
        let mut seen: HashSet<String> = out.iter().map(|e| e.id.clone()).collect();
        for entity in items {
            for e in log::for_entity(&self.conn, entity)? {
                if e.hlc.ms <= now_ms && seen.insert(e.id.clone()) {
                    out.push(e);
                }
            }
        }
        out.retain(|e| !e.kind.starts_with("handover."));
        Ok(out)
    }

    /// The outgoing operator signs the shift over with their PIN.
    pub fn sign_handover(
        &mut self,
        actor: &Actor,
        pin: &str,
        id: &ShiftId,
        note: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.verify_pin(&actor.id, pin)?;
        let a = actor.clone();
        self.write(actor, |s| {
            let state = s.handover_state(id)?;
            let sheet = s.compose_sheet(id, now_ms)?;
            let items: Vec<String> = sheet.items.iter().map(|i| i.entity.clone()).collect();
            let events = s.seal_events(sheet.window, &items, now_ms)?;
            let pairs: Vec<(String, [u8; 32])> =
                events.iter().map(|e| (e.id.clone(), e.hash)).collect();
            let seal = seal_hash(&pairs);
            let sealed = pairs.into_iter().map(|(id, _)| id).collect();
            let e = handover::decide_sign(&a, &state, id, note, &sheet.items, sealed, seal)?;
            Ok((vec![Event::HandoverSigned(e)], ()))
        })
    }

    /// The incoming operator accepts with their PIN, every section acknowledged.
    pub fn accept_handover(
        &mut self,
        actor: &Actor,
        pin: &str,
        id: &ShiftId,
        acknowledged: &[Section],
        remarks: Vec<Remark>,
    ) -> Result<(), StoreError> {
        self.verify_pin(&actor.id, pin)?;
        let a = actor.clone();
        self.write(actor, |s| {
            let state = s.handover_state(id)?;
            let e = handover::decide_accept(&a, &state, id, acknowledged, remarks)?;
            Ok((vec![Event::HandoverAccepted(e)], ()))
        })
    }

    /// The duty leader countersigns with their PIN.
    pub fn countersign_handover(
        &mut self,
        actor: &Actor,
        pin: &str,
        id: &ShiftId,
        note: &str,
    ) -> Result<(), StoreError> {
        self.verify_pin(&actor.id, pin)?;
        let a = actor.clone();
        self.write(actor, |s| {
            let state = s.handover_state(id)?;
            let e = handover::decide_countersign(&a, &state, id, note)?;
            Ok((vec![Event::HandoverCountersigned(e)], ()))
        })
    }

    /// The sealed event ids, read from the signing event itself.
    fn sealed_ids(&self, h: &HandoverRow) -> Result<Option<Vec<String>>, StoreError> {
        let Some(rec) = log::by_id(&self.conn, &h.sign_event)? else {
            return Ok(None);
        };
        if rec.compute_hash() != rec.hash {
            return Ok(None);
        }
        Ok(match Event::parse(&rec.kind, &rec.body) {
            Some(Ok(Event::HandoverSigned(s))) if s.seal == h.seal && s.note == h.note => {
                Some(s.sealed)
            }
            _ => None,
        })
    }

    /// Re-reads every sealed event, checks each against its own hash and
    /// the seal against them all.
    pub fn check_seal(&self, h: &HandoverRow) -> Result<SealCheck, StoreError> {
        let Some(ids) = self.sealed_ids(h)? else {
            return Ok(SealCheck::Broken {
                missing: 0,
                changed: 1,
            });
        };
        let (mut missing, mut changed) = (0, 0);
        let mut pairs = Vec::with_capacity(ids.len());
        for id in &ids {
            match log::by_id(&self.conn, id)? {
                None => missing += 1,
                Some(e) => {
                    if e.compute_hash() != e.hash {
                        changed += 1;
                    }
                    pairs.push((e.id, e.hash));
                }
            }
        }
        if missing == 0 && changed == 0 && seal_hash(&pairs) == h.seal {
            Ok(SealCheck::Intact { events: ids.len() })
        } else {
            Ok(SealCheck::Broken {
                missing,
                changed: changed.max(usize::from(missing == 0)),
            })
        }
    }

    /// Corrections to the sealed records that the seal does not cover —
    /// whenever and wherever they were made, so every station agrees.
    pub fn amendments(&self, h: &HandoverRow) -> Result<Vec<Amendment>, StoreError> {
        let Some(ids) = self.sealed_ids(h)? else {
            return Ok(vec![]);
        };
        let sealed: HashSet<&String> = ids.iter().collect();
        let mut entities: BTreeSet<String> = BTreeSet::new();
        for id in &ids {
            if let Some(e) = log::by_id(&self.conn, id)?
                && RECORD_PREFIXES.iter().any(|p| e.entity.starts_with(p))
            {
                entities.insert(e.entity);
            }
        }
        let mut out = vec![];
        for entity in entities {
            for e in log::for_entity(&self.conn, &entity)? {
                if sealed.contains(&e.id) || !AMENDING_KINDS.contains(&e.kind.as_str()) {
                    continue;
                }
                let body: serde_json::Value = serde_json::from_str(&e.body).unwrap_or_default();
                let reason = ["reason", "note"]
                    .iter()
                    .find_map(|k| body.get(*k).and_then(|v| v.as_str()))
                    .unwrap_or_default()
                    .to_string();
                out.push(Amendment {
                    entity: entity.clone(),
                    kind: e.kind.clone(),
                    by: self.operator_name(&e.actor),
                    at_ms: e.hlc.ms,
                    reason,
                });
            }
        }
        out.sort_by_key(|a| a.at_ms);
        Ok(out)
    }

    /// One line naming a record listed on a sheet, as it stands now
    /// ("visit:…" → the visitor's name), for past handovers and the ledger.
    pub fn describe_record(&self, entity: &str) -> String {
        let (prefix, id) = entity.split_once(':').unwrap_or(("", entity));
        let q = |sql: &str, id: &str| -> Option<String> {
            self.conn
                .prepare_cached(sql)
                .ok()?
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()
                .ok()
                .flatten()
        };
        let text = match prefix {
            "visit" => self.visit(id).ok().flatten().map(|v| v.details.name),
            "hazard" => q(
                "SELECT place || ' ' || description FROM hazards WHERE id = ?1",
                id,
            ),
            "student" => q(
                "SELECT name || ' ' || class FROM students WHERE id = ?1",
                id,
            ),
            "sick" => q(
                "SELECT COALESCE(s.name, '') || ' ' || k.symptoms FROM sick k LEFT JOIN students s ON s.id = k.student_id WHERE k.id = ?1",
                id,
            ),
            "leave" => q(
                "SELECT COALESCE(s.name, '') FROM leaves l LEFT JOIN students s ON s.id = l.student_id WHERE l.id = ?1",
                id,
            ),
            "departure" => q(
                "SELECT COALESCE(s.name, '') || ' ' || d.with_name FROM departures d LEFT JOIN students s ON s.id = d.student_id WHERE d.id = ?1",
                id,
            ),
            "round" => q(
                "SELECT building || ' ' || night FROM rounds WHERE id = ?1",
                id,
            ),
            "patrol" => q(
                "SELECT COALESCE(r.name, p.route_id) FROM patrol_rounds p LEFT JOIN routes r ON r.id = p.route_id WHERE p.id = ?1",
                id,
            ),
            "route" => q(
                "SELECT name FROM routes WHERE id = ?1",
                id.split('/').next().unwrap_or(id),
            ),
            "shiftlog" => q("SELECT what FROM shift_log WHERE id = ?1", id),
            _ => None,
        };
        text.unwrap_or_else(|| entity.to_string())
    }

    /// For the status bar, every tick: this shift signed over early and not
    /// accepted; else the shift before it, when it is signed but not
    /// accepted, or — once the station keeps handovers — not signed. A few
    /// keyed lookups.
    pub fn handover_alert(&self, now_ms: i64) -> Result<Option<(ShiftId, Stage)>, StoreError> {
        let Some(cur) = self.current_shift(now_ms)? else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT accepted_by IS NOT NULL FROM handovers WHERE key = ?1")?;
        // Signed over early, before the shift's end: the incoming one is here.
        if stmt
            .query_row([cur.key()], |r| r.get::<_, bool>(0))
            .optional()?
            == Some(false)
        {
            return Ok(Some((cur, Stage::Signed)));
        }
        let Some(prev) = self.previous_shift(&cur)? else {
            return Ok(None);
        };
        let accepted: Option<bool> = stmt.query_row([prev.key()], |r| r.get(0)).optional()?;
        Ok(match accepted {
            Some(true) => None,
            Some(false) => Some((prev, Stage::Signed)),
            None => {
                let mut any = self
                    .conn
                    .prepare_cached("SELECT 1 FROM handovers WHERE station = ?1 LIMIT 1")?;
                let used = any.exists([&prev.station_id])?;
                used.then_some((prev, Stage::Open))
            }
        })
    }
}
