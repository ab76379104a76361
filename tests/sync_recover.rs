//! A station restored from an old backup that wrote before importing
//! (issue 10, item 6): its own chain splits — the others hold one
//! continuation, it holds another. The split is recognised from what the
//! others state they hold, nothing is applied wrongly, and recovery moves
//! the station's writes since the restore to a new origin, after which
//! both continuations reach every station and the chains verify.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Actor;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use dutydesk::sync;
use dutydesk::sync::recover::{self, RecoverError, Split};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod stations;
use stations::{PIN, Station, T0, gate_and_dorm as school, run};

/// A exports and B imports, then the other way round.
fn exchange(a: &mut Station, b: &mut Station, dir: &Path, tag: &str) {
    let ab = dir.join(format!("{tag}-a.ddbundle"));
    let ba = dir.join(format!("{tag}-b.ddbundle"));
    a.export_as(&ab, false);
    b.import(&ab);
    b.export_as(&ba, false);
    a.import(&ba);
}

/// Replaces A's database with the backup, as an admin restoring a file
/// would: the store closed, the WAL beside it gone with the old file.
fn restore(a: Station, backup: &Path) -> Station {
    let Station {
        store,
        clock,
        admin,
        path,
    } = a;
    drop(store);
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::copy(backup, &path).unwrap();
    let store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    Station {
        store,
        clock,
        admin,
        path,
    }
}

#[test]
fn a_station_restored_from_an_old_backup_that_wrote_first_is_recovered_with_both_branches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut a, mut b) = school(d);
    a.register("张一");
    b.register("李一");
    exchange(&mut a, &mut b, d, "r1");
    exchange(&mut a, &mut b, d, "r2");

    // The backup, then writes at A that B takes in: the branch the
    // restore loses at A.
    let backup = d.join("a-backup.db");
    dutydesk::store::backup::backup_file(&a.path, &backup).unwrap();
    let old_origin = a.id();
    let at_backup = a.head(&old_origin);
    a.register("张二（旧分支）");
    a.register("张三（旧分支）");
    let lost_branch = a.ids();
    exchange(&mut a, &mut b, d, "r3");
    let old_head = a.head(&old_origin);
    assert_eq!(b.head(&old_origin), old_head);

    // Restored, A writes before importing anything: its own chain splits.
    let mut a = restore(a, &backup);
    assert_eq!(a.head(&old_origin), at_backup);
    a.register("王一（恢复后）");
    let written_after = a.ids();
    assert_eq!(recover::known_fork(&a.store).unwrap(), None);

    // B's incremental bundle carries none of A's events (B heard A holds
    // them): it imports, but its statement shows the fork.
    b.register("李二");
    let inc = d.join("r4-b.ddbundle");
    b.export_as(&inc, false);
    let fork = recover::fork_in_bundle(&a.store, &inc)
        .unwrap()
        .expect("the fork is recognised from the bundle's statement");
    assert_eq!(
        (fork.peer.as_str(), fork.theirs),
        (b.id().as_str(), old_head)
    );
    assert_eq!(fork.ours, at_backup + 1);
    let line = recover::fork_line(&a.store, &fork);
    assert!(line.contains("1号楼值班室"), "{line}");
    let r = a.import(&inc);
    assert_eq!(r.new, 1, "B's own new event is B's: it is taken in");
    assert_eq!(a.head(&old_origin), at_backup + 1, "A's chain untouched");
    assert!(recover::known_fork(&a.store).unwrap().is_some());

    // An incremental bundle cannot show where the chains part.
    assert_eq!(
        recover::split_in_bundle(&mut a.store, &inc).unwrap(),
        Split::Unknown
    );
    let need = recover::recover(
        &mut a.store,
        &a.admin.clone(),
        std::slice::from_ref(&inc),
        "从备份恢复",
    )
    .unwrap_err();
    assert!(
        matches!(need, RecoverError::NeedFull(ref p) if p == "1号楼值班室"),
        "{need:?}"
    );

    // B's full bundle holds A's old branch: importing it plainly is
    // refused whole (a replay), nothing applied.
    let full = d.join("r4-b-full.ddbundle");
    b.export_as(&full, true);
    let before = a.ids();
    let refused = sync::import_file(&mut a.store, &full, false).unwrap();
    assert_eq!(refused.refused, Some("sync.err.replayed"));
    assert_eq!(a.ids(), before);
    assert_eq!(
        recover::split_in_bundle(&mut a.store, &full).unwrap(),
        Split::At(at_backup)
    );

    // A guard may not recover.
    let guard = Actor {
        role: dutydesk::domain::role::Role::Guard,
        ..a.admin.clone()
    };
    assert!(
        recover::recover(
            &mut a.store,
            &guard,
            std::slice::from_ref(&full),
            "从备份恢复"
        )
        .is_err()
    );
    assert_eq!(a.ids(), before);

    let admin = a.admin.clone();
    let done = recover::recover(
        &mut a.store,
        &admin,
        std::slice::from_ref(&full),
        "从备份恢复",
    )
    .unwrap();
    assert_eq!(done.split, at_backup);
    assert_eq!(
        done.moved.events, 1,
        "only the write made after the restore"
    );
    assert_eq!(done.moved.old_origin, old_origin);
    let new_origin = a.id();
    assert_ne!(new_origin, old_origin);
    assert_eq!(done.imports.len(), 1);
    assert_eq!(done.imports[0].refused, None, "{:?}", done.imports[0]);
    assert_eq!(a.head(&old_origin), old_head, "the old branch came back");
    a.verify();
    assert!(lost_branch.is_subset(&a.ids()));
    assert!(written_after.is_subset(&a.ids()));
    assert_eq!(recover::known_fork(&a.store).unwrap(), None);
    // The recovery is on record, by the admin who ran it.
    let by: String = a
        .store
        .conn()
        .query_row(
            "SELECT actor FROM events WHERE kind = 'station.retired' AND origin = ?1",
            [&new_origin],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, admin.id);

    // Sync both ways: B accepts A's new bundles, both hold both branches.
    exchange(&mut a, &mut b, d, "r5");
    exchange(&mut a, &mut b, d, "r6");
    a.verify();
    b.verify();
    assert_eq!(a.ids(), b.ids());
    assert_eq!(a.visitors(), b.visitors());
    // A rebuilt its projections; B took the moved events in one by one.
    let dump = |s: &Station| dutydesk::store::project::dump(s.store.conn()).unwrap();
    assert_eq!(dump(&a), dump(&b));
    for name in ["张二（旧分支）", "张三（旧分支）", "王一（恢复后）", "李二"]
    {
        assert!(b.visitors().contains(name), "{name} missing at B");
    }
    assert_eq!(b.head(&new_origin), a.head(&new_origin));
    assert_eq!(b.store.station_name(&new_origin), "南门门卫室");

    // A's later writes travel under its new id and are taken in at B.
    a.register("王二");
    let ab = d.join("r7-a.ddbundle");
    a.export_as(&ab, false);
    let r = b.import(&ab);
    assert!(r.new >= 1);
    assert!(b.visitors().contains("王二"));
    b.verify();
}

