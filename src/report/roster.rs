//! 住宿学生花名册: the boarder roster, one row per active boarder in bed
//! order, as the duty room keeps it on paper.

use crate::domain::role::{Actor, Permission, require};
use crate::domain::roster::{Gender, Guardian, Student};
use crate::i18n::{tr, trf};
use crate::report::common::{columns, exported_at, exported_by, write_report};
use crate::report::ledger::Ledger;
use crate::store::{Store, StoreError};
use std::path::Path;

/// Builds the roster ledger (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor) -> Result<Ledger, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let students = store.students(None)?;
    let cols: [(&str, f64); 16] = [
        ("report.roster.col.no", 5.0),
        ("report.roster.col.building", 9.0),
        ("report.roster.col.room", 7.0),
        ("report.roster.col.bed", 5.0),
        ("report.roster.col.name", 9.0),
        ("report.roster.col.gender", 5.0),
        ("report.roster.col.class", 11.0),
        ("report.roster.col.head_teacher", 9.0),
        ("report.roster.col.student_no", 11.0),
        ("report.roster.col.guardian", 14.0),
        ("report.roster.col.phone", 13.0),
        ("report.roster.col.may_pick_up", 6.0),
        ("report.roster.col.guardian2", 14.0),
        ("report.roster.col.phone2", 13.0),
        ("report.roster.col.left_behind", 6.0),
        ("report.roster.col.notes", 24.0),
    ];
    let (mut boys, mut girls, mut unknown, mut left_behind) = (0usize, 0usize, 0usize, 0usize);
    let mut rows = Vec::with_capacity(students.len());
    for (i, s) in students.iter().enumerate() {
        let d = &s.data;
        match d.gender {
            Some(Gender::Male) => boys += 1,
            Some(Gender::Female) => girls += 1,
            None => unknown += 1,
        }
        if d.left_behind {
            left_behind += 1;
        }
        let g1 = d.guardians.first();
        let g2 = d.guardians.get(1);
        let (building, room, bed) = match &s.bed {
            Some(b) => (b.building.clone(), b.room.clone(), b.bed.clone()),
            None => Default::default(),
        };
        rows.push(vec![
            (i + 1).to_string(),
            building,
            room,
            bed,
            d.name.clone(),
            d.gender.map(gender_text).unwrap_or_default(),
            d.class.clone(),
            d.head_teacher.clone(),
            d.student_no.clone().unwrap_or_default(),
            g1.map(guardian_text).unwrap_or_default(),
            g1.and_then(|g| g.phone.clone()).unwrap_or_default(),
            g1.map(|g| yes_no(g.may_pick_up)).unwrap_or_default(),
            g2.map(guardian_text).unwrap_or_default(),
            g2.and_then(|g| g.phone.clone()).unwrap_or_default(),
            yes_no(d.left_behind),
            notes(s),
        ]);
    }
    let mut footer = vec![trf(
        "report.roster.total",
        &[
            ("n", students.len().to_string()),
            ("boys", boys.to_string()),
            ("girls", girls.to_string()),
            ("left_behind", left_behind.to_string()),
        ],
    )];
    if unknown > 0 {
        footer.push(trf(
            "report.roster.gender_unknown",
            &[("n", unknown.to_string())],
        ));
    }
    footer.push(tr("report.sign"));
    Ok(Ledger {
        title: trf("report.roster.title", &[("school", st.school.clone())]),
        subtitle: trf(
            "report.roster.subtitle",
            &[
                ("station", st.name.clone()),
                ("at", exported_at(store, off)),
                ("by", exported_by(actor)),
            ],
        ),
        columns: columns(&cols),
        rows,
        footer,
        ..Ledger::default()
    })
}

/// Writes the roster; returns the number of boarders in it.
pub fn export_roster(store: &Store, actor: &Actor, path: &Path) -> Result<usize, StoreError> {
    let ledger = build(store, actor)?;
    write_report(&ledger, path)?;
    Ok(ledger.rows.len())
}

fn gender_text(g: Gender) -> String {
    tr(&format!("report.roster.{}", g.key()))
}

fn yes_no(b: bool) -> String {
    tr(if b { "report.yes" } else { "report.no" })
}

/// "王秀英（奶奶）"; just the name when no relation was given.
fn guardian_text(g: &Guardian) -> String {
    if g.relation.is_empty() {
        g.name.clone()
    } else {
        trf(
            "report.roster.guardian",
            &[("name", g.name.clone()), ("relation", g.relation.clone())],
        )
    }
}

/// Care notes, then what the columns cannot show: a second guardian who
/// may not pick the child up, and any guardian after the second — the gate
/// relies on that list, so the paper copy must not drop it.
fn notes(s: &Student) -> String {
    let d = &s.data;
    let mut parts = vec![];
    if !d.care_notes.is_empty() {
        parts.push(d.care_notes.clone());
    }
    if d.guardians.get(1).is_some_and(|g| !g.may_pick_up) {
        parts.push(tr("report.roster.note.no_pickup2"));
    }
    for (i, g) in d.guardians.iter().enumerate().skip(2) {
        parts.push(trf(
            "report.roster.note.guardian",
            &[
                ("n", (i + 1).to_string()),
                ("who", guardian_text(g)),
                ("phone", g.phone.clone().unwrap_or_default()),
                (
                    "pickup",
                    tr(if g.may_pick_up {
                        "report.roster.pickup_yes"
                    } else {
                        "report.roster.pickup_no"
                    }),
                ),
            ],
        ));
    }
    parts.join("；")
}
