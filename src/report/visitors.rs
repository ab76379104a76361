//! 来访登记表: the visitor register for a date range, as on paper.

use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::time;
use crate::domain::validate::mask_id;
use crate::domain::visit::{Decision, VisitStatus};
use crate::i18n::{tr, trf};
use crate::report::common::{columns, exported_at, exported_by, write_report};
use crate::report::ledger::Ledger;
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

/// Builds the ledger (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &ExportRequest) -> Result<Ledger, StoreError> {
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
    let visits = store.visits_between(from_ms, to_ms)?;
    let cols: [(&str, f64); 15] = [
        ("report.col.no", 6.0),
        ("report.col.date", 11.0),
        ("report.col.name", 10.0),
        ("report.col.id_no", 21.0),
        ("report.col.phone", 13.0),
        ("report.col.type", 8.0),
        ("report.col.org", 14.0),
        ("report.col.host", 12.0),
        ("report.col.relation", 8.0),
        ("report.col.purpose", 18.0),
        ("report.col.party", 6.0),
        ("report.col.plate", 11.0),
        ("report.col.time_in", 8.0),
        ("report.col.time_out", 8.0),
        ("report.col.notes", 30.0),
    ];
    let mut rows = Vec::with_capacity(visits.len());
    for (i, v) in visits.iter().enumerate() {
        let d = &v.details;
        let id = d
            .id_no
            .as_deref()
            .map(|s| {
                if req.full_ids {
                    s.to_string()
                } else {
                    mask_id(s)
                }
            })
            .unwrap_or_default();
        let time_out = match (v.status, v.time_out) {
            (_, Some(t)) => time::fmt_local(t, off, "%H:%M"),
            (VisitStatus::OnSite, None) => tr("report.still_on_site"),
            (VisitStatus::Denied, _) => tr("report.denied"),
            _ => String::new(),
        };
        let mut notes = vec![];
        if !d.notes.is_empty() {
            notes.push(d.notes.clone());
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
        notes.push(trf(
            "report.note.by",
            &[("name", store.operator_name(&v.registered_by))],
        ));
        rows.push(vec![
            (i + 1).to_string(),
            time::fmt_local(v.time_in, off, "%Y-%m-%d"),
            d.name.clone(),
            id,
            d.phone.clone().unwrap_or_default(),
            tr(&format!("vtype.{}", d.visitor_type.key())),
            d.org.clone(),
            d.host.clone(),
            d.relation.clone(),
            d.purpose.clone(),
            d.party_size.to_string(),
            d.plate.clone().unwrap_or_default(),
            time::fmt_local(v.time_in, off, "%H:%M"),
            time_out,
            notes.join("；"),
        ]);
    }
    Ok(Ledger {
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
            trf("report.total", &[("n", visits.len().to_string())]),
            tr("report.sign"),
        ],
        rows,
        ..Ledger::default()
    })
}

/// Writes the register; returns the number of visits in it.
pub fn export_visitors(
    store: &Store,
    actor: &Actor,
    req: &ExportRequest,
) -> Result<usize, StoreError> {
    let ledger = build(store, actor, req)?;
    let n = ledger.rows.len();
    write_report(&ledger, &req.path)?;
    Ok(n)
}
