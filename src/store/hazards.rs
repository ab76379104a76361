//! Hazard commands and the ledger's queries. Every step goes through
//! `Store::write` with the domain's `decide_*` rule, read from the same
//! projection the ledger shows.

use super::log::EventRecord;
use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::Event;
use crate::domain::hazard::{
    self, Attachment, Category, HazardDraft, HazardView, Severity, Status,
};
use crate::domain::role::Actor;
use crate::domain::settings::hazard_deadline_key;
use crate::domain::validate::FieldError;
use rusqlite::{OptionalExtension, Row, params_from_iter, types::Value};
use std::path::{Path, PathBuf};

/// The ledger's filters; empty fields filter nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HazardFilter {
    pub status: Option<Status>,
    /// Not closed (any open state).
    pub open: bool,
    pub severity: Option<Severity>,
    pub category: Option<Category>,
    /// Part of the place.
    pub place: String,
    /// Place, responsible person (also by pinyin or initials), description.
    pub text: String,
    pub overdue: bool,
    /// Found in `[from_ms, to_ms)`.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: usize,
}

const COLS: &str = "id, origin, status, severity, category, place, description, containment, responsible,
    found_ms, reported_by, deadline_ms, measures, rectifier, rectified_by, rectified_ms, verified_by,
    verified_ms, verify_passed, verify_note, fails, closed_by, closed_ms, reopens, attachments, patrol";

fn read(r: &Row) -> rusqlite::Result<HazardView> {
    Ok(HazardView {
        id: r.get(0)?,
        origin: r.get(1)?,
        status: Status::parse(&r.get::<_, String>(2)?).unwrap_or_default(),
        severity: Severity::parse(&r.get::<_, String>(3)?),
        category: Category::parse(&r.get::<_, String>(4)?),
        place: r.get(5)?,
        description: r.get(6)?,
        containment: r.get(7)?,
        responsible: r.get(8)?,
        found_ms: r.get(9)?,
        reported_by: r.get(10)?,
        deadline_ms: r.get(11)?,
        measures: r.get(12)?,
        rectifier: r.get(13)?,
        rectified_by: r.get(14)?,
        rectified_ms: r.get(15)?,
        verified_by: r.get(16)?,
        verified_ms: r.get(17)?,
        verify_passed: r.get(18)?,
        verify_note: r.get(19)?,
        fails: r.get(20)?,
        closed_by: r.get(21)?,
        closed_ms: r.get(22)?,
        reopens: r.get(23)?,
        // Most hazards carry no photo: skip the parser for "[]".
        attachments: match r.get_ref(24)?.as_str().unwrap_or("[]") {
            "[]" => vec![],
            a => serde_json::from_str(a).unwrap_or_default(),
        },
        found_on_patrol: r
            .get::<_, Option<String>>(25)?
            .and_then(|p| serde_json::from_str(&p).ok()),
    })
}

/// `'%q%'` with LIKE's wildcards taken literally.
fn like(q: &str) -> String {
    let q = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{q}%")
}

const OVERDUE: &str = "(status IN ('reported','assigned','rectified') AND deadline_ms < ?1)";

/// The ledger filter as SQL conditions (each starting with ` AND `) and
/// their arguments; `?1` is always the clock, for the overdue test.
fn filter_sql(f: &HazardFilter, now_ms: i64) -> (String, Vec<Value>) {
    let mut sql = String::new();
    let mut args: Vec<Value> = vec![Value::Integer(now_ms)];
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(s) = f.status {
        sql += &format!(
            " AND status = {}",
            arg(s.key().to_string().into(), &mut args)
        );
    }
    if let Some(s) = f.severity {
        sql += &format!(
            " AND severity = {}",
            arg(s.key().to_string().into(), &mut args)
        );
    }
    if let Some(c) = f.category {
        sql += &format!(
            " AND category = {}",
            arg(c.key().to_string().into(), &mut args)
        );
    }
    if !f.place.trim().is_empty() {
        sql += &format!(
            " AND place LIKE {} ESCAPE '\\'",
            arg(like(f.place.trim()).into(), &mut args)
        );
    }
    if !f.text.trim().is_empty() {
        sql += &format!(
            " AND search LIKE {} ESCAPE '\\'",
            arg(like(f.text.trim()).into(), &mut args)
        );
    }
    if f.overdue {
        sql += &format!(" AND {OVERDUE}");
    }
    if let Some(t) = f.from_ms {
        sql += &format!(" AND found_ms >= {}", arg(t.into(), &mut args));
    }
    if let Some(t) = f.to_ms {
        sql += &format!(" AND found_ms < {}", arg(t.into(), &mut args));
    }
    (sql, args)
}

