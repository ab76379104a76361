//! Boarder roster import (住宿学生花名册): the school office's own file in,
//! normalised [`RosterRow`]s and per-row problems out.
//!
//! Offices export from many systems and then edit by hand, so nothing about
//! the layout is assumed: the encoding is detected, the header row is searched
//! for under title rows, headers are matched by their usual Chinese and
//! English variants, and values are read the way people type them. Every
//! problem is collected with its spreadsheet row number so the office can fix
//! the file in one pass.

mod decode;
mod header;
mod rows;
mod values;

use std::path::Path;

pub use decode::{grids, parse_bytes, parse_file};
pub use rows::parse_grid;

use crate::domain::roster::{Carried, GUARDIAN_FIELDS, RosterRow};

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Csv,
    Xlsx,
    Xls,
}

impl SourceKind {
    /// By extension, case-insensitive: .csv .txt .xlsx .xlsm .xls.
    pub fn from_path(path: &Path) -> Result<SourceKind, ImportError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => Ok(SourceKind::Csv),
            "xlsx" | "xlsm" => Ok(SourceKind::Xlsx),
            "xls" => Ok(SourceKind::Xls),
            _ => Err(ImportError::Unsupported(ext)),
        }
    }
}

/// Why a whole file could not be read. Row-level problems are [`RowError`]s.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("unsupported file type {0:?}: use .csv, .xlsx or .xls")]
    Unsupported(String),
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot read the spreadsheet: {0}")]
    Spreadsheet(String),
    #[error("no header row found in the first {HEADER_SCAN_ROWS} rows")]
    NoHeader,
    #[error(
        "columns not understood: {}; required columns missing: {}",
        unknown.join(", "),
        missing.join(", ")
    )]
    UnknownColumns {
        /// Header cells, as written in the file, that map to no field.
        unknown: Vec<String>,
        /// Field keys (see [`FIELDS`]) of required columns not found.
        missing: Vec<&'static str>,
    },
    #[error("the roster has no students")]
    Empty,
}

impl ImportError {
    /// i18n catalog key.
    pub fn key(&self) -> &'static str {
        match self {
            ImportError::Unsupported(_) => "import.err.unsupported",
            ImportError::Io(_) => "import.err.io",
            ImportError::Spreadsheet(_) => "import.err.spreadsheet",
            ImportError::NoHeader => "import.err.no_header",
            ImportError::UnknownColumns { .. } => "import.err.unknown_columns",
            ImportError::Empty => "import.err.empty",
        }
    }

    /// Named arguments for the message of [`ImportError::key`]. `missing`
    /// holds field keys; the UI translates them with `import.field.<key>`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ImportError::Unsupported(ext) => vec![("ext", ext.clone())],
            ImportError::Io(e) => vec![("detail", e.to_string())],
            ImportError::Spreadsheet(d) => vec![("detail", d.clone())],
            ImportError::NoHeader => vec![("rows", HEADER_SCAN_ROWS.to_string())],
            ImportError::UnknownColumns { unknown, missing } => vec![
                ("unknown", unknown.join("、")),
                ("missing", missing.join(", ")),
            ],
            ImportError::Empty => Vec::new(),
        }
    }
}

/// One problem on one row. `field` is a key from [`FIELDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub field: &'static str,
    pub reason: RowProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    MissingName,
    /// No room or no bed (`RowError::field` says which).
    MissingBed,
    InvalidPhone(String),
    BadGender(String),
    BadFlag(String),
    /// Another row puts a student in the same bed.
    DuplicateBed {
        other_line: usize,
    },
    /// Another row is the same student (same 学号, or same name and class).
    DuplicateStudent {
        other_line: usize,
    },
    /// Longer than the field may be (see `domain::roster::limits`).
    TooLong {
        max: usize,
        len: usize,
    },
}

impl RowProblem {
    /// i18n catalog key.
    pub fn key(&self) -> &'static str {
        match self {
            RowProblem::MissingName => "import.err.missing_name",
            RowProblem::MissingBed => "import.err.missing_bed",
            RowProblem::InvalidPhone(_) => "import.err.invalid_phone",
            RowProblem::BadGender(_) => "import.err.bad_gender",
            RowProblem::BadFlag(_) => "import.err.bad_flag",
            RowProblem::DuplicateBed { .. } => "import.err.duplicate_bed",
            RowProblem::DuplicateStudent { .. } => "import.err.duplicate_student",
            RowProblem::TooLong { .. } => "import.err.too_long",
        }
    }

    /// Named arguments for the message of [`RowProblem::key`].
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            RowProblem::MissingName | RowProblem::MissingBed => Vec::new(),
            RowProblem::InvalidPhone(v) | RowProblem::BadGender(v) | RowProblem::BadFlag(v) => {
                vec![("value", v.clone())]
            }
            RowProblem::DuplicateBed { other_line }
            | RowProblem::DuplicateStudent { other_line } => {
                vec![("other_line", other_line.to_string())]
            }
            RowProblem::TooLong { max, len } => {
                vec![("max", max.to_string()), ("len", len.to_string())]
            }
        }
    }
}

