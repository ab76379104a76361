//! Syncing through a shared folder kept in step by a file-sync tool (issue
//! 10): one current bundle per station, named by station and time, older
//! ones removed; the tools' temporary files, conflict and duplicate copies,
//! a copy cut short and another school's bundle are read safely or left
//! alone, never imported twice, never fatal; an unchanged folder is not
//! read again.

use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::store::Store;
use dutydesk::sync::{self, ImportReport};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod stations;
use stations::{PIN, Station, T0};

const NAMES: [&str; 3] = ["南门门卫室", "1号楼值班室", "政教处"];

fn school(n: usize, school: &str) -> Vec<Station> {
    let mut out: Vec<Station> = Vec::new();
    let mut info = None;
    for (i, name) in NAMES.iter().take(n).enumerate() {
        let clock = FixedClock::new(T0 + i as i64 * 7_000);
        let mut store = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        let admin_name = format!("管理员{i}");
        let admin = match &info {
            None => {
                let a = store
                    .setup(school, name, StationKind::Gate, 480, &admin_name, PIN)
                    .unwrap();
                let id = sync::identity(&mut store).unwrap();
                info = Some(sync::crypto::JoinInfo {
                    school_id: id.school_id,
                    school_name: school.into(),
                    secret: id.key.secret(),
                    made_by_station: name.to_string(),
                    made_ms: T0,
                    snapshot: None,
                });
                a
            }
            Some(info) => {
                sync::join(
                    &mut store,
                    info,
                    name,
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
            }
        };
        // In memory: no file of its own.
        out.push(Station {
            store,
            clock,
            admin,
            path: PathBuf::new(),
        });
    }
    out
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn bundles_of(dir: &Path, station: &str) -> Vec<String> {
    listing(dir)
        .into_iter()
        .filter(|n| n.starts_with(&format!("{station}-")) && n.ends_with(".ddbundle"))
        .collect()
}

#[test]
fn each_station_keeps_one_current_bundle_named_by_station_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(3, "青山县第一中学");
    for round in 0..3 {
        for (i, s) in st.iter_mut().enumerate() {
            s.register(&format!("访客{round}-{i}"));
            let (e, _) = s.sync(dir.path());
            let name = e.path.file_name().unwrap().to_string_lossy().to_string();
            assert_eq!(bundles_of(dir.path(), NAMES[i]), vec![name.clone()]);
            // 南门门卫室-20261118-211400.ddbundle
            let stamp = name
                .strip_prefix(&format!("{}-", NAMES[i]))
                .and_then(|r| r.strip_suffix(".ddbundle"))
                .unwrap();
            assert!(stamp.len() == 15 && stamp.as_bytes()[8] == b'-', "{name}");
        }
    }
    assert_eq!(listing(dir.path()).len(), 3, "{:?}", listing(dir.path()));
    // One more pass each and everyone holds everything.
    for s in st.iter_mut() {
        s.sync(dir.path());
    }
    for s in &st[1..] {
        assert_eq!(s.holds(), st[0].holds());
    }
}

#[test]
fn an_unchanged_bundle_is_not_read_again_and_nothing_new_is_small() {
    let dir = tempfile::tempdir().unwrap();
    let mut st = school(2, "青山县第一中学");
    st[0].register("李建国");
    for _ in 0..3 {
        for s in st.iter_mut() {
            s.sync(dir.path());
        }
    }
    assert_eq!(st[0].holds(), st[1].holds());
    // Station 1's last bundle, read once; then, nothing new there, a sync
    // reads no bundle and writes one with no event.
    let (_, reports) = st[0].sync(dir.path());
    assert_eq!(reports.len(), 1);
    let (e, reports) = st[0].sync(dir.path());
    assert_eq!(e.events, 0);
    assert!(e.bytes < 10 * 1024, "{} bytes", e.bytes);
    assert!(reports.is_empty(), "{reports:?}");
}

#[test]
fn copies_and_temporary_files_of_sync_tools_are_never_imported_twice_or_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    let mut st = school(2, "青山县第一中学");
    st[1].register("王秀英");
    let (theirs, _) = st[1].sync(folder);
    let bytes = std::fs::read(&theirs.path).unwrap();
    let stem = theirs
        .path
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let copies = [
        format!("{stem}.sync-conflict-20261118-211733-ABCDEFG.ddbundle"),
        format!("{stem} (1).ddbundle"),
        format!("{stem}-DESKTOP-7QK2.ddbundle"),
        format!("{stem}(冲突副本).ddbundle"),
    ];
    for c in &copies {
        std::fs::write(folder.join(c), &bytes).unwrap();
    }
    // Files on their way, cut short: a sync tool's temporary names, and
    // one under a bundle's name.
    let half = &bytes[..bytes.len() / 2];
    std::fs::write(folder.join(format!("~syncthing~{stem}.ddbundle.tmp")), half).unwrap();
    std::fs::write(folder.join(format!(".syncthing.{stem}.ddbundle.tmp")), half).unwrap();
    std::fs::write(folder.join(format!("{stem} (2).ddbundle")), half).unwrap();
    // Another school's bundle, and files that are not bundles at all.
    let mut other = school(1, "另一所学校");
    other[0].register("外校访客");
    other[0].sync(folder);
    std::fs::write(folder.join("desktop.ini"), "[.ShellClassInfo]").unwrap();
    std::fs::write(folder.join("说明.ddbundle"), "这不是数据包").unwrap();

    let before = st[0].holds();
    let (_, reports) = sync::folder(&mut st[0].store, folder).expect("never fatal");
    // The bundle once; its copies skipped; the cut copy skipped as the
    // whole one is in; the non-bundle named with its reason.
    let taken: Vec<&ImportReport> = reports.iter().filter(|r| r.refused.is_none()).collect();
    assert_eq!(taken.len(), 1, "{reports:#?}");
    assert!(taken[0].new > 0);
    let refused: Vec<&str> = reports
        .iter()
        .filter(|r| r.refused.is_some())
        .map(|r| r.file.as_str())
        .collect();
    assert_eq!(refused, ["说明.ddbundle"], "{reports:#?}");
    assert!(st[0].holds().len() > before.len());
    assert!(
        !st[0]
            .holds()
            .iter()
            .any(|(o, _)| *o == other[0].store.station().unwrap().id),
        "another school's events"
    );
    // The other station's files stay for it to manage.
    for c in &copies {
        assert!(folder.join(c).is_file());
    }
    // Again: nothing read but the one that does not read.
    let (_, again) = sync::folder(&mut st[0].store, folder).unwrap();
    assert_eq!(again.len(), 1, "{again:#?}");
    assert_eq!(again[0].file, "说明.ddbundle");
}

