//! The retention purge (issue 10): visitors' personal data erased after the
//! retention period while every hash chain still verifies; the erasure
//! travels to every station and a station that has not purged yet cannot
//! bring the fields back; the visits, and so the ledgers' counts, stay;
//! rebuild equals incremental; a backup made after it holds none of it.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Role;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::validate::IdType;
use dutydesk::domain::visit::VisitForm;
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::store::{Store, project};
use std::sync::Arc;

mod stations;
use stations::{PIN, Station, gate_and_dorm as pair, run};

const ID_NO: &str = "11010519491231002X";
const PHONE: &str = "13912345678";
const PLATE: &str = "京A12345";
const NAME: &str = "欧阳娜娜";
const NOTE: &str = "带来一箱苹果";
/// The phone a correction at the dorm station writes, before it hears of the purge.
const PHONE2: &str = "13988887777";
const DAY_MIN: i64 = 24 * 60;

/// A parent with every personal field filled in (the ones the tests look
/// for, or others), signed out after an hour.
fn visit(st: &mut Station, name: &str) -> String {
    let watched = [NAME, "张三丰"].contains(&name);
    let pick = |a: &str, b: &str| {
        if watched {
            a.to_string()
        } else {
            b.to_string()
        }
    };
    st.clock.advance_min(1);
    let form = VisitForm {
        name: name.into(),
        id_type: IdType::ResidentId,
        id_no: pick(ID_NO, "110101199003070011"),
        phone: pick(PHONE, "13600001234"),
        plate: pick(PLATE, "粤B54321"),
        notes: pick(NOTE, "送雨伞"),
        host: "初二(3)班 王一".into(),
        relation: "母亲".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    let id = match st.store.register_visit(&st.admin, &form, None).unwrap() {
        RegisterOutcome::Registered(id) => id,
        other => panic!("not registered: {other:?}"),
    };
    st.clock.advance_min(60);
    st.store.sign_out(&st.admin, &id).unwrap();
    id
}

/// Everything the database holds as text, events and projections alike.
fn all_text(st: &Station) -> String {
    let conn = st.store.conn();
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(s) = r.get::<_, String>(i) {
                    out.push_str(&s);
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn holds_personal(text: &str) -> Vec<&'static str> {
    [ID_NO, PHONE, PLATE, NAME, NOTE, PHONE2]
        .into_iter()
        .filter(|f| text.contains(f))
        .collect()
}

fn visits_per_day(st: &Station) -> Vec<(String, i64)> {
    let mut stmt = st
        .store
        .conn()
        .prepare(
            "SELECT date(time_in / 1000 + 8 * 3600, 'unixepoch'), COUNT(*) FROM visits
             GROUP BY 1 ORDER BY 1",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn rebuild_equals_incremental(st: &mut Station) {
    let before = project::dump(st.store.conn()).unwrap();
    st.store.batch(|s| project::rebuild(s.conn())).unwrap();
    assert_eq!(before, project::dump(st.store.conn()).unwrap());
}

#[test]
fn a_purge_erases_everywhere_keeps_chains_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut gate, mut dorm) = pair(dir.path());
    let old = [visit(&mut gate, NAME), visit(&mut gate, "张三丰")];
    // The dorm station holds the visits, unerased, before anyone purges.
    let bundle = dir.path().join("g1.ddbundle");
    gate.export(&bundle);
    dorm.import(&bundle);
    assert!(!holds_personal(&all_text(&dorm)).is_empty());
    // …and corrects one of them: an event the gate has not seen.
    dorm.clock.advance_min(10);
    let fix = VisitForm {
        name: NAME.into(),
        id_type: IdType::ResidentId,
        id_no: ID_NO.into(),
        phone: PHONE2.into(),
        plate: PLATE.into(),
        notes: NOTE.into(),
        host: "初二(3)班 王一".into(),
        relation: "母亲".into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    dorm.store
        .correct_visit(&dorm.admin, &old[0], &fix, "电话记错了")
        .unwrap();

    // Half a year on: one recent visit and one still on site stay whole.
    gate.clock.advance_min(181 * DAY_MIN);
    let recent = visit(&mut gate, "李四");
    gate.clock.advance_min(1);
    let form = VisitForm {
        name: "赵六".into(),
        phone: "13700001111".into(),
        host: "初一(1)班 赵小六".into(),
        purpose: "开家长会".into(),
        ..VisitForm::default()
    };
    let RegisterOutcome::Registered(on_site) =
        gate.store.register_visit(&gate.admin, &form, None).unwrap()
    else {
        panic!("not registered")
    };
    let counts = visits_per_day(&gate);
    let now = dutydesk::domain::time::Clock::now_ms(&gate.clock);
    assert_eq!(gate.store.purge_due(now).unwrap(), old.to_vec());

    // A guard may not purge; an admin may.
    let guard = gate
        .store
        .add_operator(&gate.admin, "门卫小刘", Role::Guard, "1357")
        .unwrap();
    assert!(
        gate.store
            .purge_personal(&guard, now, &mut |_, _| true)
            .is_err()
    );
    let out = gate
        .store
        .purge_personal(&gate.admin, now, &mut |_, _| true)
        .unwrap();
    assert_eq!((out.visits, out.events_erased, out.legacy), (2, 2, 0));
    assert!(out.complete);
    gate.verify();
    assert_eq!(holds_personal(&all_text(&gate)), Vec::<&str>::new());
    assert_eq!(visits_per_day(&gate), counts, "the counts stay");
    for id in [&recent, &on_site] {
        let v = gate.store.visit(id).unwrap().unwrap();
        assert!(!v.details.is_erased(), "{id} kept");
    }
    let erased = gate.store.visit(&old[0]).unwrap().unwrap();
    assert!(erased.details.is_erased());
    assert_eq!(erased.details.purpose, "送衣物");
    assert_eq!(gate.store.purge_due(now).unwrap(), Vec::<String>::new());
    assert_eq!(gate.store.unerased_purged_events().unwrap(), 0);
    rebuild_equals_incremental(&mut gate);

    // The dorm station has not purged: its full bundle brings the fields
    // back to the gate, with a correction the gate never had; the gate
    // keeps them erased.
    let back = dir.path().join("d1.ddbundle");
    dorm.export_as(&back, true);
    let r = gate.import(&back);
    assert!(r.new >= 1, "{r:?}");
    gate.verify();
    assert_eq!(gate.store.unerased_purged_events().unwrap(), 0);
    assert_eq!(holds_personal(&all_text(&gate)), Vec::<&str>::new());

    // The purge reaches the dorm station, which erases its copy.
    let forth = dir.path().join("g2.ddbundle");
    gate.export_as(&forth, true);
    dorm.import(&forth);
    dorm.verify();
    let text = all_text(&dorm);
    assert_eq!(holds_personal(&text), Vec::<&str>::new(), "dorm");
    assert!(text.contains("李四"), "a recent visit stays whole");
    assert_eq!(visits_per_day(&dorm), counts);
    rebuild_equals_incremental(&mut dorm);

    // Bundles from the gate never carry the fields again.
    assert!(
        gate.store
            .correct_visit(&gate.admin, &old[0], &VisitForm::default(), "改")
            .is_err()
    );
}

#[test]
fn a_backup_after_a_purge_holds_none_and_check_verifies_erased_records() {
    let dir = tempfile::tempdir().unwrap();
    let (mut gate, _dorm) = pair(dir.path());
    visit(&mut gate, NAME);
    gate.clock.advance_min(200 * DAY_MIN);
    let now = dutydesk::domain::time::Clock::now_ms(&gate.clock);
    gate.store
        .purge_personal(&gate.admin, now, &mut |_, _| true)
        .unwrap();
    let backup = dir.path().join("after.db");
    dutydesk::store::backup::backup_file(&gate.path, &backup).unwrap();
    let bytes = std::fs::read(&backup).unwrap();
    for field in [ID_NO, PHONE, PLATE, NAME, NOTE] {
        let needle = field.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{field} in the backup"
        );
    }
    let path = gate.path.clone();
    drop(gate);
    let (ok, out) = run(&["check"], &path, "");
    assert!(ok, "{out}");
    // Writing a field back into an erased record breaks its hash.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE events SET body = replace(body, '\"name\":\"\"', '\"name\":\"王五\"')
         WHERE kind = 'visit.registered'",
        [],
    )
    .unwrap();
    drop(conn);
    let (ok, out) = run(&["check"], &path, "");
    assert!(!ok, "{out}");
    assert!(out.contains("does not verify"), "{out}");
}

