//! Rows under the header to normalised records, skipping blank rows,
//! repeated headers and footers, and collecting every problem by line.

use std::collections::{HashMap, HashSet};

use crate::domain::roster::{BedRef, Carried, Guardian, RosterRow, StudentData, Zone, limits};
use crate::domain::validate::check_mobile;

use super::header::{self, field_for, guardian_part, non_empty};
use super::values::{
    clean, excel_integer, floor_of_room, norm_bed, norm_room, parse_flag, parse_floor,
    parse_gender, parse_zone, tidy, tidy_name,
};
use super::*;

/// Parse a decoded grid (rows of cells; index + 1 is the line number).
pub fn parse_grid(grid: Vec<Vec<String>>) -> Result<ParsedRoster, ImportError> {
    if grid.iter().all(|r| non_empty(r) == 0) {
        return Err(ImportError::Empty);
    }
    let header::Header {
        index: header_idx,
        columns,
        cols,
    } = header::locate(&grid)?;
    let carried = carried(&cols);

    let mut drafts = Vec::new();
    let mut skipped = Vec::new();
    let mut below_footer = false;
    // A blank line under the students: what follows is often the
    // signature block, typed however the office likes.
    let mut after_blank = false;
    // Rows are consumed as they are read, so a large file's cells are freed
    // while its records are built rather than held alongside them.
    for (i, cells) in grid.into_iter().enumerate().skip(header_idx + 1) {
        let line = i + 1;
        let cells = cells.as_slice();
        let row = RowCells { cells, cols: &cols };
        if non_empty(cells) == 0 {
            after_blank |= !drafts.is_empty();
            continue;
        }
        let skip = |why| Skipped {
            line,
            why,
            text: snippet(cells),
        };
        if !STUDENT_FIELDS.iter().any(|f| !row.get(f).is_empty()) {
            // A vacant bed or a template row with only its 序号 is not
            // worth a line; a footer written in an unmapped column is.
            if has_marker(&row_text(cells)) {
                skipped.push(skip(SkipReason::Footer));
            }
            continue;
        }
        let complete = [NAME, ROOM, BED].iter().all(|f| !row.get(f).is_empty());
        let note_after_blank = after_blank && !complete && looks_like_note(&row);
        if is_footer(&row) || note_after_blank || (below_footer && !complete) {
            // Dates and signatures under the totals. A whole student row
            // there is still read rather than silently dropped.
            below_footer = true;
            skipped.push(skip(SkipReason::Footer));
            continue;
        }
        if cells.get(cols[NAME]).and_then(|c| field_for(c)) == Some(NAME) {
            // A header repeated on every printed page.
            skipped.push(skip(SkipReason::RepeatedHeader));
            continue;
        }
        drafts.push(parse_row(line, &row, &carried));
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
        carried,
        skipped,
        encoding: "",
    })
}

/// What the header's recognised columns let a re-import change.
fn carried(cols: &HashMap<&'static str, usize>) -> Carried {
    let has = |f: &str| cols.contains_key(f);
    let slots = cols
        .keys()
        .filter_map(|f| guardian_part(f))
        .map(|(slot, _)| slot + 1)
        .max()
        .unwrap_or(0);
    Carried {
        student_no: has(STUDENT_NO),
        gender: has(GENDER),
        class: has(CLASS),
        head_teacher: has(HEAD_TEACHER),
        building: has(BUILDING),
        floor: has(FLOOR),
        left_behind: has(LEFT_BEHIND),
        notes: has(NOTES),
        guardians: GUARDIAN_FIELDS[..slots]
            .iter()
            .map(|parts| parts.map(has))
            .collect(),
    }
}

struct RowCells<'a> {
    cells: &'a [String],
    cols: &'a HashMap<&'static str, usize>,
}

impl RowCells<'_> {
    fn raw(&self, field: &str) -> &str {
        self.cols
            .get(field)
            .and_then(|&i| self.cells.get(i))
            .map_or("", |s| s.as_str())
    }

    /// Trimmed, half-width, single-spaced; "" when the column is absent.
    /// For codes and marks (rooms, beds, phones, 是/否).
    fn get(&self, field: &str) -> String {
        clean(self.raw(field))
    }

    /// Trimmed and single-spaced, punctuation as typed: for names, classes
    /// and notes, which the office reads back.
    fn text(&self, field: &str) -> String {
        tidy(self.raw(field))
    }
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
    "合计",
    "总计",
    "小计",
    "共",
    "制表",
    "填表",
    "填报",
    "审核",
    "审批",
    "负责人",
    "经办人",
    "签字",
    "签名",
    "盖章",
    "日期",
    "注:",
    "说明",
    "total",
    "prepared by",
    "checked by",
    "signature",
    "date:",
    "note:",
];

fn has_marker(text: &str) -> bool {
    FOOTER_MARKERS.iter().any(|m| text.contains(m))
}

