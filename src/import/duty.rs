//! Duty roster import (值班表): .xlsx/.xls/.csv in the template's columns —
//! 日期, 班次 (白班/夜班 or a shift key), 值班点, 值班人员 (names split on
//! 、,，;；/ or spaces), 带班领导, 特殊岗位 ("考场巡查:张三；周界:李四"),
//! 备注. The header is found under title rows; each bad row is named by
//! its spreadsheet row. Names and stations are matched by the store.

use crate::domain::duty::{parse_posts, split_names};
use crate::domain::duty_lines::{DutyLine, LineError, LineProblem};
use crate::domain::time::parse_date;
use crate::domain::validate::{FieldError, fold_full_width};
use crate::import::roster::{HEADER_SCAN_ROWS, ImportError, SourceKind, grids};
use std::path::Path;

/// Column keys; the catalog names them `duty.col.<key>`.
const COLUMNS: &[(&str, &[&str])] = &[
    ("date", &["日期", "值班日期", "date"]),
    ("shift", &["班次", "班别", "shift"]),
    (
        "station",
        &["值班点", "值班地点", "岗位地点", "站点", "station", "post"],
    ),
    (
        "people",
        &["值班人员", "值班人", "值班教师", "人员", "people", "onduty"],
    ),
    (
        "leader",
        &["带班领导", "值班领导", "行政值班", "leader", "dutyleader"],
    ),
    ("posts", &["特殊岗位", "专项岗位", "岗位", "posts"]),
    ("note", &["备注", "说明", "note", "notes"]),
];

const REQUIRED: &[&str] = &["date", "shift", "station", "people"];

#[derive(Debug, Default)]
pub struct ParsedDuty {
    pub rows: Vec<DutyLine>,
    pub errors: Vec<LineError>,
}

fn header_key(s: &str) -> String {
    fold_full_width(s)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !"-_.*＊".contains(*c))
        .collect()
}

fn columns(row: &[String]) -> Vec<(&'static str, usize)> {
    let mut out = vec![];
    for (i, cell) in row.iter().enumerate() {
        let k = header_key(cell);
        if let Some((field, _)) = COLUMNS.iter().find(|(_, a)| a.contains(&k.as_str()))
            && !out.iter().any(|(f, _)| f == field)
        {
            out.push((*field, i));
        }
    }
    out
}

pub fn parse_file(path: &Path) -> Result<ParsedDuty, ImportError> {
    let kind = SourceKind::from_path(path)?;
    let bytes = std::fs::read(path)?;
    parse_bytes(&bytes, kind)
}

pub fn parse_bytes(bytes: &[u8], kind: SourceKind) -> Result<ParsedDuty, ImportError> {
    let mut last = ImportError::NoHeader;
    for grid in grids(bytes, kind)? {
        match parse_grid(&grid) {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

pub fn parse_grid(grid: &[Vec<String>]) -> Result<ParsedDuty, ImportError> {
    let (hdr_line, cols) = grid
        .iter()
        .take(HEADER_SCAN_ROWS)
        .enumerate()
        .map(|(i, r)| (i, columns(r)))
        .find(|(_, c)| REQUIRED.iter().all(|f| c.iter().any(|(k, _)| k == f)))
        .ok_or(ImportError::NoHeader)?;
    let col = |f: &str| cols.iter().find(|(k, _)| *k == f).map(|(_, i)| *i);
    let mut out = ParsedDuty::default();
    for (i, row) in grid.iter().enumerate().skip(hdr_line + 1) {
        let line = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: &str| {
            col(f)
                .and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let mut errs: Vec<LineError> = vec![];
        let mut err = |field: &'static str, problem: LineProblem| {
            errs.push(LineError {
                line,
                field,
                problem,
            })
        };
        // A date cell Excel kept as a date reads "2026-11-30" (with a time
        // when it has one).
        let date_text = cell("date");
        let date = parse_date(date_text.split(' ').next().unwrap_or(""));
        if date.is_none() {
            err(
                "date",
                if date_text.is_empty() {
                    LineProblem::Field(FieldError::Required)
                } else {
                    LineProblem::Date
                },
            );
        }
        let shift = cell("shift");
        if shift.is_empty() {
            err("shift", LineProblem::Field(FieldError::Required));
        }
        let station = cell("station");
        if station.is_empty() {
            err("station", LineProblem::Field(FieldError::Required));
        }
        let people = split_names(&cell("people"));
        let posts = match parse_posts(&cell("posts")) {
            Ok(p) => p,
            Err(part) => {
                err("posts", LineProblem::Posts(part));
                vec![]
            }
        };
        if people.is_empty() && posts.is_empty() {
            err("people", LineProblem::Field(FieldError::Required));
        }
        let leader = Some(cell("leader")).filter(|s| !s.is_empty());
        if !errs.is_empty() {
            out.errors.append(&mut errs);
            continue;
        }
        let Some(date) = date else { continue };
        out.rows.push(DutyLine {
            line,
            date,
            shift,
            station,
            people,
            leader,
            posts,
            note: cell("note"),
        });
    }
    if out.rows.is_empty() && out.errors.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn reads_rows_under_a_title_and_names_bad_rows() {
        let g = grid(&[
            &["值班表：第 2 行是表头"],
            &[
                "＊日期",
                "＊班次",
                "＊值班点",
                "＊值班人员",
                "带班领导",
                "特殊岗位",
                "备注",
            ],
            &[
                "2026-11-30",
                "白班",
                "南门门卫室",
                "张三、欧阳晓明",
                "王副校长",
                "考场巡查:李四；周界：赵六",
                "期中考试",
            ],
            &[
                "2026年12月1日",
                "夜班",
                "南门门卫室",
                "李四 王五",
                "",
                "",
                "",
            ],
            &["11/31", "夜班", "南门门卫室", "李四", "", "", ""],
            &["2026-12-02", "", "", "", "", "周界 李四", ""],
            &["", "", "", "", "", "", ""],
        ]);
        let p = parse_grid(&g).unwrap();
        assert_eq!(p.rows.len(), 2);
        let r = &p.rows[0];
        assert_eq!(r.line, 3);
        assert_eq!(r.people, vec!["张三", "欧阳晓明"]);
        assert_eq!(r.leader.as_deref(), Some("王副校长"));
        assert_eq!(r.posts.len(), 2);
        assert_eq!(p.rows[1].people, vec!["李四", "王五"]);
        assert_eq!(p.rows[1].leader, None);
        let lines: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            lines,
            vec![
                (5, "date"),
                (6, "shift"),
                (6, "station"),
                (6, "posts"),
                (6, "people")
            ]
        );
    }

    #[test]
    fn english_headers_and_no_header() {
        let g = grid(&[
            &["Date", "Shift", "Station", "People"],
            &["2026-11-30", "night", "Gate", "Li Si"],
        ]);
        assert_eq!(parse_grid(&g).unwrap().rows[0].people, vec!["Li", "Si"]);
        assert!(matches!(
            parse_grid(&grid(&[&["a", "b"]])),
            Err(ImportError::NoHeader)
        ));
    }
}
