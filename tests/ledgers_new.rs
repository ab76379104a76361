//! The paper forms' columns (visitor register, 点名册, absences) and the
//! boarder ledgers added beside them: 病号登记 (`report sick`), 请假登记
//! (`report leave`), 学生离校/返校登记 (`report gate`) and 缺勤跟进
//! (`report followups`), checked on the demo school against the store.
//!
//! Library calls run in the default language (zh-CN) and never switch it:
//! the language is process-wide and these tests run in parallel.

use assert_cmd::Command;
use chrono::NaiveDate;
use dutydesk::demo::{self, Scale};
use dutydesk::domain::role::{Actor, Role};
use dutydesk::domain::rollcall::{FoundWhere, Mark, RoundKind};
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::VisitForm;
use dutydesk::report::absences::{self, AbsencesRequest};
use dutydesk::report::ledger::Ledger;
use dutydesk::report::rollcall::{self, EXTRA_ROWS, RollcallRequest};
use dutydesk::report::sick::RangeRequest;
use dutydesk::report::{followups, gate, leave, sick, visitors};
use dutydesk::store::Store;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// 2026-11-22 21:50 at the station (+08:00), the demo's "now".
fn now() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T21:50:00+08:00")
        .unwrap()
        .timestamp_millis()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The demo school as a database file, generated once; each test opens
/// its own copy.
fn demo_db(dir: &Path) -> PathBuf {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = BYTES.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("demo.db");
        let clock = FixedClock::new(now());
        let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
        demo::generate(&mut store, &clock, Scale::Small, 42, now()).unwrap();
        drop(store);
        std::fs::read(&path).unwrap()
    });
    let path = dir.join("demo.db");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn open_demo(dir: &Path) -> (Store, Actor) {
    let path = demo_db(dir);
    let store = Store::open_existing(&path, Arc::new(FixedClock::new(now()))).unwrap();
    let admin = store
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.role == Role::Admin)
        .unwrap()
        .actor();
    (store, admin)
}

