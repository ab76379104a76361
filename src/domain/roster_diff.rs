//! Re-importing a roster is a diff, not an overwrite: the office sends the
//! whole list again each term, and the duty room must see who is new, who
//! moved bed, who left and whose guardians changed before anything applies.

use std::collections::HashMap;

use crate::domain::names::normalize_name;
use crate::domain::roster::{
    BedRef, Carried, GUARDIAN_FIELDS, Guardian, RosterRow, Student, StudentData,
};

/// A guardian's right to take the child out through the gate, before and
/// after: `None` when the guardian is not listed on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickUpChange {
    pub student: Student,
    pub guardian: String,
    pub before: Option<bool>,
    pub after: Option<bool>,
}

/// What applying an imported roster would change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterDiff {
    /// Every pick-up right granted, withdrawn, added or removed: the gate
    /// checks it, so the duty room reads these first.
    pub pick_up: Vec<PickUpChange>,
    /// Fields the file empties (column present, cell empty), by student,
    /// as field keys ("class", "phone2", "guardian3" …).
    pub cleared: Vec<(Student, Vec<&'static str>)>,
    /// Rows matching no current student, by line.
    pub new: Vec<RosterRow>,
    /// Current students whose bed differs, with the bed they move to.
    pub moved: Vec<(Student, BedRef)>,
    /// Current students the file no longer lists.
    pub left: Vec<Student>,
    /// Current students whose guardians differ (ignoring order), with the
    /// new list.
    pub guardians_changed: Vec<(Student, Vec<Guardian>)>,
    /// Current students with any other field changed, with the full new data
    /// (guardians included) so applying it is one event.
    pub changed: Vec<(Student, StudentData)>,
    /// Matched students with nothing to change.
    pub unchanged: usize,
}

impl RosterDiff {
    /// True when applying would change nothing.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.pick_up.is_empty()
            && self.moved.is_empty()
            && self.left.is_empty()
            && self.guardians_changed.is_empty()
            && self.changed.is_empty()
    }

    /// Applying only the valid rows (`--skip-invalid`) must not turn a
    /// student whose row was refused, say for a mistyped phone, into a
    /// leaver: drop from `left` everyone a rejected row matches.
    pub fn keep_rejected(&mut self, rejected: &[RosterRow], carried: &Carried) {
        self.left = diff_carried(&self.left, rejected, carried).left;
    }
}

/// Compare the current roster with imported rows.
///
/// A row matches a current student by 学号 when both have one, otherwise by
/// normalised name and class. Lists other than `new` follow `current`'s
/// order. A 学号 or gender the file leaves empty keeps the current value
/// (a file without those columns must not erase them), while one it fills
/// in counts as a change.
pub fn diff(current: &[Student], incoming: &[RosterRow]) -> RosterDiff {
    diff_carried(current, incoming, &Carried::everything())
}

