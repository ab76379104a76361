//! 病号登记: the sick log for a date range, one row per illness, with the
//! care the duty teacher gave (medicine, water, clinic, guardian told) and
//! the notes taken through the night.

use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{tr, trf};
use crate::report::common::{bed_with_building, columns, exported_at, exported_by, write_built};
use crate::report::ledger::Ledger;
use crate::report::ledger::Watch;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::path::PathBuf;

/// A ledger over local days `from..=to`.
pub struct RangeRequest {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub path: PathBuf,
}

/// What every range ledger needs before it reads: the right to export, the
/// days in order, and the range as milliseconds in the station's time.
pub(crate) struct Range {
    pub school: String,
    pub station: String,
    pub off: i32,
    pub from_ms: i64,
    pub to_ms: i64,
    pub from: String,
    pub to: String,
}

pub(crate) fn range(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Range, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    if req.to < req.from {
        return Err(DomainError::Invalid(vec![("to", FieldError::DateOrder)]).into());
    }
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    Ok(Range {
        school: st.school.clone(),
        station: st.name.clone(),
        off,
        from_ms: time::day_start_ms(req.from, off),
        to_ms: time::day_start_ms(req.to, off) + 86_400_000,
        from: req.from.format("%Y-%m-%d").to_string(),
        to: req.to.format("%Y-%m-%d").to_string(),
    })
}

/// The subtitle every range ledger carries: dates, station, when and by whom.
pub(crate) fn subtitle(store: &Store, actor: &Actor, r: &Range) -> String {
    trf(
        "report.range.subtitle",
        &[
            ("from", r.from.clone()),
            ("to", r.to.clone()),
            ("station", r.station.clone()),
            ("at", exported_at(store, r.off)),
            // "exported by 王老师" or "exported from the command line".
            ("by", exported_by(actor)),
        ],
    )
}

/// A range ledger as every one is laid out: the school's title, the range
/// subtitle, `rows`, and under them the total line (`total_key` with
/// `counts`, "n" among them) and the signature line.
pub(crate) fn range_ledger(
    store: &Store,
    actor: &Actor,
    r: &Range,
    title_key: &str,
    cols: &[(&str, f64)],
    (total_key, counts): (&str, &[(&str, usize)]),
    rows: Vec<Vec<String>>,
) -> Ledger {
    let counts: Vec<(&str, String)> = counts.iter().map(|(k, n)| (*k, n.to_string())).collect();
    Ledger {
        title: trf(title_key, &[("school", r.school.clone())]),
        subtitle: subtitle(store, actor, r),
        columns: columns(cols),
        footer: vec![trf(total_key, &counts), tr("report.sign")],
        rows,
        ..Ledger::default()
    }
}

pub(crate) fn yes_no(b: bool) -> String {
    tr(if b { "report.yes" } else { "report.no" })
}

/// Builds the sick log (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RangeRequest) -> Result<Ledger, StoreError> {
    let r = range(store, actor, req)?;
    let entries = store.sick_between(r.from_ms, r.to_ms)?;
    let cols: [(&str, f64); 15] = [
        ("report.sick.col.no", 5.0),
        ("report.sick.col.date", 11.0),
        ("report.sick.col.time", 7.0),
        ("report.sick.col.name", 9.0),
        ("report.sick.col.class", 11.0),
        ("report.sick.col.bed", 13.0),
        ("report.sick.col.symptoms", 20.0),
        ("report.sick.col.temperature", 7.0),
        ("report.sick.col.medicine", 16.0),
        ("report.sick.col.water", 12.0),
        ("report.sick.col.clinic", 6.0),
        ("report.sick.col.guardian_told", 8.0),
        ("report.sick.col.notes", 30.0),
        ("report.sick.col.closed", 12.0),
        ("report.sick.col.by", 9.0),
    ];
    let mut open = 0;
    let rows: Vec<Vec<String>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let notes: Vec<String> = e
                .notes
                .iter()
                .map(|(at, note, temp, by)| {
                    let mut s = time::fmt_local(*at, r.off, "%m-%d %H:%M");
                    if let Some(t) = temp.as_deref().filter(|t| !t.is_empty()) {
                        s.push(' ');
                        s.push_str(&trf("report.sick.temp", &[("t", t.to_string())]));
                    }
                    if !note.is_empty() {
                        s.push(' ');
                        s.push_str(note);
                    }
                    s.push_str(&trf("report.sick.note_by", &[("name", by.clone())]));
                    s
                })
                .collect();
            let closed = match e.closed_ms {
                Some(t) => time::fmt_local(t, r.off, "%m-%d %H:%M"),
                None => {
                    open += 1;
                    tr("report.sick.still_open")
                }
            };
            vec![
                (i + 1).to_string(),
                time::fmt_local(e.at_ms, r.off, "%Y-%m-%d"),
                time::fmt_local(e.at_ms, r.off, "%H:%M"),
                e.boarder.name.clone(),
                e.boarder.class.clone(),
                bed_with_building(&e.boarder.bed, e.boarder.active),
                e.symptoms.clone(),
                e.temperature.clone().unwrap_or_default(),
                e.medicine.clone(),
                e.water.clone(),
                yes_no(e.clinic),
                yes_no(e.guardian_told),
                notes.join("；"),
                closed,
                e.by.clone(),
            ]
        })
        .collect();
    let n = rows.len();
    Ok(range_ledger(
        store,
        actor,
        &r,
        "report.sick.title",
        &cols,
        ("report.sick.total", &[("n", n), ("open", open)]),
        rows,
    ))
}

/// Writes the sick log; returns the number of records in it.
pub fn export_sick(
    store: &Store,
    actor: &Actor,
    req: &RangeRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor, req), &req.path, watch)
}