#[test]
fn the_cli_says_what_is_due_and_erases_only_with_yes() {
    let dir = tempfile::tempdir().unwrap();
    // A station whose visit ended 100 days before today (the CLI runs on
    // the real clock).
    let then = chrono::Utc::now().timestamp_millis() - 100 * DAY_MIN * 60_000;
    let clock = FixedClock::new(then);
    let path = dir.path().join("gate.db");
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "门卫管理员",
            PIN,
        )
        .unwrap();
    let mut gate = Station {
        store,
        clock,
        admin,
        path: path.clone(),
    };
    visit(&mut gate, NAME);
    drop(gate);
    // Not due under the default 180 days.
    let (ok, out) = run(&["purge"], &path, "");
    assert!(
        ok && out.contains("no visitor personal data is due"),
        "{out}"
    );
    let (ok, out) = run(&["purge", "--yes", "--as", "门卫管理员"], &path, PIN);
    assert!(
        ok && out.contains("no visitor personal data is due"),
        "{out}"
    );
    // The school keeps 30 days: due.
    let mut store = Store::open(&path, Arc::new(FixedClock::new(then + 60_000 * 90))).unwrap();
    let admin = store
        .find_operator_by_name("门卫管理员")
        .unwrap()
        .unwrap()
        .actor();
    store
        .set_setting(&admin, dutydesk::domain::settings::RETENTION_DAYS, 30)
        .unwrap();
    assert!(
        store
            .set_setting(&admin, dutydesk::domain::settings::RETENTION_DAYS, 7)
            .is_err(),
        "below the floor"
    );
    drop(store);
    let (ok, out) = run(&["purge"], &path, "");
    assert!(ok && out.contains("1 visits hold personal data"), "{out}");
    let (ok, out) = run(&["purge", "--yes", "--as", "没有这个人"], &path, PIN);
    assert!(!ok && out.contains("没有这个人"), "{out}");
    let (ok, out) = run(&["purge", "--yes"], &path, PIN);
    assert!(
        !ok && out.contains("--as"),
        "refused without the operator: {out}"
    );
    let (ok, out) = run(&["purge", "--yes", "--as", "门卫管理员"], &path, PIN);
    assert!(
        ok && out.contains("erased the personal data of 1 visits"),
        "{out}"
    );
    let (ok, out) = run(&["check"], &path, "");
    assert!(ok, "{out}");
    let (ok, out) = run(&["purge"], &path, "");
    assert!(
        ok && out.contains("no visitor personal data is due"),
        "{out}"
    );
}