fn count(store: &Store, sql: &str) -> usize {
    store
        .conn()
        .query_row(sql, [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

fn headers(l: &Ledger) -> Vec<&str> {
    l.columns.iter().map(|c| c.header.as_str()).collect()
}

fn col(l: &Ledger, header: &str) -> usize {
    l.columns
        .iter()
        .position(|c| c.header == header)
        .unwrap_or_else(|| panic!("no column {header}: {:?}", headers(l)))
}

fn whole_autumn() -> RangeRequest {
    RangeRequest {
        from: date(9, 1),
        to: date(11, 30),
        path: PathBuf::from("x.csv"),
    }
}

// ---------------------------------------------------------- item 7: columns

#[test]
fn visitor_register_has_the_paper_columns_and_shows_corrections() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, admin) = open_demo(dir.path());
    let visit = store.on_site().unwrap().pop().expect("someone on site");
    let before = visit.details.clone();
    let mut f = VisitForm::from_details(&visit.details);
    f.items = "保温饭盒".into();
    f.purpose = format!("{}（更正）", before.purpose);
    store
        .correct_visit(&admin, &visit.id, &f, "漏填携带物品")
        .unwrap();
    let day = chrono::DateTime::from_timestamp_millis(visit.time_in)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive();
    let l = visitors::build(
        &store,
        &admin,
        &visitors::ExportRequest {
            from: day,
            to: day,
            path: PathBuf::from("x.csv"),
            full_ids: false,
        },
    )
    .unwrap();
    let h = headers(&l);
    for name in ["证件类型", "携带物品", "预计停留", "值班人", "来访人签字"] {
        assert!(h.contains(&name), "{h:?}");
    }
    let by = store.operator_name(&visit.registered_by);
    let row = l
        .rows
        .iter()
        .find(|r| r[col(&l, "携带物品")].ends_with("保温饭盒"))
        .expect("the corrected visit");
    let was = if before.items.is_empty() {
        "—".to_string()
    } else {
        before.items.clone()
    };
    assert_eq!(row[col(&l, "携带物品")], format!("{was} → 保温饭盒"));
    assert_eq!(
        row[col(&l, "来访事由")],
        format!("{} → {}", before.purpose, f.purpose)
    );
    // Unchanged cells show the value alone.
    assert_eq!(row[col(&l, "来访人")], before.name);
    assert_eq!(row[col(&l, "值班人")], by);
    assert_eq!(row[col(&l, "来访人签字")], "");
    assert!(!row[col(&l, "备注")].contains(&by), "{row:?}");
    // Every row: the operator in its own column, the signature left blank.
    for r in &l.rows {
        assert!(!r[col(&l, "值班人")].is_empty(), "{r:?}");
        assert_eq!(r[col(&l, "来访人签字")], "");
        assert!(!r[col(&l, "证件类型")].is_empty(), "{r:?}");
    }
}

#[test]
fn rollcall_shows_weekdays_callers_and_the_open_round() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = rollcall::build(
        &store,
        &admin,
        &RollcallRequest {
            month: date(11, 1),
            building: None,
            path: PathBuf::from("x.csv"),
        },
    )
    .unwrap();
    let n = l.rows.len();
    let (weekday, caller, state) = (&l.rows[n - 3], &l.rows[n - 2], &l.rows[n - 1]);
    assert_eq!(weekday[0], "星期");
    assert_eq!(caller[0], "点名人");
    assert_eq!(state[0], "点名状态");
    // 2026-11-01 was a Sunday.
    assert_eq!(weekday[3..10], ["日", "一", "二", "三", "四", "五", "六"]);
    assert_eq!(weekday[3 + 29], "一");

    // The demo calls only lights-out rolls, so every round is the night's.
    let rounds = store.rounds_between("2026-11-01", "2026-11-30").unwrap();
    assert!(rounds.iter().all(|r| r.kind == RoundKind::LightsOut));
    let day_of = |night: &str| night[8..].parse::<usize>().unwrap();
    for r in &rounds {
        let who = store.operator_name(&r.started_by);
        assert!(
            caller[2 + day_of(&r.night)].contains(&who),
            "{} {who} {caller:?}",
            r.night
        );
    }
    let open: Vec<usize> = rounds
        .iter()
        .filter(|r| r.closed_ms.is_none())
        .map(|r| day_of(&r.night))
        .collect();
    assert!(!open.is_empty(), "the demo's roll tonight is still open");
    for d in 1..=30 {
        let want = if open.contains(&d) { "未完" } else { "" };
        assert_eq!(state[2 + d], want, "day {d}");
    }
    assert!(
        l.footer.iter().any(|f| f.contains("尚未结束")),
        "{:?}",
        l.footer
    );
    // The extra rows are not boarders.
    assert_eq!(n - EXTRA_ROWS, store.students(None).unwrap().len());
}

#[test]
fn absences_count_a_boarder_found_on_campus_apart() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = absences::build(
        &store,
        &admin,
        &AbsencesRequest {
            from: date(9, 1),
            to: date(11, 30),
            path: PathBuf::from("x.csv"),
        },
    )
    .unwrap();
    let campus = col(&l, "校内找到");
    let (absent, late) = (col(&l, "夜不归宿"), col(&l, "晚归"));
    let total = l.rows.last().unwrap();
    assert_eq!(total[2], "合计");
    let n = |c: usize| total[c].parse::<usize>().unwrap();
    // The demo's absences are all found in a classmate's room (past
    // nights) or not found yet (tonight).
    assert!(n(campus) > 0, "{total:?}");
    let marks = store.night_marks("2026-09-01", "2026-11-30", None).unwrap();
    let raw = |m: Mark| marks.iter().filter(|x| x.mark == m).count();
    assert_eq!(n(absent) + n(campus), raw(Mark::Absent));
    assert_eq!(n(late), raw(Mark::Late));
    let found = store
        .night_followups("2026-09-01", "2026-11-30")
        .unwrap()
        .values()
        .filter(|f| f.found_at.is_some() && f.finding.contains("同学寝室"))
        .count();
    assert_eq!(n(campus), found);
    let dates = col(&l, "日期");
    assert!(
        l.rows.iter().any(|r| r[dates].contains("（校内找到）")),
        "{:?}",
        l.rows
    );
}

