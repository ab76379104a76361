//! The visitor history's search finds exactly what a plain scan finds:
//! `search LIKE '%q%'` over every visit, newest first. The fast path (the
//! people's search text in memory, then their visits by index) is a cache,
//! so it is compared with the scan, also after writes from this connection
//! and from another process.

mod common;

use dutydesk::domain::visit::VisitForm;
use dutydesk::store::Store;
use dutydesk::store::visits::{HistoryFilter, Page, RegisterOutcome, like_pattern};
use std::sync::Arc;

/// Every visit the plain scan finds, newest first.
fn scan(store: &Store, q: &str) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT id FROM visits WHERE search LIKE ?1 ESCAPE '\\' ORDER BY time_in DESC, id DESC",
        )
        .unwrap();
    stmt.query_map([like_pattern(q)], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Every visit the history search shows, paged back 7 at a time.
fn paged(store: &Store, q: &str) -> Vec<String> {
    let filter = HistoryFilter::Text(q.to_string());
    let mut out: Vec<String> = vec![];
    let mut cursor = None;
    loop {
        let page = store
            .history_page(&filter, cursor.as_ref(), Page::Older, 7)
            .unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some((last.time_in, last.id.clone()));
        out.extend(page.into_iter().map(|v| v.id));
    }
    out
}

fn register(store: &mut Store, name: &str, phone: &str) -> String {
    let guard = store
        .operators()
        .unwrap()
        .into_iter()
        .find(|o| o.name == "张建国")
        .expect("the demo's guard")
        .actor();
    let form = VisitForm {
        name: name.into(),
        phone: phone.into(),
        purpose: "送衣物".into(),
        ..VisitForm::default()
    };
    match store.register_visit(&guard, &form, None).unwrap() {
        RegisterOutcome::Registered(id) => id,
        other => panic!("expected Registered, got {other:?}"),
    }
}

const QUERIES: &[&str] = &[
    "z", "zs", "Z", "wx", "w", "ch", "138", "13", "x", "X", "002x", "王", "张", "李秀", "qqqq",
    "%", "_", "·", "送",
];

#[test]
fn the_history_search_finds_what_a_scan_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _clock) =
        common::open_copy(common::cached_demo_db("search"), dir.path(), "a.db");
    for q in QUERIES {
        let want = scan(&store, q);
        assert_eq!(paged(&store, q), want, "{q:?}");
        // The newest page alone, as the screen first loads it.
        for n in [1, 7, 60] {
            let first: Vec<String> = store
                .history_page(&HistoryFilter::Text(q.to_string()), None, Page::Older, n)
                .unwrap()
                .into_iter()
                .map(|v| v.id)
                .collect();
            assert_eq!(first, want[..n.min(want.len())], "{q:?} first {n}");
        }
    }
    // A person first seen now is found at once: this connection's write
    // renews the copy in memory.
    let new = register(&mut store, "欧阳娜娜", "13912345678");
    assert_eq!(paged(&store, "oy"), scan(&store, "oy"));
    assert!(paged(&store, "欧阳").contains(&new));
    assert!(paged(&store, "5678").contains(&new));
    // And so is one registered by another process on the same file.
    let (mut other, _c) = {
        let clock = dutydesk::domain::time::FixedClock::new(common::now_ms());
        (
            Store::open(&dir.path().join("a.db"), Arc::new(clock.clone())).unwrap(),
            clock,
        )
    };
    let theirs = register(&mut other, "司马光", "13700001111");
    drop(other);
    assert!(
        paged(&store, "smg").contains(&theirs),
        "another process's visitor"
    );
    assert_eq!(paged(&store, "sm"), scan(&store, "sm"));
    for q in QUERIES {
        assert_eq!(paged(&store, q), scan(&store, q), "{q:?} after the writes");
    }
}

/// The registration form's suggestions: the people a scan of `persons`
/// finds, the most recently seen first (before the form's own ranking).
#[test]
fn suggestions_come_from_the_same_people_as_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _clock) = common::open_copy(common::cached_demo_db("search"), dir.path(), "s.db");
    for q in QUERIES {
        let mut want: Vec<String> = store
            .conn()
            .prepare(
                "SELECT key FROM persons WHERE search LIKE ?1 ESCAPE '\\' ORDER BY last_ms DESC, key DESC LIMIT 64",
            )
            .unwrap()
            .query_map([like_pattern(&q.to_lowercase())], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut got: Vec<String> = store
            .suggest_persons(q, 8)
            .unwrap()
            .into_iter()
            .map(|p| p.key)
            .collect();
        // Ranked, then cut to 8: every one shown is among the 64 most recent.
        assert!(got.len() <= 8 && got.len() == want.len().min(8), "{q:?}");
        got.sort();
        want.sort();
        assert!(got.iter().all(|k| want.contains(k)), "{q:?}");
    }
}

/// The history window holds a few pages at a time; walking it down and back
/// up (↓, PgDn, PgUp, ↑) selects the row a full list would at every step,
/// for a list shorter and one taller than a page.
#[test]
fn the_paged_window_walks_the_whole_history() {
    use dutydesk::panes::visitors::history::{HistoryWindow, PAGE};
    let dir = tempfile::tempdir().unwrap();
    let (store, _clock) = common::open_copy(common::cached_demo_db("search"), dir.path(), "w.db");
    for (q, height) in [("", 17), ("", PAGE + 20), ("1", 33)] {
        let all: Vec<String> = if q.is_empty() {
            let mut stmt = store
                .conn()
                .prepare("SELECT id FROM visits ORDER BY time_in DESC, id DESC")
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        } else {
            scan(&store, q)
        };
        assert!(all.len() > 2 * PAGE, "{q:?}: the demo holds {}", all.len());
        let mut w = HistoryWindow::default();
        w.scroll_into_view(height);
        let filter = if q.is_empty() {
            HistoryFilter::All
        } else {
            HistoryFilter::Text(q.into())
        };
        w.load(&store, filter).unwrap();
        assert!(w.rows.len() >= height.min(all.len()), "a screenful at once");
        let mut at: isize = 0;
        let steps = [1, 1, height as isize, 1, height as isize, height as isize];
        let mut walk: Vec<isize> = steps.iter().copied().cycle().take(200).collect();
        walk.extend(walk.clone().iter().map(|d| -d));
        for d in walk {
            w.move_by(&store, d).unwrap();
            at = (at + d).clamp(0, all.len() as isize - 1);
            w.scroll_into_view(height);
            let got = &w.selected().expect("a row").id;
            assert_eq!(got, &all[at as usize], "{q:?} height {height}, row {at}");
            assert!(w.rows.len() <= 5 * w.page(), "the window stays small");
        }
    }
}
