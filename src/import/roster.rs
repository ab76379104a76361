//! Boarder roster import (住宿学生花名册): the school office's own file in,
//! normalised [`RosterRow`]s and per-row problems out.
//!
//! Offices export from many systems and then edit by hand, so nothing about
//! the layout is assumed: the encoding is detected, the header row is searched
//! for under title rows, headers are matched by their usual Chinese and
//! English variants, and values are read the way people type them. Every
//! problem is collected with its spreadsheet row number so the office can fix
//! the file in one pass.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use crate::domain::names::normalize_name;
use crate::domain::roster::{BedRef, Gender, Guardian, RosterRow, StudentData, Zone};
use crate::domain::validate::{check_mobile, fold_full_width};

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
const GUARDIAN: &str = "guardian";
const RELATION: &str = "relation";
const PHONE: &str = "phone";
const MAY_PICK_UP: &str = "may_pick_up";
const GUARDIAN2: &str = "guardian2";
const RELATION2: &str = "relation2";
const PHONE2: &str = "phone2";
const MAY_PICK_UP2: &str = "may_pick_up2";
const LEFT_BEHIND: &str = "left_behind";
const NOTES: &str = "notes";

/// Every field key a column can map to.
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

const HEADER_SCAN_ROWS: usize = 15;

/// Header spellings after [`header_key`] folding (lower case, no spaces,
/// '-', '_' or '.').
const ALIASES: &[(&str, &[&str])] = &[
    (
        NAME,
        &["姓名", "学生姓名", "name", "student", "studentname"],
    ),
    (
        STUDENT_NO,
        &["学号", "学籍号", "studentno", "studentid", "id"],
    ),
    (GENDER, &["性别", "gender", "sex"]),
    (CLASS, &["班级", "class"]),
    (
        HEAD_TEACHER,
        &["班主任", "headteacher", "formteacher", "classteacher"],
    ),
    (
        BUILDING,
        &["楼栋", "宿舍楼", "楼号", "building", "dorm", "dormitory"],
    ),
    (FLOOR, &["楼层", "层", "floor"]),
    (
        ROOM,
        &[
            "寝室号",
            "宿舍号",
            "房间",
            "房间号",
            "寝室",
            "宿舍",
            "room",
            "roomno",
        ],
    ),
    (BED, &["床号", "床位", "床位号", "bed", "bedno"]),
    (ZONE, &["区域", "男女区", "zone"]),
    (
        GUARDIAN,
        &[
            "监护人",
            "家长姓名",
            "监护人姓名",
            "家长",
            "监护人1",
            "家长1",
            "guardian",
            "parent",
            "guardian1",
            "parent1",
        ],
    ),
    (
        RELATION,
        &["关系", "与学生关系", "relation", "relationship", "关系1"],
    ),
    (
        PHONE,
        &[
            "联系电话",
            "家长电话",
            "监护人电话",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话1",
            "电话1",
            "phone",
            "mobile",
            "phone1",
        ],
    ),
    (
        MAY_PICK_UP,
        &["可接送", "是否可接送", "maypickup", "pickup"],
    ),
    (
        GUARDIAN2,
        &["监护人2", "家长2", "第二监护人", "guardian2", "parent2"],
    ),
    (RELATION2, &["关系2", "relation2"]),
    (
        PHONE2,
        &["电话2", "联系电话2", "家长电话2", "phone2", "mobile2"],
    ),
    (MAY_PICK_UP2, &["可接送2", "是否可接送2", "maypickup2"]),
    (
        LEFT_BEHIND,
        &["是否留守", "留守儿童", "留守", "是否留守儿童", "leftbehind"],
    ),
    (
        NOTES,
        &[
            "备注",
            "特殊情况",
            "照护备注",
            "notes",
            "carenotes",
            "remarks",
        ],
    ),
];

/// Read a roster file, choosing the format by extension.
pub fn parse_file(path: &Path) -> Result<ParsedRoster, ImportError> {
    let kind = SourceKind::from_path(path)?;
    let bytes = std::fs::read(path)?;
    parse_bytes(&bytes, kind)
}

/// Parse a file's bytes. The content wins over the declared kind: school
/// systems often "export to Excel" as a tab-separated text file named .xls,
/// or an .xlsx renamed to .xls.
pub fn parse_bytes(bytes: &[u8], kind: SourceKind) -> Result<ParsedRoster, ImportError> {
    let content = if bytes.starts_with(b"PK\x03\x04") {
        SourceKind::Xlsx
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        SourceKind::Xls
    } else if kind != SourceKind::Csv && bytes.trim_ascii_start().starts_with(b"<") {
        // Some systems save an HTML table as .xls; Excel opens it, we cannot.
        return Err(ImportError::Spreadsheet(
            "an HTML page named as a spreadsheet: open it in Excel and save as .xlsx".into(),
        ));
    } else {
        SourceKind::Csv
    };
    match content {
        SourceKind::Csv => {
            let (text, encoding) = decode_text(bytes);
            let mut parsed = parse_grid(split_delimited(&text))?;
            parsed.encoding = encoding;
            Ok(parsed)
        }
        SourceKind::Xlsx => {
            let wb = calamine::Xlsx::new(Cursor::new(bytes))
                .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
            parse_workbook(wb, "xlsx")
        }
        SourceKind::Xls => {
            let wb = calamine::Xls::new(Cursor::new(bytes))
                .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
            parse_workbook(wb, "xls")
        }
    }
}

