//! Roll-call and roster rules through the store: what may close, what is
//! kept, what the gate and leave do to tonight's roll, and roster imports.

use dutydesk::domain::error::DomainError;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::{Actor, Permission, Role};
use dutydesk::domain::rollcall::{Mark, RoundKind};
use dutydesk::domain::roster::{BedRef, Gender, Guardian, StudentData, Zone};
use dutydesk::domain::time::FixedClock;
use dutydesk::i18n::facts::note_text;
use dutydesk::import::roster::parse_file;
use dutydesk::store::{Store, StoreError, project};
use std::sync::Arc;

const NOW: i64 = 1_795_000_000_000; // 2026-11-18, evening in +08:00 after adding hours below

struct World {
    store: Store,
    clock: FixedClock,
    admin: Actor,
    teacher: Actor,
    leader: Actor,
    guard: Actor,
    students: Vec<String>,
}

fn student(name: &str) -> StudentData {
    StudentData {
        student_no: None,
        name: name.into(),
        gender: Some(Gender::Male),
        class: "初二(3)班".into(),
        head_teacher: "周老师".into(),
        guardians: vec![
            Guardian {
                name: format!("{name}妈妈"),
                relation: "母亲".into(),
                phone: Some("13800138000".into()),
                may_pick_up: true,
            },
            Guardian {
                name: format!("{name}叔叔"),
                relation: "叔叔".into(),
                phone: Some("13900139000".into()),
                may_pick_up: false,
            },
        ],
        left_behind: true,
        care_notes: String::new(),
    }
}

fn world() -> World {
    let clock = FixedClock::new(NOW + 13 * 3_600_000);
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(
            "测试中学",
            "1号楼值班室",
            StationKind::Dorm,
            480,
            "管理员",
            "9999",
        )
        .unwrap();
    let teacher = store
        .add_operator(&admin, "李老师", Role::DormTeacher, "2222")
        .unwrap();
    let leader = store
        .add_operator(&admin, "刘主任", Role::DutyLeader, "3333")
        .unwrap();
    let guard = store
        .add_operator(&admin, "张师傅", Role::Guard, "1111")
        .unwrap();
    let mut students = vec![];
    for (i, n) in ["王一", "王二", "王三", "王四"].iter().enumerate() {
        let bed = BedRef {
            building: "1号楼".into(),
            floor: 1,
            room: "101".into(),
            bed: (i + 1).to_string(),
        };
        students.push(
            store
                .enroll_student(&admin, student(n), Some(bed), Some(Zone::Boys))
                .unwrap(),
        );
    }
    World {
        store,
        clock,
        admin,
        teacher,
        leader,
        guard,
        students,
    }
}

fn events(s: &Store, kind: &str) -> i64 {
    s.conn()
        .query_row("SELECT COUNT(*) FROM events WHERE kind = ?1", [kind], |r| {
            r.get(0)
        })
        .unwrap()
}

fn mark_of(s: &Store, round: &str, student: &str) -> Option<Mark> {
    s.round_sheet(round)
        .unwrap()
        .into_iter()
        .find(|r| r.student.id == student)
        .and_then(|r| r.mark)
}

#[test]
fn a_round_cannot_close_with_an_unaccounted_boarder() {
    let mut w = world();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let three = w.students[..3].to_vec();
    w.store
        .mark_many(&w.teacher, &r, &three, Mark::Present, None, "")
        .unwrap();
    let err = w.store.close_round(&w.teacher, &r, None).unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Unaccounted(1))),
        "{err:?}"
    );
    // An absence without a follow-up is still unaccounted.
    w.store
        .mark(&w.teacher, &r, &w.students[3], Mark::Absent, None, "")
        .unwrap();
    assert!(w.store.close_round(&w.teacher, &r, None).is_err());
    assert_eq!(events(&w.store, "round.closed"), 0);
    // Found by a follow-up: now the round may close.
    w.clock.advance_min(10);
    w.store
        .record_followup(
            &w.teacher,
            &r,
            &w.students[3],
            "guardian",
            "王四妈妈",
            "在同学寝室",
            Some(NOW),
        )
        .unwrap();
    w.store.close_round(&w.teacher, &r, None).unwrap();
    assert!(w.store.round(&r).unwrap().unwrap().closed_ms.is_some());
    // Closed rounds take no more marks.
    let err = w
        .store
        .mark(&w.teacher, &r, &w.students[0], Mark::Sick, None, "")
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::RoundClosed)));
}

