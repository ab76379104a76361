//! Incremental bundles (issue 10): a bundle states what its station holds
//! and what it heard the others hold, and carries only what some peer may
//! lack. Here: what a bundle holds after each exchange, a peer never heard
//! of, `--full`, word passed on by a third station, a stale statement, the
//! bookkeeping lost or kept over a restart, events that must wait for
//! earlier ones, and the full bundle a joining station takes with it.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use dutydesk::sync;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod stations;
use stations::{PIN, Station, T0, run};

/// A school of `n` stations, each on a database file: the first sets up,
/// the others join with the join file alone (the full bundle beside it is
/// removed, so every station starts knowing only itself).
fn school(dir: &Path, n: usize) -> Vec<Station> {
    let mut out: Vec<Station> = Vec::new();
    let join = dir.join("school.ddjoin");
    let mut code = String::new();
    for i in 0..n {
        let clock = FixedClock::new(T0 + i as i64 * 1_000);
        let path = dir.join(format!("s{i}.db"));
        let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
        let admin_name = format!("管理员{i}");
        let admin = if i == 0 {
            let a = store
                .setup(
                    "青山县第一中学",
                    "南门门卫室",
                    StationKind::Gate,
                    480,
                    &admin_name,
                    PIN,
                )
                .unwrap();
            code = sync::invite(&mut store, &join).unwrap().0;
            std::fs::remove_file(sync::snapshot_path(&join)).unwrap();
            a
        } else {
            let info = sync::join_info(&join, &code).unwrap();
            let name = format!("{i}号楼值班室");
            sync::join(
                &mut store,
                &info,
                &name,
                StationKind::Dorm,
                480,
                &admin_name,
                PIN,
            )
            .unwrap();
            store
                .find_operator_by_name(&admin_name)
                .unwrap()
                .unwrap()
                .actor()
        };
        out.push(Station {
            store,
            clock,
            admin,
            path,
        });
    }
    out
}

/// Twice `meet`: a station learns what the others took from it only from
/// their next bundles, so after two rounds everyone knows what everyone
/// holds.
fn settle(st: &mut [Station], dir: &Path, tag: &str) {
    meet(st, dir, &format!("{tag}-1"));
    meet(st, dir, &format!("{tag}-2"));
}

/// Every station exports, then every station imports every other's
/// bundle: afterwards each has heard from each.
fn meet(st: &mut [Station], dir: &Path, tag: &str) {
    let paths: Vec<PathBuf> = (0..st.len())
        .map(|i| dir.join(format!("{tag}-{i}.ddbundle")))
        .collect();
    for (s, p) in st.iter_mut().zip(&paths) {
        s.export(p);
    }
    for (i, s) in st.iter_mut().enumerate() {
        for (j, p) in paths.iter().enumerate() {
            if i != j {
                s.import(p);
            }
        }
    }
}

#[test]
fn after_stations_have_met_a_bundle_holds_only_what_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 2);
    for i in 0..20 {
        st[0].register(&format!("访客{i}"));
    }
    // Station 0 has not heard of station 1 yet: everything.
    let p = dir.path().join("first.ddbundle");
    let first = st[0].export(&p);
    assert_eq!(first.events, st[0].count());
    settle(&mut st, dir.path(), "meet");
    assert_eq!(st[0].holds(), st[1].holds());

    // Nothing new: an empty bundle, small.
    let p = dir.path().join("nothing.ddbundle");
    let none = st[0].export(&p);
    assert_eq!(none.events, 0);
    assert!(none.bytes < 10 * 1024, "{} bytes", none.bytes);
    let r = st[1].import(&p);
    assert_eq!((r.new, r.known, r.rejected), (0, 0, 0));

    // Three new visits: three events (and a full bundle on request).
    for i in 0..3 {
        st[0].register(&format!("晚到{i}"));
    }
    let p = dir.path().join("three.ddbundle");
    assert_eq!(st[0].export(&p).events, 3);
    let full = dir.path().join("full.ddbundle");
    let all = sync::export_to_as(&mut st[0].store, &full, true).unwrap();
    assert_eq!(all.events, st[0].count());
    let r = st[1].import(&p);
    assert_eq!((r.new, r.rejected), (3, 0));
    assert_eq!(st[0].holds(), st[1].holds());
    let r = st[1].import(&full);
    assert_eq!((r.new, r.known), (0, st[0].count()));
}

