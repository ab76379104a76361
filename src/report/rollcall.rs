//! 住宿学生点名册: the monthly roll-call book, one row per boarder and one
//! narrow column per night, with the marks the paper book uses.

use crate::domain::role::{Actor, Permission, require};
use crate::domain::rollcall::{Mark, RoundKind};
use crate::domain::roster::BedRef;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::report::common::{bed_with_building, exported_at, exported_by, write_built};
use crate::report::ledger::Watch;
use crate::report::ledger::{Column, Ledger};
use crate::store::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

pub struct RollcallRequest {
    /// Any day of the month; the whole month is exported.
    pub month: NaiveDate,
    /// One building, or all.
    pub building: Option<String>,
    pub path: PathBuf,
}

/// Parses a month as people type it: 2026-11, 2026-1, 2026/11, 2026.11,
/// 202611. Returns its first day.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let (y, m) = match s.split_once(['-', '/', '.']) {
        Some(parts) => parts,
        None if s.len() == 6 && s.is_ascii() => s.split_at(4),
        None => return None,
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || !digits(y) || m.len() > 2 || !digits(m) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// 28, 29, 30 or 31.
pub fn days_in_month(first: NaiveDate) -> u32 {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map_or(31, |last| last.day())
}

/// The totals columns, in the paper book's order.
const TOTALS: [(Mark, &str); 5] = [
    (Mark::Present, "report.rollcall.col.present"),
    (Mark::Absent, "report.rollcall.col.absent"),
    (Mark::Leave, "report.rollcall.col.leave"),
    (Mark::Sick, "report.rollcall.col.sick"),
    (Mark::Late, "report.rollcall.col.late"),
];

