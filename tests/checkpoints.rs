//! While the TUI runs, the WAL is checkpointed on a thread of its own: the
//! keys' connection never checkpoints inside a commit, and what it writes
//! still reaches the database file within a few seconds.

use dutydesk::demo::{self, Scale};
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn autocheckpoint(store: &Store) -> i64 {
    store
        .conn()
        .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
        .unwrap()
}

/// The WAL file's length in bytes.
fn wal_len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path.with_extension("db-wal"))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[test]
fn writes_reach_the_file_from_the_background_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("station.db");
    let clock = FixedClock::new(1_764_000_000_000);
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let file_before = std::fs::metadata(&path).unwrap().len();
    {
        let _cp = store.checkpoint_in_background(Duration::from_millis(50));
        assert_eq!(
            autocheckpoint(&store),
            0,
            "the keys' connection checkpoints"
        );
        // Two weeks of a demo school: past the 1,000 pages where a commit
        // would checkpoint itself. With the keys' connection not
        // checkpointing, only the thread can bring the pages to the file.
        demo::generate(&mut store, &clock, Scale::Small, 42, 1_764_000_000_000).unwrap();
        assert!(wal_len(&path) > 0);
        let started = Instant::now();
        let grown = loop {
            let len = std::fs::metadata(&path).unwrap().len();
            if len > file_before + 1_000_000 {
                break len;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the file did not grow: {len} bytes"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(grown > file_before);
    }
    // Stopped; closed and opened again, the station holds everything and
    // checkpoints in its commits as before.
    drop(store);
    let again = Store::open(&path, Arc::new(clock)).unwrap();
    assert!(
        again
            .conn()
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get::<_, i64>(0))
            .unwrap()
            > 1000
    );
    assert_eq!(autocheckpoint(&again), 1000);
}

#[test]
fn an_in_memory_store_keeps_its_own_checkpoints() {
    let store = Store::open_in_memory(Arc::new(FixedClock::new(0))).unwrap();
    let _cp = store.checkpoint_in_background(Duration::from_millis(50));
    assert_ne!(autocheckpoint(&store), 0);
}
