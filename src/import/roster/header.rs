//! Finding the header row under title rows and recognising its columns.

use std::collections::{HashMap, HashSet};

use crate::domain::validate::fold_full_width;

use super::*;

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

/// Fold a header cell for matching: half-width, lower case, no spaces or
/// '-', '_', '.', and without a required marker ("*", "(必填)").
pub(super) fn header_key(s: &str) -> String {
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

/// Numbered guardian headers ("监护人3", "关系3", "电话3", "可接送3"), by
/// what each part of a guardian is called without its number.
const GUARDIAN_PARTS: [&[&str]; 4] = [
    &[
        "监护人",
        "家长",
        "监护人姓名",
        "家长姓名",
        "guardian",
        "parent",
    ],
    &["关系", "与学生关系", "relation", "relationship"],
    &[
        "电话",
        "联系电话",
        "家长电话",
        "监护人电话",
        "手机",
        "phone",
        "mobile",
    ],
    &["可接送", "是否可接送", "maypickup", "pickup"],
];

fn lookup(key: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&key))
        .map(|(field, _)| *field)
        .or_else(|| numbered_guardian(key))
}

fn numbered_guardian(key: &str) -> Option<&'static str> {
    let base = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let n: usize = key[base.len()..].parse().ok()?;
    let slot = GUARDIAN_FIELDS.get(n.checked_sub(1)?)?;
    GUARDIAN_PARTS
        .iter()
        .position(|names| names.contains(&base))
        .map(|part| slot[part])
}

/// (guardian position, part) of a guardian field key.
pub(super) fn guardian_part(field: &str) -> Option<(usize, usize)> {
    GUARDIAN_FIELDS
        .iter()
        .enumerate()
        .find_map(|(slot, parts)| {
            parts
                .iter()
                .position(|p| *p == field)
                .map(|part| (slot, part))
        })
}

/// The field a header cell names, trying the cell whole, without a trailing
/// "(…)" hint, and each part of a bilingual "姓名/Name" or "姓名\nName".
pub(super) fn field_for(header: &str) -> Option<&'static str> {
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
pub(super) fn map_header(cells: &[String]) -> Vec<Option<&'static str>> {
    let mut used: HashSet<&'static str> = HashSet::new();
    cells
        .iter()
        .map(|cell| {
            let f = field_for(cell)?;
            let f = if used.contains(f) {
                let (slot, part) = guardian_part(f)?;
                GUARDIAN_FIELDS[slot + 1..]
                    .iter()
                    .map(|parts| parts[part])
                    .find(|g| !used.contains(g))?
            } else {
                f
            };
            used.insert(f).then_some(f)
        })
        .collect()
}

pub(super) fn non_empty(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// The header row found and what its columns hold.
pub(super) struct Header {
    /// 0-based index of the header row in the grid.
    pub index: usize,
    /// Every non-empty header cell as written, with the field it maps to.
    pub columns: Vec<(String, Option<&'static str>)>,
    /// Column index of each recognised field.
    pub cols: HashMap<&'static str, usize>,
}

/// The first row among the first [`HEADER_SCAN_ROWS`] that names the
/// student and one more field, with every required column present.
pub(super) fn locate(grid: &[Vec<String>]) -> Result<Header, ImportError> {
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
    Ok(Header {
        index: header_idx,
        columns,
        cols,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::roster::tests::{fixture, grid};
    use crate::import::roster::{parse_file, parse_grid};

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
    fn numbered_guardians_up_to_nine() {
        for (h, f) in [
            ("监护人1", GUARDIAN),
            ("可接送1", MAY_PICK_UP),
            ("监护人3", "guardian3"),
            ("关系3", "relation3"),
            ("电话 9", "phone9"),
            ("可接送4", "may_pick_up4"),
            ("Guardian 5", "guardian5"),
        ] {
            assert_eq!(field_for(h), Some(f), "{h}");
        }
        assert_eq!(field_for("监护人10"), None);
        assert_eq!(field_for("监护人0"), None);
        let cells: Vec<String> = ["监护人", "监护人", "监护人", "可接送", "可接送"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            map_header(&cells),
            [
                Some(GUARDIAN),
                Some(GUARDIAN2),
                Some("guardian3"),
                Some(MAY_PICK_UP),
                Some(MAY_PICK_UP2)
            ]
        );
    }

    #[test]
    fn every_field_has_aliases() {
        assert!(FIELDS.iter().all(|f| ALIASES.iter().any(|(a, _)| a == f)));
    }
}