/// The file as understood: good rows, bad rows, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRoster {
    /// Rows without any problem, in file order.
    pub rows: Vec<RosterRow>,
    /// Every problem, by line.
    pub errors: Vec<RowError>,
    /// The rows in `errors`, as far as they could be read. Not to apply:
    /// with `--skip-invalid` they keep those students from counting as
    /// leavers (`RosterDiff::keep_rejected`).
    pub rejected: Vec<RosterRow>,
    /// Spreadsheet row number (1-based) of the header.
    pub header_line: usize,
    /// Every non-empty header cell as written, with the field it maps to.
    pub columns: Vec<(String, Option<&'static str>)>,
    /// The fields the file has a column for: a re-import leaves the
    /// others as they are.
    pub carried: Carried,
    /// Non-empty lines under the header that are not students, and why.
    pub skipped: Vec<Skipped>,
    /// "UTF-8", "UTF-8 BOM", "UTF-16LE", "UTF-16BE", "GBK", "GB18030",
    /// "Big5", another encoding_rs name, "xlsx" or "xls"; empty from
    /// [`parse_grid`].
    pub encoding: &'static str,
}

impl<'a> From<&'a ParsedRoster> for crate::domain::roster::RosterRows<'a> {
    fn from(p: &'a ParsedRoster) -> Self {
        crate::domain::roster::RosterRows {
            rows: &p.rows,
            rejected: &p.rejected,
            has_errors: !p.errors.is_empty(),
            carried: &p.carried,
        }
    }
}

/// A line read and deliberately not taken for a student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub why: SkipReason,
    /// The line's text, cells joined, at most 40 characters.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// 合计, 制表人, 审核人, 日期, notes under the table.
    Footer,
    /// The header again, as printed on every page.
    RepeatedHeader,
}

impl SkipReason {
    /// i18n catalog key.
    pub fn key(self) -> &'static str {
        match self {
            SkipReason::Footer => "roster.skip.footer",
            SkipReason::RepeatedHeader => "roster.skip.header",
        }
    }
}

// Field keys; the UI labels them with `import.field.<key>`.
const NAME: &str = "name";
const STUDENT_NO: &str = "student_no";
const GENDER: &str = "gender";
const CLASS: &str = "class";
const HEAD_TEACHER: &str = "head_teacher";
const BUILDING: &str = "building";
const FLOOR: &str = "floor";
const ROOM: &str = "room";
const BED: &str = "bed";
const ZONE: &str = "zone";
const GUARDIAN: &str = GUARDIAN_FIELDS[0][0];
const RELATION: &str = GUARDIAN_FIELDS[0][1];
const PHONE: &str = GUARDIAN_FIELDS[0][2];
const MAY_PICK_UP: &str = GUARDIAN_FIELDS[0][3];
const GUARDIAN2: &str = GUARDIAN_FIELDS[1][0];
const RELATION2: &str = GUARDIAN_FIELDS[1][1];
const PHONE2: &str = GUARDIAN_FIELDS[1][2];
const MAY_PICK_UP2: &str = GUARDIAN_FIELDS[1][3];
const LEFT_BEHIND: &str = "left_behind";
const NOTES: &str = "notes";

/// Every field key a column can map to, guardians 1 and 2 (the import
/// template's columns); guardians 3 to 9 map to [`GUARDIAN_FIELDS`].
pub const FIELDS: &[&str] = &[
    NAME,
    STUDENT_NO,
    GENDER,
    CLASS,
    HEAD_TEACHER,
    BUILDING,
    FLOOR,
    ROOM,
    BED,
    ZONE,
    GUARDIAN,
    RELATION,
    PHONE,
    MAY_PICK_UP,
    GUARDIAN2,
    RELATION2,
    PHONE2,
    MAY_PICK_UP2,
    LEFT_BEHIND,
    NOTES,
];

/// Columns without which a row cannot be placed in a bed. Building may be
/// absent: a one-building school leaves it out and the caller defaults it.
const REQUIRED: [&str; 3] = [NAME, ROOM, BED];

