//! The boarder roster (住宿学生花名册): buildings → floors → rooms → beds,
//! students with guardians. Changes arrive as events (import diffs, moves,
//! leavers), so the roster's history is kept and can sync.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn key(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

/// Boys' and girls' zones are kept apart (seed 001 L195).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    Boys,
    Girls,
}

impl Zone {
    pub fn for_gender(g: Gender) -> Zone {
        match g {
            Gender::Male => Zone::Boys,
            Gender::Female => Zone::Girls,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Zone::Boys => "boys",
            Zone::Girls => "girls",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    /// 父亲, 母亲, 爷爷 …
    pub relation: String,
    /// Normalised 11-digit mobile, when given.
    pub phone: Option<String>,
    /// May take the student out through the gate (离校).
    pub may_pick_up: bool,
}

/// A bed by its natural address, as the school office writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BedRef {
    /// 1号楼, 男生宿舍A …
    pub building: String,
    /// Derived from the room number when the file has no floor column
    /// (room 305 → floor 3).
    pub floor: i32,
    /// 305
    pub room: String,
    /// 3 (from 「3号床」, "3", "03")
    pub bed: String,
}

impl BedRef {
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.building, self.room, self.bed)
    }
}

/// Everything the roster file says about one student, bed aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentData {
    /// 学号, when the school has one: the best key across re-imports.
    pub student_no: Option<String>,
    pub name: String,
    pub gender: Option<Gender>,
    /// 初二(3)班
    pub class: String,
    pub head_teacher: String,
    pub guardians: Vec<Guardian>,
    /// 留守儿童: parents work far away.
    pub left_behind: bool,
    pub care_notes: String,
}

/// A student as the roster holds them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub id: String,
    pub data: StudentData,
    pub bed: Option<BedRef>,
}

/// One row of an imported roster, normalised but not yet compared with the
/// current roster. `line` is the row number as the office sees it in Excel
/// (1-based, header and title rows counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    pub line: usize,
    pub data: StudentData,
    pub bed: BedRef,
    /// From a zone column, else from gender.
    pub zone: Option<Zone>,
    /// The guardian column group (0 = 监护人1) each of `data.guardians`
    /// came from, so a re-import can tell which columns carried it.
    pub guardian_slots: Vec<usize>,
    /// Whether the file's 可接送 cell for each of `data.guardians` was
    /// filled in. An empty cell keeps a known guardian's right as it is
    /// (a new guardian may pick up): a blank must never grant it.
    pub pick_up_given: Vec<bool>,
}

/// A roster file as the store applies it: the rows to compare with the
/// current roster, and what to do about rows in error. The import parsers
/// build it; the store never sees a file format.
#[derive(Debug, Clone, Copy)]
pub struct RosterRows<'a> {
    /// Rows without any problem, in file order.
    pub rows: &'a [RosterRow],
    /// Rows in error as far as they could be read: never applied, but with
    /// `skip_invalid` they keep their students from counting as leavers.
    pub rejected: &'a [RosterRow],
    /// Some row has a problem: the file is refused unless `skip_invalid`.
    pub has_errors: bool,
    /// The fields the file has columns for; the others are left alone.
    pub carried: &'a Carried,
}

/// Staff the duty room calls: head teachers (班主任), dorm teachers, others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffKind {
    HeadTeacher,
    DormTeacher,
    Other,
}

