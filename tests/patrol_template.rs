//! The checkpoint templates in `data/` are what the generator below makes,
//! and each imports into a fresh station. Remake them with
//! `DUTYDESK_WRITE_TEMPLATES=1 cargo test --test patrol_template`.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::import::checkpoints::parse_file;
use dutydesk::store::Store;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Note, Workbook, XlsxError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const XLSX: &str = "巡查点模板.xlsx";
const CSV: &str = "巡查点模板.csv";

/// (header, required, note, example)
const COLUMNS: &[(&str, bool, &str, &str)] = &[
    ("名称", true, "巡查点的名称，如：锅炉房", "锅炉房"),
    ("地点", true, "楼栋或区域，如：后勤楼", "后勤楼"),
    (
        "编码",
        true,
        "印在巡查点卡片上的条码：字母、数字和“-”，最多 16 个字符，不能重复",
        "B1-01",
    ),
    (
        "检查项",
        false,
        "要检查什么，几项之间用“；”隔开",
        "门已上锁；灭火器在有效期内",
    ),
    ("状态", false, "启用或停用，不填为启用", "启用"),
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
            .set_title("巡查点模板")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 9, 1)?),
    );
    let sheet = wb.add_worksheet();
    sheet.set_name("巡查点")?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let red = bold.clone().set_font_color(Color::Red);
    sheet.write_string_with_format(
        0,
        0,
        "巡查点清单：第 2 行是表头，第 3 行是示例（导入前请改写或删除）；带＊的列必填。",
        &text,
    )?;
    for (i, c) in COLUMNS.iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, if i == 3 { 36 } else { 14 })?;
        sheet.set_column_format(col, &text)?;
        sheet.write_string_with_format(1, col, header(c), if c.1 { &red } else { &bold })?;
        sheet.insert_note(
            1,
            col,
            &Note::new(c.2)
                .set_author("值班台")
                .add_author_prefix(false)
                .set_width(200),
        )?;
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
        let mut store =
            Store::open_in_memory(Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
        let admin = store
            .setup(
                "青山县第一中学",
                "后勤办公室",
                StationKind::Office,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
        let parsed = parse_file(&data_dir().join(name)).unwrap();
        assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
        let rows: Vec<_> = parsed.rows.iter().map(|r| r.1.clone()).collect();
        assert_eq!(store.import_checkpoints(&admin, &rows).unwrap(), (1, 0));
        // The same file again changes nothing.
        assert_eq!(store.import_checkpoints(&admin, &rows).unwrap(), (0, 0));
        let cp = store.checkpoint_by_code("b1-01").unwrap().expect(name);
        assert_eq!(cp.data.name, "锅炉房");
        assert_eq!(cp.data.checklist, vec!["门已上锁", "灭火器在有效期内"]);
    }
}

#[test]
fn the_command_line_imports_checkpoints_and_names_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gate.db");
    {
        let mut store = Store::open(&db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
        store
            .setup(
                "青山县第一中学",
                "南门门卫室",
                StationKind::Gate,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
    }
    let run = |file: &Path| {
        assert_cmd::Command::cargo_bin("dutydesk")
            .unwrap()
            .args(["--lang", "zh-CN", "checkpoints", "import", "--db"])
            .arg(&db)
            .arg(file)
            .args(["--as", "陈老师"])
            .write_stdin("9999\n")
            .output()
            .unwrap()
    };
    let ok = run(&data_dir().join(CSV));
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("新增 1 个"));
    // A file with a bad row: named by row, nothing imported, non-zero exit.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "名称,地点,编码\n北门,校门,G-02\n,校门,G 3\n").unwrap();
    let out = run(&bad);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("第 3 行"), "{said}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let store = Store::open(&db, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
    assert_eq!(
        store.checkpoints(true).unwrap().len(),
        1,
        "nothing from the bad file"
    );
}