/// The first worksheet that holds a roster; if none does, the most useful
/// error of the first sheets (naming columns beats "no header" beats
/// "empty", which an instructions sheet or a blank Sheet2 would give).
fn parse_workbook<R, RS>(mut wb: R, encoding: &'static str) -> Result<ParsedRoster, ImportError>
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    let mut first_err: Option<ImportError> = None;
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
        match parse_grid(range_to_grid(&range)) {
            Ok(mut parsed) => {
                parsed.encoding = encoding;
                return Ok(parsed);
            }
            Err(e) => {
                if first_err.as_ref().is_none_or(|f| rank(&e) > rank(f)) {
                    first_err = Some(e);
                }
            }
        }
    }
    Err(first_err.unwrap_or(ImportError::Empty))
}

fn rank(e: &ImportError) -> u8 {
    match e {
        ImportError::UnknownColumns { .. } => 2,
        ImportError::NoHeader => 1,
        _ => 0,
    }
}

/// Cells as displayed strings, padded so grid indices are sheet positions
/// (line numbers must match what Excel shows).
fn range_to_grid(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    let Some((row0, col0)) = range.start() else {
        return Vec::new();
    };
    let mut grid = vec![Vec::new(); row0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); col0 as usize];
        cells.extend(row.iter().map(cell_text));
        grid.push(cells);
    }
    grid
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_f64(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
            if (h, mi) == (0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
            }
        }
        Data::DateTime(d) => format_f64(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// Integral floats print without ".0": Excel keeps phones and 学号 as
/// numbers, and 13800138000 must not become "13800138000.0" or "1.38e10".
fn format_f64(f: f64) -> String {
    // Below 2^53 every integer is exact, so the cast loses nothing.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Decode CSV bytes and name the encoding found.
fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    use encoding_rs::{BIG5, GB18030, UTF_8, UTF_16BE, UTF_16LE};
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            UTF_8.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-8 BOM",
        );
    }
    // Excel's "Unicode text" export.
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16LE",
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16BE",
        );
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "UTF-8");
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // No TLD hint: with ".cn" a Big5 file reads as GBK, and GBK is found
    // without it, even in a one-row file.
    let guess = detector.guess(None, false);
    if guess == BIG5 {
        return (
            BIG5.decode_without_bom_handling(bytes).0.into_owned(),
            "Big5",
        );
    }
    if guess.name() == "GBK" || guess == GB18030 {
        let text = GB18030.decode_without_bom_handling(bytes).0.into_owned();
        return (text, gb_name(bytes));
    }
    // A short file can fool the detector; a clean GB18030 decode is the
    // better bet for a Chinese roster.
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return (text.into_owned(), gb_name(bytes));
    }
    (
        guess.decode_without_bom_handling(bytes).0.into_owned(),
        guess.name(),
    )
}

/// "GB18030" when the bytes use its four-byte sequences (characters outside
/// GBK, such as rare name characters), else "GBK".
fn gb_name(bytes: &[u8]) -> &'static str {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            return "GB18030";
        } else {
            i += 2;
        }
    }
    "GBK"
}

/// Split text into rows of cells (RFC 4180 quoting). The delimiter is a
/// comma unless tabs or semicolons dominate the busiest early line, which
/// finds the header line even below a title.
fn split_delimited(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut best = (0, ',');
    for line in text.lines().take(HEADER_SCAN_ROWS) {
        for d in [',', '\t', ';'] {
            let n = line.matches(d).count();
            if n > best.0 {
                best = (n, d);
            }
        }
    }
    let delim = best.1;

    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ if c == delim => row.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// Fold a header cell for matching: half-width, lower case, no spaces or
/// '-', '_', '.', and without a required marker ("*", "(必填)").
fn header_key(s: &str) -> String {
    let mut k: String = fold_full_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    loop {
        let before = k.len();
        k = k
            .trim_matches('*')
            .trim_end_matches("(必填)")
            .trim_end_matches("必填")
            .trim_end_matches(':')
            .to_string();
        if k.len() == before {
            return k;
        }
    }
}

fn lookup(key: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&key))
        .map(|(field, _)| *field)
}

/// The field a header cell names, trying the cell whole, without a trailing
/// "(…)" hint, and each part of a bilingual "姓名/Name" or "姓名\nName".
fn field_for(header: &str) -> Option<&'static str> {
    let whole = header_key(header);
    if whole.is_empty() {
        return None;
    }
    if let Some(f) = lookup(&whole) {
        return Some(f);
    }
    if let Some(open) = whole.find('(')
        && whole.ends_with(')')
        && open > 0
        && let Some(f) = lookup(&whole[..open])
    {
        return Some(f);
    }
    fold_full_width(header)
        .split(['/', '\n', '|'])
        .filter(|part| part.trim() != header.trim())
        .find_map(|part| lookup(&header_key(part)))
}

/// Map a header row. A repeated guardian, relation, phone or pick-up column
/// belongs to the second guardian ("监护人 关系 电话 监护人 关系 电话");
/// any other repeat is left unmapped so the first one wins.
fn map_header(cells: &[String]) -> Vec<Option<&'static str>> {
    let mut used: HashSet<&'static str> = HashSet::new();
    cells
        .iter()
        .map(|cell| {
            let f = field_for(cell)?;
            let f = if used.contains(f) {
                match f {
                    GUARDIAN => GUARDIAN2,
                    RELATION => RELATION2,
                    PHONE => PHONE2,
                    MAY_PICK_UP => MAY_PICK_UP2,
                    _ => return None,
                }
            } else {
                f
            };
            used.insert(f).then_some(f)
        })
        .collect()
}