#[test]
fn a_station_only_behind_on_its_own_chain_is_not_forked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut a, mut b) = school(d);
    exchange(&mut a, &mut b, d, "r1");
    let backup = d.join("a-backup.db");
    dutydesk::store::backup::backup_file(&a.path, &backup).unwrap();
    a.register("张一");
    exchange(&mut a, &mut b, d, "r2");
    let mut a = restore(a, &backup);
    let full = d.join("b-full.ddbundle");
    b.export_as(&full, true);
    // Restored but nothing written since: the peer's copy extends ours.
    assert_eq!(
        recover::fork_in_bundle(&a.store, &full)
            .unwrap()
            .map(|f| f.theirs),
        Some(a.head(&a.id()) + 1),
        "a peer holding more of our chain than we do is said"
    );
    let admin = a.admin.clone();
    assert!(matches!(
        recover::recover(
            &mut a.store,
            &admin,
            std::slice::from_ref(&full),
            "从备份恢复"
        ),
        Err(RecoverError::NoFork)
    ));
    // The plain import brings the lost events back.
    a.import(&full);
    assert!(a.visitors().contains("张一"));
    a.verify();
}

/// A and B in step, then A restored from a backup older than what B holds
/// of it, and A has written since. Returns them with B's full bundle.
fn forked(d: &Path) -> (Station, Station, PathBuf) {
    let (mut a, mut b) = school(d);
    exchange(&mut a, &mut b, d, "f1");
    let backup = d.join("a-backup.db");
    dutydesk::store::backup::backup_file(&a.path, &backup).unwrap();
    a.register("张二（旧分支）");
    exchange(&mut a, &mut b, d, "f2");
    let mut a = restore(a, &backup);
    a.register("王一（恢复后）");
    let full = d.join("b-full.ddbundle");
    b.export_as(&full, true);
    (a, b, full)
}

/// The binary, in English whatever the environment says.