/// The cells of a line, cleaned and joined, lower case.
fn row_text(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| clean(c))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// At most 40 characters of a line, for the dry run to quote.
fn snippet(cells: &[String]) -> String {
    let text = cells
        .iter()
        .map(|c| tidy(c))
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    text.chars().take(40).collect()
}

/// A line under the table: totals, "制表人：…", notes. It has a few cells,
/// its text carries a marker, and its name, room and bed cells are empty or
/// hold the footer text itself (footers start in whatever column the office
/// chose).
fn is_footer(row: &RowCells) -> bool {
    if non_empty(row.cells) > 4 {
        return false;
    }
    let quiet = |field| {
        let v = row.get(field).to_lowercase();
        v.is_empty() || v.contains(':') || has_marker(&v)
    };
    has_marker(&row_text(row.cells)) && quiet(NAME) && quiet(ROOM) && quiet(BED)
}

/// Under a blank line, an incomplete row of one or two cells ("2026年9月
/// 1日", "王老师") or with a "label: value" is a note, not a student
/// missing a bed.
fn looks_like_note(row: &RowCells) -> bool {
    non_empty(row.cells) <= 2 || row_text(row.cells).contains(':')
}

struct Draft {
    row: RosterRow,
    errors: Vec<RowError>,
    has_bed: bool,
}

fn parse_row(line: usize, r: &RowCells, carried: &Carried) -> Draft {
    let mut errors = Vec::new();
    let mut err = |field, reason| {
        errors.push(RowError {
            line,
            field,
            reason,
        })
    };
    // Every field a file can fill has a limit; an over-long cell is named
    // and its value not looked at further.
    let mut fits = |field: &'static str, max: usize| {
        let len = r.raw(field).trim().chars().count();
        if len > max {
            err(field, RowProblem::TooLong { max, len });
            false
        } else {
            true
        }
    };
    let ok_name = fits(NAME, limits::NAME);
    let ok_no = fits(STUDENT_NO, limits::STUDENT_NO);
    let ok_class = fits(CLASS, limits::CLASS);
    let ok_teacher = fits(HEAD_TEACHER, limits::NAME);
    let ok_building = fits(BUILDING, limits::BUILDING);
    let ok_room = fits(ROOM, limits::ROOM);
    let ok_bed = fits(BED, limits::BED);
    let ok_notes = fits(NOTES, limits::NOTES);
    let guardian_ok: Vec<[bool; 3]> = GUARDIAN_FIELDS[..carried.guardians.len()]
        .iter()
        .map(|[g, rel, ph, _]| {
            [
                fits(g, limits::NAME),
                fits(rel, limits::RELATION),
                fits(ph, limits::PHONE),
            ]
        })
        .collect();
    let keep = |ok: bool, v: String| if ok { v } else { String::new() };

    let name = keep(ok_name, tidy_name(r.raw(NAME)));
    if ok_name && name.is_empty() {
        err(NAME, RowProblem::MissingName);
    }
    let room = keep(ok_room, norm_room(&r.get(ROOM)));
    let bed = keep(ok_bed, norm_bed(&r.get(BED)));
    if ok_room && room.is_empty() {
        err(ROOM, RowProblem::MissingBed);
    } else if ok_bed && bed.is_empty() {
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
    let mut guardian_slots = Vec::new();
    let mut pick_up_given = Vec::new();
    for (slot, ([g, rel, ph, pick], ok)) in GUARDIAN_FIELDS.iter().zip(&guardian_ok).enumerate() {
        let gname = keep(ok[0], tidy_name(r.raw(g)));
        let phone_text = keep(ok[2], excel_integer(&r.get(ph)));
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
                relation: keep(ok[1], r.text(rel)),
                phone,
                may_pick_up,
            });
            guardian_slots.push(slot);
            pick_up_given.push(!r.get(pick).is_empty());
        }
    }

    let student_no = Some(keep(ok_no, excel_integer(&r.get(STUDENT_NO)))).filter(|s| !s.is_empty());
    let row = RosterRow {
        line,
        data: StudentData {
            student_no,
            name,
            gender,
            class: keep(ok_class, r.text(CLASS)),
            head_teacher: keep(ok_teacher, tidy_name(r.raw(HEAD_TEACHER))),
            guardians,
            left_behind,
            care_notes: keep(ok_notes, r.text(NOTES)),
        },
        bed: BedRef {
            building: keep(ok_building, r.text(BUILDING)),
            floor,
            room: room.clone(),
            bed: bed.clone(),
        },
        zone,
        guardian_slots,
        pick_up_given,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::roster::tests::{grid, parse};

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
            RowProblem::TooLong { max: 1, len: 2 },
        ];
        let keys: HashSet<&str> = all.iter().map(RowProblem::key).collect();
        assert_eq!(keys.len(), all.len());
        assert!(keys.iter().all(|k| k.starts_with("import.err.")));
    }
}