pub const HEADER_SCAN_ROWS: usize = 15;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roster::{BedRef, Gender, Guardian, StudentData, Zone};

    pub(super) fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/roster"
        ))
        .join(name)
    }

    pub(super) fn parse(name: &str) -> ParsedRoster {
        parse_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Rows without their line numbers, which differ between layouts.
    pub(super) fn content(p: &ParsedRoster) -> Vec<(StudentData, BedRef, Option<Zone>)> {
        // Classes as typed differ in their brackets only.
        p.rows
            .iter()
            .map(|r| {
                let mut d = r.data.clone();
                d.class = crate::domain::validate::fold_full_width(&d.class);
                (d, r.bed.clone(), r.zone)
            })
            .collect()
    }

    pub(super) fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn utf8_reference_roster() {
        let p = parse("utf8.csv");
        assert_eq!(p.encoding, "UTF-8");
        assert_eq!(p.header_line, 1);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows.len(), 12);
        let first = &p.rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.data.student_no.as_deref(), Some("2024010101"));
        assert_eq!(first.data.name, "王浩然");
        assert_eq!(first.data.gender, Some(Gender::Male));
        assert_eq!(first.data.class, "初二(3)班");
        assert_eq!(first.data.head_teacher, "陈丽");
        assert!(first.data.left_behind);
        assert_eq!(
            first.bed,
            BedRef {
                building: "1号楼".into(),
                floor: 3,
                room: "305".into(),
                bed: "1".into()
            }
        );
        assert_eq!(first.zone, Some(Zone::Boys));
        assert_eq!(
            first.data.guardians,
            vec![
                Guardian {
                    name: "王建国".into(),
                    relation: "父亲".into(),
                    phone: Some("13800138001".into()),
                    may_pick_up: true
                },
                Guardian {
                    name: "李秀英".into(),
                    relation: "母亲".into(),
                    phone: Some("13900139001".into()),
                    may_pick_up: true
                },
            ]
        );
        assert_eq!(p.rows[1].data.care_notes, "花生过敏");
        assert_eq!(p.rows[1].data.guardians.len(), 1);
        let last = &p.rows[11];
        assert_eq!((last.line, last.data.name.as_str()), (13, "欧阳娜娜"));
        assert_eq!((last.bed.floor, last.zone), (12, Some(Zone::Girls)));
        // 序号 is not a roster field, so it is listed but unmapped.
        assert_eq!(p.columns[0], ("序号".to_string(), None));
        assert_eq!(p.columns[13], ("关系".to_string(), Some(RELATION2)));
    }

    #[test]
    fn every_format_reads_the_same_roster() {
        let reference = content(&parse("utf8.csv"));
        for (file, encoding) in [
            ("utf8_bom.csv", "UTF-8 BOM"),
            ("gbk.csv", "GBK"),
            ("roster.xlsx", "xlsx"),
            ("roster.xls", "xls"),
            ("quirks.csv", "UTF-8"),
            ("quirks.xlsx", "xlsx"),
        ] {
            let p = parse(file);
            assert_eq!(p.encoding, encoding, "{file}");
            assert!(p.errors.is_empty(), "{file}: {:?}", p.errors);
            let got = content(&p);
            assert_eq!(got.len(), reference.len(), "{file}");
            for (g, r) in got.iter().zip(&reference) {
                assert_eq!(g, r, "{file}");
            }
        }
    }

    #[test]
    fn gb18030_with_a_character_outside_gbk() {
        let p = parse("gb18030.csv");
        assert_eq!(p.encoding, "GB18030");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(content(&p)[..12], content(&parse("utf8.csv"))[..]);
        assert_eq!(p.rows[12].data.name, "陈\u{20000}");
        assert_eq!(p.rows[12].bed.room, "307");
    }

    #[test]
    fn xlsx_header_under_title_and_footer_ignored() {
        let p = parse("roster.xlsx");
        assert_eq!(p.header_line, 3);
        assert_eq!(p.rows.len(), 12);
        assert_eq!(p.rows[0].line, 4);
        assert_eq!(p.rows[11].line, 15);
        // Numbers stored as numbers come out as Excel shows them.
        assert_eq!(p.rows[0].data.student_no.as_deref(), Some("2024010101"));
        assert_eq!(p.rows[0].bed.bed, "1");
    }

    #[test]
    fn xls_english_headers() {
        let p = parse("roster.xls");
        let fields: Vec<_> = p.columns.iter().map(|(_, f)| *f).collect();
        assert_eq!(
            fields,
            vec![
                None, // "No." is the 序号, not the 学号
                Some(STUDENT_NO),
                Some(NAME),
                Some(GENDER),
                Some(CLASS),
                Some(HEAD_TEACHER),
                Some(BUILDING),
                Some(ROOM),
                Some(BED),
                Some(GUARDIAN),
                Some(RELATION),
                Some(PHONE),
                Some(MAY_PICK_UP),
                Some(GUARDIAN2),
                Some(RELATION2),
                Some(PHONE2),
                Some(LEFT_BEHIND),
                Some(NOTES),
            ]
        );
    }

    #[test]
    fn quirks_are_normalised() {
        let p = parse("quirks.csv");
        let row = &p.rows[0];
        assert_eq!(row.data.name, "王浩然");
        assert_eq!(row.data.class, "初二(3)班");
        assert_eq!((row.bed.room.as_str(), row.bed.bed.as_str()), ("305", "1"));
        assert_eq!(p.rows[1].bed.room, "305");
        assert_eq!(p.rows[1].data.gender, Some(Gender::Male));
        assert_eq!(
            p.rows[3].data.guardians[0].phone.as_deref(),
            Some("13700137004")
        );
        // The floor column wins, in any spelling.
        let floors: Vec<i32> = p.rows.iter().map(|r| r.bed.floor).collect();
        assert_eq!(floors, [3, 3, 3, 3, 3, 3, 2, 2, 2, 12, 12, 12]);
        // Punctuation is kept as typed.
        assert_eq!(p.rows[1].data.class, "初二（3）班");
        let x = parse("quirks.xlsx");
        assert_eq!(
            x.rows[0].data.guardians[0].phone.as_deref(),
            Some("13800138001")
        );
    }
}