#[test]
fn this_stations_older_bundles_and_their_copies_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    let mut st = school(2, "青山县第一中学");
    let id = st[0].store.station().unwrap().id.clone();
    // A bundle under the name earlier versions gave (the station id), a
    // conflict copy of it, and a copy another computer's tool renamed.
    let legacy: PathBuf = folder.join(format!("{id}.ddbundle"));
    sync::export_to(&mut st[0].store, &legacy).unwrap();
    std::fs::copy(
        &legacy,
        folder.join(format!("{id}.sync-conflict-x.ddbundle")),
    )
    .unwrap();
    // A join file made into the folder: its full bundle stays there.
    sync::invite(&mut st[0].store, &folder.join("新站点.ddjoin")).unwrap();
    st[1].sync(folder);
    st[0].register("李建国");
    let (mine, _) = st[0].sync(folder);
    let left: Vec<String> = listing(folder)
        .into_iter()
        .filter(|n| !n.starts_with(NAMES[1]))
        .collect();
    assert_eq!(
        left,
        vec![
            mine.path.file_name().unwrap().to_string_lossy().to_string(),
            "新站点.ddjoin".to_string(),
            "新站点.ddjoin.ddbundle".to_string(),
        ]
    );
    // What the removed ones held is in the current one.
    st[1].sync(folder);
    assert_eq!(st[0].holds(), st[1].holds());
}