#[test]
fn a_station_heard_of_but_never_heard_from_gets_everything() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 3);
    settle(&mut st[..2], dir.path(), "two");
    st[0].register("李建国");
    let p = dir.path().join("s0.ddbundle");
    assert!(st[0].export(&p).events < st[0].count());
    // Station 2's creation reaches station 0 through station 1, which has
    // lost its bookkeeping: 2 is known to exist, what it holds is not.
    let p = dir.path().join("s2.ddbundle");
    st[2].export(&p);
    st[1].import(&p);
    st[1].store.forget_peers().unwrap();
    let relay = dir.path().join("relay.ddbundle");
    st[1].export(&relay);
    assert!(st[0].import(&relay).new > 0);
    let p = dir.path().join("s0-again.ddbundle");
    assert_eq!(st[0].export(&p).events, st[0].count());
}

#[test]
fn what_a_third_station_heard_is_passed_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 3);
    settle(&mut st, dir.path(), "meet");
    for i in 0..5 {
        st[0].register(&format!("访客{i}"));
    }
    // 0 → 1 directly; 1 → 2, whose bundle reaches 0 through 1 only.
    let p = dir.path().join("a.ddbundle");
    st[0].export(&p);
    st[1].import(&p);
    let p = dir.path().join("b.ddbundle");
    st[1].export(&p);
    st[2].import(&p);
    let p = dir.path().join("c.ddbundle");
    st[2].export(&p);
    st[1].import(&p);
    let p = dir.path().join("b2.ddbundle");
    st[1].export(&p);
    st[0].import(&p);
    // Station 0 now knows both others hold its visits: nothing to send.
    let p = dir.path().join("a2.ddbundle");
    assert_eq!(st[0].export(&p).events, 0);
    let views = st[0].store.peer_views().unwrap();
    let own = st[0].id();
    let head = st[0].store.own_heads().unwrap()[&own].0;
    assert_eq!(views[&st[2].id()].heads[&own], head);
    // What 2 stated in its last bundle, which reached 0 through 1 only.
    let made = sync::crypto::peek_header(&mut std::io::BufReader::new(
        std::fs::File::open(dir.path().join("c.ddbundle")).unwrap(),
    ))
    .unwrap()
    .created_ms;
    assert_eq!(views[&st[2].id()].at_ms, made);
}

#[test]
fn an_old_bundle_imported_late_does_not_make_a_station_look_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 2);
    let old = dir.path().join("old.ddbundle");
    st[1].export(&old);
    settle(&mut st, dir.path(), "meet");
    let p = dir.path().join("nothing.ddbundle");
    assert_eq!(st[0].export(&p).events, 0);
    // The first bundle of station 1, found again on a USB stick.
    let r = st[0].import(&old);
    assert_eq!(r.new, 0);
    assert_eq!(st[0].export(&p).events, 0, "still up to date");
}

#[test]
fn lost_bookkeeping_means_full_bundles_and_kept_bookkeeping_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 2);
    settle(&mut st, dir.path(), "meet");
    let p = dir.path().join("x.ddbundle");
    assert_eq!(st[0].export(&p).events, 0);
    // Closed and opened again: the same knowledge.
    let Station {
        store,
        clock,
        admin,
        path,
    } = st.remove(0);
    drop(store);
    let store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let mut s0 = Station {
        store,
        clock,
        admin,
        path,
    };
    assert_eq!(s0.export(&p).events, 0);
    // Lost: everything again, never less.
    s0.store.forget_peers().unwrap();
    assert_eq!(s0.export(&p).events, s0.count());
}

