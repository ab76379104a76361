//! Versioned schema migrations, tracked in `PRAGMA user_version`.
//!
//! Each step runs in one transaction. A file written by a newer dutydesk is
//! refused rather than guessed at. Steps that add projections are followed by
//! a rebuild from the event log, so old databases gain new views of old data.

use super::StoreError;
use rusqlite::Connection;

/// Schema 1: the event log, stations, operators, settings.
const V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE events (
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    hlc_ms INTEGER NOT NULL,
    hlc_c INTEGER NOT NULL,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    schema INTEGER NOT NULL,
    actor TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (origin, seq)
) STRICT;
CREATE INDEX events_entity ON events(entity);
CREATE INDEX events_order ON events(hlc_ms, hlc_c, origin, seq);
CREATE TABLE stations (
    id TEXT PRIMARY KEY,
    school TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    utc_offset_min INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE operators (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    last_login_ms INTEGER
) STRICT;
CREATE TABLE settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL, changed_ms INTEGER NOT NULL, changed_by TEXT NOT NULL) STRICT;
";

/// Schema 2: the visitor register's projections.
const V2: &str = "
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    time_in INTEGER NOT NULL,
    time_out INTEGER,
    person_key TEXT NOT NULL,
    name TEXT NOT NULL,
    details TEXT NOT NULL,
    time_in_reason TEXT,
    registered_by TEXT NOT NULL,
    signed_out_by TEXT,
    watch TEXT,
    corrections INTEGER NOT NULL DEFAULT 0,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX visits_time ON visits(time_in, id);
