//! Checkpoint list import (巡查点): .xlsx/.xls/.csv in the template's columns
//! — 名称, 地点, 编码, 检查项 (items separated by ；or 、or a new line),
//! 状态 (启用/停用, optional). The header is found under title rows; every
//! bad row is reported with its spreadsheet row number, and nothing is
//! written unless every row is good.

use crate::domain::error::DomainError;
use crate::domain::patrol::{CheckpointData, check_checkpoint};
use crate::domain::validate::FieldError;
use crate::import::roster::{ImportError, SourceKind, grids};
use std::path::Path;

/// Column keys; the catalog names them `patrol.f.<key>`.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "name",
        &["名称", "巡查点", "巡查点名称", "name", "checkpoint"],
    ),
    (
        "place",
        &["地点", "位置", "楼栋", "区域", "place", "location", "area"],
    ),
    ("code", &["编码", "编号", "代码", "条码", "code", "barcode"]),
    (
        "checklist",
        &[
            "检查项",
            "检查内容",
            "检查项目",
            "checklist",
            "checks",
            "items",
        ],
    ),
    ("active", &["状态", "启用", "active", "status"]),
];

const REQUIRED: &[&str] = &["name", "place", "code"];

/// A row that could not be taken: its spreadsheet row (1-based), the
/// column, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRowError {
    pub line: usize,
    pub field: &'static str,
    pub error: FieldError,
}

#[derive(Debug, Default)]
pub struct ParsedCheckpoints {
    /// (spreadsheet row, checkpoint as checked by the domain).
    pub rows: Vec<(usize, CheckpointData)>,
    pub errors: Vec<CheckpointRowError>,
}

/// Splits a checklist cell: "门已上锁；灭火器在位" or one item per line.
pub fn split_checklist(s: &str) -> Vec<String> {
    s.split(['；', ';', '、', '\n', '|'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn active(s: &str) -> Option<bool> {
    match super::header_key(s).as_str() {
        "" | "启用" | "是" | "在用" | "active" | "yes" | "y" | "1" | "true" => Some(true),
        "停用" | "否" | "retired" | "no" | "n" | "0" | "false" => Some(false),
        _ => None,
    }
}

/// Reads a checkpoint file; each row is checked by the domain's rules.
pub fn parse_file(path: &Path) -> Result<ParsedCheckpoints, ImportError> {
    let kind = SourceKind::from_path(path)?;
    let bytes = std::fs::read(path)?;
    parse_bytes(&bytes, kind)
}

pub fn parse_bytes(bytes: &[u8], kind: SourceKind) -> Result<ParsedCheckpoints, ImportError> {
    let mut last = ImportError::NoHeader;
    for grid in grids(bytes, kind)? {
        match parse_grid(&grid) {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

pub fn parse_grid(grid: &[Vec<String>]) -> Result<ParsedCheckpoints, ImportError> {
    let (hdr_line, cols) = grid
        .iter()
        .take(super::roster::HEADER_SCAN_ROWS)
        .enumerate()
        .map(|(i, r)| (i, super::columns(r, COLUMNS)))
        .find(|(_, c)| REQUIRED.iter().all(|f| c.iter().any(|(k, _)| k == f)))
        .ok_or(ImportError::NoHeader)?;
    let col = |f: &str| cols.iter().find(|(k, _)| *k == f).map(|(_, i)| *i);
    let mut out = ParsedCheckpoints::default();
    let mut codes: Vec<String> = vec![];
    for (i, row) in grid.iter().enumerate().skip(hdr_line + 1) {
        let line = i + 1;
        let cell = |f: &str| {
            col(f)
                .and_then(|c| row.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Some(is_active) = active(&cell("active")) else {
            out.errors.push(CheckpointRowError {
                line,
                field: "active",
                error: FieldError::NotANumber,
            });
            continue;
        };
        let data = CheckpointData {
            name: cell("name"),
            place: cell("place"),
            code: cell("code"),
            checklist: split_checklist(&cell("checklist")),
            active: is_active,
        };
        match check_checkpoint(&data) {
            Ok(d) => {
                if codes.contains(&d.code) {
                    out.errors.push(CheckpointRowError {
                        line,
                        field: "code",
                        error: FieldError::Duplicate,
                    });
                } else {
                    codes.push(d.code.clone());
                    out.rows.push((line, d));
                }
            }
            Err(DomainError::Invalid(errs)) => {
                for (field, error) in errs {
                    out.errors.push(CheckpointRowError { line, field, error });
                }
            }
            Err(_) => {}
        }
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
            &["巡查点清单"],
            &["序号", "名称＊", "地点＊", "编码＊", "检查项", "状态"],
            &["1", "锅炉房", "后勤楼", "b1-01", "门已上锁；灭火器在位", ""],
            &["2", "", "宿舍1号楼", "D1-01", "", "启用"],
            &["3", "配电房", "后勤楼", "B1-01", "", ""],
            &["4", "东门", "围墙", "G 1", "", "停用"],
            &["", "", "", "", "", ""],
            &["5", "北门", "围墙", "G-2", "", "停用"],
        ]);
        let p = parse_grid(&g).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].0, 3);
        assert_eq!(p.rows[0].1.code, "B1-01");
        assert_eq!(p.rows[0].1.checklist.len(), 2);
        assert!(!p.rows[1].1.active);
        assert_eq!(
            p.errors,
            vec![
                CheckpointRowError {
                    line: 4,
                    field: "name",
                    error: FieldError::Required
                },
                CheckpointRowError {
                    line: 5,
                    field: "code",
                    error: FieldError::Duplicate
                },
                CheckpointRowError {
                    line: 6,
                    field: "code",
                    error: FieldError::CodeFormat
                },
            ]
        );
    }

    #[test]
    fn english_headers_and_no_header() {
        let g = grid(&[&["Name", "Place", "Code"], &["Gate", "Perimeter", "G1"]]);
        assert_eq!(parse_grid(&g).unwrap().rows.len(), 1);
        assert!(matches!(
            parse_grid(&grid(&[&["a", "b"]])),
            Err(ImportError::NoHeader)
        ));
    }
}