#[test]
fn events_above_what_a_station_holds_wait_and_arrive_once_it_is_heard() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 3);
    // 1 and 0 meet; 1 never hears of 2 (a station it cannot know exists).
    settle(&mut st[..2], dir.path(), "two");
    st[1].register("李建国");
    let p = dir.path().join("b.ddbundle");
    let r = st[1].export(&p);
    assert_eq!(r.events, 1, "only what station 0 lacks");
    // Station 2 lacks station 1's earlier events: the visit waits, counted
    // and named in the report line, nothing applied out of order.
    let before = st[2].holds();
    let r = st[2].import(&p);
    assert_eq!((r.new, r.rejected), (0, 1), "{r:?}");
    assert_eq!(st[2].holds(), before);
    let line = sync::report_line(&r);
    assert!(
        line.contains("sync export --full") && line.contains(&st[1].store.station().unwrap().name),
        "{line}"
    );
    // Once station 1 hears from station 2, everything reaches it.
    let p = dir.path().join("c.ddbundle");
    st[2].export(&p);
    st[1].import(&p);
    let p = dir.path().join("b-again.ddbundle");
    st[1].export(&p);
    let r = st[2].import(&p);
    assert_eq!(r.rejected, 0, "{r:?}");
    assert_eq!(st[2].holds(), st[1].holds());
}

#[test]
fn a_joining_station_takes_the_inviters_log_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 2);
    settle(&mut st, dir.path(), "meet");
    st[1].register("李建国");
    let p = dir.path().join("b.ddbundle");
    st[1].export(&p);
    st[0].import(&p);
    // A new station, invited at station 0: the join file and beside it a
    // full bundle, which the join takes in.
    let join = dir.path().join("new.ddjoin");
    let (code, _) = sync::invite(&mut st[0].store, &join).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    assert_eq!(
        info.snapshot.as_deref(),
        Some(sync::snapshot_path(&join).as_path())
    );
    let clock = FixedClock::new(T0 + 3_600_000);
    let mut store = Store::open(&dir.path().join("new.db"), Arc::new(clock.clone())).unwrap();
    sync::join(
        &mut store,
        &info,
        "政教处",
        StationKind::Office,
        480,
        "新管理员",
        PIN,
    )
    .unwrap();
    let new_id = store.station().unwrap().id.clone();
    let held: Vec<(String, i64)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT origin, seq FROM events WHERE origin != ?1 ORDER BY origin, seq")
            .unwrap();
        let rows = stmt
            .query_map([&new_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(held, st[0].holds(), "everything the inviter held");
    // Station 1's next incremental bundle (it never heard of the newcomer)
    // follows on without a gap.
    st[1].register("王秀英");
    let p = dir.path().join("b2.ddbundle");
    st[1].export(&p);
    let r = sync::import_file(&mut store, &p, false).unwrap();
    assert_eq!((r.new, r.rejected), (1, 0), "{r:?}");
}

#[test]
fn a_retired_station_stops_holding_the_others_back_until_it_is_heard_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 3);
    settle(&mut st, dir.path(), "meet");
    let gone = st[2].id();
    // Station 2 falls silent; 0 and 1 go on and hear from each other.
    for i in 0..6 {
        st[0].register(&format!("访客{i}"));
    }
    settle(&mut st[..2], dir.path(), "two");
    let p = dir.path().join("held.ddbundle");
    assert_eq!(st[0].export(&p).events, 6, "kept for the silent station");
    let status = sync::knowledge::peer_status(&st[0].store).unwrap();
    let silent = status.iter().find(|p| p.id == gone).unwrap();
    assert_eq!(silent.lacks, Some(6));
    // Three days on, station 2 (last heard before station 1) is silent.
    let now = st[0].store.now_ms();
    let heard_1 = status.iter().find(|p| p.id == st[1].id()).unwrap();
    assert!(!heard_1.silent(now, 3) && !silent.silent(now, 3));
    let later = silent.heard_ms.unwrap() + 3 * 86_400_000;
    assert!(silent.silent(later, 3));
    assert!(!heard_1.silent(later, 3));

    // Only an admin retires it, with a reason; the event names the admin.
    let admin = st[0].admin.clone();
    let guard = st[0]
        .store
        .add_operator(&admin, "张师傅", dutydesk::domain::role::Role::Guard, PIN)
        .unwrap();
    assert!(st[0].store.retire_station(&guard, &gone, "坏了").is_err());
    assert!(st[0].store.retire_station(&admin, &gone, "  ").is_err());
    let own = st[0].id();
    assert!(st[0].store.retire_station(&admin, &own, "自己").is_err());
    st[0]
        .store
        .retire_station(&admin, &gone, "电脑坏了，换新")
        .unwrap();
    let actor: String = st[0]
        .store
        .conn()
        .query_row(
            "SELECT actor FROM events WHERE kind = 'station.retired'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(actor.contains(&admin.id), "{actor}");
    assert!(st[0].store.retire_station(&admin, &gone, "再次").is_err());
    // The retirement reaches 1; then neither keeps events for station 2.
    settle(&mut st[..2], dir.path(), "after");
    let p = dir.path().join("free.ddbundle");
    assert_eq!(st[0].export(&p).events, 0);
    assert_eq!(st[1].export(&p).events, 0);
    let status = sync::knowledge::peer_status(&st[1].store).unwrap();
    let retired = status.iter().find(|p| p.id == gone).unwrap();
    assert_eq!(retired.retired.as_ref().unwrap().note, "电脑坏了，换新");
    assert!(!retired.silent(st[1].store.now_ms() + 86_400_000 * 30, 3));

    // Station 2 comes back: what it lacks waits at first, then arrives
    // once the others have heard from it — nothing is lost.
    let p = dir.path().join("back.ddbundle");
    st[2].export(&p);
    st[0].import(&p);
    st[1].import(&p);
    settle(&mut st, dir.path(), "back");
    assert_eq!(st[2].holds(), st[0].holds());
    assert_eq!(st[1].holds(), st[0].holds());
}

