//! Visits: the register's commands and the queries its screens page through.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::Event;
use crate::domain::role::Actor;
use crate::domain::time;
use crate::domain::visit::{
    self, Decision, RegisterInput, Registration, VisitDetails, VisitForm, VisitStatus, WatchCheck,
    WatchHit,
};
use crate::domain::watch::{Candidate, match_watchlist};
use rusqlite::{OptionalExtension, params_from_iter, types::Value};

#[derive(Debug, Clone, PartialEq)]
pub struct VisitRow {
    pub id: String,
    pub origin: String,
    pub status: VisitStatus,
    pub time_in: i64,
    pub time_out: Option<i64>,
    pub details: VisitDetails,
    pub time_in_reason: Option<String>,
    pub registered_by: String,
    pub signed_out_by: Option<String>,
    pub watch: Option<WatchCheck>,
    pub corrections: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitChange {
    pub at_ms: i64,
    pub by: String,
    pub reason: String,
    pub before: VisitDetails,
    pub after: VisitDetails,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersonSuggestion {
    pub key: String,
    pub name: String,
    pub last_ms: i64,
    pub visits: i64,
    pub details: VisitDetails,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RegisterOutcome {
    NeedsDecision(Vec<WatchHit>),
    Registered(String),
    Denied(String),
}

/// What a history search means: nothing, a local day, or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryFilter {
    All,
    Day { from_ms: i64, to_ms: i64 },
    Text(String),
}

impl HistoryFilter {
    pub fn parse(q: &str, offset_min: i32, now_ms: i64) -> HistoryFilter {
        let q = crate::domain::validate::normalize_input(q).to_lowercase();
        if q.is_empty() {
            return HistoryFilter::All;
        }
        let date = time::parse_date(&q).or_else(|| {
            // "11-22", "11/22" or "11月22日": a day of the current year.
            let year = chrono::Datelike::year(&time::local(now_ms, offset_min));
            time::parse_month_day(&q, year)
        });
        match date {
            Some(d) => {
                let from_ms = time::day_start_ms(d, offset_min);
                HistoryFilter::Day {
                    from_ms,
                    to_ms: from_ms + 86_400_000,
                }
            }
            // A phone, ID or plate written the way people write them
            // ("+86 138 1234 5678", "京a·12345") is searched as it is stored.
            None => {
                use crate::domain::validate::{check_mobile, check_plate, check_resident_id};
                let stored = check_mobile(&q)
                    .or_else(|_| check_resident_id(&q))
                    .or_else(|_| check_plate(&q));
                HistoryFilter::Text(stored.map_or(q, |v| v.to_lowercase()))
            }
        }
    }
}

/// Which way to page from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Newest first, strictly older than the cursor.
    Older,
    /// Strictly newer than the cursor, returned newest first.
    Newer,
}

pub type Cursor = (i64, String);

const ROW_COLS: &str = "id, origin, status, time_in, time_out, details, time_in_reason, registered_by, signed_out_by, watch, corrections";

fn read_row(r: &rusqlite::Row) -> rusqlite::Result<VisitRow> {
    let details: String = r.get(5)?;
    let watch: Option<String> = r.get(9)?;
    Ok(VisitRow {
        id: r.get(0)?,
        origin: r.get(1)?,
        status: VisitStatus::parse(&r.get::<_, String>(2)?).unwrap_or(VisitStatus::Out),
        time_in: r.get(3)?,
        time_out: r.get(4)?,
        details: serde_json::from_str(&details).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        time_in_reason: r.get(6)?,
        registered_by: r.get(7)?,
        signed_out_by: r.get(8)?,
        watch: watch.and_then(|w| serde_json::from_str(&w).ok()),
        corrections: r.get(10)?,
    })
}

/// Escapes LIKE wildcards typed by a user.
pub fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

impl Store {
    /// Registers a visit. When the watchlist matches and no decision was
    /// given, nothing is written and the matches come back for the guard.
    pub fn register_visit(
        &mut self,
        actor: &Actor,
        form: &VisitForm,
        decision: Option<(Decision, String)>,
    ) -> Result<RegisterOutcome, StoreError> {
        let actor_c = actor.clone();
        self.write(actor, move |s| {
            let hits = s.watch_hits(form)?;
            let visit_id = s.new_id();
            let input = RegisterInput {
                visit_id,
                form,
                default_expected: s.expected_minutes(form.visitor_type),
                now_ms: s.now_ms(),
                offset_min: s.offset_min(),
                hits,
                decision,
                special: s.setting(crate::domain::settings::SPECIAL_PERIOD) == 1,
            };
            Ok(match visit::decide_register(&actor_c, input)? {
                Registration::NeedsDecision(h) => (vec![], RegisterOutcome::NeedsDecision(h)),
                Registration::Admitted(r) => {
                    let id = r.visit_id.clone();
                    (
                        vec![Event::VisitRegistered(r)],
                        RegisterOutcome::Registered(id),
                    )
                }
                Registration::Denied(d) => {
                    let id = d.visit_id.clone();
                    (vec![Event::VisitDenied(d)], RegisterOutcome::Denied(id))
                }
            })
        })
    }