#[test]
fn cli_import_says_the_fork_and_an_admin_recovers_with_a_pin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, mut b, full) = forked(d);
    let db = a.path.clone();
    let before = a.ids();
    drop(a);
    let full_s = full.to_str().unwrap();

    let (ok, out) = run(&["sync", "import", full_s], &db, "");
    assert!(!ok, "the plain import is refused: {out}");
    assert!(out.contains("own chain has split"), "{out}");
    assert!(out.contains("sync recover"), "{out}");

    let recover = [
        "sync",
        "recover",
        full_s,
        "--as",
        "管理员甲",
        "--note",
        "restored",
    ];
    let (ok, out) = run(&recover, &db, "0000\n");
    assert!(!ok, "a wrong PIN recovers nothing: {out}");
    let (ok, out) = run(
        &["sync", "recover", full_s, "--as", "管理员甲", "--note", " "],
        &db,
        &format!("{PIN}\n"),
    );
    assert!(!ok, "a note is required: {out}");
    let (ok, out) = run(&recover, &db, &format!("{PIN}\n"));
    assert!(ok, "{out}");
    // With the wrong PIN and the right one that cleared its count.
    assert!(out.contains("recovered: the 3 events"), "{out}");
    let (ok, out) = run(&["sync", "status"], &db, "");
    assert!(ok && !out.contains("own chain has split"), "{out}");

    // A's next bundle is taken in at B, and B's whole log is at A.
    let a_bundle = d.join("after-a.ddbundle");
    let (ok, out) = run(&["sync", "export", "--out", d.to_str().unwrap()], &db, "");
    assert!(ok, "{out}");
    let made: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("南门"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");
    std::fs::rename(&made[0], &a_bundle).unwrap();
    b.import(&a_bundle);
    b.verify();
    assert!(b.visitors().contains("王一（恢复后）"));
    let a = Store::open(&db, Arc::new(FixedClock::new(T0 + 86_400_000))).unwrap();
    let ids: BTreeSet<String> = {
        let mut stmt = a.conn().prepare("SELECT id FROM events").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert!(before.is_subset(&ids));
    assert_eq!(b.ids(), ids, "both stations hold both branches");
}

#[test]
fn f9_shows_the_fork_and_an_admin_recovers_from_the_sync_folder() {
    use dutydesk::app::App;
    use dutydesk::keymap::Ctx;
    use dutydesk::panes::station::StationScreen;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    dutydesk::i18n::set_lang(dutydesk::i18n::Lang::ZhCn);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut a, mut b, full) = forked(d);
    let folder = d.join("sync");
    std::fs::create_dir(&folder).unwrap();
    std::fs::rename(&full, folder.join("b-full.ddbundle")).unwrap();
    // A cut copy a file-sync tool left: it cannot stop the recovery.
    std::fs::write(folder.join("a-cut.ddbundle"), b"DUTYDESK-BUNDLE").unwrap();
    a.store
        .set_meta("sync_folder", folder.to_str().unwrap())
        .unwrap();
    // A bundle A made after the restore, before anyone noticed: it holds
    // the moved events at their old places.
    let stale = folder.join("a-after-restore.ddbundle");
    sync::export_to_as(&mut a.store, &stale, true).unwrap();
    let before = a.ids();
    let old_origin = a.id();
    let admin = a.admin.clone();
    let mut app = App::new(a.store, vec![]);
    app.logged_in(admin);
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    for k in [
        key(KeyCode::F(9)),
        key(KeyCode::Tab),
        key(KeyCode::Tab),
        key(KeyCode::Tab),
    ] {
        app.handle_key(k);
    }
    let st = app.overlay_as::<StationScreen>().expect("F9 open");
    let line = st.sync.fork.clone().expect("the fork is shown in F9");
    assert!(
        line.contains("1号楼值班室") && line.contains("按 s 恢复"),
        "{line}"
    );

    // s opens the recovery; Esc leaves everything as it was.
    app.handle_key(key(KeyCode::Char('s')));
    assert_eq!(app.contexts()[0], Ctx::Form);
    app.handle_key(key(KeyCode::Esc));
    assert_eq!(app.contexts()[0], Ctx::Sync);
    assert_eq!(app.store.station().unwrap().id, old_origin);

    // Saved without a note: refused in the form, nothing moved.
    app.handle_key(key(KeyCode::Char('s')));
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(app.contexts()[0], Ctx::Form, "the note is required");
    assert_eq!(app.store.station().unwrap().id, old_origin);
    for c in "电脑从备份恢复".chars() {
        app.handle_key(key(KeyCode::Char(c)));
    }
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert_eq!(app.contexts()[0], Ctx::Sync, "{:?}", app.contexts());
    let new_origin = app.store.station().unwrap().id.clone();
    assert_ne!(new_origin, old_origin);
    let st = app.overlay_as::<StationScreen>().expect("F9 open");
    assert_eq!(st.sync.fork, None, "recovered: the line is gone");
    assert!(!stale.exists(), "A's bundle under its old id is removed");

    // The old branch came back from B's bundle; A's next bundle reaches B.
    let ids: BTreeSet<String> = {
        let mut stmt = app.store.conn().prepare("SELECT id FROM events").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert!(before.is_subset(&ids) && b.ids().is_subset(&ids));
    let ab = d.join("after.ddbundle");
    sync::export_to(&mut app.store, &ab).unwrap();
    b.import(&ab);
    b.verify();
    assert_eq!(b.ids(), ids);
}

/// The restored station wrote more than the branch it lost: the peer's
/// head is below its own, and only the hash there tells the chains apart.
#[test]
fn a_fork_below_this_stations_head_is_told_by_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut a, mut b) = school(d);
    exchange(&mut a, &mut b, d, "r1");
    let backup = d.join("a-backup.db");
    dutydesk::store::backup::backup_file(&a.path, &backup).unwrap();
    a.register("张二（旧分支）");
    exchange(&mut a, &mut b, d, "r2");
    let old_origin = a.id();
    let theirs = b.head(&old_origin);
    let mut a = restore(a, &backup);
    for name in ["王一", "王二", "王三"] {
        a.register(name);
    }
    assert!(a.head(&old_origin) > theirs);
    let inc = d.join("r3-b.ddbundle");
    b.export_as(&inc, false);
    let fork = recover::fork_in_bundle(&a.store, &inc)
        .unwrap()
        .expect("fork");
    assert_eq!(fork.theirs, theirs);
    assert!(
        recover::known_fork(&a.store).unwrap().is_none(),
        "statements kept hold no hashes"
    );
    // In step again after recovery: B took nothing wrongly, A lost nothing.
    let full = d.join("r3-b-full.ddbundle");
    b.export_as(&full, true);
    let admin = a.admin.clone();
    let before = a.ids();
    let done = recover::recover(
        &mut a.store,
        &admin,
        std::slice::from_ref(&full),
        "从备份恢复",
    )
    .unwrap();
    assert_eq!(done.moved.events, 3);
    exchange(&mut a, &mut b, d, "r4");
    exchange(&mut a, &mut b, d, "r5");
    a.verify();
    b.verify();
    assert!(before.is_subset(&b.ids()));
    assert_eq!(a.ids(), b.ids());
    assert!(b.visitors().contains("张二（旧分支）") && b.visitors().contains("王三"));
}