/// [`diff`] for a file with only the `carried` columns: every other field
/// keeps its current value, so a file without (or with an unrecognised)
/// guardian column changes no guardian. Without a class column, students
/// are matched by 学号 or name alone.
pub fn diff_carried(current: &[Student], incoming: &[RosterRow], carried: &Carried) -> RosterDiff {
    let name_class = |d: &StudentData| {
        let class = if carried.class { d.class.as_str() } else { "" };
        (normalize_name(&d.name), fold(class))
    };
    let mut matched_row: Vec<Option<usize>> = vec![None; current.len()];
    let mut row_taken = vec![false; incoming.len()];
    // Indexed so a 3,000-boarder school does not compare every pair.
    let mut by_no: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (ci, s) in current.iter().enumerate() {
        if let Some(no) = &s.data.student_no {
            by_no.entry(no).or_default().push(ci);
        }
        by_name.entry(name_class(&s.data)).or_default().push(ci);
    }

    // Numbers first, so a name match cannot take a student whose 学号
    // appears further down the file.
    for (ri, row) in incoming.iter().enumerate() {
        let Some(candidates) = row.data.student_no.as_deref().and_then(|no| by_no.get(no)) else {
            continue;
        };
        if let Some(&ci) = candidates.iter().find(|&&ci| matched_row[ci].is_none()) {
            matched_row[ci] = Some(ri);
            row_taken[ri] = true;
        }
    }
    for (ri, row) in incoming.iter().enumerate() {
        if row_taken[ri] {
            continue;
        }
        let Some(candidates) = by_name.get(&name_class(&row.data)) else {
            continue;
        };
        let free = candidates.iter().find(|&&ci| {
            matched_row[ci].is_none()
                // Two different 学号 are two different students.
                && !(current[ci].data.student_no.is_some() && row.data.student_no.is_some())
        });
        if let Some(&ci) = free {
            matched_row[ci] = Some(ri);
            row_taken[ri] = true;
        }
    }

    let mut out = RosterDiff::default();
    for (student, ri) in current.iter().zip(&matched_row) {
        let Some(ri) = *ri else {
            out.left.push(student.clone());
            continue;
        };
        let row = &incoming[ri];
        let mut same = true;
        let bed = carried_bed(student.bed.as_ref(), &row.bed, carried);
        if student.bed.as_ref() != Some(&bed) {
            out.moved.push((student.clone(), bed));
            same = false;
        }
        let (data, cleared) = merge(&student.data, row, carried);
        out.pick_up
            .extend(pick_up_changes(student, &data.guardians));
        if !cleared.is_empty() {
            out.cleared.push((student.clone(), cleared));
        }
        if sorted(&student.data.guardians) != sorted(&data.guardians) {
            out.guardians_changed
                .push((student.clone(), data.guardians.clone()));
            same = false;
        }
        if !same_details(&student.data, &data) {
            out.changed.push((student.clone(), data));
            same = false;
        }
        if same {
            out.unchanged += 1;
        }
    }
    let mut new: Vec<RosterRow> = incoming
        .iter()
        .zip(&row_taken)
        .filter(|(_, taken)| !**taken)
        .map(|(row, _)| row.clone())
        .collect();
    new.sort_by_key(|r| r.line);
    out.new = new;
    out
}

/// Half-width, so "初二（3）班" and "初二(3)班" are one class when
/// matching; the value kept is still the one typed.
fn fold(s: &str) -> String {
    crate::domain::validate::fold_full_width(s)
}

/// The bed a row names, with the building and floor kept from the current
/// bed when the file has no column for them.
fn carried_bed(current: Option<&BedRef>, row: &BedRef, carried: &Carried) -> BedRef {
    let mut bed = row.clone();
    let Some(cur) = current else {
        return bed;
    };
    if !carried.building {
        bed.building = cur.building.clone();
    }
    if !carried.floor && bed.building == cur.building && bed.room == cur.room {
        bed.floor = cur.floor;
    }
    bed
}

/// The student's data after the row: fields the file has no column for
/// keep their value, and a 学号 or gender left empty is not erased. Also
/// the keys of the fields the row empties.
fn merge(
    cur: &StudentData,
    row: &RosterRow,
    carried: &Carried,
) -> (StudentData, Vec<&'static str>) {
    let mut data = row.data.clone();
    let mut cleared = Vec::new();
    if !carried.student_no || data.student_no.is_none() {
        data.student_no = cur.student_no.clone();
    }
    if !carried.gender || data.gender.is_none() {
        data.gender = cur.gender;
    }
    for (has, key, new, old) in [
        (carried.class, "class", &mut data.class, &cur.class),
        (
            carried.head_teacher,
            "head_teacher",
            &mut data.head_teacher,
            &cur.head_teacher,
        ),
        (
            carried.notes,
            "notes",
            &mut data.care_notes,
            &cur.care_notes,
        ),
    ] {
        if !has {
            new.clone_from(old);
        } else if new.is_empty() && !old.is_empty() {
            cleared.push(key);
        }
    }
    if !carried.left_behind {
        data.left_behind = cur.left_behind;
    }
    data.guardians = merge_guardians(&cur.guardians, row, carried, &mut cleared);
    (data, cleared)
}