#[test]
fn a_forced_close_records_who_and_why_and_a_guard_cannot_force() {
    let mut w = world();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let err = w.store.close_round(&w.guard, &r, Some("x")).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::Forbidden(Permission::RunRollCall))
    ));
    let err = w
        .store
        .close_round(&w.teacher, &r, Some("人都在"))
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::Forbidden(Permission::ForceCloseRound))
    ));
    let err = w.store.close_round(&w.leader, &r, Some("  ")).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::ReasonRequired)
    ));
    w.store
        .close_round(&w.leader, &r, Some("停电，次日补点"))
        .unwrap();
    let round = w.store.round(&r).unwrap().unwrap();
    assert_eq!(round.forced_reason.as_deref(), Some("停电，次日补点"));
    let (actor, body): (String, String) = w
        .store
        .conn()
        .query_row(
            "SELECT actor, body FROM events WHERE kind = 'round.closed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(actor, w.leader.id);
    assert!(body.contains("停电"));
    for s in &w.students {
        assert!(body.contains(s.as_str()), "the unaccounted are listed");
    }
}

#[test]
fn leave_and_gate_departures_mark_a_boarder_out_tonight() {
    let mut w = world();
    let (a, b) = (w.students[0].clone(), w.students[1].clone());
    w.store
        .grant_leave(
            &w.teacher,
            &a,
            NOW,
            NOW + 2 * 86_400_000,
            "回家看病",
            "周老师",
            "县城家中",
        )
        .unwrap();
    // With the mother (on the list): no approval needed.
    w.store
        .gate_depart(&w.guard, &b, "王二妈妈", "母亲", "", None, "", None)
        .unwrap();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let sheet = w.store.round_sheet(&r).unwrap();
    let row = |id: &str| sheet.iter().find(|x| x.student.id == id).unwrap().clone();
    // The note as the roll shows it: the system's fact, translated.
    let note = |id: &str| {
        let r = row(id);
        note_text(&r.note, r.fact.as_ref(), 480)
    };
    assert_eq!(row(&a).mark, Some(Mark::Leave));
    assert!(
        note(&a).contains("县城家中") || note(&a).contains("周老师"),
        "{}",
        note(&a)
    );
    assert_eq!(row(&b).mark, Some(Mark::Leave));
    assert!(note(&b).contains("王二妈妈"));
    assert_eq!(row(&w.students[2]).mark, None);
    // Back through the gate: the next round no longer pre-fills.
    let dep: String = w
        .store
        .conn()
        .query_row("SELECT id FROM departures", [], |r| r.get(0))
        .unwrap();
    w.store.record_return(&w.guard, &dep, true).unwrap();
    assert!(
        w.store.record_return(&w.guard, &dep, true).is_err(),
        "a return is recorded once"
    );
    let all: Vec<String> = w.students.clone();
    w.store
        .mark_many(&w.teacher, &r, &all, Mark::Present, None, "")
        .unwrap();
    w.store.close_round(&w.teacher, &r, None).unwrap();
    let r2 = w
        .store
        .start_round(&w.teacher, RoundKind::BedCheck, "1号楼")
        .unwrap();
    assert_eq!(mark_of(&w.store, &r2, &b), None);
    assert_eq!(mark_of(&w.store, &r2, &a), Some(Mark::Leave));
}

#[test]
fn someone_off_the_pickup_list_needs_a_duty_leaders_pin() {
    let mut w = world();
    let s = w.students[0].clone();
    let err = w
        .store
        .gate_depart(&w.guard, &s, "王一叔叔", "叔叔", "", None, "", None)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::NotAuthorisedPickup)),
        "{err:?}"
    );
    let err = w
        .store
        .gate_depart(
            &w.guard,
            &s,
            "王一叔叔",
            "叔叔",
            "",
            None,
            "",
            Some((&w.teacher.id, "2222")),
        )
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::Forbidden(Permission::ApproveGateException))
    ));
    let err = w
        .store
        .gate_depart(
            &w.guard,
            &s,
            "王一叔叔",
            "叔叔",
            "",
            None,
            "",
            Some((&w.leader.id, "0000")),
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::WrongPin)));
    assert_eq!(events(&w.store, "gate.departed"), 0);
    w.store
        .gate_depart(
            &w.guard,
            &s,
            "王一叔叔",
            "叔叔",
            "",
            None,
            "",
            Some((&w.leader.id, "3333")),
        )
        .unwrap();
    let (authorised, by): (bool, String) = w
        .store
        .conn()
        .query_row("SELECT authorised, approved_by FROM departures", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(!authorised);
    assert_eq!(by, w.leader.id);
}

