//! A full import too large to hold in memory (issue 10): the importer gives
//! up the new events once it holds more than its limit, and projects them
//! from the bundle read a second time on the reading thread. Lowered here to
//! 100 events so the demo school takes that path; it must project exactly
//! what an import held in memory does. Its own test binary: the limit is
//! process-wide.

use dutydesk::demo::{self, Scale};
use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::intake::{IN_MEMORY, set_in_memory_limit};
use dutydesk::store::{IdGen, Store, project};
use dutydesk::sync;
use std::path::Path;
use std::sync::Arc;

/// 2026-11-22 10:00 +08:00.
const NOW: i64 = 1_795_399_200_000;

/// A fresh station joined to the school of `info`, its own ids and clock
/// the same every time, with the bundle at `bundle` imported; its
/// projections, less its operators (a PIN's hash is salted at random).
fn joined_and_imported(
    dir: &Path,
    tag: &str,
    info: &sync::crypto::JoinInfo,
    bundle: &Path,
) -> (u64, Vec<String>) {
    let clock = FixedClock::new(NOW + 3_600_000);
    let mut store = Store::open(&dir.join(format!("{tag}.db")), Arc::new(clock)).unwrap();
    store.set_ids(IdGen::seeded(7));
    sync::join(
        &mut store,
        info,
        "政教处",
        StationKind::Office,
        480,
        "新管理员",
        "2468",
    )
    .unwrap();
    let r = sync::import_file(&mut store, bundle, false).unwrap();
    assert_eq!(r.refused, None, "{r:?}");
    assert_eq!(r.rejected, 0, "{r:?}");
    let dump = project::dump(store.conn())
        .unwrap()
        .into_iter()
        .filter(|l| !l.starts_with("operators:"))
        .collect();
    (r.new, dump)
}

/// The in-memory limit is process-wide: one import at a time here.
static LIMIT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A full bundle of a school generated at `scale`, imported held in memory
/// and spilled: both project the same rows.
fn spilled_matches_held(scale: Scale) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(NOW);
    let mut a = Store::open(&dir.path().join("a.db"), Arc::new(clock.clone())).unwrap();
    demo::generate(&mut a, &clock, scale, 42, NOW).unwrap();
    let join = dir.path().join("school.ddjoin");
    let (code, _) = sync::invite(&mut a, &join).unwrap();
    let mut info = sync::join_info(&join, &code).unwrap();
    info.snapshot = None;
    let bundle = dir.path().join("full.ddbundle");
    let sent = sync::export_to_as(&mut a, &bundle, true).unwrap().events;
    assert!(sent > 1000, "{sent} events");

    let _one = LIMIT.lock().unwrap_or_else(|e| e.into_inner());
    set_in_memory_limit(IN_MEMORY);
    let (held_new, held) = joined_and_imported(dir.path(), "held", &info, &bundle);
    set_in_memory_limit(100);
    let (spilled_new, spilled) = joined_and_imported(dir.path(), "spilled", &info, &bundle);
    set_in_memory_limit(IN_MEMORY);

    assert_eq!(held_new, sent);
    assert_eq!(spilled_new, sent);
    assert!(held.len() > 1000, "{} rows", held.len());
    assert!(held == spilled, "the projections differ");
}

#[test]
fn a_spilled_full_import_projects_what_one_held_in_memory_does() {
    spilled_matches_held(Scale::Small);
}

/// Three weeks of the year generator: contradictions between stations and
/// the duty leader's decisions on them arrive in the same bundle as the
/// records they decide, which a spilled import projects once, fresh.
#[test]
fn decisions_in_the_same_bundle_as_their_records_project_alike() {
    spilled_matches_held(Scale::YearSample);
}