#[test]
fn where_the_teacher_found_the_boarder_decides_not_the_words() {
    let dir = tempfile::tempdir().unwrap();
    // A clock of its own: the second follow-up is recorded a minute later.
    let clock = FixedClock::new(now());
    let mut store = Store::open_existing(&demo_db(dir.path()), Arc::new(clock.clone())).unwrap();
    let admin = store
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.role == Role::Admin)
        .unwrap()
        .actor();
    // Tonight's absent boarder, in a round still open.
    let marks = store.night_marks("2026-09-01", "2026-11-30", None).unwrap();
    let tonight = marks
        .iter()
        .filter(|m| m.mark == Mark::Absent)
        .max_by(|a, b| a.night.cmp(&b.night))
        .unwrap()
        .clone();
    let day = NaiveDate::parse_from_str(&tonight.night, "%Y-%m-%d").unwrap();
    let counts = |store: &Store| {
        let l = absences::build(
            store,
            &admin,
            &AbsencesRequest {
                from: day,
                to: day,
                path: PathBuf::from("x.csv"),
            },
        )
        .unwrap();
        let total = l.rows.last().unwrap().clone();
        let n = |h: &str| total[col(&l, h)].parse::<usize>().unwrap();
        (n("夜不归宿"), n("校内找到"))
    };
    assert_eq!(counts(&store), (1, 0));
    // Found on campus, though the words name no place on campus.
    store
        .record_followup_found(
            &admin,
            &tonight.round_id,
            &tonight.student_id,
            ("other", ""),
            "已找到，已带回",
            Some((now(), Some(FoundWhere::OnCampus))),
        )
        .unwrap();
    assert_eq!(counts(&store), (0, 1));
    clock.advance_min(1);
    // A later follow-up: found off campus, though the words say a dorm.
    store
        .record_followup_found(
            &admin,
            &tonight.round_id,
            &tonight.student_id,
            ("guardian", "母亲"),
            "原以为在同学寝室，实际在家",
            Some((now() + 60_000, Some(FoundWhere::OffCampus))),
        )
        .unwrap();
    assert_eq!(counts(&store), (1, 0));
}

// -------------------------------------------------------- item 8: ledgers

#[test]
fn sick_log_lists_every_record_with_its_care() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = sick::build(&store, &admin, &whole_autumn()).unwrap();
    assert_eq!(
        headers(&l),
        [
            "序号",
            "日期",
            "时间",
            "姓名",
            "班级",
            "楼栋 寝室-床",
            "症状",
            "体温",
            "服药情况",
            "饮水情况",
            "是否就医",
            "已告知家长",
            "后续观察",
            "痊愈/结束时间",
            "值班人"
        ]
    );
    let n = count(&store, "SELECT COUNT(*) FROM sick");
    assert!(n > 0);
    assert_eq!(l.rows.len(), n);
    let row = l.rows.iter().find(|r| r[6] == "发烧、头痛").unwrap();
    assert_eq!(row[7], "38.5");
    assert_eq!(row[8], "布洛芬一片");
    assert_eq!(row[10], "否");
    assert_eq!(row[11], "是");
    assert!(row[12].contains("37.9℃ 体温下降，已入睡"), "{row:?}");
    assert_eq!(row[13], "未结束");
    assert!(!row[3].is_empty() && !row[14].is_empty(), "{row:?}");
    // A range before any record is an empty log, not an error.
    let empty = sick::build(
        &store,
        &admin,
        &RangeRequest {
            from: date(1, 1),
            to: date(1, 31),
            path: PathBuf::from("x.csv"),
        },
    )
    .unwrap();
    assert!(empty.rows.is_empty());
    assert!(empty.footer[0].contains("共 0 条"), "{:?}", empty.footer);
}