/// Guardians after the row. Each listed guardian takes what its columns
/// say and keeps, from the current guardian of the same name (else the
/// same position), whatever the file has no column for. Current guardians
/// past the file's guardian columns stay; those within them that the row
/// no longer lists go, and are named as cleared.
fn merge_guardians(
    cur: &[Guardian],
    row: &RosterRow,
    carried: &Carried,
    cleared: &mut Vec<&'static str>,
) -> Vec<Guardian> {
    if carried.guardians.is_empty() {
        return cur.to_vec();
    }
    let mut used = vec![false; cur.len()];
    let mut out = Vec::with_capacity(row.data.guardians.len());
    for (i, g) in row.data.guardians.iter().enumerate() {
        let slot = row.guardian_slots.get(i).copied().unwrap_or(i);
        let has = carried.guardians.get(slot).copied().unwrap_or([true; 4]);
        let by_name = (has[0] && !g.name.is_empty())
            .then(|| {
                let key = normalize_name(&g.name);
                (0..cur.len()).find(|&c| !used[c] && normalize_name(&cur[c].name) == key)
            })
            .flatten();
        let counterpart = by_name.or_else(|| (slot < cur.len() && !used[slot]).then_some(slot));
        let mut g = g.clone();
        if let Some(c) = counterpart {
            used[c] = true;
            let old = &cur[c];
            if !has[0] {
                g.name.clone_from(&old.name);
            }
            if !has[1] {
                g.relation.clone_from(&old.relation);
            } else if g.relation.is_empty() && !old.relation.is_empty() {
                cleared.push(GUARDIAN_FIELDS[slot.min(GUARDIAN_FIELDS.len() - 1)][1]);
            }
            if !has[2] {
                g.phone.clone_from(&old.phone);
            } else if g.phone.is_none() && old.phone.is_some() {
                cleared.push(GUARDIAN_FIELDS[slot.min(GUARDIAN_FIELDS.len() - 1)][2]);
            }
            if !has[3] || row.pick_up_given.get(i) == Some(&false) {
                g.may_pick_up = old.may_pick_up;
            }
        }
        out.push(g);
    }
    for (c, old) in cur.iter().enumerate() {
        if used[c] {
            continue;
        }
        // Listed only through a name or phone column: without either at
        // this position the file cannot have dropped the guardian.
        let listable = carried.guardians.get(c).is_some_and(|h| h[0] || h[2]);
        if listable {
            cleared.push(GUARDIAN_FIELDS[c][0]);
        } else {
            out.insert(c.min(out.len()), old.clone());
        }
    }
    out
}

/// Pick-up rights that differ between the current guardians and `after`,
/// guardians matched by name.
fn pick_up_changes(student: &Student, after: &[Guardian]) -> Vec<PickUpChange> {
    let before = &student.data.guardians;
    let key = |g: &Guardian| normalize_name(&g.name);
    let mut out = Vec::new();
    let mut seen = vec![false; after.len()];
    for b in before {
        let a = (0..after.len()).find(|&i| !seen[i] && key(&after[i]) == key(b));
        if let Some(i) = a {
            seen[i] = true;
        }
        let a = a.map(|i| after[i].may_pick_up);
        if a != Some(b.may_pick_up) {
            out.push(PickUpChange {
                student: student.clone(),
                guardian: b.name.clone(),
                before: Some(b.may_pick_up),
                after: a,
            });
        }
    }
    for (g, _) in after.iter().zip(&seen).filter(|(_, s)| !**s) {
        out.push(PickUpChange {
            student: student.clone(),
            guardian: g.name.clone(),
            before: None,
            after: Some(g.may_pick_up),
        });
    }
    out
}

fn sorted(g: &[Guardian]) -> Vec<&Guardian> {
    let mut v: Vec<&Guardian> = g.iter().collect();
    v.sort_by(|a, b| {
        (&a.name, &a.relation, &a.phone, a.may_pick_up).cmp(&(
            &b.name,
            &b.relation,
            &b.phone,
            b.may_pick_up,
        ))
    });
    v
}