CREATE INDEX visits_on_site ON visits(time_in) WHERE status = 'on_site';
CREATE INDEX visits_person ON visits(person_key, time_in);
CREATE TABLE visit_changes (
    event_id TEXT PRIMARY KEY,
    visit_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    reason TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
) STRICT;
CREATE INDEX visit_changes_visit ON visit_changes(visit_id, at_ms);
CREATE TABLE persons (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    last_ms INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    details TEXT NOT NULL,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX persons_last ON persons(last_ms);
CREATE TABLE watchlist (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    entry TEXT NOT NULL,
    active INTEGER NOT NULL,
    added_by TEXT NOT NULL,
    added_ms INTEGER NOT NULL,
    removed_reason TEXT
) STRICT;
";

/// Schema 3: the boarder roster and the night's roll-call.
const V3: &str = "
CREATE TABLE students (
    id TEXT PRIMARY KEY,
    student_no TEXT,
    name TEXT NOT NULL,
    search TEXT NOT NULL,
    class TEXT NOT NULL,
    data TEXT NOT NULL,
    building TEXT,
    floor INTEGER,
    room TEXT,
    bed TEXT,
    active INTEGER NOT NULL,
    left_reason TEXT,
    updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX students_bed ON students(building, floor, room, bed);
CREATE TABLE beds (
    key TEXT PRIMARY KEY,
    building TEXT NOT NULL,
    floor INTEGER NOT NULL,
    room TEXT NOT NULL,
    bed TEXT NOT NULL,
    zone TEXT NOT NULL
) STRICT;
CREATE INDEX beds_place ON beds(building, floor, room, bed);
CREATE TABLE roster_imports (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    new INTEGER NOT NULL,
    moved INTEGER NOT NULL,
    left_count INTEGER NOT NULL,
    changed INTEGER NOT NULL
) STRICT;
CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    building TEXT NOT NULL,
    night TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    closed_ms INTEGER,
    closed_by TEXT,
    forced_reason TEXT,
    unaccounted TEXT
) STRICT;
CREATE INDEX rounds_night ON rounds(night, building, started_ms);
CREATE TABLE marks (
    round_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    mark TEXT NOT NULL,
    late_at INTEGER,
    note TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    changes INTEGER NOT NULL,
    PRIMARY KEY (round_id, student_id)
) STRICT;
CREATE TABLE mark_history (
    event_id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL,
    student_ids TEXT NOT NULL,
    n INTEGER NOT NULL,
    mark TEXT NOT NULL,
    late_at INTEGER,
    note TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX mark_history_round ON mark_history(round_id, at_ms);
CREATE TABLE followups (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    contacted TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    finding TEXT NOT NULL,
    found_at INTEGER,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX followups_student ON followups(round_id, student_id);
CREATE TABLE sick (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL,
    symptoms TEXT NOT NULL,
    temperature TEXT,
    medicine TEXT NOT NULL,
    water TEXT NOT NULL,
    clinic INTEGER NOT NULL,
    guardian_told INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    closed_ms INTEGER
) STRICT;
CREATE TABLE sick_notes (
    event_id TEXT PRIMARY KEY,
    sick_id TEXT NOT NULL,
    note TEXT NOT NULL,
    temperature TEXT,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE TABLE leaves (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL,
    from_ms INTEGER NOT NULL,
    due_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    destination TEXT NOT NULL,
    returned_ms INTEGER,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX leaves_student ON leaves(student_id, from_ms);
CREATE TABLE departures (
    id TEXT PRIMARY KEY,
    student_id TEXT NOT NULL,
    with_name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT,
    authorised INTEGER NOT NULL,
    approved_by TEXT,
    due_ms INTEGER,
    note TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    returned_ms INTEGER
) STRICT;
CREATE INDEX departures_student ON departures(student_id, at_ms);
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    phone TEXT,
    active INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_name ON staff(name);
";

/// Schema 4: sync between stations — contradictions for review, the
/// decisions on them, and this station's own log of imported bundles.
const V4: &str = "
CREATE TABLE conflicts (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    entity TEXT NOT NULL,
    events TEXT NOT NULL,
    provisional TEXT NOT NULL
) STRICT;
CREATE TABLE resolutions (
    key TEXT PRIMARY KEY,
    chosen TEXT NOT NULL,
    by TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    note TEXT NOT NULL
) STRICT;
CREATE TABLE import_log (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    file TEXT NOT NULL,
    from_station TEXT,
    new INTEGER NOT NULL,
    known INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
";

/// Schema 5: indexes found by measuring a school year of data — the
/// on-site list and open absences without scanning history, denied visits
/// for the search.
const V5: &str = "
DROP INDEX visits_on_site;
CREATE INDEX visits_on_site ON visits(time_in, id) WHERE status = 'on_site';
CREATE INDEX visits_denied ON visits(time_in, id) WHERE status = 'denied';
CREATE INDEX marks_absent ON marks(round_id, student_id) WHERE mark = 'absent';
";

/// Schema 6, measured on a first sync of a school year: marks keyed by
/// (round, boarder) without a separate rowid table — one B-tree instead of
/// two for the largest projection (over a million marks); a person's visits
/// indexed without denials, as the returning-visitor row and the history
/// search read them, so counting them needs no table lookups.
const V6: &str = "
DROP INDEX visits_person;
CREATE INDEX visits_person ON visits(person_key, time_in, id) WHERE status != 'denied';
CREATE TABLE marks_v6 (
    round_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    mark TEXT NOT NULL,
    late_at INTEGER,
    note TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    changes INTEGER NOT NULL,
    PRIMARY KEY (round_id, student_id)
) STRICT, WITHOUT ROWID;
INSERT INTO marks_v6 SELECT round_id, student_id, mark, late_at, note, at_ms, by, changes FROM marks;
DROP TABLE marks;
ALTER TABLE marks_v6 RENAME TO marks;
CREATE INDEX marks_absent ON marks(round_id, student_id) WHERE mark = 'absent';
";

/// Schema 7: what the system noted on a mark or a leaver, as a fact (JSON of
/// `domain::fact::Fact`) translated when shown. Rows from older events keep
/// their text and no fact.
const V7: &str = "
ALTER TABLE marks ADD COLUMN fact TEXT;
ALTER TABLE mark_history ADD COLUMN fact TEXT;
ALTER TABLE students ADD COLUMN left_fact TEXT;
";

/// Schema 8, measured on a year-end station: what the status bar asks every
/// second and after every key — who is out now, absences still open — read
/// from what is open, not from a year of history. Open leave, departures
/// and sick records and open rounds have partial indexes (few rows,
/// however old the station); recent returns an index on the return time. Open absences are
/// a table kept by triggers on `marks` and `followups`, so every path that
/// writes those (an event, a sync, a rebuild) keeps it exact.
const V8: &str = "
CREATE INDEX leaves_open ON leaves(due_ms) WHERE returned_ms IS NULL;
CREATE INDEX leaves_returned ON leaves(returned_ms) WHERE returned_ms IS NOT NULL;
CREATE INDEX departures_open ON departures(due_ms) WHERE returned_ms IS NULL;
CREATE INDEX departures_returned ON departures(returned_ms) WHERE returned_ms IS NOT NULL;
CREATE INDEX sick_open ON sick(at_ms) WHERE closed_ms IS NULL;
CREATE INDEX sick_closed ON sick(closed_ms) WHERE closed_ms IS NOT NULL;
CREATE INDEX sick_notes_record ON sick_notes(sick_id, at_ms);
CREATE INDEX rounds_open ON rounds(building, started_ms) WHERE closed_ms IS NULL;
CREATE TABLE absences_open (
    round_id TEXT NOT NULL,
    student_id TEXT NOT NULL,
    PRIMARY KEY (round_id, student_id)
) STRICT, WITHOUT ROWID;
INSERT INTO absences_open SELECT m.round_id, m.student_id FROM marks m
 WHERE m.mark = 'absent' AND NOT EXISTS (SELECT 1 FROM followups f
   WHERE f.round_id = m.round_id AND f.student_id = m.student_id AND f.found_at IS NOT NULL);
CREATE TRIGGER absences_open_mark_in AFTER INSERT ON marks WHEN NEW.mark = 'absent' BEGIN
    INSERT OR IGNORE INTO absences_open SELECT NEW.round_id, NEW.student_id
     WHERE NOT EXISTS (SELECT 1 FROM followups f WHERE f.round_id = NEW.round_id
       AND f.student_id = NEW.student_id AND f.found_at IS NOT NULL);
END;
CREATE TRIGGER absences_open_mark_out AFTER DELETE ON marks WHEN OLD.mark = 'absent' BEGIN
    DELETE FROM absences_open WHERE round_id = OLD.round_id AND student_id = OLD.student_id;
END;
CREATE TRIGGER absences_open_mark_change AFTER UPDATE OF round_id, student_id, mark ON marks BEGIN
    DELETE FROM absences_open WHERE round_id = OLD.round_id AND student_id = OLD.student_id;
    INSERT OR IGNORE INTO absences_open SELECT NEW.round_id, NEW.student_id
     WHERE NEW.mark = 'absent' AND NOT EXISTS (SELECT 1 FROM followups f
       WHERE f.round_id = NEW.round_id AND f.student_id = NEW.student_id AND f.found_at IS NOT NULL);
END;
CREATE TRIGGER absences_open_found AFTER INSERT ON followups BEGIN
    DELETE FROM absences_open WHERE round_id = NEW.round_id AND student_id = NEW.student_id;
    INSERT OR IGNORE INTO absences_open SELECT m.round_id, m.student_id FROM marks m
     WHERE m.round_id = NEW.round_id AND m.student_id = NEW.student_id AND m.mark = 'absent'
       AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.round_id = m.round_id
         AND f.student_id = m.student_id AND f.found_at IS NOT NULL);
END;
CREATE TRIGGER absences_open_unfound AFTER DELETE ON followups BEGIN
    INSERT OR IGNORE INTO absences_open SELECT m.round_id, m.student_id FROM marks m
     WHERE m.round_id = OLD.round_id AND m.student_id = OLD.student_id AND m.mark = 'absent'
       AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.round_id = m.round_id
         AND f.student_id = m.student_id AND f.found_at IS NOT NULL);
END;
CREATE TRIGGER absences_open_refound AFTER UPDATE ON followups BEGIN
    DELETE FROM absences_open WHERE round_id = NEW.round_id AND student_id = NEW.student_id;
    INSERT OR IGNORE INTO absences_open SELECT m.round_id, m.student_id FROM marks m
     WHERE m.mark = 'absent' AND ((m.round_id = OLD.round_id AND m.student_id = OLD.student_id)
       OR (m.round_id = NEW.round_id AND m.student_id = NEW.student_id))
       AND NOT EXISTS (SELECT 1 FROM followups f WHERE f.round_id = m.round_id
         AND f.student_id = m.student_id AND f.found_at IS NOT NULL);
END;
";

/// Schema 9: where an absent boarder was found (`FoundWhere` key), from
/// the follow-up; NULL for older follow-ups and for "not found yet".
const V9: &str = "
ALTER TABLE followups ADD COLUMN found_where TEXT;
";

/// Schema 10: what this station has heard each other station holds, so a
/// bundle carries only what some peer may lack; and the stations an admin
/// retired (a projection of `station.retired`). Station-local, not
/// projected from the log: emptied, the next bundles are whole again.
/// `at_ms` is -1 for a peer heard from before any statement was kept;
/// `taken_ms` is when the newest bundle of the peer's taken in whole was
/// made (its clock), so older copies in a sync folder are skipped;
/// `retired_seen_ms` is when this station first knew the peer retired: heard
/// from after that, it counts again.
const V10: &str = "
CREATE TABLE peers (
    peer TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    heard_ms INTEGER,
    taken_ms INTEGER,
    retired_seen_ms INTEGER
) STRICT;
CREATE TABLE retired_stations (
    station_id TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    note TEXT NOT NULL
) STRICT;
CREATE TABLE peer_heads (
    peer TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (peer, origin)
) STRICT, WITHOUT ROWID;
";

/// Schema 11: visits whose personal data was purged (a projection of
/// `visits.purged`), and the ended visits a purge looks for, by end time.
const V11: &str = "
CREATE TABLE purged_visits (
    visit_id TEXT PRIMARY KEY,
    purge_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX visits_ended ON visits(time_out) WHERE status = 'out';
";

/// Schema 12: night patrol — checkpoints, routes, the person named per
/// night of a special-period route, rounds and their check-ins. What the
/// status bar asks every tick reads one night's rounds (`night`) and the
/// open ones (partial index), each round's check-ins by its index: the cost
/// does not grow with the year behind it.
const V12: &str = "
CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    place TEXT NOT NULL,
    code TEXT NOT NULL,
    checklist TEXT NOT NULL,
    active INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX checkpoints_code ON checkpoints(code);
CREATE TABLE routes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    active INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE TABLE route_assignments (
    route_id TEXT NOT NULL,
    night TEXT NOT NULL,
    person TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL,
    PRIMARY KEY (route_id, night)
) STRICT, WITHOUT ROWID;
CREATE TABLE patrol_rounds (
    id TEXT PRIMARY KEY,
    route_id TEXT NOT NULL,
    night TEXT NOT NULL,
    slot_ms INTEGER,
    started_ms INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    end_ms INTEGER NOT NULL,
    checkpoints TEXT NOT NULL,
    ordered INTEGER NOT NULL,
    min_walk_min INTEGER NOT NULL,
    closed_ms INTEGER,
    closed_by TEXT,
    missed TEXT,
    reason TEXT
) STRICT;
CREATE INDEX patrol_rounds_night ON patrol_rounds(night, route_id, started_ms);
CREATE INDEX patrol_rounds_open ON patrol_rounds(route_id, started_ms) WHERE closed_ms IS NULL;
CREATE TABLE patrol_checks (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    failed TEXT NOT NULL,
    note TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    entered_ms INTEGER NOT NULL,
    method TEXT NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX patrol_checks_round ON patrol_checks(round_id, at_ms);
";

/// Schema 13: the hazard ledger (隐患排查台账), one row per hazard folded
/// from its events (`domain::hazard_fold`); its history is read from the
/// log by entity. What the status bar asks every second — overdue and
/// serious hazards not closed — reads a partial index over open hazards
/// only; the ledger's filters each have an index.
const V13: &str = "
CREATE TABLE hazards (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    sev_rank INTEGER NOT NULL,
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    description TEXT NOT NULL,
    containment TEXT NOT NULL,
    responsible TEXT NOT NULL,
    found_ms INTEGER NOT NULL,
    reported_by TEXT NOT NULL,
    deadline_ms INTEGER NOT NULL,
    measures TEXT,
    rectifier TEXT,
    rectified_by TEXT,
    rectified_ms INTEGER,
    verified_by TEXT,
    verified_ms INTEGER,
    verify_passed INTEGER,
    verify_note TEXT,
    fails INTEGER NOT NULL,
    closed_by TEXT,
    closed_ms INTEGER,
    reopens INTEGER NOT NULL,
    attachments TEXT NOT NULL,
    patrol TEXT,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX hazards_found ON hazards(found_ms, id);
CREATE INDEX hazards_open ON hazards(severity, deadline_ms) WHERE status <> 'closed';
CREATE INDEX hazards_status ON hazards(status, found_ms);
CREATE INDEX hazards_severity ON hazards(severity, found_ms);
CREATE INDEX hazards_category ON hazards(category, found_ms);
";

/// Schema 14: the duty roster (值班表) — one row per roster line, each
/// station's shift times, and every sign-on (`operator.logged_in`, at the
/// station it was written at) keyed by station and time, so a shift's
/// arrivals are one range read whatever the year behind it.
const V14: &str = "
CREATE TABLE duty_plans (
    key TEXT PRIMARY KEY,
    station_id TEXT NOT NULL,
    date TEXT NOT NULL,
    shift TEXT NOT NULL,
    plan TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE INDEX duty_plans_station ON duty_plans(station_id, date);
CREATE INDEX duty_plans_date ON duty_plans(date);
CREATE TABLE duty_shifts (
    station_id TEXT PRIMARY KEY,
    shifts TEXT NOT NULL,
    grace_min INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    by TEXT NOT NULL
) STRICT;
CREATE TABLE signons (
    station_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    operator_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (station_id, at_ms, operator_id, event_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX signons_operator ON signons(operator_id);
";

/// Shift handovers: one row per signed shift, its acceptance and
/// countersignature (the sealed event ids stay in the signing event).
const V15: &str = "
CREATE TABLE handovers (
    key TEXT PRIMARY KEY,
    station TEXT NOT NULL,
    date TEXT NOT NULL,
    shift TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_ms INTEGER NOT NULL,
    sign_event TEXT NOT NULL,
    note TEXT NOT NULL,
    items TEXT NOT NULL,
    seal TEXT NOT NULL,
    accepted_by TEXT,
    accepted_ms INTEGER,
    remarks TEXT NOT NULL,
    countersigned_by TEXT,
    countersigned_ms INTEGER,
    countersign_note TEXT
) STRICT;
CREATE INDEX handovers_date ON handovers(date, station, shift);
CREATE INDEX handovers_unaccepted ON handovers(station, date) WHERE accepted_by IS NULL;
CREATE TABLE handover_records (
    entity TEXT NOT NULL,
    shift_key TEXT NOT NULL,
    PRIMARY KEY (entity, shift_key)
) STRICT, WITHOUT ROWID;
";

/// Schema 16: the shift log (值班记录), one row per entry folded from its
/// events (`domain::shift_log`). A shift's entries are read by their shift;
/// open follow-ups through a partial index over open entries only, so
/// carrying them forward never reads the year; the ledger by time. The
/// daily report counts hazards closed on a day by their close time.
const V16: &str = "
CREATE TABLE shift_log (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    station_id TEXT NOT NULL,
    shift_date TEXT NOT NULL,
    shift_key TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    category TEXT NOT NULL,
    what TEXT NOT NULL,
    action_taken TEXT NOT NULL,
    reported_to TEXT NOT NULL,
    needs_followup INTEGER NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    written_by TEXT NOT NULL,
    written_ms INTEGER NOT NULL,
    closed_by TEXT,
    closed_ms INTEGER,
    corrections INTEGER NOT NULL,
    search TEXT NOT NULL
) STRICT;
CREATE INDEX shift_log_shift ON shift_log(station_id, shift_date, shift_key, at_ms);
CREATE INDEX shift_log_open ON shift_log(station_id, at_ms) WHERE state = 'open';
CREATE INDEX shift_log_at ON shift_log(at_ms, id);
CREATE INDEX hazards_closed_at ON hazards(closed_ms) WHERE closed_ms IS NOT NULL;
";

/// Schema 17: PIN throttling, folded from the operator's wrong-PIN,
/// lockout, correct-PIN and unlock events (`domain::pin_guard`).
const V17: &str = "
ALTER TABLE operators ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN pin_lockouts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN locked_until_ms INTEGER;
";

/// Schema 18: closed hazards in ledger order, so the ledger's closed part
/// stops at its limit instead of sorting the year at every key. The search
/// text (and the status, so the index covers the walk) rides along: a
/// typed search is tested on the index's few pages,
/// never on every closed hazard's row.
const V18: &str = "
CREATE INDEX hazards_closed_order ON hazards(sev_rank DESC, found_ms DESC, id, status, search)
    WHERE status = 'closed';
";

/// Schema 19: a round's history of marks is read from its own events in the
/// log (`round:<id>`), not kept again as a table: the copy repeated every
/// mark's boarders as JSON — a third of what a year's import wrote besides
/// the log.
const V19: &str = "
DROP TABLE mark_history;
";

/// Schema 20: an absent mark opens its absence where marks are inserted
/// (`project_night::insert_mark`), no longer in a trigger: the trigger ran
/// a sub-program for each of a year's 2.2 million marks, about 5% of a
/// full import, to act on a few. Deleting and changing marks, and every
/// follow-up, still go through the triggers of schema 8.
const V20: &str = "
DROP TRIGGER absences_open_mark_in;
";

/// Schema 21, measured on a year-end station's full import: a round's marks
/// are one row (`round_marks`, a JSON object from boarder to mark; see
/// `store::round_marks`), not a row each — over two million rows a year,
/// whose B-tree work per row was most of the marks' cost. `marks` is now a
/// view with the same columns, so readers and the follow-ups' triggers are
/// unchanged. An absence opens and closes where marks are written
/// (`project_night`), no longer in triggers on `marks`.
const V21: &str = "
CREATE TABLE round_marks (
    round_id TEXT PRIMARY KEY,
    marks TEXT NOT NULL
) STRICT;
INSERT INTO round_marks
  SELECT round_id, json_group_object(student_id,
           json_array(mark, late_at, note, at_ms, by, changes, fact))
  FROM (SELECT * FROM marks ORDER BY round_id, student_id) GROUP BY round_id;
DROP TRIGGER absences_open_mark_out;
DROP TRIGGER absences_open_mark_change;
DROP TABLE marks;
CREATE VIEW marks (round_id, student_id, mark, late_at, note, at_ms, by, changes, fact) AS
  SELECT r.round_id, j.key, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3,
         j.value ->> 4, j.value ->> 5, j.value ->> 6
  FROM round_marks r, json_each(r.marks) j;
";

pub const MIGRATIONS: &[&str] = &[
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16, V17, V18, V19, V20, V21,
];
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the file to `target` (normally LATEST). Returns the version found.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64, StoreError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(from = i, to = i + 1, "database migrated");
    }
    Ok(found)
}