impl Store {
    /// The hours a hazard of `s` is given by default at this station.
    pub fn hazard_deadline_hours(&self, s: Severity) -> i64 {
        self.setting(&hazard_deadline_key(s))
    }

    pub fn hazard(&self, id: &str) -> Result<Option<HazardView>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLS} FROM hazards WHERE id = ?1"))?
            .query_row([id], read)
            .optional()?)
    }

    /// The ledger: open serious and overdue hazards first, then by severity,
    /// newest found first; closed hazards after every open one. The two
    /// parts are read apart so that no key's work grows with the year: the
    /// open part is what is open now (its partial index), the closed part
    /// walks its own index in ledger order and stops at the limit. Sorting
    /// a year's closed hazards by an expression instead cost 2–3 ms a key.
    pub fn hazards(&self, f: &HazardFilter, now_ms: i64) -> Result<Vec<HazardView>, StoreError> {
        let limit = if f.limit == 0 { 500 } else { f.limit };
        let (cond, args) = filter_sql(f, now_ms);
        let wants_open = f.status.is_none_or(|s| s != Status::Closed);
        let wants_closed = !f.open && !f.overdue && f.status.is_none_or(|s| s == Status::Closed);
        let mut out = Vec::new();
        if wants_open {
            let sql = format!(
                "SELECT {COLS} FROM hazards WHERE status <> 'closed' {cond}
                 ORDER BY (severity = 'serious' OR {OVERDUE}) DESC, sev_rank DESC, found_ms DESC, id
                 LIMIT {limit}"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            for r in stmt.query_map(params_from_iter(&args), read)? {
                out.push(r?);
            }
        }
        if wants_closed && out.len() < limit {
            // The closed index walks the ledger order and stops at the
            // limit; a category or a date range narrows the year more by
            // its own index, and then only the row ids are sorted.
            let hint = if f.category.is_none() && f.from_ms.is_none() && f.to_ms.is_none() {
                "INDEXED BY hazards_closed_order"
            } else {
                ""
            };
            let order = "ORDER BY sev_rank DESC, found_ms DESC, id";
            let sql = format!(
                "SELECT {COLS} FROM hazards WHERE rowid IN (
                   SELECT rowid FROM hazards {hint} WHERE status = 'closed' {cond} {order} LIMIT {}
                 ) {order}",
                limit - out.len()
            );
            // Without a condition the statement has no parameter, not even
            // the clock (it asks nothing about deadlines).
            let args = if cond.is_empty() { &[][..] } else { &args[..] };
            let mut stmt = self.conn.prepare_cached(&sql)?;
            for r in stmt.query_map(params_from_iter(args), read)? {
                out.push(r?);
            }
        }
        Ok(out)
    }

    /// (overdue, serious and not closed): read from the open hazards'
    /// partial index, never the year — the status bar asks every second.
    pub fn hazard_alerts(&self, now_ms: i64) -> Result<(i64, i64), StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT COALESCE(SUM({OVERDUE}), 0), COALESCE(SUM(severity = 'serious'), 0)
             FROM hazards INDEXED BY hazards_open WHERE status <> 'closed'"
            ))?
            .query_row([now_ms], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// (hazards found in `[from, to)`, closed among them, overdue now).
    pub fn hazard_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> Result<(usize, usize, usize), StoreError> {
        let (n, closed, overdue): (i64, i64, i64) = self
            .conn
            .prepare_cached(&format!(
                "SELECT COUNT(*), COALESCE(SUM(status = 'closed'), 0), COALESCE(SUM({OVERDUE}), 0)
             FROM hazards WHERE found_ms >= ?2 AND found_ms < ?3"
            ))?
            .query_row(rusqlite::params![now_ms, from_ms, to_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let size = |v: i64| usize::try_from(v).unwrap_or(0);
        Ok((size(n), size(closed), size(overdue)))
    }

    /// The hazards found in `[from, to)` in the order found, one at a time
    /// (a year's ledger is never held in memory); operator ids are names.
    pub fn each_hazard_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        f: &mut dyn FnMut(HazardView) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM hazards WHERE found_ms >= ?1 AND found_ms < ?2 ORDER BY found_ms, id"
        ))?;
        let rows = stmt.query_map(rusqlite::params![from_ms, to_ms], read)?;
        let mut names = std::collections::HashMap::new();
        let mut name = |id: &str| -> String {
            names
                .entry(id.to_string())
                .or_insert_with(|| self.operator_name(id))
                .clone()
        };
        for v in rows {
            let mut v = v?;
            v.reported_by = name(&v.reported_by);
            v.verified_by = v.verified_by.as_deref().map(&mut name);
            v.closed_by = v.closed_by.as_deref().map(&mut name);
            f(v)?;
        }
        Ok(())
    }

    /// Every event of one hazard, in log order (its history).
    pub fn hazard_history(&self, id: &str) -> Result<Vec<(EventRecord, Event)>, StoreError> {
        super::project::entity_events(&self.conn, &format!("hazard:{id}"))
    }

    fn hazard_state(&self, id: &str) -> Result<HazardView, StoreError> {
        Ok(self.hazard(id)?.ok_or(DomainError::NotFound)?)
    }

    /// Reports a hazard found at `found_ms` (now when `None`); photos are
    /// copied into the attachment folder first, so a bad path refuses the
    /// report with nothing written.
    pub fn report_hazard(
        &mut self,
        actor: &Actor,
        draft: &HazardDraft,
        found_ms: Option<i64>,
        photos: &[PathBuf],
    ) -> Result<String, StoreError> {
        let now = self.now_ms();
        let found = found_ms.unwrap_or(now);
        if found > now {
            return Err(DomainError::Invalid(vec![("found_at", FieldError::FutureTime)]).into());
        }
        let mut attachments = vec![];
        for p in photos {
            attachments.push(self.attach_file(p)?);
        }
        let a = actor.clone();
        self.write(actor, |s| {
            let id = s.new_id();
            let hours: Vec<i64> = Severity::ALL
                .iter()
                .map(|v| s.hazard_deadline_hours(*v))
                .collect();
            let e = hazard::decide_report(
                &a,
                id.clone(),
                draft,
                found,
                |v| hours[v as usize],
                attachments,
            )?;
            Ok((vec![Event::HazardReported(e)], id))
        })
    }

    pub fn assign_hazard(
        &mut self,
        actor: &Actor,
        id: &str,
        responsible: &str,
        deadline_ms: i64,
        note: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let v = s.hazard_state(id)?;
            let e = hazard::decide_assign(&a, &v, responsible, deadline_ms, note)?;
            Ok((vec![Event::HazardAssigned(e)], ()))
        })
    }

    /// Records the fix; `done_ms` None is now.
    pub fn rectify_hazard(
        &mut self,
        actor: &Actor,
        id: &str,
        measures: &str,
        done_by: &str,
        done_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        let now = self.now_ms();
        self.write(actor, |s| {
            let v = s.hazard_state(id)?;
            let e = hazard::decide_rectify(&a, &v, measures, done_by, done_ms.unwrap_or(now), now)?;
            Ok((vec![Event::HazardRectified(e)], ()))
        })
    }

    pub fn verify_hazard(
        &mut self,
        actor: &Actor,
        id: &str,
        passed: bool,
        note: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let v = s.hazard_state(id)?;
            let e = hazard::decide_verify(&a, &v, passed, note)?;
            Ok((vec![Event::HazardVerified(e)], ()))
        })
    }

    pub fn close_hazard(&mut self, actor: &Actor, id: &str, note: &str) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let v = s.hazard_state(id)?;
            let e = hazard::decide_close(&a, &v, note)?;
            Ok((vec![Event::HazardClosed(e)], ()))
        })
    }

    pub fn reopen_hazard(
        &mut self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let v = s.hazard_state(id)?;
            let e = hazard::decide_reopen(&a, &v, reason)?;
            Ok((vec![Event::HazardReopened(e)], ()))
        })
    }

    /// The folder beside the database that holds attachments by hash.
    pub fn attachment_dir(&self) -> Option<PathBuf> {
        let p = self.path();
        if p.as_os_str() == ":memory:" {
            return None;
        }
        Some(p.parent().unwrap_or(Path::new(".")).join("attachments"))
    }

    /// The local copy of an attachment, when this station holds it.
    pub fn attachment_path(&self, a: &Attachment) -> Option<PathBuf> {
        let p = self.attachment_dir()?.join(&a.hash);
        p.is_file().then_some(p)
    }

    /// Copies a photo into the attachment folder, named by its blake3 hash
    /// (the same photo twice is one file). A missing or unreadable file is
    /// a field error naming the path.
    pub fn attach_file(&mut self, path: &Path) -> Result<Attachment, StoreError> {
        let bad = || {
            StoreError::Domain(DomainError::Invalid(vec![(
                "photo",
                FieldError::NoSuchFile,
            )]))
        };
        let bytes = std::fs::read(path).map_err(|_| bad())?;
        if !path.is_file() {
            return Err(bad());
        }
        let hash = blake3::hash(&bytes).to_hex().to_string();
        let dir = self.attachment_dir().ok_or_else(bad)?;
        std::fs::create_dir_all(&dir)?;
        let dest = dir.join(&hash);
        if !dest.is_file() {
            // Written aside then renamed: a half-copied photo never has the
            // hash's name.
            let tmp = dir.join(format!("{hash}.part"));
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &dest)?;
        }
        Ok(Attachment {
            hash,
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: bytes.len() as u64,
            station: self.require_station()?.id.clone(),
        })
    }
}

