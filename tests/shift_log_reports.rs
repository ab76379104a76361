//! 值班记录 and 值班日报 from the command line: the shift log's rows read
//! back from the .xlsx and the .csv in their columns; the daily report's
//! counts per station for one day; a bad date is one line and a non-zero
//! exit with nothing written.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::hazard::{Category as HazardCategory, HazardDraft, Severity};
use dutydesk::domain::role::Role;
use dutydesk::domain::shift_log::{Category, LogDraft};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

const H: i64 = 3_600_000;

/// 2026-11-29 at +08:00, `hh:mm`.
fn at(hh: i64, mm: i64) -> i64 {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    dutydesk::domain::time::day_start_ms(d, 480) + hh * H + mm * 60_000
}

fn school(path: &Path) {
    let clock = FixedClock::new(at(7, 0));
    let mut s = Store::open(path, Arc::new(clock.clone())).unwrap();
    let admin = s
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    let guard = s
        .add_operator(&admin, "张建国", Role::Guard, "1111")
        .unwrap();
    clock.set(at(9, 0));
    let d = |cat, what: &str, followup| LogDraft {
        category: Some(cat),
        what: what.into(),
        action_taken: "已处理".into(),
        reported_to: "刘主任".into(),
        needs_followup: followup,
        ..LogDraft::default()
    };
    let fight = s
        .log_entry(&guard, &d(Category::Incident, "两名学生在食堂争吵", true))
        .unwrap();
    clock.set(at(10, 0));
    s.log_entry(
        &guard,
        &d(Category::Instruction, "本周五前完成消防检查", true),
    )
    .unwrap();
    clock.set(at(11, 0));
    s.close_log_entry(&guard, &fight, "已调解，通知班主任")
        .unwrap();
    s.log_entry(&guard, &d(Category::Incident, "外来人员试图翻墙", false))
        .unwrap();
    let h = HazardDraft {
        place: "锅炉房".into(),
        category: Some(HazardCategory::Gas),
        severity: Some(Severity::Serious),
        description: "燃气管道接口漏气".into(),
        ..HazardDraft::default()
    };
    s.report_hazard(&guard, &h, None, &[]).unwrap();
    // The next day: not in the 29th's counts.
    clock.set(at(33, 0));
    s.log_entry(&guard, &d(Category::Incident, "次日事件", false))
        .unwrap();
}

fn run(args: &[&str], db: &Path, out: &Path) -> Output {
    Command::cargo_bin("dutydesk")
        .unwrap()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", "zh-CN", "report"])
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--out")
        .arg(out)
        .args(["--as", "陈老师"])
        .write_stdin("9999\n")
        .output()
        .unwrap()
}

fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => format!("{other}"),
                })
                .collect()
        })
        .collect()
}

fn table(rows: &[Vec<String>], first: &str) -> (usize, Vec<Vec<String>>) {
    let header = rows
        .iter()
        .position(|r| r.first().map(|c| c.as_str()) == Some(first))
        .expect("a header row");
    (header, rows[header + 1..].to_vec())
}

#[test]
fn the_shift_log_holds_every_entry_in_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    school(&db);
    let out = dir.path().join("值班记录.xlsx");
    let o = run(
        &["shiftlog", "--from", "2026-11-29", "--to", "2026-11-29"],
        &db,
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 条值班记录"));
    let rows = read_xlsx(&out);
    let (h, body) = table(&rows, "时间");
    assert_eq!(
        rows[h][..10],
        [
            "时间",
            "站点",
            "班次",
            "类别",
            "事由经过",
            "处理措施",
            "报告对象",
            "跟进",
            "处理结果",
            "记录人"
        ]
    );
    assert_eq!(
        body[0][..10],
        [
            "2026-11-29 09:00",
            "南门门卫室",
            "2026-11-29 白班",
            "突发事件",
            "两名学生在食堂争吵",
            "已处理",
            "刘主任",
            "已办结",
            "已调解，通知班主任",
            "张建国",
        ]
    );
    assert_eq!(body[1][3], "上级指示");
    assert_eq!(body[1][7], "待跟进");
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c.contains("突发事件 2 条")))
    );
    assert!(!rows.iter().any(|r| r.iter().any(|c| c == "次日事件")));

    // The .csv has the same rows.
    let csv = dir.path().join("值班记录.csv");
    let o = run(
        &["shiftlog", "--from", "2026-11-29", "--to", "2026-11-30"],
        &db,
        &csv,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert!(text.contains("两名学生在食堂争吵") && text.contains("次日事件"));
}

#[test]
fn the_daily_report_counts_the_day_per_station() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    school(&db);
    let out = dir.path().join("值班日报.xlsx");
    let o = run(&["daily", "--date", "2026-11-29"], &db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_xlsx(&out);
    let (h, body) = table(&rows, "日期");
    assert_eq!(rows[h][10], "突发事件");
    assert_eq!(
        body[0][..12],
        [
            "2026-11-29",
            "南门门卫室",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
            "1",
            "0",
            "2",
            "3",
        ]
    );

    // A bad date: one line, non-zero, nothing written.
    let bad = dir.path().join("bad.xlsx");
    let o = run(&["daily", "--date", "2026-13-01"], &db, &bad);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("2026-13-01"));
    assert!(!bad.exists());
}

#[test]
fn the_daily_counts_agree_with_the_records_on_the_demo_school() {
    use dutydesk::demo::{self, Scale};
    // 2026-11-22 10:00 at +08:00: last night is the 21st's.
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+08:00")
        .unwrap()
        .timestamp_millis();
    let clock = FixedClock::new(now);
    let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    demo::generate(&mut s, &clock, Scale::Small, 42, now).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let from = dutydesk::domain::time::day_start_ms(day, 480);
    let counts = s.day_counts("2026-11-21", from, from + 24 * H).unwrap();
    let sum =
        |f: fn(&dutydesk::store::daily::DayCounts) -> usize| counts.values().map(f).sum::<usize>();
    let q = |sql: &str| -> usize {
        s.conn()
            .query_row(sql, rusqlite::params![from, from + 24 * H], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap() as usize
    };
    assert_eq!(
        sum(|c| c.visitors),
        q(
            "SELECT COUNT(*) FROM visits WHERE time_in >= ?1 AND time_in < ?2 AND status <> 'denied'"
        )
    );
    assert_eq!(
        sum(|c| c.rollcall_rounds),
        q("SELECT COUNT(*) + 0 * ?1 * ?2 FROM rounds WHERE night = '2026-11-21'")
    );
    assert_eq!(
        sum(|c| c.absences),
        q(
            "SELECT COUNT(*) + 0 * ?1 * ?2 FROM marks m JOIN rounds r ON r.id = m.round_id
           WHERE r.night = '2026-11-21' AND m.mark = 'absent'"
        )
    );
    assert_eq!(
        sum(|c| c.patrol_rounds),
        q("SELECT COUNT(*) + 0 * ?1 * ?2 FROM patrol_rounds WHERE night = '2026-11-21'")
    );
    assert_eq!(
        sum(|c| c.log_entries),
        q("SELECT COUNT(*) FROM shift_log WHERE at_ms >= ?1 AND at_ms < ?2")
    );
    assert!(sum(|c| c.visitors) > 0 && sum(|c| c.log_entries) == 3);
    // Last night's safety follow-up is still open this morning; the
    // instruction too.
    let open = s.open_log_entries(None).unwrap();
    assert_eq!(open.len(), 2, "{open:?}");
    assert_eq!(s.open_instructions(None).unwrap().len(), 1);
}