#[test]
fn leave_register_lists_every_leave() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = leave::build(&store, &admin, &whole_autumn()).unwrap();
    assert_eq!(
        headers(&l),
        [
            "序号",
            "姓名",
            "班级",
            "楼栋 寝室-床",
            "离校时间",
            "应返校时间",
            "请假事由",
            "去向",
            "批准人",
            "实际返校时间",
            "销假情况",
            "登记人",
            "家长签字",
            "销假签字"
        ]
    );
    let n = count(&store, "SELECT COUNT(*) FROM leaves");
    assert!(n > 0);
    assert_eq!(l.rows.len(), n);
    for r in &l.rows {
        assert!(
            !r[1].is_empty() && !r[6].is_empty() && !r[8].is_empty(),
            "{r:?}"
        );
        // Due back tomorrow, not back yet.
        assert_eq!(r[10], "未返校", "{r:?}");
        assert_eq!(r[12..], ["", ""]);
    }
}

#[test]
fn gate_log_lists_every_departure() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = gate::build(&store, &admin, &whole_autumn()).unwrap();
    assert_eq!(
        headers(&l),
        [
            "序号",
            "日期",
            "离校时间",
            "学生姓名",
            "班级",
            "楼栋 寝室-床",
            "接送人",
            "关系",
            "联系电话",
            "是否可接送",
            "批准人",
            "应返校时间",
            "返校时间",
            "返校情况",
            "备注",
            "值班人",
            "接送人签字"
        ]
    );
    let n = count(&store, "SELECT COUNT(*) FROM departures");
    assert!(n > 0);
    assert_eq!(l.rows.len(), n);
    let listed = count(
        &store,
        "SELECT COUNT(*) FROM departures WHERE authorised = 1",
    );
    assert_eq!(l.rows.iter().filter(|r| r[9] == "名单内").count(), listed);
    for r in &l.rows {
        assert!(
            !r[3].is_empty() && !r[6].is_empty() && !r[15].is_empty(),
            "{r:?}"
        );
    }
}

#[test]
fn followup_ledger_lists_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let (store, admin) = open_demo(dir.path());
    let l = followups::build(&store, &admin, &whole_autumn()).unwrap();
    assert_eq!(
        headers(&l),
        [
            "序号",
            "日期",
            "点名",
            "姓名",
            "班级",
            "楼栋 寝室-床",
            "联系对象",
            "联系人及电话",
            "了解到的情况",
            "是否找到",
            "找到时间",
            "记录时间",
            "跟进人",
            "值班领导签字"
        ]
    );
    let n = count(&store, "SELECT COUNT(*) FROM followups");
    assert!(n > 0);
    assert_eq!(l.rows.len(), n);
    let found = count(
        &store,
        "SELECT COUNT(*) FROM followups WHERE found_at IS NOT NULL",
    );
    assert_eq!(l.rows.iter().filter(|r| r[9] != "未找到").count(), found);
    let r = l
        .rows
        .iter()
        .find(|r| r[8] == "在同学寝室，已带回")
        .expect("a boarder found in a classmate's room");
    assert_eq!(r[9], "校内找到");
    assert_eq!(r[6], "监护人");
    assert!(r[2].ends_with("就寝点名"), "{r:?}");
    assert!(!r[10].is_empty());
    // Nights in order.
    let nights: Vec<&String> = l.rows.iter().map(|r| &r[1]).collect();
    assert!(nights.is_sorted());
}

// ---------------------------------------------------------------- the CLI

fn dutydesk() -> Command {
    dutydesk_in("zh-CN")
}

fn dutydesk_in(lang: &str) -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", lang]);
    c
}

