//! 来访登记表: the visitor register for a date range, as on paper.

use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::time;
use crate::domain::validate::mask_id;
use crate::domain::visit::{Decision, VisitDetails, VisitStatus};
use crate::i18n::facts::visitor_name;
use crate::i18n::{tr, trf};
use crate::report::common::{
    Streamed, build_streamed, columns, export_streamed, exported_at, exported_by,
};
use crate::report::ledger::{Ledger, Watch};
use crate::store::visits::VisitRow;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::path::PathBuf;

pub struct ExportRequest {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub path: PathBuf,
    /// Unmasked ID numbers: admins only.
    pub full_ids: bool,
}

/// What a register line needs besides the visit.
struct VisitRows<'a> {
    store: &'a Store,
    off: i32,
    full_ids: bool,
}

impl VisitRows<'_> {
    /// One visit as a register line; `no` is its number in the register.
    fn row(&self, no: usize, v: &VisitRow) -> Result<Vec<String>, StoreError> {
        let off = self.off;
        let d = &v.details;
        // A corrected record shows what was first written next to what it
        // became, as a crossed-out and rewritten cell does on paper.
        let original = if v.corrections > 0 {
            self.store
                .visit_changes(&v.id)?
                .into_iter()
                .next()
                .map(|c| c.before)
        } else {
            None
        };
        let cell = |pick: &dyn Fn(&VisitDetails) -> String| {
            let now = pick(d);
            match &original {
                Some(o) => corrected_cell(&pick(o), &now),
                None => now,
            }
        };
        let mask = |id: &Option<String>| {
            id.as_deref()
                .map(|s| {
                    if self.full_ids {
                        s.to_string()
                    } else {
                        mask_id(s)
                    }
                })
                .unwrap_or_default()
        };
        let time_out = match (v.status, v.time_out) {
            (_, Some(t)) => time::fmt_local(t, off, "%H:%M"),
            (VisitStatus::OnSite, None) => tr("report.still_on_site"),
            (VisitStatus::Denied, _) => tr("report.denied"),
            _ => String::new(),
        };
        let mut notes = vec![];
        // A note a correction removed still shows what it said.
        let note = cell(&|d| d.notes.clone());
        if !note.is_empty() {
            notes.push(note);
        }
        if !d.badge.is_empty() {
            notes.push(trf("report.note.badge", &[("badge", d.badge.clone())]));
        }
        if !d.authorised_by.is_empty() {
            notes.push(trf(
                "report.note.authorised",
                &[("name", d.authorised_by.clone())],
            ));
        }
        if let Some(r) = &v.time_in_reason {
            notes.push(trf("report.note.time_in", &[("reason", r.clone())]));
        }
        if let Some(w) = &v.watch {
            let who: Vec<_> = w.hits.iter().map(|h| h.entry_name.clone()).collect();
            let key = if w.decision == Decision::Admit {
                "report.note.watch_admit"
            } else {
                "report.note.watch_deny"
            };
            notes.push(trf(key, &[("names", who.join("、"))]));
        }
        if v.corrections > 0 {
            notes.push(trf(
                "report.note.corrected",
                &[("n", v.corrections.to_string())],
            ));
        }
        Ok(vec![
            no.to_string(),
            time::fmt_local(v.time_in, off, "%Y-%m-%d"),
            cell(&visitor_name),
            cell(&|d| tr(&format!("id_type.{}", d.id_type.key()))),
            cell(&|d| mask(&d.id_no)),
            cell(&|d| d.phone.clone().unwrap_or_default()),
            cell(&|d| tr(&format!("vtype.{}", d.visitor_type.key()))),
            cell(&|d| d.org.clone()),
            cell(&|d| d.host.clone()),
            cell(&|d| d.relation.clone()),
            cell(&|d| d.purpose.clone()),
            cell(&|d| d.party_size.to_string()),
            cell(&|d| d.items.clone()),
            cell(&|d| d.plate.clone().unwrap_or_default()),
            time::fmt_local(v.time_in, off, "%H:%M"),
            cell(&|d| stay(d.expected_minutes)),
            time_out,
            self.store.operator_name(&v.registered_by),
            // Left blank for the visitor to sign on the printed sheet.
            String::new(),
            notes.join("；"),
        ])
    }
}

