//! 夜不归宿/晚归统计: boarders out overnight or back late in a date range,
//! one row per boarder, then the totals per class.

use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::rollcall::{FoundWhere, Mark};
use crate::domain::roster::BedRef;
use crate::domain::time;
use crate::domain::validate::FieldError;
use crate::i18n::{Lang, lang, tr, trf};
use crate::report::common::{bed_with_building, columns, exported_at, exported_by, write_report};
use crate::report::ledger::Watch;
use crate::report::ledger::{Ledger, Orientation};
use crate::store::{Store, StoreError};
use std::collections::BTreeMap;

/// Nights `from..=to`, written to `path`: the request every range ledger takes.
pub type AbsencesRequest = crate::report::sick::RangeRequest;

/// Per boarder: nights out, late returns, dates, found on campus.
type Counts = (usize, usize, Vec<String>, usize);

/// One boarder's line before it is laid out.
struct Line {
    class: String,
    bed_key: (bool, String, u64, String, u64, String),
    name: String,
    bed: String,
    absent: usize,
    late: usize,
    /// Absent at the roll, then found on campus by the follow-up.
    campus: usize,
    dates: Vec<String>,
    followup: String,
}

/// Builds the statistics (the caller's language) without writing them.
///
/// A night counts by the mark the roll-call book shows for it (see
/// [`Store::night_marks`]): absent at lights-out and found later is still
/// a night out, unless the night's follow-up found the boarder on campus
/// (a classmate's room, the classroom): that is counted apart, as it was
/// no night away from school. A late return counts as late, not as absent.
pub fn build(store: &Store, actor: &Actor, req: &AbsencesRequest) -> Result<Ledger, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    if req.to < req.from {
        return Err(DomainError::Invalid(vec![("to", FieldError::DateOrder)]).into());
    }
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let from = req.from.format("%Y-%m-%d").to_string();
    let to = req.to.format("%Y-%m-%d").to_string();

    let outcomes = store.night_followups(&from, &to)?;
    // Marks come grouped by student, nights in order.
    let mut by_student: BTreeMap<String, Counts> = BTreeMap::new();
    store.each_night_mark(&from, &to, None, &mut |m| {
        let date = m.night.get(5..).unwrap_or(&m.night).to_string();
        let e = by_student.entry(m.student_id.clone()).or_default();
        match m.mark {
            Mark::Absent => {
                let found = outcomes
                    .get(&(m.student_id.clone(), m.night.clone()))
                    .is_some_and(|f| found_on_campus(f.found_where, &f.finding, f.found_at));
                if found {
                    e.3 += 1;
                    e.2.push(trf("report.absences.date_campus", &[("date", date)]));
                } else {
                    e.0 += 1;
                    e.2.push(date);
                }
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
        Ok(())
    })?;
    by_student.retain(|_, (a, l, _, c)| *a + *l + *c > 0);
    let ids: Vec<String> = by_student.keys().cloned().collect();
    let followups = store.latest_followups(&from, &to)?;
    let mut lines = Vec::with_capacity(ids.len());
    for s in store.report_students(&ids)? {
        let Some((absent, late, dates, campus)) = by_student.remove(&s.student.id) else {
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
            campus,
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
                l.campus.to_string(),
                l.dates.join(sep),
                l.followup.clone(),
            ]
        })
        .collect();

    // Per-class totals under the boarders, in the same columns where they
    // line up (class, nights out, late returns, found on campus) and the
    // head count after.
    let mut classes: Vec<(String, [usize; 4])> = vec![];
    for l in &lines {
        let n = [l.absent, l.late, l.campus, 1];
        match classes.last_mut() {
            Some(c) if c.0 == l.class => {
                for (t, x) in c.1.iter_mut().zip(n) {
                    *t += x;
                }
            }
            _ => classes.push((l.class.clone(), n)),
        }
    }
    let all = [
        lines.iter().map(|l| l.absent).sum::<usize>(),
        lines.iter().map(|l| l.late).sum(),
        lines.iter().map(|l| l.campus).sum(),
        lines.len(),
    ];
    rows.push(vec![]);
    rows.push(vec![
        tr("report.absences.by_class"),
        String::new(),
        tr("report.absences.col.class"),
        String::new(),
        tr("report.absences.col.absent"),
        tr("report.absences.col.late"),
        tr("report.absences.col.campus"),
        tr("report.absences.col.people"),
        String::new(),
    ]);
    let class_row = |class: String, n: [usize; 4]| {
        let mut row = vec![String::new(), String::new(), class, String::new()];
        row.extend(n.iter().map(usize::to_string));
        row.push(String::new());
        row
    };
    for (class, n) in classes {
        rows.push(class_row(class, n));
    }
    rows.push(class_row(tr("report.absences.all_classes"), all));

    // The per-class block under the boarders is a summary, not records.
    let summary_rows = rows.len() - lines.len();
    let cols: [(&str, f64); 9] = [
        ("report.absences.col.no", 5.0),
        ("report.absences.col.name", 9.0),
        ("report.absences.col.class", 11.0),
        ("report.absences.col.bed", 13.0),
        ("report.absences.col.absent", 8.0),
        ("report.absences.col.late", 6.0),
        ("report.absences.col.campus", 8.0),
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
                    ("absent", all[0].to_string()),
                    ("late", all[1].to_string()),
                    ("campus", all[2].to_string()),
                ],
            ),
            tr("report.absences.rule"),
            tr("report.sign"),
        ],
        // Eight columns read better on a portrait sheet, as on paper.
        orientation: Orientation::Portrait,
        summary_rows,
        page_breaks: vec![],
    })
}

