//! 住宿学生花名册: the boarder roster, one row per active boarder in bed
//! order, as the duty room keeps it on paper.

use crate::domain::role::{Actor, Permission, require};
use crate::domain::roster::Gender;
use crate::i18n::{tr, trf};
use crate::report::common::{columns, exported_at, exported_by, write_built};
use crate::report::ledger::Watch;
use crate::report::ledger::{Column, Ledger};
use crate::store::{Store, StoreError};
use std::path::Path;

/// Builds the roster ledger (the caller's language) without writing it.
pub fn build(store: &Store, actor: &Actor) -> Result<Ledger, StoreError> {
    require(actor.role, Permission::ExportReports)?;
    let st = store.require_station()?;
    let off = st.utc_offset_min;
    let students = store.students(None)?;
    // Every guardian in columns of their own, as many groups as the
    // student with the most guardians needs: the import reads them back,
    // so exporting and importing the file changes nothing.
    let groups = students
        .iter()
        .map(|s| s.data.guardians.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let mut cols = columns(&[
        ("report.roster.col.no", 5.0),
        ("report.roster.col.building", 9.0),
        ("report.roster.col.floor", 5.0),
        ("report.roster.col.room", 7.0),
        ("report.roster.col.bed", 5.0),
        ("report.roster.col.name", 9.0),
        ("report.roster.col.gender", 5.0),
        ("report.roster.col.class", 11.0),
        ("report.roster.col.head_teacher", 9.0),
        ("report.roster.col.student_no", 11.0),
    ]);
    for n in 1..=groups {
        let n = [("n", n.to_string())];
        for (key, width) in [
            ("report.roster.col.guardian_n", 9.0),
            ("report.roster.col.relation_n", 6.0),
            ("report.roster.col.phone_n", 13.0),
            ("report.roster.col.may_pick_up_n", 7.0),
        ] {
            cols.push(Column::new(trf(key, &n), width));
        }
    }
    cols.extend(columns(&[
        ("report.roster.col.left_behind", 6.0),
        ("report.roster.col.notes", 24.0),
    ]));
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
        let (building, floor, room, bed) = match &s.bed {
            Some(b) => (
                b.building.clone(),
                b.floor.to_string(),
                b.room.clone(),
                b.bed.clone(),
            ),
            None => Default::default(),
        };
        let mut row = Vec::with_capacity(cols.len());
        row.extend([
            (i + 1).to_string(),
            building,
            floor,
            room,
            bed,
            d.name.clone(),
            d.gender.map(gender_text).unwrap_or_default(),
            d.class.clone(),
            d.head_teacher.clone(),
            d.student_no.clone().unwrap_or_default(),
        ]);
        for n in 0..groups {
            match d.guardians.get(n) {
                Some(g) => row.extend([
                    g.name.clone(),
                    g.relation.clone(),
                    g.phone.clone().unwrap_or_default(),
                    pick_up_text(g.may_pick_up),
                ]),
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        row.extend([yes_no(d.left_behind), d.care_notes.clone()]);
        rows.push(row);
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
        columns: cols,
        rows,
        footer,
        ..Ledger::default()
    })
}

/// Writes the roster; returns the number of boarders in it.
pub fn export_roster(
    store: &Store,
    actor: &Actor,
    path: &Path,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    write_built(build(store, actor), path, watch)
}

fn gender_text(g: Gender) -> String {
    tr(&format!("report.roster.{}", g.key()))
}

fn yes_no(b: bool) -> String {
    tr(if b { "report.yes" } else { "report.no" })
}

/// 可接送 / 不可接送 in full: a lone 否 under a name reads ambiguously on
/// paper, and the import reads both words back.
fn pick_up_text(may: bool) -> String {
    tr(if may {
        "report.roster.pickup_yes"
    } else {
        "report.roster.pickup_no"
    })
}