/// The register's heading and footer (the caller's language) and its
/// records, ready to be written.
fn prepare<'a>(
    store: &'a Store,
    actor: &Actor,
    req: &ExportRequest,
) -> Result<(Ledger, Streamed<'a, VisitRow>), StoreError> {
    require(actor.role, Permission::ExportReports)?;
    if req.full_ids {
        require(actor.role, Permission::ViewFullIds)?;
    }
    if req.to < req.from {
        return Err(DomainError::Invalid(vec![(
            "to",
            crate::domain::validate::FieldError::DateOrder,
        )])
        .into());
    }
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let from_ms = time::day_start_ms(req.from, off);
    let to_ms = time::day_start_ms(req.to, off) + 86_400_000;
    let count = store.count_visits_between(from_ms, to_ms)?;
    let cols: [(&str, f64); 20] = [
        ("report.col.no", 6.0),
        ("report.col.date", 11.0),
        ("report.col.name", 10.0),
        ("report.col.id_type", 10.0),
        ("report.col.id_no", 21.0),
        ("report.col.phone", 13.0),
        ("report.col.type", 8.0),
        ("report.col.org", 14.0),
        ("report.col.host", 12.0),
        ("report.col.relation", 8.0),
        ("report.col.purpose", 18.0),
        ("report.col.party", 6.0),
        ("report.col.items", 12.0),
        ("report.col.plate", 11.0),
        ("report.col.time_in", 8.0),
        ("report.col.stay", 9.0),
        ("report.col.time_out", 8.0),
        ("report.col.operator", 9.0),
        ("report.col.visitor_sign", 12.0),
        ("report.col.notes", 30.0),
    ];
    let head = Ledger {
        title: trf("report.visitors.title", &[("school", st.school.clone())]),
        subtitle: trf(
            "report.visitors.subtitle",
            &[
                ("from", req.from.format("%Y-%m-%d").to_string()),
                ("to", req.to.format("%Y-%m-%d").to_string()),
                ("station", st.name.clone()),
                ("at", exported_at(store, off)),
                ("by", exported_by(actor)),
            ],
        ),
        columns: columns(&cols),
        footer: vec![
            trf("report.total", &[("n", count.to_string())]),
            tr("report.sign"),
        ],
        ..Ledger::default()
    };
    let lines = VisitRows {
        store,
        off,
        full_ids: req.full_ids,
    };
    let rows = Streamed {
        count,
        walk: Box::new(move |f| store.each_visit_between(from_ms, to_ms, f)),
        row: Box::new(move |n, v| lines.row(n, v)),
    };
    Ok((head, rows))
}

/// Builds the whole ledger in memory (the caller's language) without
/// writing it: for checks and small ranges; exports stream instead.
pub fn build(store: &Store, actor: &Actor, req: &ExportRequest) -> Result<Ledger, StoreError> {
    build_streamed(store, || prepare(store, actor, req))
}

/// "旧值 → 新值" when a correction changed the cell, else the value; an
/// empty side shows as "—" so a filled-in blank reads as one.
fn corrected_cell(before: &str, now: &str) -> String {
    if before == now {
        return now.to_string();
    }
    let side = |s: &str| {
        if s.is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    format!("{} → {}", side(before), side(now))
}

/// The expected stay as the form asks it; blank when none was given.
fn stay(minutes: i64) -> String {
    if minutes <= 0 {
        String::new()
    } else {
        trf("report.visitors.stay", &[("n", minutes.to_string())])
    }
}

/// Writes the register, reading the visits as it writes them; returns the
/// number of visits in it. `watch` hears the progress and may cancel.
pub fn export_visitors(
    store: &Store,
    actor: &Actor,
    req: &ExportRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    export_streamed(store, || prepare(store, actor, req), &req.path, watch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrected_cells_show_both_values() {
        assert_eq!(corrected_cell("张三", "张三"), "张三");
        assert_eq!(corrected_cell("张三", "张山"), "张三 → 张山");
        assert_eq!(corrected_cell("", "粤B12345"), "— → 粤B12345");
        assert_eq!(corrected_cell("粤B12345", ""), "粤B12345 → —");
    }
}