impl StaffKind {
    pub const ALL: [StaffKind; 3] = [
        StaffKind::HeadTeacher,
        StaffKind::DormTeacher,
        StaffKind::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            StaffKind::HeadTeacher => "head_teacher",
            StaffKind::DormTeacher => "dorm_teacher",
            StaffKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<StaffKind> {
        StaffKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub name: String,
    pub kind: StaffKind,
    pub phone: Option<String>,
    pub active: bool,
}

/// Longest value, in characters, a roster field may hold. A file or a form
/// fills these fields and every station receives them through the log,
/// which keeps them forever, so an over-long cell is refused, not cut.
pub mod limits {
    /// Student, guardian and head-teacher names.
    pub const NAME: usize = 20;
    pub const STUDENT_NO: usize = 20;
    /// 父亲, 外祖母, 表姐夫 …
    pub const RELATION: usize = 10;
    /// 初二(3)班, 高一年级实验(12)班 …
    pub const CLASS: usize = 20;
    pub const BUILDING: usize = 20;
    pub const ROOM: usize = 10;
    pub const BED: usize = 10;
    pub const NOTES: usize = 200;
    /// Phones are checked as 11-digit mobiles; this only bounds the raw
    /// cell before that check ("138 0013 8000", "+86-138…").
    pub const PHONE: usize = 20;
    /// Guardian columns (监护人1 … 监护人9) a roster file can carry.
    pub const GUARDIANS: usize = 9;
}

/// Field keys of each guardian's name, relation, phone and pick-up right,
/// by position (guardian 1 first). The import names its columns and its
/// problems with them; the diff names cleared fields with them.
pub const GUARDIAN_FIELDS: [[&str; 4]; limits::GUARDIANS] = [
    ["guardian", "relation", "phone", "may_pick_up"],
    ["guardian2", "relation2", "phone2", "may_pick_up2"],
    ["guardian3", "relation3", "phone3", "may_pick_up3"],
    ["guardian4", "relation4", "phone4", "may_pick_up4"],
    ["guardian5", "relation5", "phone5", "may_pick_up5"],
    ["guardian6", "relation6", "phone6", "may_pick_up6"],
    ["guardian7", "relation7", "phone7", "may_pick_up7"],
    ["guardian8", "relation8", "phone8", "may_pick_up8"],
    ["guardian9", "relation9", "phone9", "may_pick_up9"],
];

/// Which fields a roster file carries a column for. A re-import changes
/// only those: a column that is absent, or headed in a way nobody
/// recognised, must leave what the roster holds alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub student_no: bool,
    pub gender: bool,
    pub class: bool,
    pub head_teacher: bool,
    pub building: bool,
    pub floor: bool,
    pub left_behind: bool,
    pub notes: bool,
    /// Per guardian position the file has any column for: whether it has
    /// the name, relation, phone and pick-up columns.
    pub guardians: Vec<[bool; 4]>,
}

impl Carried {
    /// A file with every column (what a full export writes).
    pub fn everything() -> Carried {
        Carried {
            student_no: true,
            gender: true,
            class: true,
            head_teacher: true,
            building: true,
            floor: true,
            left_behind: true,
            notes: true,
            guardians: vec![[true; 4]; limits::GUARDIANS],
        }
    }
}

impl Default for Carried {
    fn default() -> Self {
        Carried::everything()
    }
}

impl StudentData {
    /// Every field longer than its limit, as `(field key, error)`: the
    /// store refuses such a record whoever fills it (a file, a form, a
    /// script), so nothing over-long reaches the log.
    pub fn too_long(&self) -> Vec<(&'static str, crate::domain::validate::FieldError)> {
        use crate::domain::validate::FieldError;
        let mut out = Vec::new();
        let mut check = |field: &'static str, value: &str, max: usize| {
            if value.chars().count() > max {
                out.push((field, FieldError::TooLong { max }));
            }
        };
        check("name", &self.name, limits::NAME);
        check(
            "student_no",
            self.student_no.as_deref().unwrap_or(""),
            limits::STUDENT_NO,
        );
        check("class", &self.class, limits::CLASS);
        check("head_teacher", &self.head_teacher, limits::NAME);
        check("notes", &self.care_notes, limits::NOTES);
        for (g, [name, relation, phone, _]) in self.guardians.iter().zip(GUARDIAN_FIELDS) {
            check(name, &g.name, limits::NAME);
            check(relation, &g.relation, limits::RELATION);
            check(phone, g.phone.as_deref().unwrap_or(""), limits::PHONE);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validate::FieldError;

    #[test]
    fn over_long_fields_are_named() {
        let mut d = StudentData {
            student_no: None,
            name: "王浩然".into(),
            gender: None,
            class: "初二（3）班".into(),
            head_teacher: String::new(),
            guardians: vec![
                Guardian {
                    name: "王建国".into(),
                    relation: "父亲".into(),
                    phone: None,
                    may_pick_up: true,
                };
                2
            ],
            left_behind: false,
            care_notes: "注".repeat(limits::NOTES),
        };
        assert!(d.too_long().is_empty());
        d.guardians[1].relation = "关".repeat(limits::RELATION + 1);
        d.care_notes.push('!');
        assert_eq!(
            d.too_long(),
            [
                ("notes", FieldError::TooLong { max: limits::NOTES }),
                (
                    "relation2",
                    FieldError::TooLong {
                        max: limits::RELATION
                    }
                ),
            ]
        );
    }
}
