//! A station of a test school on its own database file and clock, shared
//! by the sync test binaries (incremental bundles, sync folder, recovery).
#![allow(dead_code)]

use assert_cmd::Command;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::role::Actor;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::VisitForm;
use dutydesk::store::Store;
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::sync::{self, ExportReport, ImportReport};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// 2026-11-18 21:13 at +08:00.
pub const T0: i64 = 1_795_000_000_000 + 13 * 3_600_000;
pub const PIN: &str = "2468";

pub struct Station {
    pub store: Store,
    pub clock: FixedClock,
    pub admin: Actor,
    pub path: PathBuf,
}

impl Station {
    pub fn id(&self) -> String {
        self.store.station().unwrap().id.clone()
    }

    /// A parent's visit registered by the admin, a minute after the last act.
    pub fn register(&mut self, name: &str) -> String {
        self.clock.advance_min(1);
        let form = VisitForm {
            name: name.into(),
            phone: "13800138000".into(),
            host: "初二(3)班 王一".into(),
            relation: "父亲".into(),
            purpose: "送衣物".into(),
            ..VisitForm::default()
        };
        match self.store.register_visit(&self.admin, &form, None).unwrap() {
            RegisterOutcome::Registered(id) => id,
            other => panic!("not registered: {other:?}"),
        }
    }

    /// A bundle to `path`: what some peer may lack, or everything.
    pub fn export_as(&mut self, path: &Path, full: bool) -> ExportReport {
        self.clock.advance_min(1);
        sync::export_to_as(&mut self.store, path, full).unwrap()
    }

    pub fn export(&mut self, path: &Path) -> ExportReport {
        self.clock.advance_min(1);
        sync::export_to(&mut self.store, path).unwrap()
    }

    /// Imports a bundle that must not be refused.
    pub fn import(&mut self, path: &Path) -> ImportReport {
        self.clock.advance_min(1);
        let r = sync::import_file(&mut self.store, path, false).unwrap();
        assert_eq!(r.refused, None, "{r:?}");
        r
    }

    /// One sync through the folder `dir`, a minute after the last act.
    pub fn sync(&mut self, dir: &Path) -> (ExportReport, Vec<ImportReport>) {
        self.clock.advance_min(1);
        let (e, reports) = sync::folder(&mut self.store, dir).expect("a folder sync never fails");
        for r in &reports {
            assert_eq!(r.refused, None, "{r:?}");
        }
        (e, reports)
    }

    pub fn count(&self) -> u64 {
        self.store.event_count().unwrap()
    }

    /// Every event held, as (origin, seq).
    pub fn holds(&self) -> Vec<(String, i64)> {
        let mut stmt = self
            .store
            .conn()
            .prepare("SELECT origin, seq FROM events ORDER BY origin, seq")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    pub fn ids(&self) -> BTreeSet<String> {
        let mut stmt = self.store.conn().prepare("SELECT id FROM events").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    pub fn visitors(&self) -> BTreeSet<String> {
        let mut stmt = self
            .store
            .conn()
            .prepare("SELECT name FROM visits")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    pub fn head(&self, origin: &str) -> i64 {
        self.store.chain_head(origin).unwrap().0
    }

    /// Every chain verifies and every event is in one.
    pub fn verify(&self) {
        let n = dutydesk::store::log::verify(self.store.conn())
            .unwrap()
            .unwrap_or_else(|f| panic!("chain fault: {f:?}"));
        assert_eq!(n, self.store.event_count().unwrap());
    }
}

/// The real binary in English, logging to a scratch folder.
pub fn dutydesk() -> Command {
    let mut c = Command::cargo_bin("dutydesk").unwrap();
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env(
            dutydesk::logging::DIR_ENV,
            std::env::temp_dir().join("dutydesk-test-logs"),
        )
        .args(["--lang", "en"]);
    c
}

/// Runs `dutydesk ARGS --db DB` with `stdin`: whether it succeeded, and
/// everything it printed.
pub fn run(args: &[&str], db: &Path, stdin: &str) -> (bool, String) {
    let o = dutydesk()
        .args(args)
        .arg("--db")
        .arg(db)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.success(), text)
}

/// Two stations of one school on database files: A sets up, B joins.
pub fn gate_and_dorm(dir: &Path) -> (Station, Station) {
    gate_and_dorm_at(dir, &dir.join("a.db"), &dir.join("b.db"))
}

/// `gate_and_dorm` with each database in a folder of its own, as on two
/// computers (each keeps its own attachment folder beside it).
pub fn gate_and_dorm_apart(dir: &Path) -> (Station, Station) {
    for d in ["a", "b"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    gate_and_dorm_at(dir, &dir.join("a/a.db"), &dir.join("b/b.db"))
}

fn gate_and_dorm_at(dir: &Path, a_path: &Path, b_path: &Path) -> (Station, Station) {
    let join = dir.join("school.ddjoin");
    let clock = FixedClock::new(T0);
    let path = a_path.to_path_buf();
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let admin = store
        .setup(
            "青山县第一中学",
            "南门门卫室",
            StationKind::Gate,
            480,
            "管理员甲",
            PIN,
        )
        .unwrap();
    let code = sync::invite(&mut store, &join).unwrap().0;
    let a = Station {
        store,
        clock,
        admin,
        path,
    };
    let clock = FixedClock::new(T0 + 1_000);
    let path = b_path.to_path_buf();
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    sync::join(
        &mut store,
        &info,
        "1号楼值班室",
        StationKind::Dorm,
        480,
        "管理员乙",
        PIN,
    )
    .unwrap();
    let admin = store
        .find_operator_by_name("管理员乙")
        .unwrap()
        .unwrap()
        .actor();
    let b = Station {
        store,
        clock,
        admin,
        path,
    };
    (a, b)
}

/// A new station joined to `a`'s school, its database in a folder of its
/// own under `dir` (named `name`).
pub fn join_new(a: &mut Station, dir: &Path, name: &str) -> Station {
    let home = dir.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let join = home.join("school.ddjoin");
    let code = sync::invite(&mut a.store, &join).unwrap().0;
    let clock = FixedClock::new(a.store.now_ms() + 1_000);
    let path = home.join(format!("{name}.db"));
    let mut store = Store::open(&path, Arc::new(clock.clone())).unwrap();
    let info = sync::join_info(&join, &code).unwrap();
    sync::join(
        &mut store,
        &info,
        name,
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
    Station {
        store,
        clock,
        admin,
        path,
    }
}