/// Everything but guardians (compared on their own) and the bed.
fn same_details(a: &StudentData, b: &StudentData) -> bool {
    a.student_no == b.student_no
        && normalize_name(&a.name) == normalize_name(&b.name)
        && a.gender == b.gender
        && a.class == b.class
        && a.head_teacher == b.head_teacher
        && a.left_behind == b.left_behind
        && a.care_notes == b.care_notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roster::Gender;
    use crate::import::roster::parse_file;

    fn rows(file: &str) -> Vec<RosterRow> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster/");
        let p = parse_file(std::path::Path::new(&format!("{dir}{file}"))).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.rows
    }

    /// The roster after applying `d` to `current`, as the store would.
    fn apply(current: &[Student], d: &RosterDiff) -> Vec<Student> {
        let mut out: Vec<Student> = current
            .iter()
            .filter(|s| !d.left.iter().any(|l| l.id == s.id))
            .cloned()
            .collect();
        for s in &mut out {
            if let Some((_, bed)) = d.moved.iter().find(|(m, _)| m.id == s.id) {
                s.bed = Some(bed.clone());
            }
            if let Some((_, g)) = d.guardians_changed.iter().find(|(m, _)| m.id == s.id) {
                s.data.guardians = g.clone();
            }
            if let Some((_, data)) = d.changed.iter().find(|(m, _)| m.id == s.id) {
                s.data = data.clone();
            }
        }
        for r in &d.new {
            out.push(Student {
                id: format!("new-{}", r.line),
                data: r.data.clone(),
                bed: Some(r.bed.clone()),
            });
        }
        out
    }

    fn names<'a>(v: impl IntoIterator<Item = &'a Student>) -> Vec<&'a str> {
        v.into_iter().map(|s| s.data.name.as_str()).collect()
    }

    #[test]
    fn v1_to_v2_is_exact() {
        let current = apply(&[], &diff(&[], &rows("utf8.csv")));
        assert_eq!(current.len(), 12);
        let d = diff(&current, &rows("roster_v2.csv"));

        let new: Vec<(usize, &str)> = d
            .new
            .iter()
            .map(|r| (r.line, r.data.name.as_str()))
            .collect();
        assert_eq!(new, [(13, "黄子轩")]);
        assert_eq!(names(&d.left), ["李俊杰"]);
        assert_eq!(d.moved.len(), 1);
        let (who, to) = &d.moved[0];
        assert_eq!(who.data.name, "杨博文");
        assert_eq!(who.bed.as_ref().map(|b| b.room.as_str()), Some("306"));
        assert_eq!(
            (to.building.as_str(), to.room.as_str(), to.bed.as_str()),
            ("1号楼", "307", "1")
        );
        assert_eq!(d.guardians_changed.len(), 1);
        let (who, guardians) = &d.guardians_changed[0];
        assert_eq!(who.data.name, "吴诗琪");
        assert_eq!(guardians[0].phone.as_deref(), Some("17700177999"));
        assert!(d.changed.is_empty(), "{:?}", d.changed);
        assert_eq!(d.unchanged, 9);
        assert!(!d.is_empty());

        // Applying v2 and importing it again changes nothing.
        let after = apply(&current, &d);
        let again = diff(&after, &rows("roster_v2.csv"));
        assert!(again.is_empty(), "{again:?}");
        assert_eq!(again.unchanged, 12);
    }

    #[test]
    fn same_file_twice_is_empty() {
        let v1 = rows("utf8.csv");
        let current = apply(&[], &diff(&[], &v1));
        let d = diff(&current, &v1);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.unchanged, 12);
        // Any format of the same roster is the same roster.
        for file in ["gbk.csv", "roster.xlsx", "roster.xls"] {
            assert!(diff(&current, &rows(file)).is_empty(), "{file}");
        }
        // Typed differently ("初二（3）班" for "初二(3)班"): the same
        // students, the class as now typed.
        let d = diff(&current, &rows("quirks.csv"));
        assert!(d.new.is_empty() && d.left.is_empty() && d.moved.is_empty());
        assert!(d.guardians_changed.is_empty() && d.pick_up.is_empty());
        assert!(d.changed.iter().all(|(_, data)| data.class.contains('（')));
    }

    fn row(line: usize, no: Option<&str>, name: &str, class: &str, bed: &str) -> RosterRow {
        RosterRow {
            line,
            data: StudentData {
                student_no: no.map(String::from),
                name: name.into(),
                gender: Some(Gender::Male),
                class: class.into(),
                head_teacher: "陈丽".into(),
                guardians: vec![
                    Guardian {
                        name: "父".into(),
                        relation: "父亲".into(),
                        phone: Some("13800138000".into()),
                        may_pick_up: true,
                    },
                    Guardian {
                        name: "母".into(),
                        relation: "母亲".into(),
                        phone: None,
                        may_pick_up: true,
                    },
                ],
                left_behind: false,
                care_notes: String::new(),
            },
            bed: BedRef {
                building: "1号楼".into(),
                floor: 3,
                room: "305".into(),
                bed: bed.into(),
            },
            zone: None,
            guardian_slots: vec![0, 1],
            pick_up_given: vec![true, true],
        }
    }

    fn student(id: &str, r: &RosterRow) -> Student {
        Student {
            id: id.into(),
            data: r.data.clone(),
            bed: Some(r.bed.clone()),
        }
    }

    #[test]
    fn matching_rules() {
        let a = row(2, None, "张三", "1班", "1");
        let b = row(3, Some("S2"), "李四", "1班", "2");
        let current = [student("a", &a), student("b", &b)];

        // No 学号: name (normalised) and class; guardian order is irrelevant.
        let mut a2 = row(5, None, "张 三", "1班", "1");
        a2.data.name = "张 三".into();
        a2.data.guardians.reverse();
        // Renamed but same 学号: matched, and the name change is a change.
        let b2 = row(6, Some("S2"), "李思", "1班", "2");
        let d = diff(&current, &[b2.clone(), a2]);
        assert!(d.new.is_empty() && d.left.is_empty() && d.moved.is_empty());
        assert!(d.guardians_changed.is_empty());
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].0.id, "b");
        assert_eq!(d.changed[0].1, b2.data);
        assert_eq!(d.unchanged, 1);

        // The same name in another class is someone else.
        let d = diff(&current, &[row(2, None, "张三", "2班", "1"), b.clone()]);
        assert_eq!(d.new.len(), 1);
        assert_eq!(names(&d.left), ["张三"]);

        // Two different 学号 never match, even with the same name and class.
        let d = diff(
            &current,
            &[a.clone(), row(3, Some("S9"), "李四", "1班", "2")],
        );
        assert_eq!(d.new.len(), 1);
        assert_eq!(names(&d.left), ["李四"]);
    }

    #[test]
    fn student_no_filled_in_but_never_erased() {
        let a = row(2, None, "张三", "1班", "1");
        let current = [student("a", &a)];
        let numbered = row(2, Some("S1"), "张三", "1班", "1");
        let d = diff(&current, std::slice::from_ref(&numbered));
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].1.student_no.as_deref(), Some("S1"));

        let current = [student("a", &numbered)];
        let mut unnumbered = a.clone();
        unnumbered.data.gender = None;
        let d = diff(&current, &[unnumbered]);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn refused_rows_are_not_leavers() {
        let current = apply(&[], &diff(&[], &rows("utf8.csv")));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster/");
        let p = parse_file(std::path::Path::new(&format!("{dir}bad_rows.csv"))).unwrap();
        let mut d = diff(&current, &p.rows);
        assert_eq!(d.left.len(), 9);
        d.keep_rejected(&p.rejected, &p.carried);
        // Line 3 has no name but 李俊杰's 学号. 周梓涵's row (line 10)
        // carries 孙雨涵's 学号, so it cannot say whom it is about.
        assert_eq!(names(&d.left), ["周梓涵"]);
    }

    #[test]
    fn one_student_in_several_lists() {
        let a = row(2, Some("S1"), "张三", "1班", "1");
        let current = [student("a", &a)];
        let mut a2 = row(2, Some("S1"), "张三", "2班", "4");
        a2.data.guardians.pop();
        a2.data.left_behind = true;
        let d = diff(&current, std::slice::from_ref(&a2));
        assert_eq!(d.moved.len(), 1);
        assert_eq!(d.guardians_changed.len(), 1);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].1.guardians.len(), 1);
        assert_eq!(d.unchanged, 0);
        let after = apply(&current, &d);
        assert!(diff(&after, &[a2]).is_empty());
    }

    #[test]
    fn order_is_deterministic() {
        let cur: Vec<Student> = (0..5)
            .map(|i| {
                student(
                    &format!("s{i}"),
                    &row(
                        i + 2,
                        Some(&format!("S{i}")),
                        &format!("学生{i}"),
                        "1班",
                        &i.to_string(),
                    ),
                )
            })
            .collect();
        // Reverse file order, everyone moved, two new.
        let mut incoming: Vec<RosterRow> = (0..5)
            .rev()
            .map(|i| {
                row(
                    10 - i,
                    Some(&format!("S{i}")),
                    &format!("学生{i}"),
                    "1班",
                    &(i + 10).to_string(),
                )
            })
            .collect();
        incoming.push(row(30, Some("N2"), "新二", "1班", "30"));
        incoming.insert(0, row(20, Some("N1"), "新一", "1班", "20"));
        let d = diff(&cur, &incoming);
        let moved: Vec<&str> = d.moved.iter().map(|(s, _)| s.id.as_str()).collect();
        assert_eq!(moved, ["s0", "s1", "s2", "s3", "s4"]);
        let new: Vec<usize> = d.new.iter().map(|r| r.line).collect();
        assert_eq!(new, [20, 30]);
        assert_eq!(diff(&cur, &incoming), d);
    }
}
