//! The demo school read as an inspector or a tester reads it: every child's
//! gender agrees with the name, every guardian's relation with the
//! guardian's name, no guardian is named like the child, visits are spread
//! over many returning visitors, and officials and contractors give their
//! 单位. Checked on the demo (`Scale::Small`) and at the school year's rate
//! of visits (`Scale::Busy`). The school year's stations and their
//! contradictions are checked on three weeks of it (`Scale::YearSample`).

use dutydesk::demo::{self, Scale, names};
use dutydesk::domain::roster::Gender;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::VisitorType;
use dutydesk::store::visits::VisitRow;
use dutydesk::store::{Store, project};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// 2026-11-22 10:00 +08:00.
fn now_ms() -> i64 {
    chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00+08:00")
        .expect("valid instant")
        .timestamp_millis()
}

fn school(scale: Scale, seed: u64) -> Store {
    let clock = FixedClock::new(now_ms());
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).expect("open store");
    demo::generate(&mut store, &clock, scale, seed, now_ms()).expect("demo data");
    store
}

fn all_visits(store: &Store) -> Vec<VisitRow> {
    store.visits_between(i64::MIN, i64::MAX).expect("visits")
}

/// Relations as families use the words — written out here rather than
/// taken from the generator, so a wrong table there is caught.
fn relation_gender(relation: &str) -> Option<Gender> {
    match relation {
        "父亲" | "爷爷" | "外公" | "叔叔" => Some(Gender::Male),
        "母亲" | "奶奶" | "外婆" | "姑姑" => Some(Gender::Female),
        _ => None,
    }
}

/// The gender of the list a generated name's given part comes from.
fn name_gender(name: &str) -> Gender {
    let (_, given) = names::split(name).unwrap_or_else(|| panic!("{name}: no known surname"));
    let male = names::given_names(Gender::Male).any(|g| g == given);
    let female = names::given_names(Gender::Female).any(|g| g == given);
    match (male, female) {
        (true, false) => Gender::Male,
        (false, true) => Gender::Female,
        _ => panic!("{name}: given name {given} is in {male}/{female} (male/female) lists"),
    }
}

fn check_roster(store: &Store) {
    let students = store.students(None).expect("students");
    assert!(students.len() > 100, "only {} boarders", students.len());
    let (mut boys, mut girls) = (0, 0);
    for st in &students {
        let d = &st.data;
        let gender = d.gender.unwrap_or_else(|| panic!("{}: no gender", d.name));
        assert_eq!(name_gender(&d.name), gender, "{}: name and gender", d.name);
        match gender {
            Gender::Male => boys += 1,
            Gender::Female => girls += 1,
        }
        assert!(!d.guardians.is_empty(), "{}: no guardian", d.name);
        let mut seen = HashSet::new();
        for g in &d.guardians {
            let rel = relation_gender(&g.relation).unwrap_or_else(|| {
                panic!(
                    "{}: guardian {} has relation {:?}",
                    d.name, g.name, g.relation
                )
            });
            assert_eq!(
                name_gender(&g.name),
                rel,
                "{}: guardian {}（{}）",
                d.name,
                g.name,
                g.relation
            );
            assert_ne!(
                g.name, d.name,
                "a guardian of {} has the student's name",
                d.name
            );
            assert!(
                seen.insert(&g.name),
                "{}: two guardians named {}",
                d.name,
                g.name
            );
        }
    }
    assert!(boys > 0 && girls > 0, "{boys} boys, {girls} girls");
}

