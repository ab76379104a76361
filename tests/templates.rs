//! The files a school starts from (`data/`): each template is imported into
//! a fresh station, and the committed files are what the generator below
//! makes. After changing the generator, remake them with
//! `DUTYDESK_WRITE_TEMPLATES=1 cargo test --test templates generator`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dutydesk::domain::event::StationKind;
use dutydesk::domain::roster::{BedRef, Gender, Guardian, Zone};
use dutydesk::domain::time::FixedClock;
use dutydesk::import::roster::{FIELDS, ParsedRoster, parse_file};
use dutydesk::import::summary::default_building;
use dutydesk::store::Store;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note,
    Workbook, XlsxError,
};

const ROSTER_XLSX: &str = "住宿学生花名册模板.xlsx";
const ROSTER_CSV: &str = "住宿学生花名册模板.csv";

/// Marks a required column; the importer ignores it when matching headers.
const REQUIRED_MARK: &str = "＊";

/// One column of the roster template.
struct TemplateColumn {
    header: &'static str,
    required: bool,
    /// Shown as a cell note on the xlsx header: what to write.
    hint: &'static str,
    example: &'static str,
    /// Values offered in a drop-down, when the column takes only a few.
    choices: &'static [&'static str],
    width: f64,
}

const YES_NO: &[&str] = &["是", "否"];

/// Every column the importer recognises, in the order the 花名册 export
/// writes them, with the importer's extra columns beside their kin.
const ROSTER_COLUMNS: &[TemplateColumn] = &[
    col(
        "楼栋",
        false,
        "宿舍楼名称，如“1号楼”。学校只有一栋宿舍楼时可不填。",
        "1号楼",
        &[],
        9.0,
    ),
    col(
        "楼层",
        false,
        "可不填：按寝室号推算（305 是 3 楼）。也可写“3楼”“三楼”“3F”。",
        "3",
        &[],
        6.0,
    ),
    col(
        "寝室号",
        true,
        "必填。如 305，写“305室”也可以。",
        "305",
        &[],
        8.0,
    ),
    col("床号", true, "必填。如 1，写“1号床”也可以。", "1", &[], 6.0),
    col(
        "区域",
        false,
        "男生区或女生区；不填时按性别。",
        "男生区",
        &["男生区", "女生区"],
        8.0,
    ),
    col("姓名", true, "必填。", "王浩然", &[], 9.0),
    col("性别", false, "男或女。", "男", &["男", "女"], 6.0),
    col("班级", false, "如“初二(3)班”。", "初二(3)班", &[], 11.0),
    col("班主任", false, "", "陈丽", &[], 9.0),
    col(
        "学号",
        false,
        "再次导入时凭学号认出同一学生；没有学号时凭姓名和班级。",
        "2024010101",
        &[],
        12.0,
    ),
    col("监护人", false, "第一监护人姓名。", "王建国", &[], 10.0),
    col("关系", false, "如父亲、母亲、奶奶。", "父亲", &[], 6.0),
    col("联系电话", false, "11 位手机号。", "13800138001", &[], 13.0),
    col("可接送", false, "是或否；不填为“是”。", "是", YES_NO, 7.0),
    col(
        "监护人2",
        false,
        "第二监护人，可不填。",
        "李秀英",
        &[],
        10.0,
    ),
    col("关系2", false, "", "母亲", &[], 6.0),
    col("电话2", false, "11 位手机号。", "13900139001", &[], 13.0),
    col("可接送2", false, "是或否；不填为“是”。", "是", YES_NO, 7.0),
    col("是否留守", false, "是或否；不填为“否”。", "是", YES_NO, 8.0),
    col(
        "备注",
        false,
        "过敏、用药等值班需要知道的情况。",
        "花生过敏",
        &[],
        24.0,
    ),
];

const fn col(
    header: &'static str,
    required: bool,
    hint: &'static str,
    example: &'static str,
    choices: &'static [&'static str],
    width: f64,
) -> TemplateColumn {
    TemplateColumn {
        header,
        required,
        hint,
        example,
        choices,
        width,
    }
}

const ROSTER_NOTE: &str = "住宿学生花名册：带＊的列必填，楼栋在学校有多栋宿舍楼时也要填。\
每个学生一行；第 3 行是示例，导入前请改写或删除。本行说明导入时会被跳过。";

