//! How long a bundle import holds the station's write lock, measured from
//! outside as another program (the TUI) sees it: a second connection tries
//! `BEGIN IMMEDIATE` without waiting every millisecond while the import
//! runs, and the longest stretch it was refused is the longest a save would
//! wait. Beside it, in the same run: one visitor's registration (a save's
//! own hold). Run: `cargo test --release --test import_lock -- --ignored
//! --nocapture` (`DAY_VISITS` visitors registered and signed out: about
//! twice as many events).

mod stations;

use rusqlite::{Connection, ErrorCode};
use stations::gate_and_dorm;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Visitors of the measured day (each registered and signed out);
/// `IMPORT_LOCK_VISITS` sets another count (a larger bundle, to see how
/// the hold grows).
const DAY_VISITS: usize = 2_500;

fn visits() -> usize {
    std::env::var("IMPORT_LOCK_VISITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DAY_VISITS)
}

/// Polls `path`'s write lock until `stop`; the longest refused stretch and
/// the total time refused.
fn watch_lock(path: std::path::PathBuf, stop: Arc<AtomicBool>) -> (Duration, Duration) {
    let conn = Connection::open(&path).expect("open");
    conn.busy_timeout(Duration::ZERO).expect("no wait");
    let (mut longest, mut total) = (Duration::ZERO, Duration::ZERO);
    let mut since: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        match conn.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                conn.execute_batch("ROLLBACK").expect("rollback");
                if let Some(s) = since.take() {
                    longest = longest.max(t - s);
                    total += t - s;
                }
            }
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                since.get_or_insert(t);
            }
            Err(e) => panic!("{e}"),
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    if let Some(s) = since {
        longest = longest.max(s.elapsed());
        total += s.elapsed();
    }
    (longest, total)
}

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn a_day_bundle_holds_the_lock_this_long() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut a, mut b) = gate_and_dorm(dir.path());
    let admin = a.admin.clone();
    a.store
        .batch(|s| {
            for i in 0..visits() {
                let form = dutydesk::domain::visit::VisitForm {
                    name: format!("访客{i}"),
                    phone: "13800138000".into(),
                    purpose: "送衣物".into(),
                    ..Default::default()
                };
                if let dutydesk::store::visits::RegisterOutcome::Registered(id) =
                    s.register_visit(&admin, &form, None)?
                {
                    s.sign_out(&admin, &id)?;
                }
            }
            Ok(())
        })
        .expect("a busy day");
    let bundle = dir.path().join("day.ddbundle");
    a.export_as(&bundle, false);
    let size = std::fs::metadata(&bundle).expect("bundle").len();

    // A save's own hold, for comparison (same machine, same run).
    let t = Instant::now();
    b.register("基准访客");
    let one_save = t.elapsed();

    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    let (path, flag) = (b.path.clone(), stop.clone());
    std::thread::spawn(move || tx.send(watch_lock(path, flag)));
    std::thread::sleep(Duration::from_millis(20));
    let t = Instant::now();
    let r = b.import(&bundle);
    let import = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    let (longest, held) = rx.recv().expect("watcher");
    println!(
        "day bundle: {} events new, {} KB; import {:.3} s; write lock held {:.3} s in all, longest {:.3} s; one registration {:.1} ms",
        r.new,
        size / 1024,
        import.as_secs_f64(),
        held.as_secs_f64(),
        longest.as_secs_f64(),
        one_save.as_secs_f64() * 1e3,
    );
    assert!(r.new as usize >= 2 * visits());
}
