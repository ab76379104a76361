//! Steps the end-to-end tests share: a station's operators and a patrol
//! route set up the way the station screen and the patrol pane's admin
//! views would (through the store), logging in on a fresh start of the
//! binary, quitting, and reading an exported ledger back.

use super::*;
use calamine::{Data, Reader, Xlsx, open_workbook};
use dutydesk::domain::patrol::{CheckpointData, RouteData, RouteOrder, Schedule};
use dutydesk::domain::role::Role;
use dutydesk::domain::time::SystemClock;
use dutydesk::store::Store;
use std::sync::Arc;

fn open(db: &Path) -> Store {
    Store::open(db, Arc::new(SystemClock)).expect("open station")
}

/// The station's admin, who sets things up.
fn admin(store: &Store) -> dutydesk::domain::role::Actor {
    store
        .operators()
        .expect("operators")
        .into_iter()
        .map(|o| o.actor())
        .find(|a| a.role == Role::Admin)
        .expect("an admin")
}

/// Adds operators (name, role, PIN) as the station's admin.
pub fn add_operators(db: &Path, ops: &[(&str, Role, &str)]) {
    let mut store = open(db);
    let admin = admin(&store);
    for (name, role, pin) in ops {
        store
            .add_operator(&admin, name, *role, pin)
            .expect("operator");
    }
}

/// A route "夜间巡查" (any order, 22:00 00:30 03:00, no walking minimum)
/// over checkpoints (name, place, code, checklist), set by the admin.
pub fn patrol_route(db: &Path, checkpoints: &[(&str, &str, &str, &[&str])]) {
    let mut store = open(db);
    let admin = admin(&store);
    let mut cps = vec![];
    for (name, place, code, items) in checkpoints {
        let d = CheckpointData {
            name: (*name).into(),
            place: (*place).into(),
            code: (*code).into(),
            checklist: items.iter().map(|s| s.to_string()).collect(),
            active: true,
        };
        cps.push(store.set_checkpoint(&admin, None, &d).expect("checkpoint"));
    }
    store
        .set_route(
            &admin,
            None,
            &RouteData {
                name: "夜间巡查".into(),
                checkpoints: cps,
                order: RouteOrder::AnyOrder,
                schedule: Schedule::parse("22:00 00:30 03:00").expect("schedule"),
                min_walk_min: 0,
                window_min: 60,
                late_min: 15,
                named_person: false,
                active: true,
            },
        )
        .expect("route");
}

/// Starts the TUI and logs `who` (name, PIN) in: their row on the login
/// screen, the PIN, Enter.
pub fn login(db: &Path, dir: &Path, who: (&str, &str)) -> Tui {
    let downs = open(db)
        .operators()
        .expect("operators")
        .into_iter()
        .filter(|o| o.active)
        .position(|o| o.name == who.0)
        .expect("on the login screen");
    let mut tui = Tui::start(db, dir);
    tui.wait_for("谁在值班");
    for _ in 0..downs {
        tui.send(DOWN);
    }
    tui.send(who.1);
    tui.send(ENTER);
    tui.wait_until(&format!("{} logged in", who.0), |s| {
        s.contains(&format!("{}(", who.0)) && s.contains("4 隐患")
    });
    tui
}

/// Logs `who` in and goes to the hazards pane.
pub fn hazards_session(db: &Path, dir: &Path, who: (&str, &str)) -> Tui {
    let mut tui = login(db, dir, who);
    tui.send("4");
    tui.wait_for("未销号");
    tui
}

/// `q`: the binary exits 0 and gives the terminal back.
pub fn quit(mut tui: Tui) {
    tui.send("q");
    assert!(tui.wait_exit(), "dutydesk exited with an error");
    tui.assert_restored();
}

/// (yesterday, tomorrow) as `--from`/`--to` dates: whatever the hour the
/// test runs at, today's records are inside.
pub fn around_today() -> (String, String) {
    let today = chrono::Local::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (
        day(today - chrono::Duration::days(1)),
        day(today + chrono::Duration::days(1)),
    )
}

/// The first sheet of an .xlsx as text cells.
pub fn read_xlsx(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open the ledger");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => format!("{other}"),
                })
                .collect()
        })
        .collect()
}
