//! The 花名册 survives a round trip: exporting the roster and importing the
//! same file back changes nothing, an office's edit in between changes
//! only what was edited, and a re-import never clears what the file does
//! not carry, reads footers as footers, and refuses over-long cells.

mod common;

use calamine::{Data, Reader};
use common::{demo_store, fresh_store};
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::roster::Student;
use dutydesk::import::roster::{ParsedRoster, RowProblem, SkipReason, parse_file};
use dutydesk::import::summary::{default_building, summary};
use dutydesk::report::ledger::Unwatched;
use dutydesk::report::roster::export_roster;
use dutydesk::store::Store;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn admin(store: &Store) -> Actor {
    store
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.role == Role::Admin)
        .unwrap()
        .actor()
}

fn parse(path: &Path) -> ParsedRoster {
    let mut p = parse_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    default_building(&mut p);
    p
}

/// Imports `path` for real; returns the events written and the parse.
fn import(store: &mut Store, path: &Path) -> (usize, ParsedRoster) {
    let actor = admin(store);
    let p = parse(path);
    assert!(p.errors.is_empty(), "{}: {:?}", path.display(), p.errors);
    let out = store
        .import_roster(&actor, "roster", &p, false, false)
        .unwrap();
    assert!(
        out.events == 0 || !out.diff.is_empty(),
        "events without a diff"
    );
    (out.events, p)
}

fn export(store: &Store, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    export_roster(store, &admin(store), &path, &Unwatched).unwrap();
    path
}

fn roster(store: &Store) -> Vec<Student> {
    let mut s = store.students(None).unwrap();
    s.sort_by(|a, b| a.id.cmp(&b.id));
    s
}

#[test]
fn demo_school_export_then_import_changes_nothing() {
    let (mut store, _clock) = demo_store();
    let before = roster(&store);
    assert!(before.len() >= 100);
    let dir = tempfile::tempdir().unwrap();
    for name in ["花名册.xlsx", "花名册.csv"] {
        let path = export(&store, dir.path(), name);
        let (events, p) = import(&mut store, &path);
        assert_eq!(
            events,
            0,
            "{name}: {:?}",
            summary(&p, &dry_run(&mut store, &p))
        );
        assert_eq!(p.rows.len(), before.len(), "{name}");
        // Every column but the 序号 is read back.
        assert!(
            p.columns[1..].iter().all(|(_, f)| f.is_some()),
            "{name}: {:?}",
            p.columns
        );
    }
    assert_eq!(roster(&store), before);
}

fn dry_run(store: &mut Store, p: &ParsedRoster) -> dutydesk::domain::roster_diff::RosterDiff {
    let actor = admin(store);
    store
        .import_roster(&actor, "roster", p, true, true)
        .unwrap()
        .diff
}

/// A roster the way offices type them: up to four guardians, some who
/// may not pick up, full-width brackets and commas, names with a middle
/// dot, notes that start with a minus sign.
fn large_roster_csv(n: usize) -> String {
    let mut s = String::from(
        "学号,姓名,性别,班级,班主任,楼栋,寝室号,床号,监护人1,关系1,电话1,可接送1,\
         监护人2,关系2,电话2,可接送2,监护人3,关系3,电话3,可接送3,监护人4,关系4,电话4,可接送4,\
         是否留守,备注\n",
    );
    for i in 0..n {
        let gender = if i % 2 == 0 { "男" } else { "女" };
        let building = if i % 2 == 0 {
            "男生宿舍"
        } else {
            "女生宿舍"
        };
        let room = 100 * (1 + (i / 80) % 6) + (i / 8) % 10 + 1;
        write!(
            s,
            "2025{i:06},学生{i}号,{gender},高一（{}）班,班主任{},{building}{},{room},{},",
            i % 12 + 1,
            i % 12,
            i / 480,
            i % 8 + 1
        )
        .unwrap();
        for g in 0..(i % 5) {
            let pick = if g == 1 && i % 3 == 0 {
                "不可接送"
            } else {
                "可接送"
            };
            write!(
                s,
                "家长{i}·{g},{},13{:09},{pick},",
                ["父亲", "母亲", "外祖母", "舅舅（表亲）"][g],
                i * 10 + g
            )
            .unwrap();
        }
        for _ in (i % 5)..4 {
            s.push_str(",,,,");
        }
        let note = match i % 4 {
            0 => "",
            1 => "花生过敏，勿食坚果",
            2 => "-周五由舅舅接（需电话确认）",
            _ => "哮喘；随身带药",
        };
        writeln!(s, "{},{note}", if i % 7 == 0 { "是" } else { "否" }).unwrap();
    }
    s
}