/// Rows the drop-downs and text format cover.
const TEMPLATE_ROWS: u32 = 2000;

fn header_text(c: &TemplateColumn) -> String {
    if c.required {
        format!("{REQUIRED_MARK}{}", c.header)
    } else {
        c.header.to_string()
    }
}

fn roster_xlsx() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed date keeps the file byte-for-byte reproducible.
    workbook.set_properties(
        &DocProperties::new()
            .set_title("住宿学生花名册模板")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 9, 1)?),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("花名册")?;
    let font = || Format::new().set_font_name("宋体").set_font_charset(134);
    let note_fmt = font()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let header_fmt = font()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(0xD9D9D9)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let required_fmt = header_fmt.clone().set_font_color(0xC00000);
    // Text, so Excel keeps 学号 and phone numbers as typed.
    let text_fmt = font().set_num_format("@");
    let example_fmt = text_fmt.clone().set_border(FormatBorder::Thin);

    let last_col = (ROSTER_COLUMNS.len() - 1) as u16;
    sheet.merge_range(0, 0, 0, last_col, ROSTER_NOTE, &note_fmt)?;
    sheet.set_row_height(0, 30)?;
    for (i, c) in ROSTER_COLUMNS.iter().enumerate() {
        let col = i as u16;
        sheet.set_column_width(col, c.width)?;
        sheet.set_column_format(col, &text_fmt)?;
        let fmt = if c.required {
            &required_fmt
        } else {
            &header_fmt
        };
        sheet.write_string_with_format(1, col, header_text(c), fmt)?;
        if !c.hint.is_empty() {
            sheet.insert_note(
                1,
                col,
                &Note::new(c.hint)
                    .set_author("值班台")
                    .add_author_prefix(false)
                    .set_width(200),
            )?;
        }
        sheet.write_string_with_format(2, col, c.example, &example_fmt)?;
        if !c.choices.is_empty() {
            let list = DataValidation::new().allow_list_strings(c.choices)?;
            sheet.add_data_validation(2, col, TEMPLATE_ROWS, col, &list)?;
        }
    }
    sheet.set_freeze_panes(2, 0)?;
    workbook.save_to_buffer()
}