/// Writes the statistics; returns the number of boarders listed.
pub fn export_absences(
    store: &Store,
    actor: &Actor,
    req: &AbsencesRequest,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    let ledger = build(store, actor, req)?;
    write_report(&ledger, &req.path, watch)?;
    // Under the boarders: a blank row, the class header, the classes and
    // the grand total; the total row's head count is the boarder count.
    let listed = ledger
        .rows
        .last()
        .and_then(|r| r.get(7))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok(listed)
}

/// Whether a follow-up found the boarder on school grounds: found (a time
/// is recorded) and the finding names a place on campus and none off it.
/// Follow-ups record where as the duty teacher typed it ("在同学寝室，已带回",
/// "在奶奶家"), so the places are read from that text; anything unclear
/// stays a night out, the stricter reading an inspector expects.
pub fn found_on_campus(
    found_where: Option<FoundWhere>,
    finding: &str,
    found_at: Option<i64>,
) -> bool {
    const ON: [&str; 27] = [
        "寝室",
        "宿舍",
        "校内",
        "校园",
        "在校",
        "教室",
        "自习室",
        "操场",
        "食堂",
        "图书馆",
        "实验室",
        "体育馆",
        "医务室",
        "洗衣房",
        "浴室",
        "澡堂",
        "水房",
        "卫生间",
        "洗手间",
        "厕所",
        "楼道",
        "楼梯间",
        "天台",
        "办公室",
        "dorm",
        "campus",
        "classroom",
    ];
    const OFF: [&str; 12] = [
        "校外",
        "离校",
        "出校",
        "家",
        "网吧",
        "医院",
        "宾馆",
        "酒店",
        "home",
        "off campus",
        "outside",
        "hospital",
    ];
    if found_at.is_none() {
        return false;
    }
    // The teacher said where: that decides. Only follow-ups recorded before
    // the form asked fall back to reading the finding.
    if let Some(w) = found_where {
        return w == FoundWhere::OnCampus;
    }
    let f = finding.to_lowercase();
    ON.iter().any(|w| f.contains(w)) && !OFF.iter().any(|w| f.contains(w))
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
    fn the_finding_decides_found_on_campus() {
        assert!(found_on_campus(None, "在同学寝室，已带回", Some(1)));
        assert!(found_on_campus(None, "Found in the classroom", Some(1)));
        // Not found yet, whatever the text says.
        assert!(!found_on_campus(None, "可能在同学寝室", None));
        // Found, but away from school: still a night out.
        assert!(!found_on_campus(None, "在奶奶家，母亲电话确认", Some(1)));
        assert!(!found_on_campus(None, "在校外网吧找到", Some(1)));
        assert!(!found_on_campus(None, "已找到", Some(1)));
        // Where the teacher said the boarder was decides over the words.
        let (on, off) = (Some(FoundWhere::OnCampus), Some(FoundWhere::OffCampus));
        assert!(found_on_campus(on, "已找到", Some(1)));
        assert!(!found_on_campus(off, "在同学寝室", Some(1)));
        assert!(!found_on_campus(on, "在同学寝室", None));
    }

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