fn run(db: &Path, which: &str, out: &Path, force: bool) -> std::process::Output {
    let mut c = dutydesk();
    c.args([
        "report",
        which,
        "--from",
        "2026-09-01",
        "--to",
        "2026-11-30",
        "--db",
    ])
    .arg(db)
    .arg("--out")
    .arg(out);
    if force {
        c.arg("--force");
    }
    c.args(["--as", "刘主任"]).write_stdin("3333\n");
    c.output().unwrap()
}

/// The CSV's records (after the BOM), wherever the table starts.
fn csv_records(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn each_ledger_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let store = Store::open_existing(&db, Arc::new(FixedClock::new(now()))).unwrap();
    for (which, table, first_header, done) in [
        ("sick", "sick", "序号", "条病号记录"),
        ("leave", "leaves", "序号", "条请假记录"),
        ("gate", "departures", "序号", "条离校记录"),
        ("followups", "followups", "序号", "条缺勤跟进"),
    ] {
        let n = count(&store, &format!("SELECT COUNT(*) FROM {table}"));
        let out = dir.path().join(format!("{which}.csv"));
        let o = run(&db, which, &out, false);
        let said = String::from_utf8(o.stdout.clone()).unwrap();
        assert!(
            o.status.success(),
            "{which}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(said.contains(&format!("{n} {done}")), "{which}: {said}");
        let recs = csv_records(&out);
        let at = recs
            .iter()
            .position(|r| r.first().map(String::as_str) == Some(first_header))
            .unwrap_or_else(|| panic!("{which}: no header in {recs:?}"));
        let width = recs[at].len();
        let rows = recs[at + 1..]
            .iter()
            .take_while(|r| r.len() == width && r[0].parse::<usize>().is_ok())
            .count();
        assert_eq!(rows, n, "{which}");

        // A second run refuses to replace last month's file …
        let before = std::fs::read(&out).unwrap();
        std::fs::write(&out, b"signed copy").unwrap();
        let o = run(&db, which, &out, false);
        assert_eq!(o.status.code(), Some(1), "{which}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(&out.display().to_string()), "{which}: {err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"signed copy");
        // … unless told to.
        let o = run(&db, which, &out, true);
        assert!(o.status.success(), "{which}");
        assert_eq!(std::fs::read(&out).unwrap(), before, "{which}");

        let xlsx = dir.path().join(format!("{which}.xlsx"));
        let o = run(&db, which, &xlsx, false);
        assert!(o.status.success(), "{which}");
        assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    }
}

#[test]
fn bad_ranges_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("sick.csv");
    let o = dutydesk()
        .args([
            "report",
            "sick",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--db",
        ])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists());
    let o = dutydesk()
        .args([
            "report",
            "leave",
            "--from",
            "2026-13-01",
            "--to",
            "2026-11-01",
            "--db",
        ])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("2026-13-01"), "{err}");
    assert!(!out.exists());
}

#[test]
fn headers_are_translated_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    for (which, expect) in [
        (
            "sick",
            &["No.", "Symptoms", "Guardian told", "Well again"][..],
        ),
        ("leave", &["Due back", "Back at", "Return signed"][..]),
        (
            "gate",
            &["Taken by", "Pick-up list", "Adult's signature"][..],
        ),
        ("followups", &["Contacted", "What was learnt", "Found"][..]),
    ] {
        let out = dir.path().join(format!("{which}.csv"));
        let o = dutydesk_in("en")
            .args(["report", which])
            .args(["--from", "2026-11-01", "--to", "2026-11-30", "--db"])
            .arg(&db)
            .arg("--out")
            .arg(&out)
            .args(["--as", "刘主任"])
            .write_stdin("3333\n")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let recs = csv_records(&out);
        let header = recs
            .iter()
            .find(|r| r.first().map(String::as_str) == Some("No."))
            .unwrap_or_else(|| panic!("{which}: {recs:?}"));
        for h in expect {
            assert!(header.iter().any(|x| x == h), "{which}: {h} in {header:?}");
        }
        // No Chinese header leaks into the English file.
        assert!(header.iter().all(|x| x.is_ascii()), "{which}: {header:?}");
    }
}
