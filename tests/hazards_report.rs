//! 隐患排查台账 through the binary: `dutydesk report hazards` writes the
//! paper ledger's columns and each hazard's row, read back from the .xlsx
//! and the .csv; a bad range is one line and a non-zero exit.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx, open_workbook};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::hazard::{Category, HazardDraft, Severity};
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

/// 2026-11-19 08:06 at +08:00.
const T0: i64 = 1_795_000_000_000 + 13 * 3_600_000;
const H: i64 = 3_600_000;

fn school(path: &Path) {
    let clock = FixedClock::new(T0);
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
    let leader = s
        .add_operator(&admin, "刘主任", Role::DutyLeader, "3333")
        .unwrap();
    let d = HazardDraft {
        place: "锅炉房".into(),
        category: Some(Category::Gas),
        severity: Some(Severity::Serious),
        description: "燃气管道接口漏气".into(),
        containment: "关闭总阀，设警戒".into(),
        ..HazardDraft::default()
    };
    let id = s.report_hazard(&guard, &d, None, &[]).unwrap();
    clock.advance_min(10);
    s.assign_hazard(&leader, &id, "后勤王师傅", T0 + 24 * H, "")
        .unwrap();
    clock.advance_min(60);
    s.rectify_hazard(&guard, &id, "更换接口", "王师傅", None)
        .unwrap();
    clock.advance_min(10);
    s.verify_hazard(&leader, &id, false, "仍有异味").unwrap();
    clock.advance_min(60);
    s.rectify_hazard(&guard, &id, "更换整段管道", "王师傅", None)
        .unwrap();
    clock.advance_min(10);
    s.verify_hazard(&admin, &id, true, "").unwrap();
    s.close_hazard(&leader, &id, "").unwrap();
    let open = HazardDraft {
        place: "2号宿舍楼 206".into(),
        category: Some(Category::DormAppliance),
        severity: Some(Severity::Major),
        description: "学生使用热得快".into(),
        ..HazardDraft::default()
    };
    s.report_hazard(&guard, &open, None, &[]).unwrap();
}

fn report(lang: &str, db: &Path, from: &str, to: &str, out: &Path) -> Output {
    Command::cargo_bin("dutydesk")
        .unwrap()
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args([
            "--lang", lang, "report", "hazards", "--from", from, "--to", to,
        ])
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

#[test]
fn the_ledger_holds_every_hazard_in_the_paper_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    school(&db);
    let out = dir.path().join("隐患排查台账.xlsx");
    let o = report("zh-CN", &db, "2026-11-01", "2026-11-30", &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 条隐患"));
    let rows = read_xlsx(&out);
    let header = rows
        .iter()
        .position(|r| r.first().map(|c| c.as_str()) == Some("序号"))
        .expect("a header row");
    assert_eq!(
        rows[header][..16],
        [
            "序号",
            "排查日期",
            "隐患部位",
            "类别",
            "等级",
            "隐患描述",
            "排查人",
            "临时措施",
            "整改措施",
            "责任人",
            "整改期限",
            "完成时间",
            "复查人",
            "复查结果",
            "销号日期",
            "备注"
        ]
    );
    let first = &rows[header + 1];
    assert_eq!(first[0], "1");
    assert_eq!(first[1], "2026-11-19");
    assert_eq!(first[2], "锅炉房");
    assert_eq!(first[3], "燃气");
    assert_eq!(first[4], "重大");
    assert_eq!(first[6], "张建国");
    assert_eq!(first[7], "关闭总阀，设警戒");
    assert_eq!(first[8], "更换整段管道");
    assert_eq!(first[9], "后勤王师傅");
    assert_eq!(first[12], "陈老师");
    assert_eq!(first[13], "合格");
    assert_eq!(first[14], "2026-11-19");
    assert!(first[15].contains("复查不合格 1 次"), "{first:?}");
    let second = &rows[header + 2];
    assert_eq!(second[2], "2号宿舍楼 206");
    assert!(second[15].contains("已登记"), "{second:?}");
    assert!(
        rows.iter()
            .any(|r| r.iter().any(|c| c.contains("共 2 条隐患")))
    );

    // English headings, the same rows, as CSV.
    let csv = dir.path().join("hazards.csv");
    let o = report("en", &db, "2026-11-19", "2026-11-19", &csv);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("Found on"), "{text}");
    assert!(text.contains("Verification"));
    assert!(text.contains("锅炉房"));

    // A range the other way round: one line, non-zero, nothing written.
    let bad = dir.path().join("bad.xlsx");
    let o = report("en", &db, "2026-11-30", "2026-11-01", &bad);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    assert!(!bad.exists());
}