impl Store {
    /// (round, checkpoint) of the patrol findings reported as hazards
    /// found since `since_ms`: the patrol pane marks them (read through
    /// the found-time index, so a year of hazards costs nothing).
    pub fn patrol_hazard_links(
        &self,
        since_ms: i64,
    ) -> Result<std::collections::HashSet<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT patrol FROM hazards WHERE found_ms >= ?1 AND patrol IS NOT NULL",
        )?;
        let rows = stmt.query_map([since_ms], |r| r.get::<_, String>(0))?;
        let mut out = std::collections::HashSet::new();
        for p in rows {
            if let Ok(p) = serde_json::from_str::<crate::domain::hazard::PatrolRef>(&p?) {
                out.insert((p.round_id, p.checkpoint_id));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The attachments named by hazard events within `ranges` (per origin:
    /// above, up to), each once. Read through the entity index: only
    /// hazards' events are looked at, however long the log.
    pub fn hazard_attachments_in(
        &self,
        ranges: &std::collections::BTreeMap<String, (i64, i64)>,
    ) -> Result<Vec<Attachment>, StoreError> {
        #[derive(serde::Deserialize)]
        struct WithAttachments {
            #[serde(default)]
            attachments: Vec<Attachment>,
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT origin, seq, body FROM events
             WHERE entity >= 'hazard:' AND entity < 'hazard;' AND body LIKE '%\"attachments\":[{%'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut out = vec![];
        for row in rows {
            let (origin, seq, body) = row?;
            let inside = ranges
                .get(&origin)
                .is_some_and(|&(above, upto)| seq > above && seq <= upto);
            if !inside {
                continue;
            }
            let Ok(w) = serde_json::from_str::<WithAttachments>(&body) else {
                continue;
            };
            for a in w.attachments {
                if seen.insert(a.hash.clone()) {
                    out.push(a);
                }
            }
        }
        Ok(out)
    }
}