#[test]
fn large_roster_export_then_import_changes_nothing() {
    let (mut store, _clock) = fresh_store();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("source.csv");
    std::fs::write(&src, large_roster_csv(3000)).unwrap();
    let (events, _) = import(&mut store, &src);
    assert!(events > 3000);
    let before = roster(&store);
    assert_eq!(before.len(), 3000);
    assert!(before.iter().any(|s| s.data.guardians.len() == 4));
    assert!(before.iter().any(|s| s.data.class == "高一（3）班"));
    for name in ["all.xlsx", "all.csv"] {
        let path = export(&store, dir.path(), name);
        let (events, p) = import(&mut store, &path);
        assert_eq!(
            events,
            0,
            "{name}: {:?}",
            &summary(&p, &dry_run(&mut store, &p))[..3]
        );
    }
    assert_eq!(roster(&store), before);
}

const SMALL: &str = "姓名,班级,楼栋,寝室号,床号,监护人1,关系1,电话1,可接送1,监护人2,关系2,电话2,可接送2\n\
    王浩然,初二（3）班,1号楼,305,1,王建国,父亲,13800138001,可接送,李秀英,母亲,13900139001,不可接送\n\
    李俊杰,初二（3）班,1号楼,305,2,李明,父亲,13800138002,是,,,,\n";

fn second_guardian_may_pick_up(store: &Store) -> bool {
    let s = store.students(None).unwrap();
    let s = s.iter().find(|s| s.data.name == "王浩然").unwrap();
    assert_eq!(s.data.guardians[1].name, "李秀英");
    s.data.guardians[1].may_pick_up
}

#[test]
fn a_guardian_who_may_not_pick_up_stays_so_through_an_edited_xlsx() {
    let (mut store, _clock) = fresh_store();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("v1.csv");
    std::fs::write(&src, SMALL).unwrap();
    import(&mut store, &src);
    assert!(!second_guardian_may_pick_up(&store));
    let path = export(&store, dir.path(), "花名册.xlsx");

    // The office changes 李俊杰's father's phone in Excel and saves.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let mut edited = 0;
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let text = match cell {
                Data::Empty => continue,
                other => other.to_string(),
            };
            let text = if text == "13800138002" {
                edited += 1;
                "13800138999".to_string()
            } else {
                text
            };
            ws.write_string(r as u32, c as u16, &text).unwrap();
        }
    }
    assert_eq!(edited, 1);
    let edited_path = dir.path().join("edited.xlsx");
    book.save(&edited_path).unwrap();

    let p = parse(&edited_path);
    let diff = dry_run(&mut store, &p);
    assert!(diff.pick_up.is_empty(), "{:?}", diff.pick_up);
    assert_eq!(diff.guardians_changed.len(), 1);
    assert_eq!(diff.guardians_changed[0].0.data.name, "李俊杰");
    let (events, _) = import(&mut store, &edited_path);
    assert!(events > 0);
    assert!(!second_guardian_may_pick_up(&store));
}

