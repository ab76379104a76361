//! A disk that cannot take a write: the save is refused with its own
//! message, nothing of it is written (events and projections as before, the
//! chain intact), the form keeps what was typed, and once there is room the
//! same save goes through. The full disk is a database capped with
//! `PRAGMA max_page_count` at its current size.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::event::StationKind;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::VisitForm;
use dutydesk::i18n::{Lang, set_lang, tr};
use dutydesk::panes::visitors::Mode;
use dutydesk::store::visits::RegisterOutcome;
use dutydesk::store::{Store, StoreError, project};
use ratatui::crossterm::event::KeyCode;
use std::sync::Arc;

/// Caps the database at the pages it has now (SQLite raises a cap below the
/// current size to it).
fn cap(store: &Store) {
    let _: i64 = store
        .conn()
        .query_row("PRAGMA max_page_count = 1", [], |r| r.get(0))
        .unwrap();
}

fn uncap(store: &Store) {
    let _: i64 = store
        .conn()
        .query_row("PRAGMA max_page_count = 1000000", [], |r| r.get(0))
        .unwrap();
}

fn events(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

fn visit(i: usize) -> VisitForm {
    VisitForm {
        name: format!("王芳{i}"),
        phone: "13800138000".into(),
        host: "初二(3)班 李老师".into(),
        purpose: "送衣物和生活用品，顺便和班主任谈一谈孩子最近的学习情况".into(),
        notes: "带了两个大包".into(),
        ..VisitForm::default()
    }
}

#[test]
fn a_full_disk_refuses_the_save_and_keeps_the_database_valid() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("duty.db");
    let mut store = Store::open(&db, Arc::new(FixedClock::new(now_ms()))).unwrap();
    let admin = store
        .setup(SCHOOL, STATION, StationKind::Gate, 480, ADMIN, ADMIN_PIN)
        .unwrap();
    cap(&store);
    // Register until the pages run out; each try is the same size.
    let mut failed = None;
    for i in 0..2000 {
        let (n, dump) = (events(&store), project::dump(store.conn()).unwrap());
        match store.register_visit(&admin, &visit(i), None) {
            Ok(RegisterOutcome::Registered(_)) => continue,
            Ok(_) => panic!("no watchlist here"),
            Err(e) => {
                assert!(matches!(e, StoreError::DiskFull), "got {e:?}");
                assert_eq!(events(&store), n, "an event of the refused save");
                assert_eq!(project::dump(store.conn()).unwrap(), dump);
                failed = Some(i);
                break;
            }
        }
    }
    let i = failed.expect("the capped database never filled");
    assert!(
        i > 0,
        "nothing fitted: the test would not show a partial write"
    );
    assert_eq!(store.verify_log().unwrap(), Ok(events(&store) as u64));
    // Space again: the same save goes through, and the file is sound.
    uncap(&store);
    let n = events(&store);
    assert!(matches!(
        store.register_visit(&admin, &visit(i), None),
        Ok(RegisterOutcome::Registered(_))
    ));
    assert!(events(&store) > n);
    assert_eq!(store.verify_log().unwrap(), Ok(events(&store) as u64));
    drop(store);
    assert_eq!(Store::quick_check(&db).unwrap(), None);
}

/// The only test here that reads text, so the process-wide language is
/// its own.
#[test]
fn the_registration_form_says_the_disk_is_full_and_keeps_what_was_typed() {
    for l in [Lang::ZhCn, Lang::En] {
        set_lang(l);
        let (store, _clock) = fresh_store();
        let mut app = App::new(store, vec![]);
        let admin = app
            .store
            .operators()
            .unwrap()
            .into_iter()
            .find(|o| o.name == ADMIN)
            .unwrap()
            .actor();
        app.logged_in(admin);
        cap(&app.store);
        let mut kept = None;
        for i in 0..2000 {
            let n = events(&app.store);
            press(&mut app, KeyCode::Char('n'));
            assert!(matches!(app.visitors().mode, Mode::Register(_)));
            let name = format!("王芳{i}");
            type_str(&mut app, &name);
            match &mut app.visitors_mut().mode {
                Mode::Register(r) => r.form.set("purpose", &visit(i).purpose),
                _ => unreachable!(),
            }
            app.handle_key(ctrl('s'));
            if matches!(app.visitors().mode, Mode::Browse) {
                continue;
            }
            assert_eq!(events(&app.store), n, "{l:?}: half a save");
            kept = Some(name);
            break;
        }
        let name = kept.expect("the capped database never filled");
        // Still the form, with what was typed, and the message on screen.
        match &app.visitors().mode {
            Mode::Register(r) => {
                assert_eq!(r.form.value("name"), name);
                assert_eq!(r.form.value("purpose"), visit(0).purpose);
            }
            _ => panic!("{l:?}: the form closed on a failed save"),
        }
        let toast = app.toast.clone().expect("a message");
        assert!(toast.error);
        assert_eq!(toast.text, tr("err.disk_full"));
        let screen = buffer_text(&draw(&mut app, 200, 40));
        assert!(screen.contains(&tr("err.disk_full")), "{l:?}\n{screen}");
        assert_eq!(
            app.store.verify_log().unwrap(),
            Ok(events(&app.store) as u64)
        );
        // Room again: the same form saves.
        uncap(&app.store);
        app.handle_key(ctrl('s'));
        assert!(
            matches!(app.visitors().mode, Mode::Browse),
            "{l:?}: the save after space returned failed: {:?}",
            app.toast
        );
        assert!(
            app.store
                .on_site()
                .unwrap()
                .iter()
                .any(|v| v.details.name == name)
        );
    }
}
