//! 夜不归宿/晚归统计: boarders out overnight or back late in a date range,
//! one row per boarder, then the totals per class.

use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::rollcall::Mark;
use crate::domain::roster::BedRef;
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{Lang, lang, tr, trf};
use crate::report::common::{bed_with_building, columns, exported_at, exported_by, write_report};
use crate::report::ledger::{Ledger, Orientation};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub struct AbsencesRequest {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub path: PathBuf,
}

/// One boarder's line before it is laid out.
struct Line {
    class: String,
    bed_key: (bool, String, u64, String, u64, String),
    name: String,
    bed: String,
    absent: usize,
    late: usize,
    dates: Vec<String>,
    followup: String,
}

/// Builds the statistics (the caller's language) without writing them.
///
/// A night counts by the mark the roll-call book shows for it (see
/// [`Store::night_marks`]): absent at lights-out and found later is still
/// a night out; a late return counts as late, not as absent.
pub fn build(store: &Store, actor: &Actor, req: &AbsencesRequest) -> Result<Ledger, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    if req.to < req.from {
        return Err(DomainError::Invalid(vec![("to", FieldError::DateOrder)]).into());
    }
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let from = req.from.format("%Y-%m-%d").to_string();
    let to = req.to.format("%Y-%m-%d").to_string();

    // Marks come grouped by student, nights in order.
    let mut by_student: BTreeMap<String, (usize, usize, Vec<String>)> = BTreeMap::new();
    for m in store.night_marks(&from, &to, None)? {
        let date = m.night.get(5..).unwrap_or(&m.night).to_string();
        let e = by_student.entry(m.student_id.clone()).or_default();
        match m.mark {
            Mark::Absent => {
                e.0 += 1;
                e.2.push(date);
            }
            Mark::Late => {
                e.1 += 1;
                e.2.push(match m.late_at {
                    Some(t) => format!("{date} {}", time::fmt_local(t, off, "%H:%M")),
                    None => date,
                });
            }
            _ => {}
        }
    }
    by_student.retain(|_, (a, l, _)| *a + *l > 0);
    let ids: Vec<String> = by_student.keys().cloned().collect();
    let followups = store.latest_followups(&from, &to)?;
    let mut lines = Vec::with_capacity(ids.len());
    for s in store.report_students(&ids)? {
        let Some((absent, late, dates)) = by_student.remove(&s.student.id) else {
            continue;
        };
        let st = &s.student;
        let bed = bed_with_building(&st.bed, s.active);
        let followup = followups
            .get(&st.id)
            .map(|f| format!("{} {}", f.night.get(5..).unwrap_or(&f.night), f.finding))
            .unwrap_or_default();
        lines.push(Line {
            class: st.data.class.clone(),
            bed_key: bed_key(&st.bed),
            name: st.data.name.clone(),
            bed,
            absent,
            late,
            dates,
            followup,
        });
    }
    lines.sort_by(|a, b| {
        natural_key(&a.class)
            .cmp(&natural_key(&b.class))
            .then_with(|| a.bed_key.cmp(&b.bed_key))
            .then_with(|| a.name.cmp(&b.name))
    });

    let sep = match lang() {
        Lang::ZhCn => "、",
        Lang::En => ", ",
    };
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.name.clone(),
                l.class.clone(),
                l.bed.clone(),
                l.absent.to_string(),
                l.late.to_string(),
                l.dates.join(sep),
                l.followup.clone(),
            ]
        })
        .collect();

    // Per-class totals under the boarders, in the same columns where they
    // line up (class, nights out, late returns) and the head count after.
    let mut classes: Vec<(String, usize, usize, usize)> = vec![];
    for l in &lines {
        match classes.last_mut() {
            Some(c) if c.0 == l.class => {
                c.1 += l.absent;
                c.2 += l.late;
                c.3 += 1;
            }
            _ => classes.push((l.class.clone(), l.absent, l.late, 1)),
        }
    }
    let (all_absent, all_late): (usize, usize) = (
        lines.iter().map(|l| l.absent).sum(),
        lines.iter().map(|l| l.late).sum(),
    );
    rows.push(vec![]);
    rows.push(vec![
        tr("report.absences.by_class"),
        String::new(),
        tr("report.absences.col.class"),
        String::new(),
        tr("report.absences.col.absent"),
        tr("report.absences.col.late"),
        tr("report.absences.col.people"),
        String::new(),
    ]);
    let class_row = |class: String, absent: usize, late: usize, people: usize| {
        vec![
            String::new(),
            String::new(),
            class,
            String::new(),
            absent.to_string(),
            late.to_string(),
            people.to_string(),
            String::new(),
        ]
    };
    for (class, absent, late, people) in classes {
        rows.push(class_row(class, absent, late, people));
    }
    rows.push(class_row(
        tr("report.absences.all_classes"),
        all_absent,
        all_late,
        lines.len(),
    ));

    // The per-class block under the boarders is a summary, not records.
    let summary_rows = rows.len() - lines.len();
    let cols: [(&str, f64); 8] = [
        ("report.absences.col.no", 5.0),
        ("report.absences.col.name", 9.0),
        ("report.absences.col.class", 11.0),
        ("report.absences.col.bed", 13.0),
        ("report.absences.col.absent", 8.0),
        ("report.absences.col.late", 6.0),
        ("report.absences.col.dates", 30.0),
        ("report.absences.col.followup", 30.0),
    ];
    Ok(Ledger {
        title: trf("report.absences.title", &[("school", st.school.clone())]),
        subtitle: trf(
            "report.absences.subtitle",
            &[
                ("from", from),
                ("to", to),
                ("station", st.name.clone()),
                ("at", exported_at(store, off)),
                ("by", exported_by(actor)),
            ],
        ),
        columns: columns(&cols),
        rows,
        footer: vec![
            trf(
                "report.absences.total",
                &[
                    ("n", lines.len().to_string()),
                    ("absent", all_absent.to_string()),
                    ("late", all_late.to_string()),
                ],
            ),
            tr("report.absences.rule"),
            tr("report.sign"),
        ],
        // Eight columns read better on a portrait sheet, as on paper.
        orientation: Orientation::Portrait,
        summary_rows,
    })
}