#[test]
fn a_later_mark_supersedes_but_keeps_the_earlier() {
    let mut w = world();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let s = w.students[2].clone();
    w.store
        .mark(&w.teacher, &r, &s, Mark::Absent, None, "")
        .unwrap();
    w.clock.advance_min(3);
    w.store
        .mark(&w.teacher, &r, &s, Mark::Present, None, "厕所回来")
        .unwrap();
    let row = w
        .store
        .round_sheet(&r)
        .unwrap()
        .into_iter()
        .find(|x| x.student.id == s)
        .unwrap();
    assert_eq!(row.mark, Some(Mark::Present));
    assert_eq!(row.changes, 1);
    let hist: Vec<Mark> = w
        .store
        .mark_history(&r)
        .unwrap()
        .into_iter()
        .map(|c| c.mark)
        .collect();
    assert_eq!(hist, vec![Mark::Absent, Mark::Present]);
    assert_eq!(events(&w.store, "round.marked"), 2);
    // The projections are exactly what the log says.
    let before = project::dump(w.store.conn()).unwrap();
    w.store.batch(|st| project::rebuild(st.conn())).unwrap();
    assert_eq!(before, project::dump(w.store.conn()).unwrap());
}

#[test]
fn one_open_round_per_building_and_guards_do_not_call_the_roll() {
    let mut w = world();
    let err = w
        .store
        .start_round(&w.guard, RoundKind::LightsOut, "1号楼")
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Domain(DomainError::Forbidden(Permission::RunRollCall))
    ));
    w.store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let err = w
        .store
        .start_round(&w.teacher, RoundKind::BedCheck, "1号楼")
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::RoundOpen)));
}

#[test]
fn sick_log_validates_and_follows_up() {
    let mut w = world();
    let s = w.students[0].clone();
    let err = w
        .store
        .record_sick(&w.teacher, &s, "", "385", "", "", false, false)
        .unwrap_err();
    let StoreError::Domain(DomainError::Invalid(e)) = err else {
        panic!()
    };
    assert_eq!(e.len(), 2, "symptoms and temperature");
    let id = w
        .store
        .record_sick(
            &w.teacher,
            &s,
            "发烧",
            "38.6℃",
            "布洛芬",
            "温水",
            false,
            true,
        )
        .unwrap();
    w.store
        .sick_followup(&w.teacher, &id, "已退烧", "37.2", true)
        .unwrap();
    let log = w.store.sick_log(0).unwrap();
    assert_eq!(log[0].temperature.as_deref(), Some("38.6"));
    assert!(log[0].closed_ms.is_some());
    assert_eq!(log[0].notes.len(), 1);
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roster")
        .join(name)
}

#[test]
fn roster_import_dry_run_apply_repeat_and_refusal() {
    let mut w = world();
    let count = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    let v1 = parse_file(&fixture("utf8.csv")).unwrap();
    let n0 = count(&w.store);
    let dry = w
        .store
        .import_roster(&w.admin, "utf8.csv", &v1, false, true)
        .unwrap();
    assert_eq!(dry.events, 0);
    assert_eq!(dry.diff.new.len(), 12);
    assert_eq!(count(&w.store), n0, "a dry run changes nothing");
    // Guards and teachers do not edit the roster.
    assert!(
        w.store
            .import_roster(&w.teacher, "utf8.csv", &v1, false, false)
            .is_err()
    );
    let applied = w
        .store
        .import_roster(&w.admin, "utf8.csv", &v1, false, false)
        .unwrap();
    assert!(applied.events > 12);
    let n1 = count(&w.store);
    let again = w
        .store
        .import_roster(&w.admin, "utf8.csv", &v1, false, false)
        .unwrap();
    assert!(again.diff.is_empty());
    assert_eq!(count(&w.store), n1, "the same file twice changes nothing");
    // The changed roster: exactly one new, one moved, one left, one guardian.
    let v2 = parse_file(&fixture("roster_v2.csv")).unwrap();
    let out = w
        .store
        .import_roster(&w.admin, "roster_v2.csv", &v2, false, false)
        .unwrap();
    assert_eq!(
        (
            out.diff.new.len(),
            out.diff.moved.len(),
            out.diff.left.len(),
            out.diff.guardians_changed.len()
        ),
        (1, 1, 1, 1)
    );
    // The four boarders enrolled by hand left with the first import.
    assert_eq!(events(&w.store, "student.left"), 4 + 1);
    // A file with bad rows is refused whole.
    let bad = parse_file(&fixture("bad_rows.csv")).unwrap();
    assert!(!bad.errors.is_empty());
    let n2 = count(&w.store);
    let out = w
        .store
        .import_roster(&w.admin, "bad_rows.csv", &bad, false, false)
        .unwrap();
    assert_eq!(out.events, 0);
    assert_eq!(count(&w.store), n2, "nothing applied");
}

