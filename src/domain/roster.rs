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