/// Builds the roll-call book (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor, req: &RollcallRequest) -> Result<Ledger, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let first = req.month.with_day(1).unwrap_or(req.month);
    let days = days_in_month(first) as usize;
    let from = first.format("%Y-%m-%d").to_string();
    let to = (first + chrono::Days::new(days as u64 - 1))
        .format("%Y-%m-%d")
        .to_string();
    let building = req.building.as_deref();

    // Boarders here now, in bed order, then anyone else marked this month
    // (left school, or moved out of the building) so no mark goes missing.
    let current = store.students(building)?;
    let marks = store.night_marks(&from, &to, building)?;
    let current_ids: HashSet<&str> = current.iter().map(|s| s.id.as_str()).collect();
    let mut others: Vec<String> = marks
        .iter()
        .map(|m| m.student_id.clone())
        .filter(|id| !current_ids.contains(id.as_str()))
        .collect();
    others.dedup();
    let mut others = store.report_students(&others)?;
    others.sort_by_cached_key(|s| {
        (
            !s.active,
            natural_bed(&s.student.bed),
            s.student.data.name.clone(),
        )
    });

    let mut grid: HashMap<&str, Vec<Option<Mark>>> = HashMap::new();
    for m in &marks {
        let Some(day) = night_day(&m.night) else {
            continue;
        };
        grid.entry(m.student_id.as_str())
            .or_insert_with(|| vec![None; days])[day] = Some(m.mark);
    }
    // Nights that had any round: their count cells show 0 rather than blank.
    let mut called = vec![false; days];
    let rounds: Vec<_> = store
        .rounds_between(&from, &to)?
        .into_iter()
        .filter(|r| building.is_none_or(|b| b == r.building))
        .collect();
    for r in &rounds {
        if let Some(day) = night_day(&r.night) {
            called[day] = true;
        }
    }
    // The rounds whose marks the book shows (see `Store::night_marks`):
    // lights-out rounds, or a building's bed checks on a night without one.
    let with_lights_out: HashSet<(&str, &str)> = rounds
        .iter()
        .filter(|r| r.kind == RoundKind::LightsOut)
        .map(|r| (r.night.as_str(), r.building.as_str()))
        .collect();
    let counted: Vec<_> = rounds
        .iter()
        .filter(|r| {
            r.kind == RoundKind::LightsOut
                || !with_lights_out.contains(&(r.night.as_str(), r.building.as_str()))
        })
        .collect();
    let mut callers: Vec<Vec<String>> = vec![vec![]; days];
    let mut unfinished = vec![false; days];
    for r in &counted {
        let Some(day) = night_day(&r.night) else {
            continue;
        };
        let name = store.operator_name(&r.started_by);
        if !callers[day].contains(&name) {
            callers[day].push(name);
        }
        unfinished[day] |= r.closed_ms.is_none();
    }

    let mut rows = Vec::with_capacity(current.len() + others.len() + 2);
    let mut per_night = vec![[0usize; 5]; days];
    let mut boarder_row = |id: &str, bed: String, name: &str, class: &str| {
        let cells = grid.get(id);
        let mut totals = [0usize; 5];
        let mut row = vec![bed, name.to_string(), class.to_string()];
        for day in 0..days {
            let mark = cells.and_then(|c| c[day]);
            if let Some(m) = mark {
                let k = total_index(m);
                totals[k] += 1;
                per_night[day][k] += 1;
            }
            row.push(mark.map(|m| m.paper().to_string()).unwrap_or_default());
        }
        row.extend(totals.iter().map(usize::to_string));
        row
    };
    let label = |bed: &Option<BedRef>| match (bed, building) {
        (Some(b), Some(_)) => format!("{}-{}", b.room, b.bed),
        (bed, _) => bed_with_building(bed, true),
    };
    for s in &current {
        rows.push(boarder_row(
            &s.id,
            label(&s.bed),
            &s.data.name,
            &s.data.class,
        ));
    }
    for s in &others {
        let st = &s.student;
        // Their current bed, with the building: it may not be this one.
        let bed = bed_with_building(&st.bed, s.active);
        rows.push(boarder_row(&st.id, bed, &st.data.name, &st.data.class));
    }
    let boarders = rows.len();

    // The two count rows under the grid: √ per night, then × per night.
    for (mark, key) in [
        (Mark::Present, "report.rollcall.row_present"),
        (Mark::Absent, "report.rollcall.row_absent"),
    ] {
        let k = total_index(mark);
        let mut row = vec![tr(key), String::new(), String::new()];
        row.extend((0..days).map(|d| {
            if called[d] {
                per_night[d][k].to_string()
            } else {
                String::new()
            }
        }));
        let sum: usize = per_night.iter().map(|n| n[k]).sum();
        row.extend((0..TOTALS.len()).map(|i| {
            if i == k {
                sum.to_string()
            } else {
                String::new()
            }
        }));
        rows.push(row);
    }

    // Under the counts, as the paper book's last rows: the weekday, who
    // called the roll, and nights whose roll is still open (not final).
    let mut weekday_row = vec![
        tr("report.rollcall.row_weekday"),
        String::new(),
        String::new(),
    ];
    weekday_row.extend((0..days).map(|d| {
        let date = first + chrono::Days::new(d as u64);
        tr(&format!(
            "report.weekday.{}",
            date.weekday().number_from_monday()
        ))
    }));
    rows.push(weekday_row);
    let mut caller_row = vec![
        tr("report.rollcall.row_caller"),
        String::new(),
        String::new(),
    ];
    caller_row.extend(callers.iter().map(|c| c.join("、")));
    rows.push(caller_row);
    let mut state_row = vec![
        tr("report.rollcall.row_state"),
        String::new(),
        String::new(),
    ];
    state_row.extend(unfinished.iter().map(|u| {
        if *u {
            tr("report.rollcall.unfinished")
        } else {
            String::new()
        }
    }));
    rows.push(state_row);
    // Every row as wide as the header, the totals cells left blank.
    let width = 3 + days + TOTALS.len();
    for row in rows.iter_mut().rev().take(3) {
        row.resize(width, String::new());
    }

    let mut columns = vec![
        Column::new(
            tr("report.rollcall.col.bed"),
            if building.is_some() { 7.0 } else { 12.0 },
        ),
        Column::new(tr("report.rollcall.col.name"), 8.0),
        Column::new(tr("report.rollcall.col.class"), 10.0),
    ];
    // Narrow day columns keep the month on one printed page width.
    columns.extend((1..=days).map(|d| Column::new(d.to_string(), 3.0)));
    columns.extend(TOTALS.iter().map(|(_, k)| Column::new(tr(k), 4.0)));

    let mut footer = vec![
        tr("report.rollcall.legend"),
        tr("report.rollcall.rule"),
        trf(
            "report.rollcall.total",
            &[
                ("n", boarders.to_string()),
                ("nights", called.iter().filter(|c| **c).count().to_string()),
            ],
        ),
    ];
    let forced = store.forced_closes(&from, &to, building)?;
    if forced.is_empty() {
        footer.push(tr("report.rollcall.no_forced"));
    } else {
        footer.push(tr("report.rollcall.forced_title"));
        for f in forced {
            footer.push(trf(
                "report.rollcall.forced",
                &[
                    ("night", f.night),
                    ("building", f.building),
                    ("kind", tr(&format!("round.{}", f.kind.key()))),
                    ("by", f.closed_by),
                    ("at", time::fmt_local(f.closed_ms, off, "%m-%d %H:%M")),
                    ("n", f.unaccounted.to_string()),
                    ("reason", f.reason),
                ],
            ));
        }
    }
    for r in counted.iter().filter(|r| r.closed_ms.is_none()) {
        footer.push(trf(
            "report.rollcall.unfinished_line",
            &[
                ("night", r.night.clone()),
                ("building", r.building.clone()),
                ("kind", tr(&format!("round.{}", r.kind.key()))),
                ("by", store.operator_name(&r.started_by)),
                ("at", time::fmt_local(r.started_ms, off, "%m-%d %H:%M")),
            ],
        ));
    }
    footer.push(tr("report.sign"));

    Ok(Ledger {
        title: trf("report.rollcall.title", &[("school", st.school.clone())]),
        subtitle: trf(
            "report.rollcall.subtitle",
            &[
                (
                    "month",
                    trf(
                        "report.rollcall.month",
                        &[
                            ("year", first.year().to_string()),
                            ("month", format!("{:02}", first.month())),
                        ],
                    ),
                ),
                (
                    "building",
                    building.map_or_else(|| tr("report.rollcall.all_buildings"), str::to_string),
                ),
                ("station", st.name.clone()),
                ("at", exported_at(store, off)),
                ("by", exported_by(actor)),
            ],
        ),
        columns,
        rows,
        footer,
        // The √ and × count rows under the grid.
        summary_rows: EXTRA_ROWS,
        ..Ledger::default()
    })
}