#[test]
fn a_version_5_file_migrates_marks_without_losing_any() {
    // A night's roll in a current store, its log written into a file at
    // schema 5 (marks with a rowid table), then opened: schema 6 rebuilds.
    let mut w = world();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let (s0, s1) = (w.students[0].clone(), w.students[1].clone());
    w.store
        .mark(&w.teacher, &r, &s0, Mark::Present, None, "")
        .unwrap();
    w.store
        .mark(&w.teacher, &r, &s1, Mark::Absent, None, "")
        .unwrap();
    let expected = project::dump(w.store.conn()).unwrap();
    let station = w.store.station().unwrap().id.clone();
    let mut recs = vec![];
    dutydesk::store::log::for_each(w.store.conn(), |e| {
        recs.push(e);
        Ok(())
    })
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        dutydesk::store::migrate::migrate_to(&mut conn, 5).unwrap();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('station_id', ?1)",
            [&station],
        )
        .unwrap();
        // Today's operator projection writes the PIN-throttling columns of
        // schema 17: lend them while projecting, then take them away.
        const LENT: [&str; 3] = ["pin_failures", "pin_lockouts", "locked_until_ms"];
        for c in LENT {
            conn.execute_batch(&format!("ALTER TABLE operators ADD COLUMN {c} INTEGER"))
                .unwrap();
        }
        // And the open absences of schema 8 (written beside a mark since
        // schema 20), and a round's row of marks of schema 21, copied into
        // the rowid table of marks below.
        conn.execute_batch(
            "CREATE TABLE absences_open (round_id TEXT NOT NULL, student_id TEXT NOT NULL,
                 PRIMARY KEY (round_id, student_id)) WITHOUT ROWID;
             CREATE TABLE round_marks (round_id TEXT PRIMARY KEY, marks TEXT NOT NULL);",
        )
        .unwrap();
        // As a schema-5 station held them: the log and its projections.
        for rec in &recs {
            dutydesk::store::log::insert(&conn, rec).unwrap();
            if let Some(id) = rec.entity.strip_prefix("operator:") {
                // Its operators table only: sign-ons came with schema 14.
                let evs = project::entity_events(&conn, &rec.entity).unwrap();
                dutydesk::store::project_people::operator(&conn, id, &evs).unwrap();
            } else if let Some(id) = rec.entity.strip_prefix("round:") {
                // Its rounds and marks only: sealed handovers came with schema 15.
                let evs = project::entity_events(&conn, &rec.entity).unwrap();
                dutydesk::store::project_night::round(&conn, id, &evs, false).unwrap();
            } else if let Some(Ok(ev)) = dutydesk::domain::event::Event::parse(&rec.kind, &rec.body)
            {
                project::apply(&conn, rec, &ev).unwrap();
            }
        }
        for c in LENT {
            conn.execute_batch(&format!("ALTER TABLE operators DROP COLUMN {c}"))
                .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO marks (round_id, student_id, mark, late_at, note, at_ms, by, changes)
               SELECT r.round_id, j.key, j.value ->> 0, j.value ->> 1, j.value ->> 2,
                      j.value ->> 3, j.value ->> 4, j.value ->> 5
               FROM round_marks r, json_each(r.marks) j;
             DROP TABLE round_marks; DROP TABLE absences_open;",
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM marks", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }
    let store = Store::open(&path, Arc::new(w.clock.clone())).unwrap();
    let sql: String = store
        .conn()
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'marks'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.starts_with("CREATE VIEW"), "{sql}");
    assert_eq!(project::dump(store.conn()).unwrap(), expected);
    assert_eq!(mark_of(&store, &r, &s1), Some(Mark::Absent));
    assert_eq!(mark_of(&store, &r, &s0), Some(Mark::Present));
}