/// UTF-8 with BOM (Excel on Chinese Windows reads GBK without it), CRLF,
/// the header and the example row: nothing else, as other tools read it too.
fn roster_csv() -> Vec<u8> {
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    let header = line(ROSTER_COLUMNS.iter().map(header_text).collect());
    let example = line(
        ROSTER_COLUMNS
            .iter()
            .map(|c| c.example.to_string())
            .collect(),
    );
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(example.as_bytes());
    out
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

#[test]
fn templates_are_what_the_generator_makes() {
    let files = [
        (ROSTER_XLSX, roster_xlsx().expect("build the xlsx template")),
        (ROSTER_CSV, roster_csv()),
    ];
    let write = std::env::var_os("DUTYDESK_WRITE_TEMPLATES").is_some();
    for (name, bytes) in files {
        let path = data_dir().join(name);
        if write {
            std::fs::write(&path, &bytes).expect("write template");
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == bytes,
            "{name} differs from the generator; remake it with DUTYDESK_WRITE_TEMPLATES=1"
        );
    }
}

#[test]
fn csv_example_cells_need_no_quoting() {
    // The CSV is joined by hand: a comma, quote or line break would need
    // quoting that `roster_csv` does not do.
    for c in ROSTER_COLUMNS {
        for text in [c.header, c.example] {
            assert!(!text.contains([',', '"', '\r', '\n']), "{text}");
        }
    }
}

fn fresh_station() -> (Store, dutydesk::domain::role::Actor) {
    let clock = FixedClock::new(1_795_000_000_000);
    let mut store = Store::open_in_memory(Arc::new(clock)).expect("open store");
    let admin = store
        .setup(
            "青山县第一中学",
            "1号楼值班室",
            StationKind::Dorm,
            480,
            "陈老师",
            "9999",
        )
        .expect("set up station");
    (store, admin)
}

fn check_example(name: &str, p: &ParsedRoster) {
    assert!(p.errors.is_empty(), "{name}: {:?}", p.errors);
    assert!(p.rejected.is_empty(), "{name}");
    assert_eq!(p.rows.len(), 1, "{name}");
    // Every column is understood, and every field the importer knows has
    // its column, ＊ marks and all.
    let fields: Vec<&str> = p
        .columns
        .iter()
        .map(|(h, f)| f.unwrap_or_else(|| panic!("{name}: column {h} not understood")))
        .collect();
    assert_eq!(fields.len(), FIELDS.len(), "{name}: {fields:?}");
    assert_eq!(
        fields.iter().collect::<HashSet<_>>(),
        FIELDS.iter().collect::<HashSet<_>>(),
        "{name}"
    );
    let row = &p.rows[0];
    let d = &row.data;
    assert_eq!(d.name, "王浩然", "{name}");
    assert_eq!(d.class, "初二(3)班", "{name}");
    assert_eq!(d.head_teacher, "陈丽", "{name}");
    assert_eq!(d.student_no.as_deref(), Some("2024010101"), "{name}");
    assert_eq!(d.gender, Some(Gender::Male), "{name}");
    assert!(d.left_behind, "{name}");
    assert_eq!(d.care_notes, "花生过敏", "{name}");
    assert_eq!(row.zone, Some(Zone::Boys), "{name}");
    assert_eq!(
        row.bed,
        BedRef {
            building: "1号楼".into(),
            floor: 3,
            room: "305".into(),
            bed: "1".into(),
        },
        "{name}"
    );
    assert_eq!(
        d.guardians,
        vec![
            Guardian {
                name: "王建国".into(),
                relation: "父亲".into(),
                phone: Some("13800138001".into()),
                may_pick_up: true,
            },
            Guardian {
                name: "李秀英".into(),
                relation: "母亲".into(),
                phone: Some("13900139001".into()),
                may_pick_up: true,
            },
        ],
        "{name}"
    );
}

#[test]
fn each_template_imports_into_a_fresh_station() {
    for (name, encoding, header_line) in [(ROSTER_XLSX, "xlsx", 2), (ROSTER_CSV, "UTF-8 BOM", 1)] {
        let mut parsed =
            parse_file(&data_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.encoding, encoding, "{name}");
        assert_eq!(parsed.header_line, header_line, "{name}");
        default_building(&mut parsed);
        check_example(name, &parsed);

        let (mut store, admin) = fresh_station();
        let dry = store
            .import_roster(&admin, name, &parsed, false, true)
            .expect("dry run");
        assert_eq!(dry.events, 0, "{name}");
        let new: Vec<&str> = dry.diff.new.iter().map(|r| r.data.name.as_str()).collect();
        assert_eq!(new, ["王浩然"], "{name}");
        assert!(store.students(None).unwrap().is_empty(), "{name}");

        let done = store
            .import_roster(&admin, name, &parsed, false, false)
            .expect("import");
        assert!(done.events > 0, "{name}");
        let students = store.students(None).unwrap();
        assert_eq!(students.len(), 1, "{name}");
        assert_eq!(students[0].data, parsed.rows[0].data, "{name}");
        assert_eq!(
            students[0].bed.as_ref(),
            Some(&parsed.rows[0].bed),
            "{name}"
        );
    }
}

#[test]
fn required_marks_match_what_the_import_requires() {
    // Drop one column at a time: the import refuses the file exactly when
    // the column was marked ＊.
    for (drop, c) in ROSTER_COLUMNS.iter().enumerate() {
        let keep = |cells: Vec<String>| -> Vec<String> {
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, s)| s)
                .collect()
        };
        let grid = vec![
            keep(ROSTER_COLUMNS.iter().map(header_text).collect()),
            keep(
                ROSTER_COLUMNS
                    .iter()
                    .map(|c| c.example.to_string())
                    .collect(),
            ),
        ];
        let result = dutydesk::import::roster::parse_grid(grid);
        match result {
            Ok(p) => {
                assert!(!c.required, "{} is marked required", c.header);
                assert!(p.errors.is_empty(), "{}: {:?}", c.header, p.errors);
            }
            Err(e) => assert!(c.required, "{} is not marked required: {e}", c.header),
        }
    }
}