fn check_visits(store: &Store) {
    let visits = all_visits(store);
    let mut kinds: HashMap<VisitorType, usize> = HashMap::new();
    for v in &visits {
        let d = &v.details;
        *kinds.entry(d.visitor_type).or_default() += 1;
        if matches!(
            d.visitor_type,
            VisitorType::Official | VisitorType::Contractor
        ) {
            assert!(
                !d.org.trim().is_empty(),
                "{} ({:?}, {}) has no 单位",
                d.name,
                d.visitor_type,
                d.purpose
            );
        }
        if d.visitor_type == VisitorType::Parent {
            let rel = relation_gender(&d.relation)
                .unwrap_or_else(|| panic!("parent {} has relation {:?}", d.name, d.relation));
            assert_eq!(name_gender(&d.name), rel, "{}（{}）", d.name, d.relation);
            let child = d.host.rsplit(' ').next().unwrap_or_default();
            assert_ne!(d.name, child, "parent named like the child: {}", d.host);
            // The 17th digit of a resident ID is odd for a man.
            let id = d.id_no.as_deref().expect("parents give an ID");
            let odd = id.as_bytes()[16] % 2 == 1;
            assert_eq!(
                odd,
                rel == Gender::Male,
                "{}（{}）: ID {id}",
                d.name,
                d.relation
            );
        }
    }
    // The kinds keep their long-standing mix: mostly parents, a few
    // officials and contractors.
    let n = visits.len();
    let parents = kinds.get(&VisitorType::Parent).copied().unwrap_or(0);
    assert!(
        parents * 100 > n * 55 && parents * 100 < n * 85,
        "{parents} of {n} visits by parents"
    );
    for k in [
        VisitorType::Official,
        VisitorType::Contractor,
        VisitorType::Delivery,
    ] {
        assert!(kinds.get(&k).copied().unwrap_or(0) > 0, "no {k:?} visits");
    }
}

/// The largest share of all visits made by one person (one ID number), and
/// the number of people who came more than once.
fn top_share(store: &Store) -> (f64, usize) {
    let visits = all_visits(store);
    let mut per: HashMap<String, usize> = HashMap::new();
    for v in &visits {
        let key = v
            .details
            .id_no
            .clone()
            .unwrap_or_else(|| v.details.name.clone());
        *per.entry(key).or_default() += 1;
    }
    let top = per.values().copied().max().unwrap_or(0);
    let returning = per.values().filter(|c| **c > 1).count();
    (top as f64 / visits.len() as f64, returning)
}

#[test]
fn name_lists_keep_the_genders_apart() {
    let male: HashSet<_> = names::given_names(Gender::Male).collect();
    let female: HashSet<_> = names::given_names(Gender::Female).collect();
    let both: Vec<_> = male.intersection(&female).collect();
    assert!(both.is_empty(), "in both lists: {both:?}");
    for (rel, g) in names::RELATIONS {
        assert_eq!(relation_gender(rel), Some(*g), "{rel}");
    }
}

#[test]
fn demo_school_reads_true() {
    let store = school(Scale::Small, 42);
    check_roster(&store);
    check_visits(&store);
    let (top, returning) = top_share(&store);
    // Two weeks of a small school: a daily supplier may reach a few percent.
    assert!(
        top <= 0.06,
        "one visitor made {:.1} % of visits",
        top * 100.0
    );
    assert!(returning >= 20, "only {returning} visitors came back");
}

#[test]
fn busy_school_spreads_visits_over_many_returning_visitors() {
    let store = school(Scale::Busy, 7);
    check_roster(&store);
    check_visits(&store);
    let (top, returning) = top_share(&store);
    assert!(
        top <= 0.03,
        "one visitor made {:.1} % of visits",
        top * 100.0
    );
    assert!(returning >= 300, "only {returning} visitors came back");
}

#[test]
fn the_same_seed_builds_the_same_school() {
    let fingerprint = |s: &Store| {
        let visits: Vec<_> = all_visits(s)
            .into_iter()
            .map(|v| {
                (
                    v.id,
                    v.time_in,
                    v.details.name,
                    v.details.org,
                    v.details.host,
                )
            })
            .collect();
        let students: Vec<_> = s
            .students(None)
            .expect("students")
            .into_iter()
            .map(|st| (st.id, st.data.name, st.data.guardians))
            .collect();
        (visits, students)
    };
    let a = fingerprint(&school(Scale::Small, 3));
    assert_eq!(a, fingerprint(&school(Scale::Small, 3)));
    assert_ne!(
        a,
        fingerprint(&school(Scale::Small, 4)),
        "the seed changes nothing"
    );
}

