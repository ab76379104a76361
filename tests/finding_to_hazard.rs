//! A patrol finding becomes a hazard in one key (issue 11): in a round,
//! Ctrl+R on a checkpoint with a finding brings the hazards pane to front
//! with its report form prefilled (place, category guessed from the failed
//! item, what failed and the note, the link to the check-in); one Ctrl+S
//! saves it, and the round marks the finding as reported. On a checkpoint
//! without a finding the key says why and does nothing.

mod common;

use common::*;
use dutydesk::app::App;
use dutydesk::panes::hazards::{HazardsPane, Mode as HazardMode};
use dutydesk::panes::patrol::{Mode, PatrolPane};
use dutydesk::store::hazards::HazardFilter;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ctrl_r() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)
}

#[test]
fn a_finding_becomes_a_hazard_in_one_key_and_is_saved_in_one_more() {
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
    app.handle_key(ctrl_r());
    assert!(app.toast.as_ref().is_some_and(|t| t.error));
    assert!(matches!(app.pane::<PatrolPane>().mode, Mode::Round(_)));
    // Up to the demo's finding (the round opens on the next checkpoint
    // to walk).
    let mut steps = 0;
    while app.pane::<PatrolPane>().selected_finding().is_none() {
        press(&mut app, KeyCode::Up);
        steps += 1;
        assert!(steps < 30, "the demo round has a finding");
    }
    let finding = app.pane::<PatrolPane>().selected_finding().unwrap();
    let linked = |app: &App| {
        let all = HazardFilter {
            limit: 10_000,
            ..HazardFilter::default()
        };
        app.store
            .hazards(&all, app.store.now_ms())
            .unwrap()
            .into_iter()
            .filter(|h| {
                h.found_on_patrol.as_ref().is_some_and(|p| {
                    p.round_id == finding.round_id && p.checkpoint_id == finding.checkpoint_id
                })
            })
            .count()
    };
    let before = linked(&app);
    // One key: the hazards pane, its report form prefilled.
    app.handle_key(ctrl_r());
    let HazardMode::Form { form, patrol, .. } = &app.pane::<HazardsPane>().mode else {
        panic!("the report form is not open");
    };
    assert!(form.value("place").contains(&finding.checkpoint));
    for item in &finding.failed {
        assert!(form.value("description").contains(item.as_str()));
    }
    let link = patrol.clone().expect("linked to the check-in");
    assert_eq!(link.round_id, finding.round_id);
    assert_eq!(link.checkpoint_id, finding.checkpoint_id);
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(text.contains(&finding.checkpoint), "{text}");
    // One more: saved, linked back to the patrol.
    app.handle_key(ctrl('s'));
    assert_eq!(linked(&app), before + 1);
    assert!(matches!(app.pane::<HazardsPane>().mode, HazardMode::Browse));
    // Back in the round, the finding says it was reported.
    press(&mut app, KeyCode::Char('3'));
    let text = buffer_text(&draw(&mut app, 120, 40));
    assert!(
        text.contains(&dutydesk::i18n::tr("patrol.reported_hazard")),
        "{text}"
    );
}