    /// Watchlist entries matching what the form says, with reasons.
    pub fn watch_hits(&self, form: &VisitForm) -> Result<Vec<WatchHit>, StoreError> {
        let entries = self.watch_entries(true)?;
        let norm = |s: &str| {
            let s = crate::domain::validate::normalize_input(s);
            (!s.is_empty()).then_some(s)
        };
        let cand = Candidate {
            name: form.name.clone(),
            id_no: norm(&form.id_no).map(|s| s.to_uppercase()),
            phone: norm(&form.phone),
        };
        let plain: Vec<_> = entries.iter().map(|e| e.as_match_entry()).collect();
        Ok(match_watchlist(&cand, &plain)
            .into_iter()
            .filter_map(|m| {
                let e = entries.iter().find(|e| e.id == m.entry_id)?;
                Some(WatchHit {
                    entry_id: e.id.clone(),
                    entry_name: e.data.name.clone(),
                    listed_for: e.data.reason.clone(),
                    reasons: m.reasons,
                })
            })
            .collect())
    }

    pub fn sign_out(&mut self, actor: &Actor, visit_id: &str) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let (status, time_in): (String, i64) = s
                .conn
                .query_row(
                    "SELECT status, time_in FROM visits WHERE id = ?1",
                    [visit_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or(DomainError::NotFound)?;
            let status = VisitStatus::parse(&status).unwrap_or(VisitStatus::Out);
            let ev = visit::decide_sign_out(&a, visit_id, status, time_in, s.now_ms())?;
            Ok((vec![Event::VisitSignedOut(ev)], ()))
        })
    }