#[test]
fn a_guardian_who_may_not_pick_up_stays_so_through_an_edited_csv() {
    let (mut store, _clock) = fresh_store();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("v1.csv");
    std::fs::write(&src, SMALL).unwrap();
    import(&mut store, &src);
    let path = export(&store, dir.path(), "花名册.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("不可接送"));
    std::fs::write(&path, text.replace("13800138002", "13800138999")).unwrap();
    let (events, _) = import(&mut store, &path);
    assert!(events > 0);
    assert!(!second_guardian_may_pick_up(&store));
    let s = store.students(None).unwrap();
    let li = s.iter().find(|s| s.data.name == "李俊杰").unwrap();
    assert_eq!(li.data.guardians[0].phone.as_deref(), Some("13800138999"));
}

#[test]
fn a_file_without_the_guardian_column_changes_no_guardian() {
    let (mut store, _clock) = fresh_store();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("v1.csv");
    std::fs::write(&src, SMALL).unwrap();
    import(&mut store, &src);
    let before = roster(&store);

    // Same students, the guardians under a heading nobody recognises, and
    // one moved to another bed.
    let path = dir.path().join("v2.csv");
    std::fs::write(
        &path,
        "姓名,班级,楼栋,寝室号,床号,父母名字\n\
         王浩然,初二（3）班,1号楼,305,1,王建国 李秀英\n\
         李俊杰,初二（3）班,1号楼,305,3,李明\n",
    )
    .unwrap();
    let p = parse(&path);
    let diff = dry_run(&mut store, &p);
    assert!(
        diff.guardians_changed.is_empty(),
        "{:?}",
        diff.guardians_changed
    );
    assert!(diff.pick_up.is_empty() && diff.cleared.is_empty());
    assert_eq!((diff.moved.len(), diff.changed.len()), (1, 0));
    // Only the second guardian's columns: the first guardian stays.
    let path2 = dir.path().join("v2b.csv");
    std::fs::write(
        &path2,
        "姓名,班级,楼栋,寝室号,床号,监护人2,可接送2\n\
         王浩然,初二（3）班,1号楼,305,1,李秀英,不可接送\n\
         李俊杰,初二（3）班,1号楼,305,2,,\n",
    )
    .unwrap();
    let d2 = dry_run(&mut store, &parse(&path2));
    assert!(d2.is_empty(), "{d2:?}");
    // An empty 可接送 cell does not grant the right back.
    std::fs::write(
        &path2,
        "姓名,班级,楼栋,寝室号,床号,监护人2,可接送2\n\
         王浩然,初二（3）班,1号楼,305,1,李秀英,\n\
         李俊杰,初二（3）班,1号楼,305,2,,\n",
    )
    .unwrap();
    let d2 = dry_run(&mut store, &parse(&path2));
    assert!(d2.is_empty(), "{d2:?}");
    let lines = summary(&p, &diff).join("\n");
    assert!(lines.contains("父母名字"), "{lines}");
    import(&mut store, &path);
    let after = roster(&store);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b.data.guardians, a.data.guardians, "{}", b.data.name);
    }

    // The column present and a cell empty does clear, and says so first.
    let path = dir.path().join("v3.csv");
    std::fs::write(
        &path,
        "姓名,班级,楼栋,寝室号,床号,监护人1,关系1,电话1,可接送1,监护人2\n\
         王浩然,初二（3）班,1号楼,305,1,王建国,父亲,,可接送,\n\
         李俊杰,初二（3）班,1号楼,305,3,李明,父亲,13800138002,是,\n",
    )
    .unwrap();
    let p = parse(&path);
    let diff = dry_run(&mut store, &p);
    let cleared: Vec<(&str, &[&str])> = diff
        .cleared
        .iter()
        .map(|(s, f)| (s.data.name.as_str(), f.as_slice()))
        .collect();
    assert_eq!(cleared, [("王浩然", &["phone", "guardian2"][..])]);
    assert_eq!(diff.pick_up.len(), 1);
    assert_eq!(diff.pick_up[0].guardian, "李秀英");
    assert_eq!(
        (diff.pick_up[0].before, diff.pick_up[0].after),
        (Some(false), None)
    );
    let lines = summary(&p, &diff);
    let first_change = lines.iter().position(|l| l.contains("李秀英")).unwrap();
    let cleared_line = lines.iter().position(|l| l.contains("王浩然（")).unwrap();
    assert!(first_change < cleared_line, "{lines:?}");
}