fn non_empty(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// Parse a decoded grid (rows of cells; index + 1 is the line number).
pub fn parse_grid(grid: Vec<Vec<String>>) -> Result<ParsedRoster, ImportError> {
    if grid.iter().all(|r| non_empty(r) == 0) {
        return Err(ImportError::Empty);
    }
    let scan = grid.len().min(HEADER_SCAN_ROWS);
    let header_idx = (0..scan).find(|&i| {
        let map = map_header(&grid[i]);
        map.iter().flatten().count() >= 2 && map.contains(&Some(NAME))
    });
    let Some(header_idx) = header_idx else {
        return Err(no_header_error(&grid[..scan]));
    };
    let header = &grid[header_idx];
    let map = map_header(header);
    let columns: Vec<(String, Option<&'static str>)> = header
        .iter()
        .zip(&map)
        .filter(|(h, _)| !h.trim().is_empty())
        .map(|(h, f)| (h.trim().to_string(), *f))
        .collect();
    let missing: Vec<&'static str> = REQUIRED
        .into_iter()
        .filter(|f| !map.contains(&Some(f)))
        .collect();
    if !missing.is_empty() {
        let unknown = columns
            .iter()
            .filter(|(_, f)| f.is_none())
            .map(|(h, _)| h.clone())
            .collect();
        return Err(ImportError::UnknownColumns { unknown, missing });
    }
    let cols: HashMap<&'static str, usize> = map
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| (f, i)))
        .collect();

    let mut drafts = Vec::new();
    let mut below_footer = false;
    for (i, cells) in grid.iter().enumerate().skip(header_idx + 1) {
        let row = RowCells { cells, cols: &cols };
        if !STUDENT_FIELDS.iter().any(|f| !row.get(f).is_empty()) {
            // Blank, a vacant bed, or a template row with only its 序号.
            continue;
        }
        if is_footer(&row) {
            below_footer = true;
            continue;
        }
        let complete = [NAME, ROOM, BED].iter().all(|f| !row.get(f).is_empty());
        if below_footer && !complete {
            // Dates and signatures under the totals. A whole student row
            // there is still read rather than silently dropped.
            continue;
        }
        if cells.get(cols[NAME]).and_then(|c| field_for(c)) == Some(NAME) {
            // A header repeated on every printed page.
            continue;
        }
        drafts.push(parse_row(i + 1, &row));
    }
    if drafts.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut errors: Vec<RowError> = drafts.iter().flat_map(|d| d.errors.clone()).collect();
    errors.extend(duplicates(&drafts));
    errors.sort_by_key(|e| e.line);
    let bad: HashSet<usize> = errors.iter().map(|e| e.line).collect();
    let (rejected, rows): (Vec<RosterRow>, Vec<RosterRow>) = drafts
        .into_iter()
        .map(|d| d.row)
        .partition(|r| bad.contains(&r.line));
    Ok(ParsedRoster {
        rows,
        errors,
        rejected,
        header_line: header_idx + 1,
        columns,
        encoding: "",
    })
}

/// Report the likeliest header row: among rows with two or more cells (a
/// merged title has one), the one mapping most fields.
fn no_header_error(rows: &[Vec<String>]) -> ImportError {
    let best = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| non_empty(r) >= 2)
        // max_by_key keeps the last maximum; Reverse(i) prefers the first.
        .max_by_key(|(i, r)| {
            (
                map_header(r).iter().flatten().count(),
                std::cmp::Reverse(*i),
            )
        });
    let Some((_, best)) = best else {
        return ImportError::NoHeader;
    };
    let map = map_header(best);
    let unknown = best
        .iter()
        .zip(&map)
        .filter(|(h, f)| !h.trim().is_empty() && f.is_none())
        .map(|(h, _)| h.trim().to_string())
        .collect();
    let missing = REQUIRED
        .into_iter()
        .filter(|f| !map.contains(&Some(f)))
        .collect();
    ImportError::UnknownColumns { unknown, missing }
}

struct RowCells<'a> {
    cells: &'a [String],
    cols: &'a HashMap<&'static str, usize>,
}

impl RowCells<'_> {
    /// Trimmed, half-width, single-spaced; "" when the column is absent.
    fn get(&self, field: &str) -> String {
        self.cols
            .get(field)
            .and_then(|&i| self.cells.get(i))
            .map(|s| clean(s))
            .unwrap_or_default()
    }
}

