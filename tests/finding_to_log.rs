//! A patrol finding becomes a shift-log entry in one key: in a round,
//! Ctrl+G on a checkpoint with a finding brings the duty pane to front on
//! its shift log with the entry form prefilled (when, where, what failed
//! and the note, category safety, to follow up); one Ctrl+S saves it. On a
//! checkpoint without a finding the key says why and does nothing.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::domain::shift_log::{Category, FollowUp};
use dutydesk::panes::duty::DutyPane;
use dutydesk::panes::duty::log::{LogView, Mode as LogMode};
use dutydesk::panes::patrol::{Mode, PatrolPane};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl_g() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)
}

fn log_view(app: &App) -> &LogView {
    app.pane::<DutyPane>().view::<LogView>().expect("log view")
}

#[test]
fn a_finding_becomes_a_shift_log_entry_in_one_key_and_is_saved_in_one_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    write_demo_db(&db);
    let (store, _clock) = open_copy(&db, dir.path(), "f.db");
    let mut app = App::new(store, vec![]);
    login(&mut app, GUARD, GUARD_PIN);
    press(&mut app, KeyCode::Char('3'));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.pane::<PatrolPane>().mode, Mode::Round(_)));
    // The checkpoint it opens on has no finding: refused, said, still here.
    app.handle_key(ctrl_g());
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
    assert!(matches!(app.pane::<PatrolPane>().mode, Mode::Round(_)));
    let mut steps = 0;
    while app.pane::<PatrolPane>().selected_finding().is_none() {
        press(&mut app, KeyCode::Up);
        steps += 1;
        assert!(steps < 30, "the demo round has a finding");
    }
    let finding = app.pane::<PatrolPane>().selected_finding().unwrap();
    // The hint bar offers the key here.
    let text = buffer_text(&draw(&mut app, 160, 40));
    assert!(text.contains("Ctrl+G"), "{text}");
    let before = app.store.log_entries_between(0, i64::MAX).unwrap().len();

    // One key: the duty pane, the shift log's form prefilled.
    app.handle_key(ctrl_g());
    let LogMode::Form { form, .. } = &log_view(&app).mode else {
        panic!("the entry form is not open");
    };
    assert!(form.value("what").contains(&finding.checkpoint));
    for item in &finding.failed {
        assert!(form.value("what").contains(item.as_str()));
    }
    assert!(!form.value("at").is_empty(), "the finding's time is filled");
    let text = buffer_text(&draw(&mut app, 120, 40));
    let title = dutydesk::i18n::tr("shiftlog.form.new");
    assert!(text.contains(&title), "{text}");

    // One more: saved, as a safety entry to follow up, at the finding's time.
    app.handle_key(ctrl('s'));
    assert!(matches!(log_view(&app).mode, LogMode::Browse));
    let all = app.store.log_entries_between(0, i64::MAX).unwrap();
    assert_eq!(all.len(), before + 1);
    let e = all
        .iter()
        .find(|e| e.fields.what.contains(&finding.checkpoint))
        .expect("the entry");
    assert_eq!(e.fields.category, Category::Safety);
    assert_eq!(e.state, FollowUp::Open);
    assert_eq!(e.fields.at_ms / 60_000, finding.at_ms / 60_000);
}