#[test]
fn footer_lines_are_skipped_and_named_in_csv_and_xlsx() {
    let table = [
        vec!["住宿学生花名册", "", "", "", ""],
        vec!["姓名", "班级", "寝室号", "床号", "电话"],
        vec!["王浩然", "初二(3)班", "305", "1", "13800138001"],
        vec!["李俊杰", "初二(3)班", "305", "2", ""],
        vec!["", "", "", "", ""],
        vec!["合计：2人", "", "", "", ""],
        vec!["制表人：王老师", "", "审核人：", "", ""],
        vec!["日期：2026年9月1日", "", "", "", ""],
        vec!["2026年9月1日", "", "", "", ""],
        vec!["注：请于每学期开学前核对", "", "", "", ""],
    ];
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("f.csv");
    let text: String = table.iter().map(|r| r.join(",") + "\r\n").collect();
    std::fs::write(&csv, text).unwrap();
    let xlsx = dir.path().join("f.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in table.iter().enumerate() {
        for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            ws.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save(&xlsx).unwrap();
    for path in [csv, xlsx] {
        let p = parse(&path);
        assert!(p.errors.is_empty(), "{}: {:?}", path.display(), p.errors);
        assert_eq!(p.rows.len(), 2);
        let skipped: Vec<(usize, SkipReason)> = p.skipped.iter().map(|s| (s.line, s.why)).collect();
        assert_eq!(
            skipped,
            (6..=10)
                .map(|l| (l, SkipReason::Footer))
                .collect::<Vec<_>>(),
            "{}",
            path.display()
        );
        let lines = summary(&p, &Default::default()).join("\n");
        assert!(
            lines.contains("第 7 行") && lines.contains("制表人：王老师"),
            "{lines}"
        );
    }
}

#[test]
fn a_seventeen_million_character_guardian_name_is_refused() {
    let (mut store, _clock) = fresh_store();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let long = "长".repeat(17_000_000);
    std::fs::write(
        &path,
        format!(
            "姓名,寝室号,床号,监护人,电话\n王浩然,305,1,王建国,13800138001\n李俊杰,305,2,{long},13800138002\n"
        ),
    )
    .unwrap();
    drop(long);
    let p = parse(&path);
    assert_eq!(p.errors.len(), 1);
    let e = &p.errors[0];
    assert_eq!((e.line, e.field), (3, "guardian"));
    assert_eq!(
        e.reason,
        RowProblem::TooLong {
            max: 20,
            len: 17_000_000
        }
    );
    let line = dutydesk::import::summary::row_errors(&p).join("\n");
    assert!(
        line.contains("第 3 行") && line.contains("监护人"),
        "{line}"
    );
    assert!(line.len() < 200, "the message quotes the cell");
    let before = store.event_count().unwrap();
    let actor = admin(&store);
    let out = store
        .import_roster(&actor, "long.csv", &p, false, false)
        .unwrap();
    assert_eq!(out.events, 0);
    assert_eq!(store.event_count().unwrap(), before);
    assert!(store.students(None).unwrap().is_empty());
}

/// The 50,000-row file the import's time and memory are measured on with
/// the release command line (`dutydesk roster import FILE`, under
/// `/usr/bin/time -v`). Run with `--ignored`; the file goes to
/// `$ROSTER_50K` (default: the system temp directory).
#[test]
#[ignore = "writes a 50,000-row roster for measuring the release build"]
fn write_fifty_thousand_row_roster() {
    let path = std::env::var_os("ROSTER_50K")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("roster-50000.csv"));
    std::fs::write(&path, large_roster_csv(50_000)).unwrap();
    let p = parse(&path);
    assert!(
        p.errors.is_empty(),
        "{:?}",
        &p.errors[..p.errors.len().min(5)]
    );
    assert_eq!(p.rows.len(), 50_000);
}