/// A third station that heard of the old branch from both: after the
/// recovery all three hold both branches and agree.
#[test]
fn three_stations_converge_after_a_recovery() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (mut a, mut b) = school(d);
    let join = d.join("c.ddjoin");
    let code = sync::invite(&mut b.store, &join).unwrap().0;
    let clock = FixedClock::new(T0 + 2_000);
    let path = d.join("c.db");
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    sync::join(
        &mut store,
        &info,
        "2号楼值班室",
        StationKind::Dorm,
        480,
        "管理员丙",
        PIN,
    )
    .unwrap();
    let admin = store
        .find_operator_by_name("管理员丙")
        .unwrap()
        .unwrap()
        .actor();
    let mut c = Station {
        store,
        clock,
        admin,
        path,
    };
    exchange(&mut a, &mut b, d, "r1");
    exchange(&mut b, &mut c, d, "r2");
    exchange(&mut a, &mut c, d, "r3");
    let backup = d.join("a-backup.db");
    dutydesk::store::backup::backup_file(&a.path, &backup).unwrap();
    a.register("张二（旧分支）");
    exchange(&mut a, &mut c, d, "r4");
    exchange(&mut a, &mut b, d, "r5");
    let mut a = restore(a, &backup);
    a.register("王一（恢复后）");
    c.register("赵一");
    let full = d.join("c-full.ddbundle");
    c.export_as(&full, true);
    let admin = a.admin.clone();
    recover::recover(
        &mut a.store,
        &admin,
        std::slice::from_ref(&full),
        "从备份恢复",
    )
    .unwrap();
    for round in 0..2 {
        exchange(&mut a, &mut b, d, &format!("s{round}-ab"));
        exchange(&mut b, &mut c, d, &format!("s{round}-bc"));
        exchange(&mut a, &mut c, d, &format!("s{round}-ac"));
    }
    for s in [&a, &b, &c] {
        s.verify();
    }
    assert_eq!(a.ids(), b.ids());
    assert_eq!(b.ids(), c.ids());
    let dump = |s: &Station| dutydesk::store::project::dump(s.store.conn()).unwrap();
    assert_eq!(dump(&a), dump(&b));
    assert_eq!(dump(&b), dump(&c));
    for name in ["张二（旧分支）", "王一（恢复后）", "赵一"] {
        assert!(c.visitors().contains(name), "{name} missing at C");
    }
}