/// Appends `body` of `kind` to the station's own chain at schema 1, as the
/// version before facts wrote it, and projects it the way it did.
fn append_schema_1(store: &mut Store, kind: &str, entity: &str, body: serde_json::Value) {
    use dutydesk::domain::event::Event;
    use dutydesk::store::log::{self, EventRecord};
    let origin = store.station().unwrap().id.clone();
    let id = store.new_id();
    let now = store.now_ms();
    store
        .batch(|s| {
            let (seq, prev) = log::head(s.conn(), &origin)?;
            let mut rec = EventRecord {
                origin: origin.clone(),
                seq: seq + 1,
                id,
                hlc: log::max_hlc(s.conn())?.tick(now),
                kind: kind.into(),
                entity: entity.into(),
                schema: 1,
                actor: "system".into(),
                body: body.to_string(),
                prev_hash: prev,
                hash: [0; 32],
            };
            rec.hash = rec.compute_hash();
            log::insert(s.conn(), &rec)?;
            let ev = Event::parse(kind, &rec.body).unwrap().unwrap();
            project::apply(s.conn(), &rec, &ev)
        })
        .unwrap();
}

#[test]
fn old_notes_keep_their_text_and_rebuild_equals_incremental() {
    use dutydesk::domain::fact::Fact;
    use dutydesk::i18n::{Lang, facts::note_text_in};
    let mut w = world();
    let (a, b, c) = (
        w.students[0].clone(),
        w.students[1].clone(),
        w.students[2].clone(),
    );
    w.store
        .grant_leave(
            &w.teacher,
            &a,
            NOW,
            NOW + 86_400_000,
            "回家",
            "周老师",
            "县城家中",
        )
        .unwrap();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    // What the version before facts wrote: the note and the reason already
    // translated into its operator's language.
    let old_note = "请假：外婆家，批准人 周老师，11-20 18:00 前返校";
    append_schema_1(
        &mut w.store,
        "round.marked",
        &format!("round:{r}"),
        serde_json::json!({"round_id": r, "student_ids": [b], "mark": "leave",
            "late_at_ms": null, "note": old_note}),
    );
    let old_reason = "导入的花名册 旧名单.xlsx 中已无此人";
    append_schema_1(
        &mut w.store,
        "student.left",
        &format!("student:{c}"),
        serde_json::json!({"student_id": c, "reason": old_reason}),
    );

    let sheet = w.store.round_sheet(&r).unwrap();
    let row = |id: &str| sheet.iter().find(|x| x.student.id == id).unwrap().clone();
    // Old text shows as written, whatever the language.
    let old = row(&b);
    assert_eq!(old.fact, None);
    for lang in [Lang::ZhCn, Lang::En] {
        assert_eq!(note_text_in(lang, &old.note, None, 480), old_note);
    }
    // New marks hold the fact and show it in the station's language.
    let new = row(&a);
    assert!(matches!(new.fact, Some(Fact::OnLeave { .. })), "{new:?}");
    assert!(new.note.is_empty());
    assert!(
        note_text_in(Lang::En, &new.note, new.fact.as_ref(), 480).starts_with("on leave: 县城家中")
    );
    assert!(
        note_text_in(Lang::ZhCn, &new.note, new.fact.as_ref(), 480).starts_with("请假：县城家中")
    );
    let history = w.store.mark_history(&r).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.note == old_note && h.fact.is_none())
    );
    assert!(history.iter().any(|h| h.fact == new.fact));
    assert!(w.store.students(None).unwrap().iter().all(|s| s.id != c));

    // Both shapes in one log: the chain verifies, and a rebuild from it
    // equals what was projected event by event.
    let n: i64 = w
        .store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        dutydesk::store::log::verify(w.store.conn()).unwrap(),
        Ok(n as u64)
    );
    let incremental = project::dump(w.store.conn()).unwrap();
    w.store.batch(|s| project::rebuild(s.conn())).unwrap();
    assert_eq!(project::dump(w.store.conn()).unwrap(), incremental);
}