/// Writes the statistics; returns the number of boarders listed.
pub fn export_absences(
    store: &Store,
    actor: &Actor,
    req: &AbsencesRequest,
) -> Result<usize, StoreError> {
    let ledger = build(store, actor, req)?;
    write_report(&ledger, &req.path)?;
    // Under the boarders: a blank row, the class header, the classes and
    // the grand total; the total row's head count is the boarder count.
    let listed = ledger
        .rows
        .last()
        .and_then(|r| r.get(6))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(listed)
}

fn bed_key(bed: &Option<BedRef>) -> (bool, String, u64, String, u64, String) {
    let num = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
    match bed {
        Some(b) => (
            false,
            b.building.clone(),
            num(&b.room),
            b.room.clone(),
            num(&b.bed),
            b.bed.clone(),
        ),
        None => (true, String::new(), 0, String::new(), 0, String::new()),
    }
}

/// Sort key that reads class names as a school does: 初一 < 初二 < 初三
/// (plain code-point order puts 三 before 二) and (3)班 < (10)班. Each pair
/// is the text before a number and the number.
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let numeral = |c: char| {
        "一二三四五六七八九"
            .chars()
            .position(|n| n == c)
            .map(|i| i as u64 + 1)
    };
    let mut out = vec![];
    let mut text = String::new();
    let mut num: Option<u64> = None;
    for c in s.chars() {
        if let Some(d) = c.to_digit(10) {
            num = Some(num.unwrap_or(0).saturating_mul(10).saturating_add(d.into()));
            continue;
        }
        if let Some(n) = num.take() {
            out.push((std::mem::take(&mut text), n));
        }
        // A Chinese numeral stands alone (十 and above are rare in class names).
        match numeral(c) {
            Some(n) => out.push((std::mem::take(&mut text), n)),
            None => text.push(c),
        }
    }
    if let Some(n) = num {
        out.push((std::mem::take(&mut text), n));
    }
    if !text.is_empty() {
        out.push((text, u64::MAX));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_sort_by_grade_and_number() {
        let mut v = vec![
            "初三(1)班",
            "初二(10)班",
            "初一(3)班",
            "初二(2)班",
            "高一(1)班",
            "初一(1)班",
            "七年级2班",
            "八年级1班",
        ];
        v.sort_by_key(|c| natural_key(c));
        assert_eq!(
            v,
            vec![
                "七年级2班",
                "八年级1班",
                "初一(1)班",
                "初一(3)班",
                "初二(2)班",
                "初二(10)班",
                "初三(1)班",
                "高一(1)班",
            ]
        );
    }
}
