//! F9's invitation on the job runner: writing the join file and its full
//! bundle leaves the screen answering keys with the progress dialog up,
//! shows the code when done, and Esc stops it with no file left behind.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::i18n::{self, Lang, tr};
use dutydesk::panes::station::{Edit, StationScreen};
use ratatui::crossterm::event::KeyCode;
use std::path::Path;
use std::time::{Duration, Instant};

/// The admin on F9's sync section, the sync folder set to `dir` so the
/// invitation's form offers `dir/join.…`; the form open.
fn admin_inviting(dir: &Path) -> App {
    i18n::set_lang(Lang::ZhCn);
    let (mut store, _clock) = open_copy(cached_demo_db("ui_invite"), dir, "station.db");
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).expect("folder");
    store
        .set_meta("sync_folder", &folder.to_string_lossy())
        .expect("folder set");
    let mut app = App::new(store, vec![]);
    login(&mut app, ADMIN, ADMIN_PIN);
    press(&mut app, KeyCode::F(9));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Char('i'));
    assert!(
        matches!(station(&app).edit, Edit::Invite(_)),
        "i did not open the invitation form"
    );
    app
}

fn station(app: &App) -> &StationScreen {
    app.overlay
        .as_ref()
        .and_then(|o| o.as_any().downcast_ref::<StationScreen>())
        .expect("F9 is open")
}

/// Ticks until the invitation's job has reported its end.
fn until_done(app: &mut App) {
    let t = Instant::now();
    while matches!(station(app).edit, Edit::Inviting { .. }) {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the invitation never ended"
        );
        app.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_invitation_runs_on_the_job_runner_and_shows_the_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = admin_inviting(dir.path());
    app.handle_key(ctrl('s'));
    // Saved: the worker writes; the pane shows the progress dialog and
    // still answers keys (help opens and closes over it).
    assert!(matches!(station(&app).edit, Edit::Inviting { .. }));
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(text.contains(&tr("sync.inviting")), "{text}");
    assert!(text.contains(&tr("job.esc_cancels")), "{text}");
    until_done(&mut app);
    let Edit::Code { code, path, .. } = &station(&app).edit else {
        panic!("no code shown");
    };
    let (code, path) = (code.clone(), path.clone());
    assert!(!code.is_empty());
    let join = Path::new(&path);
    assert!(join.is_file(), "no join file at {path}");
    assert!(
        dutydesk::sync::snapshot_path(join).is_file(),
        "no bundle beside it"
    );
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(
        text.contains(code.as_str()),
        "the code is not on screen:\n{text}"
    );
    // The join file opens with that code.
    let info = dutydesk::sync::join_info(join, &code).expect("join file opens");
    assert!(info.snapshot.is_some());
    let folder = dir.path().join("folder");
    assert!(
        files_in(&folder).iter().all(|f| !f.contains(".tmp")),
        "{:?}",
        files_in(&folder)
    );
}

#[test]
fn esc_stops_the_invitation_and_leaves_no_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = admin_inviting(dir.path());
    app.handle_key(ctrl('s'));
    // Esc at once: long before the worker has read the log.
    press(&mut app, KeyCode::Esc);
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(text.contains(&tr("job.cancelling")), "{text}");
    until_done(&mut app);
    assert!(
        matches!(station(&app).edit, Edit::None),
        "F9 back to its section"
    );
    assert_eq!(
        app.toast.as_ref().map(|t| t.text.clone()),
        Some(tr("sync.invite_cancelled"))
    );
    let folder = dir.path().join("folder");
    assert!(files_in(&folder).is_empty(), "{:?}", files_in(&folder));
}

/// The store-level stop: at the first chunk of the bundle, or once it is
/// written, nothing is left behind.
#[test]
fn a_stopped_invitation_leaves_neither_bundle_nor_join_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut store, _clock) = open_copy(cached_demo_db("ui_invite"), dir.path(), "s.db");
    let folder = dir.path().join("out");
    std::fs::create_dir(&folder).expect("folder");
    let join = folder.join("join.ddjoin");
    // How often a whole invitation asks: once per chunk, once at the end.
    let mut asked = 0;
    dutydesk::sync::invite_watched(&mut store, &join, &mut |_, _| {
        asked += 1;
        true
    })
    .expect("invite");
    assert!(join.is_file() && asked >= 1);
    for f in files_in(&folder) {
        std::fs::remove_file(folder.join(f)).expect("remove");
    }
    for stop_at in 1..=asked {
        let mut calls = 0;
        let r = dutydesk::sync::invite_watched(&mut store, &join, &mut |_, _| {
            calls += 1;
            calls < stop_at
        });
        assert!(r.is_err(), "stopped at call {stop_at}, yet written");
        assert!(files_in(&folder).is_empty(), "{:?}", files_in(&folder));
    }
}
