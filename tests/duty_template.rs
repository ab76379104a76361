//! The duty roster templates in `data/` are what the generator below makes,
//! each imports clean into a fresh station, and the command line names bad
//! rows. Remake them with
//! `DUTYDESK_WRITE_TEMPLATES=1 cargo test --test duty_template`.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::shift::ShiftId;
use dutydesk::domain::time::FixedClock;
use dutydesk::import::duty::parse_file;
use dutydesk::store::Store;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const XLSX: &str = "值班表模板.xlsx";
const CSV: &str = "值班表模板.csv";
const STATION: &str = "南门门卫室";

/// (header, required, note, example)
const COLUMNS: &[(&str, bool, &str, &str)] = &[
    (
        "日期",
        true,
        "值班的日期，如：2026-09-01；夜班写开始那天的日期",
        "2026-09-01",
    ),
    (
        "班次",
        true,
        "白班或夜班（或在值班台设置的其他班次）",
        "白班",
    ),
    (
        "值班点",
        true,
        "值班点的名称，与值班台里的一致，如：南门门卫室",
        STATION,
    ),
    (
        "值班人员",
        true,
        "值班的人，几个人之间用“、”隔开",
        "张建国、李老师",
    ),
    ("带班领导", false, "当天带班的学校领导", "王副校长"),
    (
        "特殊岗位",
        false,
        "考试、节假日等特殊时期的岗位，写成“岗位:姓名”，几项之间用“；”隔开",
        "考场巡查:赵老师；周界:张建国",
    ),
    ("备注", false, "", "开学第一天"),
];

fn header(c: &(&str, bool, &str, &str)) -> String {
    if c.1 {
        format!("＊{}", c.0)
    } else {
        c.0.to_string()
    }
}

fn xlsx() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed date keeps the file byte-for-byte reproducible.
    wb.set_properties(
        &DocProperties::new()
            .set_title("值班表模板")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 9, 1)?),
    );
    let sheet = wb.add_worksheet();
    sheet.set_name("值班表")?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let red = bold.clone().set_font_color(Color::Red);
    sheet.write_string_with_format(
        0,
        0,
        "值班表：第 2 行是表头，第 3 行是示例（导入前请改写或删除）；带＊的列必填。",
        &text,
    )?;
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, if i == 5 { 32 } else { 14 })?;
        sheet.set_column_format(col, &text)?;
        sheet.write_string_with_format(1, col, header(c), if c.1 { &red } else { &bold })?;
        if !c.2.is_empty() {
            sheet.insert_note(
                1,
                col,
                &Note::new(c.2)
                    .set_author("值班台")
                    .add_author_prefix(false)
                    .set_width(200),
            )?;
        }
        sheet.write_string_with_format(2, col, c.3, &text)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    wb.save_to_buffer()
}

fn csv() -> Vec<u8> {
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(line(COLUMNS.iter().map(header).collect()).as_bytes());
    out.extend_from_slice(line(COLUMNS.iter().map(|c| c.3.to_string()).collect()).as_bytes());
    out
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn station() -> (Store, dutydesk::domain::role::Actor) {
    let mut store = Store::open_in_memory(Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            STATION,
            StationKind::Gate,
            480,
            "陈老师",
            "9999",
        )
        .unwrap();
    (store, admin)
}

#[test]
fn templates_are_what_the_generator_makes() {
    let write = std::env::var_os("DUTYDESK_WRITE_TEMPLATES").is_some();
    for (name, bytes) in [(XLSX, xlsx().expect("xlsx")), (CSV, csv())] {
        let path = data_dir().join(name);
        if write {
            std::fs::write(&path, &bytes).expect("write template");
        }
        assert!(
            std::fs::read(&path).unwrap_or_default() == bytes,
            "{name} differs from the generator; remake it with DUTYDESK_WRITE_TEMPLATES=1"
        );
    }
}

#[test]
fn each_template_imports_into_a_fresh_station() {
    for name in [XLSX, CSV] {
        let (mut store, admin) = station();
        let guard = store
            .add_operator(&admin, "张建国", Role::Guard, "1111")
            .unwrap();
        let parsed = parse_file(&data_dir().join(name)).unwrap();
        assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
        let resolved = store.resolve_duty_lines(&parsed.rows).unwrap();
        assert!(resolved.errors.is_empty(), "{name}: {:?}", resolved.errors);
        // Not operators, not staff: kept as text, and said.
        let unknown: Vec<&str> = resolved.unknown.iter().map(String::as_str).collect();
        assert_eq!(unknown, vec!["李老师", "王副校长", "赵老师"], "{name}");
        assert_eq!(store.import_duty(&admin, &resolved).unwrap(), 1);
        let st = store.station().unwrap().id.clone();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        let plan = store
            .duty_plan(&ShiftId::new(&st, date, "day"))
            .unwrap()
            .expect(name);
        assert_eq!(
            plan.people[0].operator_id.as_deref(),
            Some(guard.id.as_str())
        );
        assert_eq!(plan.people[1].operator_id, None);
        assert_eq!(plan.posts[0].post, "考场巡查");
        assert_eq!(plan.note, "开学第一天");
        // The same file again changes nothing.
        let again = store.resolve_duty_lines(&parsed.rows).unwrap();
        assert_eq!((again.added, again.changed, again.same), (0, 0, 1));
        assert_eq!(store.import_duty(&admin, &again).unwrap(), 0);
    }
}

fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    assert_cmd::Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "zh-CN"])
        .args(args)
        .args(["--as", "陈老师"])
        .arg("--db")
        .arg(db)
        .write_stdin("9999\n")
        .output()
        .unwrap()
}