/// Writes the roll-call book; returns the number of boarders in it.
pub fn export_rollcall(
    store: &Store,
    actor: &Actor,
    req: &RollcallRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    // The count, weekday, caller and state rows are totals, not boarders.
    write_built(build(store, actor, req), &req.path, watch)
}

/// Rows under the boarders: √ count, × count, weekday, caller, state.
pub const EXTRA_ROWS: usize = 5;

fn total_index(m: Mark) -> usize {
    TOTALS.iter().position(|(t, _)| *t == m).unwrap_or(0)
}

/// 0-based day of the month of a `YYYY-MM-DD` night.
fn night_day(night: &str) -> Option<usize> {
    NaiveDate::parse_from_str(night, "%Y-%m-%d")
        .ok()
        .map(|d| d.day0() as usize)
}

/// Beds as people read them (room 305 before 1204), for the extra rows.
fn natural_bed(bed: &Option<BedRef>) -> (bool, String, i32, u64, String, u64, String) {
    let num = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
    match bed {
        Some(b) => (
            false,
            b.building.clone(),
            b.floor,
            num(&b.room),
            b.room.clone(),
            num(&b.bed),
            b.bed.clone(),
        ),
        None => (true, String::new(), 0, 0, String::new(), 0, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn months_parse_as_typed() {
        assert_eq!(parse_month("2026-11"), Some(d(2026, 11)));
        assert_eq!(parse_month(" 2026-1 "), Some(d(2026, 1)));
        assert_eq!(parse_month("2026/02"), Some(d(2026, 2)));
        assert_eq!(parse_month("2026.12"), Some(d(2026, 12)));
        assert_eq!(parse_month("202603"), Some(d(2026, 3)));
        for bad in [
            "2026-13",
            "2026-0",
            "abc",
            "",
            "2026",
            "26-11",
            "2026-11-01",
            "2026-+1",
            "2026-",
            "２０２６-11",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_lengths() {
        assert_eq!(days_in_month(d(2026, 1)), 31);
        assert_eq!(days_in_month(d(2026, 2)), 28);
        assert_eq!(days_in_month(d(2028, 2)), 29);
        assert_eq!(days_in_month(d(2026, 4)), 30);
        assert_eq!(days_in_month(d(2026, 12)), 31);
    }
}