/// The same acts under either UI language write the same event bodies: the
/// store writes facts, never text of the catalogs.
#[test]
fn system_notes_are_written_as_facts_whatever_the_language() {
    use dutydesk::i18n::{Lang, set_lang};
    use dutydesk::store::IdGen;
    let run = |lang: Lang| -> Vec<(String, i64, String)> {
        set_lang(lang);
        let clock = FixedClock::new(NOW + 13 * 3_600_000);
        let mut store = Store::open_in_memory(Arc::new(clock)).unwrap();
        store.set_ids(IdGen::seeded(8));
        let admin = store
            .setup(
                "测试中学",
                "1号楼值班室",
                StationKind::Dorm,
                480,
                "管理员",
                "9999",
            )
            .unwrap();
        let bed = |n: &str| BedRef {
            building: "1号楼".into(),
            floor: 1,
            room: "101".into(),
            bed: n.into(),
        };
        let a = store
            .enroll_student(&admin, student("王一"), Some(bed("1")), Some(Zone::Boys))
            .unwrap();
        let b = store
            .enroll_student(&admin, student("王二"), Some(bed("2")), Some(Zone::Boys))
            .unwrap();
        store
            .grant_leave(
                &admin,
                &a,
                NOW,
                NOW + 86_400_000,
                "回家",
                "周老师",
                "县城家中",
            )
            .unwrap();
        store
            .gate_depart(&admin, &b, "王二妈妈", "母亲", "", None, "", None)
            .unwrap();
        store
            .start_round(&admin, RoundKind::LightsOut, "1号楼")
            .unwrap();
        // The file does not list the two: they leave by the import.
        let roster = parse_file(&fixture("utf8.csv")).unwrap();
        store
            .import_roster(&admin, "utf8.csv", &roster, false, false)
            .unwrap();
        let mut stmt = store
            .conn()
            .prepare("SELECT kind, schema, body FROM events WHERE kind IN ('round.marked', 'student.left') ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let zh = run(Lang::ZhCn);
    let en = run(Lang::En);
    set_lang(Lang::ZhCn);
    assert_eq!(zh, en);
    assert_eq!(zh.len(), 4, "{zh:?}");
    for (kind, schema, body) in &zh {
        assert_eq!(*schema, 2, "{kind}");
        assert!(body.contains(r#""fact":{"code":"#), "{body}");
    }
}

/// Marks written in place (only the marked boarders' rows) leave exactly
/// what a rebuild of the round from its events gives: first marks, re-marks,
/// a floor at once, a late return with its time, a leave mark with its fact.
#[test]
fn marks_written_in_place_equal_a_rebuild() {
    let mut w = world();
    let s = w.students.clone();
    w.store
        .grant_leave(
            &w.teacher,
            &s[3],
            NOW,
            NOW + 86_400_000,
            "回家",
            "周老师",
            "家中",
        )
        .unwrap();
    let r = w
        .store
        .start_round(&w.teacher, RoundKind::LightsOut, "1号楼")
        .unwrap();
    let t = w.teacher.clone();
    w.store
        .mark(&t, &r, &s[0], Mark::Present, None, "")
        .unwrap();
    w.clock.advance_min(1);
    w.store
        .mark(&t, &r, &s[1], Mark::Absent, None, "床上没人")
        .unwrap();
    w.store
        .mark_many(&t, &r, &s[..3], Mark::Present, None, "")
        .unwrap();
    w.clock.advance_min(20);
    w.store
        .mark(&t, &r, &s[2], Mark::Late, Some(NOW + 13 * 3_600_000), "")
        .unwrap();
    w.store
        .mark(&t, &r, &s[3], Mark::Sick, None, "发烧")
        .unwrap();
    assert_eq!(mark_of(&w.store, &r, &s[1]), Some(Mark::Present));
    assert_eq!(mark_of(&w.store, &r, &s[2]), Some(Mark::Late));
    let changes: i64 = w
        .store
        .conn()
        .query_row(
            "SELECT changes FROM marks WHERE round_id = ?1 AND student_id = ?2",
            [&r, &s[1]],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(changes, 1);

    let incremental = project::dump(w.store.conn()).unwrap();
    w.store.batch(|st| project::rebuild(st.conn())).unwrap();
    assert_eq!(project::dump(w.store.conn()).unwrap(), incremental);
}