fn clean(s: &str) -> String {
    fold_full_width(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Columns that say something about a student. A row with none of them is
/// a vacant bed or an unfilled template line, not an error. Flags are left
/// out because templates often come with 否 filled in.
const STUDENT_FIELDS: &[&str] = &[
    NAME,
    STUDENT_NO,
    GENDER,
    CLASS,
    HEAD_TEACHER,
    GUARDIAN,
    RELATION,
    PHONE,
    GUARDIAN2,
    RELATION2,
    PHONE2,
    NOTES,
];

const FOOTER_MARKERS: &[&str] = &[
    "合计", "总计", "小计", "共", "制表", "填表", "审核", "注:", "说明", "total",
];

/// A line under the table: totals, "制表人：…", notes. It has a few cells,
/// its text carries a marker, and its name, room and bed cells are empty or
/// hold the footer text itself (footers start in whatever column the office
/// chose).
fn is_footer(row: &RowCells) -> bool {
    if non_empty(row.cells) > 4 {
        return false;
    }
    let has_marker = |s: &str| FOOTER_MARKERS.iter().any(|m| s.contains(m));
    let text = row
        .cells
        .iter()
        .map(|c| clean(c))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let quiet = |field| {
        let v = row.get(field).to_lowercase();
        v.is_empty() || v.contains(':') || has_marker(&v)
    };
    has_marker(&text) && quiet(NAME) && quiet(ROOM) && quiet(BED)
}

struct Draft {
    row: RosterRow,
    errors: Vec<RowError>,
    has_bed: bool,
}

fn parse_row(line: usize, r: &RowCells) -> Draft {
    let mut errors = Vec::new();
    let mut err = |field, reason| {
        errors.push(RowError {
            line,
            field,
            reason,
        })
    };

    let name = normalize_name(&r.get(NAME));
    if name.is_empty() {
        err(NAME, RowProblem::MissingName);
    }
    let room = norm_room(&r.get(ROOM));
    let bed = norm_bed(&r.get(BED));
    if room.is_empty() {
        err(ROOM, RowProblem::MissingBed);
    } else if bed.is_empty() {
        err(BED, RowProblem::MissingBed);
    }
    let floor = parse_floor(&r.get(FLOOR)).unwrap_or_else(|| floor_of_room(&room));

    let gender_text = r.get(GENDER);
    let gender = parse_gender(&gender_text);
    if gender.is_none() && !gender_text.is_empty() {
        err(GENDER, RowProblem::BadGender(gender_text));
    }
    let zone_text = r.get(ZONE);
    let zone = if zone_text.is_empty() {
        gender.map(Zone::for_gender)
    } else {
        let z = parse_zone(&zone_text);
        // Zones are written 男/女 like genders, so the same message fits.
        if z.is_none() {
            err(ZONE, RowProblem::BadGender(zone_text));
        }
        z
    };

    let left_text = r.get(LEFT_BEHIND);
    let left_behind = parse_flag(&left_text).unwrap_or_else(|| {
        err(LEFT_BEHIND, RowProblem::BadFlag(left_text));
        false
    });

    let mut guardians = Vec::new();
    for (g, rel, ph, pick) in [
        (GUARDIAN, RELATION, PHONE, MAY_PICK_UP),
        (GUARDIAN2, RELATION2, PHONE2, MAY_PICK_UP2),
    ] {
        let gname = normalize_name(&r.get(g));
        let phone_text = excel_integer(&r.get(ph));
        let phone = if phone_text.is_empty() {
            None
        } else {
            match check_mobile(&phone_text) {
                Ok(p) => Some(p),
                Err(_) => {
                    err(ph, RowProblem::InvalidPhone(r.get(ph)));
                    None
                }
            }
        };
        let pick_text = r.get(pick);
        // Listing a guardian means they may collect the child unless the
        // file says otherwise.
        let may_pick_up = if pick_text.is_empty() {
            true
        } else {
            parse_flag(&pick_text).unwrap_or_else(|| {
                err(pick, RowProblem::BadFlag(pick_text));
                true
            })
        };
        if !gname.is_empty() || phone.is_some() {
            guardians.push(Guardian {
                name: gname,
                relation: r.get(rel),
                phone,
                may_pick_up,
            });
        }
    }

    let student_no = Some(excel_integer(&r.get(STUDENT_NO))).filter(|s| !s.is_empty());
    let row = RosterRow {
        line,
        data: StudentData {
            student_no,
            name,
            gender,
            class: r.get(CLASS),
            head_teacher: r.get(HEAD_TEACHER),
            guardians,
            left_behind,
            care_notes: r.get(NOTES),
        },
        bed: BedRef {
            building: r.get(BUILDING),
            floor,
            room: room.clone(),
            bed: bed.clone(),
        },
        zone,
    };
    Draft {
        row,
        errors,
        has_bed: !room.is_empty() && !bed.is_empty(),
    }
}

/// Two students in one bed, or one student twice. Every row of a clash is
/// flagged (pointing at another row of it): the file cannot say which one
/// is right, so none is applied until the office decides.
fn duplicates(drafts: &[Draft]) -> Vec<RowError> {
    let mut beds: HashMap<String, Vec<usize>> = HashMap::new();
    let mut students: HashMap<(bool, String, String), Vec<usize>> = HashMap::new();
    for d in drafts {
        if d.has_bed {
            beds.entry(d.row.bed.key()).or_default().push(d.row.line);
        }
        let data = &d.row.data;
        match &data.student_no {
            Some(no) => students
                .entry((true, no.clone(), String::new()))
                .or_default()
                .push(d.row.line),
            None if !data.name.is_empty() => students
                .entry((false, data.name.clone(), data.class.clone()))
                .or_default()
                .push(d.row.line),
            None => {}
        }
    }
    let mut out = Vec::new();
    let mut flag = |lines: &[usize], field: &'static str, make: fn(usize) -> RowProblem| {
        for (k, &line) in lines.iter().enumerate() {
            let other_line = if k == 0 { lines[1] } else { lines[0] };
            out.push(RowError {
                line,
                field,
                reason: make(other_line),
            });
        }
    };
    for lines in beds.values().filter(|l| l.len() > 1) {
        flag(lines, BED, |other_line| RowProblem::DuplicateBed {
            other_line,
        });
    }
    for ((by_no, _, _), lines) in students.iter().filter(|(_, l)| l.len() > 1) {
        let field = if *by_no { STUDENT_NO } else { NAME };
        flag(lines, field, |other_line| RowProblem::DuplicateStudent {
            other_line,
        });
    }
    // HashMap order is arbitrary; keep the report stable.
    out.sort_by_key(|e| (e.line, e.field));
    out
}

/// Undo Excel's number display: "13800138000.0" and "1.3800138E10" are
/// 13800138000. Scientific text is trusted only with more than six
/// significant digits, because Excel's General format shows six
/// ("1.38001E+10") and the rest of the number is already lost.
fn excel_integer(s: &str) -> String {
    integral_text(s).unwrap_or_else(|| s.to_string())
}

fn integral_text(s: &str) -> Option<String> {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => {
            let e: i64 = e.strip_prefix('+').unwrap_or(e).parse().ok()?;
            (m, e)
        }
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.')?;
    if int.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0').trim_end_matches('0').len();
    if exp != 0 && significant <= 6 {
        return None;
    }
    // Integer value = all × 10^(exp − len(frac)).
    let shift = exp - frac.len() as i64;
    let value = if shift >= 0 {
        format!("{all}{}", "0".repeat(usize::try_from(shift).ok()?))
    } else {
        let cut = all.len().checked_sub(usize::try_from(-shift).ok()?)?;
        if !all[cut..].bytes().all(|b| b == b'0') {
            return None;
        }
        all[..cut].to_string()
    };
    let value = value.trim_start_matches('0');
    Some(if value.is_empty() { "0" } else { value }.to_string())
}

fn strip_brackets(s: &str) -> &str {
    s.trim_matches(|c: char| "「」『』【】[]()<>《》\"'".contains(c) || c.is_whitespace())
}

/// "305室", "305寝室", "305" → "305"; letters upper-cased ("a305" → "A305").
fn norm_room(s: &str) -> String {
    let s = excel_integer(&clean(s));
    let mut r: String = strip_brackets(&s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for suffix in ["号寝室", "号宿舍", "寝室", "宿舍", "号房", "室", "房", "号"] {
        if let Some(rest) = r.strip_suffix(suffix)
            && !rest.is_empty()
        {
            r = rest.to_string();
            break;
        }
    }
    r.to_ascii_uppercase()
}

/// 「3号床」, "3床", "03", "3#", "床3", "Bed 3" → "3".
fn norm_bed(s: &str) -> String {
    let s = excel_integer(&clean(s));
    let mut b: String = strip_brackets(&s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    for prefix in ["第", "床位", "床", "bed"] {
        if let Some(rest) = b.strip_prefix(prefix)
            && !rest.is_empty()
        {
            b = rest.to_string();
        }
    }
    for suffix in ["号床位", "号床", "床位", "床", "号", "#"] {
        if let Some(rest) = b.strip_suffix(suffix)
            && !rest.is_empty()
        {
            b = rest.to_string();
            break;
        }
    }
    if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) {
        let t = b.trim_start_matches('0');
        return if t.is_empty() { "0" } else { t }.to_string();
    }
    b.to_ascii_uppercase()
}

/// Floor from the room number's last digit run minus the two room digits
/// (305 → 3, 1204 → 12, A305 → 3). Rooms without a floor part are on 1.
fn floor_of_room(room: &str) -> i32 {
    let run: String = room
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if run.len() >= 3 {
        run[..run.len() - 2].parse().unwrap_or(1)
    } else {
        1
    }
}

/// "3楼", "3F", "3层", "第三层", "三楼", "十二楼" → the number.
fn parse_floor(s: &str) -> Option<i32> {
    let mut f: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    f = f.to_lowercase();
    let f = f.strip_prefix('第').unwrap_or(&f);
    let f = ["/f", "楼", "层", "f"]
        .iter()
        .find_map(|suf| f.strip_suffix(suf))
        .unwrap_or(f);
    let f = excel_integer(f);
    if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) {
        return f.parse().ok();
    }
    chinese_number(&f)
}

/// Chinese numerals 1–99 as written for floors (一 … 十二 … 九十九).
fn chinese_number(s: &str) -> Option<i32> {
    let digit = |t: &str| -> Option<i32> {
        let mut cs = t.chars();
        let c = cs.next()?;
        if cs.next().is_some() {
            return None;
        }
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as i32)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    match s.split_once('十') {
        Some((tens, ones)) => {
            let tens = if tens.is_empty() { 1 } else { digit(tens)? };
            let ones = if ones.is_empty() { 0 } else { digit(ones)? };
            Some(tens * 10 + ones)
        }
        None => digit(s).filter(|&n| n > 0),
    }
}

fn parse_gender(s: &str) -> Option<Gender> {
    match s.to_lowercase().as_str() {
        "男" | "男生" | "m" | "male" | "boy" => Some(Gender::Male),
        "女" | "女生" | "f" | "female" | "girl" => Some(Gender::Female),
        _ => None,
    }
}

fn parse_zone(s: &str) -> Option<Zone> {
    match s.to_lowercase().as_str() {
        "男" | "男生" | "男区" | "男生区" | "m" | "b" | "boys" | "boy" | "male" => {
            Some(Zone::Boys)
        }
        "女" | "女生" | "女区" | "女生区" | "f" | "g" | "girls" | "girl" | "female" => {
            Some(Zone::Girls)
        }
        _ => None,
    }
}

/// 是/否 and the ways offices tick a box; an empty cell is "no".
fn parse_flag(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "是" | "有" | "y" | "yes" | "1" | "√" | "✓" | "✔" | "true" => Some(true),
        "" | "否" | "无" | "n" | "no" | "0" | "×" | "✗" | "x" | "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/roster"
        ))
        .join(name)
    }

    fn parse(name: &str) -> ParsedRoster {
        parse_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Rows without their line numbers, which differ between layouts.
    fn content(p: &ParsedRoster) -> Vec<(StudentData, BedRef, Option<Zone>)> {
        p.rows
            .iter()
            .map(|r| (r.data.clone(), r.bed.clone(), r.zone))
            .collect()
    }

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
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
        let x = parse("quirks.xlsx");
        assert_eq!(
            x.rows[0].data.guardians[0].phone.as_deref(),
            Some("13800138001")
        );
    }

    #[test]
    fn bad_rows_are_all_named() {
        let p = parse("bad_rows.csv");
        let got: Vec<(usize, &str, RowProblem)> = p
            .errors
            .iter()
            .map(|e| (e.line, e.field, e.reason.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, NAME, RowProblem::MissingName),
                (5, PHONE, RowProblem::InvalidPhone("1370013700".into())),
                (6, BED, RowProblem::DuplicateBed { other_line: 7 }),
                (7, BED, RowProblem::DuplicateBed { other_line: 6 }),
                (
                    9,
                    STUDENT_NO,
                    RowProblem::DuplicateStudent { other_line: 10 }
                ),
                (
                    10,
                    STUDENT_NO,
                    RowProblem::DuplicateStudent { other_line: 9 }
                ),
                (11, GENDER, RowProblem::BadGender("未知".into())),
                (12, LEFT_BEHIND, RowProblem::BadFlag("不清楚".into())),
                (13, ROOM, RowProblem::MissingBed),
            ]
        );
        let lines: Vec<usize> = p.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 4, 8]);
        let rejected: Vec<usize> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(rejected, [3, 5, 6, 7, 9, 10, 11, 12, 13]);
        let e = &p.errors[2].reason;
        assert_eq!(e.key(), "import.err.duplicate_bed");
        assert_eq!(e.args(), vec![("other_line", "7".to_string())]);
        assert_eq!(
            p.errors[1].reason.args(),
            vec![("value", "1370013700".to_string())]
        );
    }

    #[test]
    fn unknown_columns_are_named() {
        let err = parse_file(&fixture("unknown_columns.csv")).unwrap_err();
        match err {
            ImportError::UnknownColumns {
                ref unknown,
                ref missing,
            } => {
                assert_eq!(unknown, &["甲", "乙", "丙"]);
                assert_eq!(missing, &[ROOM, BED]);
            }
            ref other => panic!("{other:?}"),
        }
        assert_eq!(err.key(), "import.err.unknown_columns");
        assert_eq!(err.args()[0], ("unknown", "甲、乙、丙".to_string()));
        // Nothing recognisable at all: the name is missing too.
        let err = parse_grid(grid(&[&["标题"], &["A", "B"], &["1", "2"]])).unwrap_err();
        assert!(
            matches!(err, ImportError::UnknownColumns { ref missing, .. } if missing == &[NAME, ROOM, BED]),
            "{err:?}"
        );
        // A header with the name but no bed columns.
        let err = parse_grid(grid(&[&["姓名", "班级", "甲"], &["张三", "1班", ""]])).unwrap_err();
        assert!(
            matches!(err, ImportError::UnknownColumns { ref unknown, ref missing }
                if unknown == &["甲"] && missing == &[ROOM, BED]),
            "{err:?}"
        );
    }

    #[test]
    fn file_level_errors() {
        assert!(matches!(
            parse_file(Path::new("roster.pdf")),
            Err(ImportError::Unsupported(ref e)) if e == "pdf"
        ));
        assert!(matches!(
            parse_file(&fixture("no_such_file.CSV")),
            Err(ImportError::Io(_))
        ));
        assert!(matches!(
            parse_bytes(b"", SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes(b",,\r\n,,\r\n", SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes("姓名,寝室,床号\r\n".as_bytes(), SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes(b"only a title\r\n", SourceKind::Csv),
            Err(ImportError::NoHeader)
        ));
        assert!(matches!(
            parse_bytes(b"PK\x03\x04garbage", SourceKind::Xlsx),
            Err(ImportError::Spreadsheet(_))
        ));
        assert_eq!(ImportError::Empty.key(), "import.err.empty");
    }

    #[test]
    fn text_named_xls_is_read_as_text() {
        // "Export to Excel" in many school systems writes tab-separated GBK.
        let (text, _, _) = encoding_rs::GBK.encode("姓名\t寝室\t床号\r\n张三\t101\t1\r\n");
        let p = parse_bytes(&text, SourceKind::Xls).unwrap();
        assert_eq!(p.encoding, "GBK");
        assert_eq!(p.rows[0].data.name, "张三");
        assert_eq!((p.rows[0].bed.floor, p.rows[0].bed.bed.as_str()), (1, "1"));
    }

    #[test]
    fn big5_and_utf16_text() {
        let text = "Name,Room,Bed,Notes\r\n陳大文,101,1,對花生過敏，請留意\r\n黃小明,101,2,晚上需要服藥\r\n";
        let (bytes, _, _) = encoding_rs::BIG5.encode(text);
        let p = parse_bytes(&bytes, SourceKind::Csv).unwrap();
        assert_eq!(p.encoding, "Big5");
        assert_eq!(p.rows[0].data.name, "陳大文");
        // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
        let mut bytes = vec![0xFF, 0xFE];
        for u in "姓名\t寝室\t床号\r\n张三\t101\t1\r\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let p = parse_bytes(&bytes, SourceKind::Csv).unwrap();
        assert_eq!(p.encoding, "UTF-16LE");
        assert_eq!(p.rows[0].data.name, "张三");
    }

    #[test]
    fn delimiters_and_quoting() {
        let p = parse_bytes(
            "花名册;;\n姓名;寝室;床号;备注\n张三;305;2;\"说\"\"梦话\"\";\n夜里\"\n".as_bytes(),
            SourceKind::Csv,
        )
        .unwrap();
        assert_eq!(p.header_line, 2);
        assert_eq!(p.rows[0].data.care_notes, "说\"梦话\"; 夜里");
        let rows = split_delimited("a,\"b,c\",d\r\n\r\ne");
        assert_eq!(rows, grid(&[&["a", "b,c", "d"], &[""], &["e"]]));
    }

    #[test]
    fn header_variants() {
        for (h, f) in [
            ("学生姓名", NAME),
            ("  Student Name ", NAME),
            ("姓名*", NAME),
            ("*姓名", NAME),
            ("床位（必填）", BED),
            ("Ｒｏｏｍ", ROOM),
            ("寝室号(如305)", ROOM),
            ("姓名/Name", NAME),
            ("Bed\n床号", BED),
            ("Student No.", STUDENT_NO),
            ("学籍号", STUDENT_NO),
            ("Left-behind", LEFT_BEHIND),
            ("是否可接送", MAY_PICK_UP),
            ("第二监护人", GUARDIAN2),
            ("男女区", ZONE),
            ("Form teacher", HEAD_TEACHER),
            ("楼号", BUILDING),
            ("Care notes", NOTES),
        ] {
            assert_eq!(field_for(h), Some(f), "{h}");
        }
        assert_eq!(field_for("甲"), None);
        assert_eq!(field_for(""), None);
        let cells: Vec<String> = [
            "监护人",
            "关系",
            "电话",
            "监护人",
            "关系",
            "电话",
            "姓名",
            "姓名",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            map_header(&cells),
            [
                Some(GUARDIAN),
                Some(RELATION),
                Some(PHONE),
                Some(GUARDIAN2),
                Some(RELATION2),
                Some(PHONE2),
                Some(NAME),
                None
            ]
        );
    }

    #[test]
    fn values_as_offices_type_them() {
        assert_eq!(norm_bed("「3号床」"), "3");
        assert_eq!(norm_bed("3床"), "3");
        assert_eq!(norm_bed("03"), "3");
        assert_eq!(norm_bed("３"), "3");
        assert_eq!(norm_bed("3.0"), "3");
        assert_eq!(norm_bed("床3"), "3");
        assert_eq!(norm_bed("Bed 4"), "4");
        assert_eq!(norm_bed("3#"), "3");
        assert_eq!(norm_bed("a"), "A");
        assert_eq!(norm_room("305室"), "305");
        assert_eq!(norm_room("305 寝室"), "305");
        assert_eq!(norm_room("a305"), "A305");
        assert_eq!(floor_of_room("305"), 3);
        assert_eq!(floor_of_room("1204"), 12);
        assert_eq!(floor_of_room("A305"), 3);
        assert_eq!(floor_of_room("12"), 1);
        for (s, n) in [
            ("3楼", 3),
            ("3F", 3),
            ("3f", 3),
            ("三楼", 3),
            ("第三层", 3),
            ("十楼", 10),
            ("十二楼", 12),
            ("二十一层", 21),
            ("两楼", 2),
            ("12", 12),
        ] {
            assert_eq!(parse_floor(s), Some(n), "{s}");
        }
        assert_eq!(parse_floor(""), None);
        assert_eq!(parse_floor("顶楼"), None);
        assert_eq!(parse_gender(&clean("Ｍ")), Some(Gender::Male));
        assert_eq!(parse_gender("Female"), Some(Gender::Female));
        assert_eq!(parse_gender("未知"), None);
        for yes in ["是", "Y", "yes", "1", "√"] {
            assert_eq!(parse_flag(yes), Some(true), "{yes}");
        }
        for no in ["否", "N", "no", "0", ""] {
            assert_eq!(parse_flag(no), Some(false), "{no}");
        }
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn excel_numbers() {
        assert_eq!(format_f64(13800138000.0), "13800138000");
        assert_eq!(format_f64(2024010101.0), "2024010101");
        assert_eq!(format_f64(3.0), "3");
        assert_eq!(format_f64(-2.0), "-2");
        assert_eq!(format_f64(2.5), "2.5");
        assert_eq!(excel_integer("1.3800138E10"), "13800138000");
        assert_eq!(excel_integer("1.38001380E10"), "13800138000");
        assert_eq!(excel_integer("1.3800138001e+10"), "13800138001");
        assert_eq!(excel_integer("13800138000.0"), "13800138000");
        assert_eq!(excel_integer("3.00"), "3");
        // Excel's six-digit display has lost the number: left as is.
        assert_eq!(excel_integer("1.38001E+10"), "1.38001E+10");
        assert_eq!(excel_integer("2.5"), "2.5");
        assert_eq!(excel_integer("305"), "305");
        assert_eq!(excel_integer("1.5E1"), "1.5E1");
    }

    #[test]
    fn excel_display_loss_is_an_invalid_phone() {
        let p = parse_grid(grid(&[
            &["姓名", "寝室", "床号", "电话"],
            &["张三", "101", "1", "1.38001E+10"],
        ]))
        .unwrap();
        assert_eq!(
            p.errors,
            vec![RowError {
                line: 2,
                field: PHONE,
                reason: RowProblem::InvalidPhone("1.38001E+10".into())
            }]
        );
    }

    #[test]
    fn footers_blank_rows_and_repeated_headers() {
        let p = parse_grid(grid(&[
            &["XX中学2026年秋季住宿学生花名册", "", "", ""],
            &["姓名", "寝室", "床号", "备注"],
            &["张三", "101", "1", "共用柜子"],
            &["", "", "", ""],
            &["姓名", "寝室", "床号", "备注"],
            &["李四", "101", "2", ""],
            &["", "", "", ""],
            &["", "合计：2人", "", ""],
            &["制表人：王老师", "", "", "日期：2026-09-01"],
            &["2026年9月1日", "", "", ""],
            &["王五", "102", "1", "补录"],
        ]))
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let got: Vec<(usize, &str)> = p
            .rows
            .iter()
            .map(|r| (r.line, r.data.name.as_str()))
            .collect();
        assert_eq!(got, [(3, "张三"), (6, "李四"), (11, "王五")]);
        assert_eq!(p.rows[0].data.care_notes, "共用柜子");
    }

    #[test]
    fn vacant_beds_and_template_rows_are_skipped() {
        let p = parse_grid(grid(&[
            &["序号", "姓名", "楼栋", "寝室", "床号", "是否留守"],
            &["1", "张三", "1号楼", "101", "1", "否"],
            &["2", "", "1号楼", "101", "2", "否"],
            &["3", "", "", "", "", ""],
            &["4", "", "", "", "", ""],
        ]))
        .unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows.len(), 1);
        // A row that does describe a student still needs a name.
        let p = parse_grid(grid(&[
            &["姓名", "班级", "寝室", "床号"],
            &["", "1班", "101", "2"],
        ]))
        .unwrap();
        assert_eq!(p.errors[0].reason, RowProblem::MissingName);
    }

    #[test]
    fn pick_up_zone_and_duplicates_by_name() {
        let p = parse_grid(grid(&[
            &[
                "姓名",
                "班级",
                "楼栋",
                "寝室",
                "床号",
                "区域",
                "监护人",
                "电话",
                "可接送",
            ],
            &[
                "张三",
                "1班",
                "A",
                "101",
                "1",
                "男生区",
                "张父",
                "13800138000",
                "否",
            ],
            &["张 三", "1班", "A", "101", "2", "", "", "", ""],
            &[
                "李四",
                "1班",
                "A",
                "101",
                "3",
                "中区",
                "",
                "13800138000",
                "",
            ],
        ]))
        .unwrap();
        let problems: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.line, e.field, e.reason.clone()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (2, NAME, RowProblem::DuplicateStudent { other_line: 3 }),
                (3, NAME, RowProblem::DuplicateStudent { other_line: 2 }),
                (4, ZONE, RowProblem::BadGender("中区".into())),
            ]
        );
        let p = parse_grid(grid(&[
            &[
                "姓名",
                "寝室",
                "床号",
                "区域",
                "监护人",
                "电话",
                "可接送",
                "留守",
            ],
            &[
                "张三",
                "101",
                "1",
                "男生区",
                "张父",
                "13800138000",
                "否",
                "",
            ],
            &["李四", "101", "2", "", "", "13800138000", "", "√"],
        ]))
        .unwrap();
        assert_eq!(p.rows[0].zone, Some(Zone::Boys));
        assert!(!p.rows[0].data.guardians[0].may_pick_up);
        assert_eq!(p.rows[0].bed.building, "");
        // A phone alone still counts as a guardian who may pick up.
        assert_eq!(p.rows[1].zone, None);
        assert_eq!(p.rows[1].data.guardians[0].name, "");
        assert!(p.rows[1].data.guardians[0].may_pick_up);
        assert!(p.rows[1].data.left_behind);
    }

    #[test]
    fn problem_keys() {
        let all = [
            RowProblem::MissingName,
            RowProblem::MissingBed,
            RowProblem::InvalidPhone("x".into()),
            RowProblem::BadGender("x".into()),
            RowProblem::BadFlag("x".into()),
            RowProblem::DuplicateBed { other_line: 1 },
            RowProblem::DuplicateStudent { other_line: 1 },
        ];
        let keys: HashSet<&str> = all.iter().map(RowProblem::key).collect();
        assert_eq!(keys.len(), all.len());
        assert!(keys.iter().all(|k| k.starts_with("import.err.")));
        assert!(FIELDS.iter().all(|f| ALIASES.iter().any(|(a, _)| a == f)));
    }
}