/// A synced school's log, as the year-end station holds it: the gate's
/// events under the gate station, the rolls, sick log and leave under the
/// two dorm stations, each chain whole; contradictions between stations
/// at their low rate in the review list (F8), most decided by a duty
/// leader; and the other stations known to hold what this one holds.
#[test]
fn a_year_is_written_at_several_stations_with_their_contradictions() {
    let clock = FixedClock::new(now_ms());
    let mut store = Store::open_in_memory(Arc::new(clock.clone())).expect("open store");
    let stats =
        demo::generate(&mut store, &clock, Scale::YearSample, 42, now_ms()).expect("demo data");
    assert!(
        matches!(store.verify_log().expect("verify"), Ok(n) if n == store.event_count().unwrap()),
        "every chain verifies"
    );
    let me = store.require_station().expect("station").id.clone();
    let per_origin = |sql: &str| -> HashMap<String, i64> {
        let mut stmt = store.conn().prepare(sql).expect("query");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let stations = per_origin("SELECT origin, COUNT(*) FROM events GROUP BY origin");
    assert_eq!(
        stations.len(),
        3,
        "the gate and two dorm stations: {stations:?}"
    );
    // Where each kind was written: visits and gate departures at the gate,
    // the rolls, sick and leave at the dorms.
    for (kind, at_gate) in [
        ("visit.registered", true),
        ("gate.departed", true),
        ("round.marked", false),
        ("sick.recorded", false),
        ("leave.granted", false),
    ] {
        let by = per_origin(&format!(
            "SELECT origin, COUNT(*) FROM events WHERE kind = '{kind}' GROUP BY origin"
        ));
        assert!(!by.is_empty(), "no {kind}");
        assert_eq!(by.contains_key(&me), at_gate, "{kind} written at {by:?}");
        if !at_gate {
            assert_eq!(by.len(), 2, "{kind} at both dorm stations: {by:?}");
        }
    }
    let names: Vec<String> = stations.keys().map(|o| store.station_name(o)).collect();
    assert!(names.iter().any(|n| n.contains("宿舍")), "{names:?}");

    let conflicts = store.conflicts().expect("conflicts");
    assert_eq!(
        conflicts.len() as u64,
        stats.contradictions,
        "each one listed"
    );
    let kinds: HashSet<&str> = conflicts.iter().map(|c| c.kind.as_str()).collect();
    assert!(kinds.contains("return"), "no return told twice: {kinds:?}");
    assert!(
        conflicts.len() * 300 < store.event_count().unwrap() as usize,
        "{} contradictions is no low rate",
        conflicts.len()
    );
    for c in &conflicts {
        let origins: HashSet<&str> = c.events.iter().map(|e| e.origin.as_str()).collect();
        assert!(origins.len() >= 2, "{}: told at one station", c.key);
    }
    let decided = conflicts.iter().filter(|c| c.decided.is_some()).count();
    assert_eq!(decided as u64, stats.decisions);
    assert!(
        decided > 0 && decided * 2 > conflicts.len(),
        "{decided} of {} decided",
        conflicts.len()
    );
    // The others synced last: an export carries nothing to them.
    let views = store.peer_views().expect("peers");
    for origin in stations.keys().filter(|o| **o != me) {
        assert!(views.contains_key(origin), "{origin} never heard from");
    }
    // Contradictions and decisions are the log's, as every projection:
    // rebuilt from it they come out the same.
    let incremental = project::dump(store.conn()).expect("dump");
    store.conn().execute_batch("BEGIN").expect("begin");
    project::rebuild(store.conn()).expect("rebuild");
    store.conn().execute_batch("COMMIT").expect("commit");
    let rebuilt = project::dump(store.conn()).expect("dump");
    assert!(incremental == rebuilt, "rebuild differs from incremental");
}

/// The demo opens at whatever hour it is started: none of its records may
/// lie ahead of that moment, or every event recorded in it would carry the
/// later time (the log's clock never goes back) and show it.
#[test]
fn a_demo_started_at_any_hour_holds_nothing_from_later() {
    let midnight = now_ms() - 10 * 3_600_000;
    for hour in [0, 1, 3, 6, 7, 8, 9, 12, 17, 18, 20, 22, 23] {
        let now = midnight + hour * 3_600_000 + 5 * 60_000;
        let clock = FixedClock::new(now);
        let mut store = Store::open_in_memory(Arc::new(clock.clone())).expect("open store");
        demo::generate(&mut store, &clock, Scale::Small, 42, now).expect("demo data");
        let (latest, kind): (i64, String) = store
            .conn()
            .query_row(
                "SELECT hlc_ms, kind FROM events ORDER BY hlc_ms DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("events");
        assert!(
            latest <= now,
            "started at {hour:02}:05: a {kind} at {} min later",
            (latest - now) / 60_000
        );
    }
}