#[test]
fn the_command_line_imports_the_roster_and_names_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gate.db");
    {
        let mut store = Store::open(&db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
        store
            .setup(
                "青山县第一中学",
                STATION,
                StationKind::Gate,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
    }
    let csv = data_dir().join(CSV);
    let dry = cli(&db, &["duty", "import", csv.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success(), "{dry:?}");
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        said.contains("新增 1 条") && said.contains("试运行"),
        "{said}"
    );
    assert!(said.contains("张建国"), "unknown names are listed: {said}");
    let ok = cli(&db, &["duty", "import", csv.to_str().unwrap()]);
    assert!(ok.status.success());
    // Bad rows: each named by its row, nothing imported, one-line error.
    let bad = dir.path().join("坏的值班表.csv");
    std::fs::write(
        &bad,
        "日期,班次,值班点,值班人员,特殊岗位\n\
         2026-09-02,夜班,南门门卫室,欧阳晓明,\n\
         2026-09-31,夜班,南门门卫室,李四,\n\
         2026-09-03,早班,南门门卫室,李四,\n\
         2026-09-04,白班,北门,李四,\n\
         2026-09-05,白班,南门门卫室,李四,周界 张三\n",
    )
    .unwrap();
    let out = cli(&db, &["duty", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    for row in ["第 3 行", "第 4 行", "第 5 行", "第 6 行"] {
        assert!(said.contains(row), "{row}: {said}");
    }
    assert!(!said.contains("第 2 行"), "{said}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("坏的值班表.csv"), "{err}");
    let store = Store::open(&db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
    let st = store.station().unwrap().id.clone();
    let d2 = chrono::NaiveDate::from_ymd_opt(2026, 9, 2).unwrap();
    assert_eq!(
        store.duty_plan(&ShiftId::new(&st, d2, "night")).unwrap(),
        None
    );
    drop(store);

    // Shift times: set, shown, refused when they make no sense.
    let set = cli(
        &db,
        &[
            "duty",
            "shifts",
            "--set",
            "day=08:00-17:30,night=17:30-08:00",
            "--grace",
            "5",
        ],
    );
    assert!(set.status.success(), "{set:?}");
    let said = String::from_utf8_lossy(&set.stdout);
    assert!(
        said.contains("day=08:00-17:30") && said.contains("5 分钟"),
        "{said}"
    );
    let bad = cli(&db, &["duty", "shifts", "--set", "早班=8点"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("早班=8点"), "{err}");
}

#[test]
fn a_gbk_file_from_the_office_reads_the_same() {
    let text = "值班表（教务处导出）\r\n日期,班次,值班点,值班人员,带班领导,特殊岗位,备注\r\n\
                2026/9/1,夜班,南门门卫室,欧阳晓明；司马相如,王副校长,考场巡查：张建国,\r\n";
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("值班表.csv");
    std::fs::write(&path, &bytes).unwrap();
    let parsed = parse_file(&path).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let row = &parsed.rows[0];
    assert_eq!(row.line, 3);
    assert_eq!(row.people, vec!["欧阳晓明", "司马相如"]);
    assert_eq!(
        row.posts,
        vec![("考场巡查".to_string(), "张建国".to_string())]
    );
    let (store, _) = station();
    let resolved = store.resolve_duty_lines(&parsed.rows).unwrap();
    assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
    assert_eq!(resolved.plans[0].1.shift.shift, "night");
    assert_eq!(resolved.plans[0].1.shift.date, "2026-09-01");
}
