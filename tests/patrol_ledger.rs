//! 巡查记录: the patrol ledger of the demo school lists each checkpoint of
//! each round — OK, finding (with the failed item and note) or missed —
//! with totals that count the lines above them; the command line writes
//! it for a date range.

mod common;

use assert_cmd::Command;
use chrono::NaiveDate;
use common::*;
use dutydesk::i18n::{Lang, set_lang, tr};
use dutydesk::report::patrol;
use dutydesk::report::sick::RangeRequest;

#[test]
fn the_demo_patrols_read_as_the_paper_record() {
    set_lang(Lang::ZhCn);
    let (store, _clock) = demo_store();
    let admin = store.find_operator_by_name(ADMIN).unwrap().unwrap().actor();
    let req = RangeRequest {
        from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        path: "unused.xlsx".into(),
    };
    let l = patrol::build(&store, &admin, &req).unwrap();
    let col = |h: &str| l.columns.iter().position(|c| c.header == tr(h)).unwrap();
    let result = col("report.patrol.col.result");
    let finding = col("report.patrol.col.finding");
    let reason = col("report.patrol.col.reason");
    let missed: Vec<_> = l
        .rows
        .iter()
        .filter(|r| r[result] == tr("report.patrol.missed"))
        .collect();
    assert!(!missed.is_empty(), "tonight's missed checkpoint is listed");
    assert!(
        missed.iter().any(|r| r[reason].contains("钥匙")),
        "with the reason"
    );
    assert!(
        l.rows
            .iter()
            .any(|r| r[result] == tr("report.patrol.finding") && r[finding].contains("热得快")),
        "tonight's finding with its note"
    );
    // Fourteen nights of the dorm route (three rounds of six) and the
    // perimeter (two of five), less tonight's last round; then tonight's
    // two made by hand.
    let lines = l.rows.len();
    assert!(lines > 14 * 18, "{lines} lines");
    let total = &l.footer[0];
    assert!(total.contains(&lines.to_string()), "{total}");
    // Nothing is written for a guard.
    let guard = store.find_operator_by_name(GUARD).unwrap().unwrap().actor();
    assert!(patrol::build(&store, &guard, &req).is_err());
}

#[test]
fn report_patrol_writes_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    write_demo_db(&db);
    let out = dir.path().join("巡查记录.csv");
    let ok = Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "zh-CN", "report", "patrol", "--db"])
        .arg(&db)
        .args(["--from", "2026-11-21", "--to", "2026-11-22", "--out"])
        .arg(&out)
        .args(["--as", "刘主任"])
        .write_stdin("3333\n")
        .assert()
        .success();
    let said = String::from_utf8_lossy(&ok.get_output().stdout).to_string();
    assert!(said.contains("巡查记录"), "{said}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("漏巡") && text.contains("热得快"), "{text}");
    // A bad date: one line naming it, nothing written.
    let bad = dir.path().join("bad.csv");
    let a = Command::cargo_bin("dutydesk")
        .unwrap()
        .args(["--lang", "en", "report", "patrol", "--db"])
        .arg(&db)
        .args(["--from", "2026-13-01", "--to", "2026-11-22", "--out"])
        .arg(&bad)
        .assert()
        .failure();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("2026-13-01"), "{err}");
    assert!(!bad.exists());
}
