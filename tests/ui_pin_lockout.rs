//! PIN throttling in the TUI: the login screen takes digits only, says the
//! time left once an operator is locked out, the duty leader's status bar
//! shows the lockout, and an admin lifts it in F9 with `u`.

mod common;

use common::*;
use dutydesk::app::{App, Screen};
use dutydesk::domain::role::Role;
use dutydesk::i18n::{self, Lang};
use ratatui::crossterm::event::KeyCode;

fn login_error(app: &App) -> String {
    match &app.screen {
        Screen::Login(l) => l.error.clone().unwrap_or_default(),
        _ => panic!("not on the login screen"),
    }
}

fn login_pin(app: &App) -> String {
    match &app.screen {
        Screen::Login(l) => l.pin.value(),
        _ => panic!("not on the login screen"),
    }
}

#[test]
fn lockout_on_the_login_screen_alert_and_unlock() {
    i18n::set_lang(Lang::ZhCn);
    let (mut store, _clock) = fresh_store();
    let admin = store.find_operator_by_name(ADMIN).unwrap().unwrap().actor();
    let guard = store
        .add_operator(&admin, "张建国", Role::Guard, "2580")
        .unwrap();
    let mut app = App::new(store, vec![]);
    // The guard is listed first. Letters are refused as typed.
    type_str(&mut app, "ab1cＸ");
    assert_eq!(login_pin(&app), "1");
    press(&mut app, KeyCode::Backspace);
    for _ in 0..4 {
        type_str(&mut app, "0000");
        press(&mut app, KeyCode::Enter);
        assert!(
            login_error(&app).contains("PIN 不正确"),
            "{}",
            login_error(&app)
        );
    }
    type_str(&mut app, "0000");
    press(&mut app, KeyCode::Enter);
    assert!(
        login_error(&app).contains("已锁定，请 30 秒后再试"),
        "{}",
        login_error(&app)
    );
    type_str(&mut app, "2580");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.screen, Screen::Login(_)),
        "logged in while locked"
    );
    assert!(
        login_error(&app).contains("已锁定"),
        "{}",
        login_error(&app)
    );

    // The admin sees the lockout on the status bar, and lifts it in F9.
    login(&mut app, ADMIN, ADMIN_PIN);
    let text = buffer_text(&draw(&mut app, 140, 40));
    assert!(text.contains("PIN 锁定 1 人"), "{text}");
    press(&mut app, KeyCode::F(9));
    let text = buffer_text(&draw(&mut app, 140, 40));
    assert!(text.contains("已锁定"), "{text}");
    press(&mut app, KeyCode::Char('u'));
    let now = app.store.now_ms();
    assert!(app.store.locked_operators(now).unwrap().is_empty());
    let by: String = app
        .store
        .conn()
        .query_row(
            "SELECT actor FROM events WHERE kind = 'operator.unlocked' AND entity = ?1",
            [format!("operator:{}", guard.id)],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, admin.id);

    // A new PIN that anyone would guess is set, with a warning; letters
    // never reach the field.
    press(&mut app, KeyCode::Char('p'));
    type_str(&mut app, "1a2b34");
    press(&mut app, KeyCode::Tab);
    type_str(&mut app, "1234");
    app.handle_key(ctrl('s'));
    let said = app
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(
        said.contains("PIN 已修改") && said.contains("很容易被猜到"),
        "{said}"
    );
}

#[test]
fn first_run_setup_warns_once_about_a_weak_pin_then_keeps_it() {
    i18n::set_lang(Lang::ZhCn);
    let (store, _clock) = blank_store();
    let mut app = App::new(store, vec![]);
    let Screen::Setup(s) = &mut app.screen else {
        panic!("not on the setup screen");
    };
    s.form.set("school", SCHOOL);
    s.form.set("station", STATION);
    s.form.set("operator", ADMIN);
    s.form.set("pin", "1234");
    s.form.set("pin2", "1234");
    app.handle_key(ctrl('s'));
    let Screen::Setup(s) = &app.screen else {
        panic!("a weak PIN is warned about before the station is made");
    };
    assert!(
        s.error.as_deref().unwrap_or("").contains("很容易被猜到"),
        "{:?}",
        s.error
    );
    app.handle_key(ctrl('s'));
    assert!(
        !matches!(app.screen, Screen::Setup(_)),
        "saved the second time"
    );
    assert!(app.store.station().is_some());
}