/// The binary, in English whatever the environment says.

#[test]
fn cli_status_lists_silent_stations_and_an_admin_retires_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(dir.path(), 3);
    settle(&mut st, dir.path(), "meet");
    for i in 0..4 {
        st[0].register(&format!("访客{i}"));
    }
    settle(&mut st[..2], dir.path(), "two");
    let paths: Vec<PathBuf> = st.iter().map(|s| s.path.clone()).collect();
    drop(st);
    let db = &paths[0];

    // The stations' clocks stood still in 2026; the real clock is later:
    // both others are silent by now, the dorm 2 lacking the four visits.
    let (ok, out) = run(&["sync", "status"], db, "");
    assert!(ok, "{out}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("Station \"{name}\"")))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_string()
    };
    assert!(
        line("2号楼值班室").contains("4 event(s) held here it may lack"),
        "{out}"
    );
    assert!(line("1号楼值班室").contains("0 event(s)"), "{out}");
    assert!(line("2号楼值班室").contains("silent for 3+ days"), "{out}");

    // A wrong PIN, an unknown name: refused in one line, nothing written.
    let (ok, out) = run(
        &[
            "sync",
            "retire",
            "2号楼值班室",
            "--as",
            "管理员0",
            "--note",
            "坏了",
        ],
        db,
        "0000\n",
    );
    assert!(!ok, "{out}");
    let (ok, out) = run(
        &[
            "sync",
            "retire",
            "3号楼",
            "--as",
            "管理员0",
            "--note",
            "坏了",
        ],
        db,
        &format!("{PIN}\n"),
    );
    assert!(
        !ok && out.contains("No other station named \"3号楼\""),
        "{out}"
    );
    let (ok, out) = run(
        &[
            "sync",
            "retire",
            "2号楼值班室",
            "--as",
            "管理员0",
            "--note",
            "电脑坏了",
        ],
        db,
        &format!("{PIN}\n"),
    );
    assert!(ok, "{out}");
    assert!(
        // The wrong PIN above is one of them: a recorded fact like any other.
        out.contains("Station \"2号楼值班室\" retired (it lacked 5 event(s))"),
        "{out}"
    );
    let (_, out) = run(&["sync", "status", "--silent-days", "100000"], db, "");
    assert!(out.contains("Station \"2号楼值班室\": retired"), "{out}");
    assert!(
        out.contains("(电脑坏了)") && !out.contains("silent for"),
        "{out}"
    );
}