    pub fn correct_visit(
        &mut self,
        actor: &Actor,
        visit_id: &str,
        form: &VisitForm,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            let row = s.visit(visit_id)?.ok_or(DomainError::NotFound)?;
            if row.details.is_erased() {
                return Err(DomainError::Erased.into());
            }
            let ev = visit::decide_correct(&a, visit_id, &row.details, form, reason)?;
            Ok((vec![Event::VisitCorrected(ev)], ()))
        })
    }

    pub fn visit(&self, id: &str) -> Result<Option<VisitRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {ROW_COLS} FROM visits WHERE id = ?1"))?
            .query_row([id], read_row)
            .optional()?)
    }

    /// Everyone signed in and not out, longest on site first.
    pub fn on_site(&self) -> Result<Vec<VisitRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLS} FROM visits WHERE status = 'on_site' ORDER BY time_in, id"
        ))?;
        let rows = stmt.query_map([], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// (on site, overstaying) counts for the status bar.
    pub fn on_site_counts(&self, now_ms: i64) -> Result<(i64, i64), StoreError> {
        let rows = self.on_site()?;
        let over = rows
            .iter()
            .filter(|r| visit::is_overstay(r.time_in, r.details.expected_minutes, now_ms))
            .count();
        Ok((rows.len() as i64, over as i64))
    }

    /// One page of the history, keyset-paged so any depth costs the same.
    pub fn history_page(
        &self,
        filter: &HistoryFilter,
        cursor: Option<&Cursor>,
        page: Page,
        limit: usize,
    ) -> Result<Vec<VisitRow>, StoreError> {
        let mut wh: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let mut from = "visits".to_string();
        let mut keyed = false;
        match filter {
            HistoryFilter::All => {}
            HistoryFilter::Day { from_ms, to_ms } => {
                wh.push("time_in >= ? AND time_in < ?".into());
                args.push(Value::Integer(*from_ms));
                args.push(Value::Integer(*to_ms));
            }
            HistoryFilter::Text(q) => {
                // A name few people have would scan the whole history; find
                // those people first (their search text is held in memory)
                // and read their visits by index. Denied attempts are not
                // persons, so they are matched on their own small index.
                let pattern = like_pattern(q);
                if let Some(people) = self.persons_matching(q, 200)? {
                    // Two index searches, not one scan: an OR here would make
                    // SQLite walk the whole history in time order. Denials
                    // are in the second only (`persons` counts no denials).
                    // Both yield (time, id, rowid) only: the page is chosen
                    // among them and only its rows are read whole and
                    // decoded, not every visit of a frequent visitor.
                    // The newest page: each person's last visit is one of
                    // theirs, so the `limit` newest of all their visits are
                    // no older than the limit-th latest last visit — only
                    // their visits from then on are looked at.
                    let since = match (cursor, page) {
                        (None, Page::Older) if people.len() >= limit && limit > 0 => {
                            let mut last: Vec<i64> = people.iter().map(|p| p.1).collect();
                            last.sort_unstable_by(|a, b| b.cmp(a));
                            last[limit - 1]
                        }
                        _ => i64::MIN,
                    };
                    // The keys as one JSON array: one statement text for
                    // any number of people, so it stays prepared.
                    from = "(SELECT rowid AS r, time_in, id FROM visits WHERE person_key IN (SELECT value FROM json_each(?)) \
                         AND status != 'denied' AND time_in >= ? UNION ALL \
                         SELECT rowid, time_in, id FROM visits WHERE status = 'denied' AND search LIKE ? ESCAPE '\\')"
                        .to_string();
                    keyed = true;
                    let keys: Vec<String> = people.into_iter().map(|p| p.0).collect();
                    args.push(Value::Text(
                        serde_json::to_string(&keys).unwrap_or_default(),
                    ));
                    args.push(Value::Integer(since));
                    args.push(Value::Text(pattern));
                } else {
                    wh.push("search LIKE ? ESCAPE '\\'".into());
                    args.push(Value::Text(pattern));
                }
            }
        }
        let (cmp, order) = match page {
            Page::Older => ("<", "DESC"),
            Page::Newer => (">", "ASC"),
        };
        if let Some((t, id)) = cursor {
            wh.push(format!("(time_in, id) {cmp} (?, ?)"));
            args.push(Value::Integer(*t));
            args.push(Value::Text(id.clone()));
        }
        let where_sql = if wh.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wh.join(" AND "))
        };
        args.push(Value::Integer(limit as i64));
        let page_sql = format!("ORDER BY time_in {order}, id {order}");
        let sql = if keyed {
            format!(
                "SELECT {ROW_COLS} FROM visits WHERE rowid IN \
                 (SELECT r FROM {from} {where_sql} {page_sql} LIMIT ?) {page_sql}"
            )
        } else {
            format!("SELECT {ROW_COLS} FROM {from} {where_sql} {page_sql} LIMIT ?")
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), read_row)?;
        let mut out: Vec<VisitRow> = rows.collect::<Result<_, _>>()?;
        if page == Page::Newer {
            out.reverse();
        }
        Ok(out)
    }

    pub fn visit_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))?)
    }

    /// Visits in a local-time range, oldest first, for the register export.
    pub fn visits_between(&self, from_ms: i64, to_ms: i64) -> Result<Vec<VisitRow>, StoreError> {
        let mut out = vec![];
        self.each_visit_between(from_ms, to_ms, &mut |v| {
            out.push(v);
            Ok(())
        })?;
        Ok(out)
    }

    /// The visits that came in during `from_ms..to_ms`, oldest first, one
    /// at a time: a year of them is never held in memory.
    pub fn each_visit_between(
        &self,
        from_ms: i64,
        to_ms: i64,
        f: &mut dyn FnMut(VisitRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ROW_COLS} FROM visits WHERE time_in >= ?1 AND time_in < ?2 ORDER BY time_in, id"
        ))?;
        for row in stmt.query_map([from_ms, to_ms], read_row)? {
            f(row?)?;
        }
        Ok(())
    }

    /// How many visits came in during `from_ms..to_ms`.
    pub fn count_visits_between(&self, from_ms: i64, to_ms: i64) -> Result<usize, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM visits WHERE time_in >= ?1 AND time_in < ?2",
            [from_ms, to_ms],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub fn visit_changes(&self, visit_id: &str) -> Result<Vec<VisitChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at_ms, by, reason, before, after FROM visit_changes WHERE visit_id = ?1 ORDER BY at_ms, event_id",
        )?;
        let rows = stmt.query_map([visit_id], |r| {
            let b: String = r.get(3)?;
            let a: String = r.get(4)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, b, a))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at_ms, by, reason, b, a): (i64, String, String, String, String) = row?;
            if let (Ok(before), Ok(after)) = (serde_json::from_str(&b), serde_json::from_str(&a)) {
                out.push(VisitChange {
                    at_ms,
                    by,
                    reason,
                    before,
                    after,
                });
            }
        }
        Ok(out)
    }

    /// Returning visitors whose name, pinyin, initials, phone, ID or plate
    /// contain `q`, most recent first.
    pub fn suggest_persons(
        &self,
        q: &str,
        limit: usize,
    ) -> Result<Vec<PersonSuggestion>, StoreError> {
        let q = crate::domain::validate::normalize_input(q).to_lowercase();
        if q.is_empty() {
            return Ok(vec![]);
        }
        // Fetch a few more than shown, then rank: what the guard most likely
        // means comes first.
        let keys = self.recent_persons_matching(&q, limit * 8)?;
        if keys.is_empty() {
            return Ok(vec![]);
        }
        let marks = vec!["?"; keys.len()].join(", ");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT key, name, last_ms, visits, details FROM persons WHERE key IN ({marks}) ORDER BY last_ms DESC, key DESC"
        ))?;
        let rows = stmt.query_map(params_from_iter(keys.iter()), |r| {
            let d: String = r.get(4)?;
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, d))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, name, last_ms, visits, d): (String, String, i64, i64, String) = row?;
            if let Ok(details) = serde_json::from_str(&d) {
                out.push(PersonSuggestion {
                    key,
                    name,
                    last_ms,
                    visits,
                    details,
                });
            }
        }
        let on_site: std::collections::HashSet<String> = self
            .conn
            .prepare_cached("SELECT person_key FROM visits WHERE status = 'on_site'")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        // Stable sort keeps "most recent first" within each rank.
        out.sort_by_key(|p| suggestion_rank(p, &q, on_site.contains(&p.key)));
        out.truncate(limit);
        Ok(out)
    }
}

/// How well a returning person matches what was typed: the name or its
/// initials/pinyin starting with it first, phone/ID next, anything inside a
/// reading last — and people already on site after everyone else (they are
/// rarely arriving again).
fn suggestion_rank(p: &PersonSuggestion, q: &str, on_site: bool) -> (bool, u8) {
    let keys = crate::domain::names::name_keys(&p.name);
    let name = p.name.to_lowercase();
    let rank = if keys.all_initials.iter().any(|i| i == q) || name == q {
        0
    } else if name.starts_with(q)
        || keys.all_initials.iter().any(|i| i.starts_with(q))
        || keys.all_full.iter().any(|f| f.starts_with(q))
    {
        1
    } else if p.details.phone.as_deref().is_some_and(|x| x.starts_with(q))
        || p.details
            .id_no
            .as_deref()
            .is_some_and(|x| x.to_lowercase().ends_with(q))
    {
        2
    } else {
        3
    };
    (on_site, rank)
}
