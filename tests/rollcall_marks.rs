//! The round projection's rows of marks, checked against the log itself.

use dutydesk::domain::time::FixedClock;
use dutydesk::store::{Store, project};
use std::sync::Arc;

/// 2026-11-18 21:13 at +08:00.
const NOW: i64 = 1_795_000_000_000 + 13 * 3_600_000;

/// Every row of `marks` is its boarder's latest mark in the round's own
/// events (one station, so no contradiction chooses otherwise): read here
/// straight from the log, over the demo school's rounds of 60-odd
/// boarders, which the projection writes many rows to a statement.
#[test]
fn every_mark_row_is_its_boarders_latest_mark() {
    use dutydesk::domain::event::Event;
    use std::collections::HashMap;
    let clock = FixedClock::new(NOW);
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
    dutydesk::demo::generate(&mut store, &clock, dutydesk::demo::Scale::Small, 42, NOW).unwrap();
    let conn = store.conn();
    let rounds: Vec<String> = {
        let mut stmt = conn.prepare("SELECT id FROM rounds").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let mut checked = 0;
    for round in &rounds {
        // Boarder → (mark, note, at, by, changes), from the log.
        let mut want: HashMap<String, (String, String, i64, String, i64)> = HashMap::new();
        for (rec, ev) in project::entity_events(conn, &format!("round:{round}")).unwrap() {
            if let Event::RoundMarked(m) = ev {
                for s in &m.student_ids {
                    let changes = want.get(s).map_or(0, |w| w.4 + 1);
                    let row = (
                        m.mark.key().to_string(),
                        m.note.clone(),
                        rec.hlc.ms,
                        rec.actor.clone(),
                        changes,
                    );
                    want.insert(s.clone(), row);
                }
            }
        }
        let mut stmt = conn
            .prepare(
                "SELECT student_id, mark, note, at_ms, by, changes FROM marks WHERE round_id = ?1",
            )
            .unwrap();
        let got: HashMap<String, (String, String, i64, String, i64)> = stmt
            .query_map([round], |r| {
                Ok((
                    r.get(0)?,
                    (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?),
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        checked += got.len();
        assert_eq!(got, want, "round {round}");
    }
    assert!(checked > 200, "{checked} marks checked");
}
