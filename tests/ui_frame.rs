//! The pane frame, walked: in every screen a user can reach, each key the
//! hint bar offers does something, and each key that does something is in
//! the help overlay. Plus the questions before anything irreversible, the
//! Esc-twice rule in every form, and no keys behind the "too small" screen.

mod common;

use common::*;
use dutydesk::app::{App, Ask, Screen};
use dutydesk::demo;
use dutydesk::i18n::{Lang, set_lang};
use dutydesk::keymap::{self, Ctx};
use dutydesk::panes::station::StationScreen;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

fn demo_db() -> &'static Path {
    cached_demo_db("ui_frame")
}

const GUARD_I: usize = 0;
const TEACHER: usize = 1;
const LEADER: usize = 2;
const ADMIN_I: usize = 3;

/// A screen a user can reach: who, the keys from the first screen, and the
/// context the frame must then be in.
struct State {
    name: &'static str,
    who: usize,
    keys: Vec<KeyEvent>,
    ctx: Ctx,
}

fn k(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}
fn tab() -> KeyEvent {
    key(KeyCode::Tab)
}
fn f(n: u8) -> KeyEvent {
    key(KeyCode::F(n))
}

fn states() -> Vec<State> {
    let s = |name, who, keys: Vec<KeyEvent>, ctx| State {
        name,
        who,
        keys,
        ctx,
    };
    vec![
        s("visitors on site", GUARD_I, vec![], Ctx::List),
        s("visitors history", GUARD_I, vec![tab()], Ctx::History),
        s("visitors out", GUARD_I, vec![tab(), tab()], Ctx::List),
        s(
            "visitors watchlist",
            GUARD_I,
            vec![tab(), tab(), tab()],
            Ctx::List,
        ),
        s(
            "watchlist admin",
            ADMIN_I,
            vec![tab(), tab(), tab()],
            Ctx::List,
        ),
        s("search", GUARD_I, vec![k('/')], Ctx::Search),
        s("register", GUARD_I, vec![k('n')], Ctx::Form),
        s("details", GUARD_I, vec![key(KeyCode::Enter)], Ctx::Detail),
        s("sign out?", GUARD_I, vec![k('o')], Ctx::Confirm),
        s("gate picker", GUARD_I, vec![k('g')], Ctx::Picker),
        s("export", ADMIN_I, vec![k('x')], Ctx::Form),
        s(
            "watch add",
            ADMIN_I,
            vec![tab(), tab(), tab(), k('n')],
            Ctx::Form,
        ),
        s(
            "watch remove",
            ADMIN_I,
            vec![tab(), tab(), tab(), k('d')],
            Ctx::Dialog,
        ),
        s("roll", TEACHER, vec![k('2')], Ctx::Roll),
        s("bed map", TEACHER, vec![k('2'), tab()], Ctx::RollMap),
        s(
            "absences",
            TEACHER,
            vec![k('2'), tab(), tab()],
            Ctx::RollList,
        ),
        s(
            "sick log",
            TEACHER,
            vec![k('2'), tab(), tab(), tab()],
            Ctx::RollList,
        ),
        s(
            "leave",
            TEACHER,
            vec![k('2'), tab(), tab(), tab(), tab()],
            Ctx::RollList,
        ),
        s("late time", TEACHER, vec![k('2'), k('t')], Ctx::Dialog),
        s("sick entry", TEACHER, vec![k('2'), k('s')], Ctx::Form),
        s("round history", TEACHER, vec![k('2'), k('h')], Ctx::Viewer),
        s(
            "pick boarder",
            TEACHER,
            vec![k('2'), tab(), tab(), tab(), k('n')],
            Ctx::Picker,
        ),
        s("force close", LEADER, vec![k('2'), k('c')], Ctx::Dialog),
        s("import roster", ADMIN_I, vec![k('2'), k('i')], Ctx::Dialog),
        s("review", LEADER, vec![f(8)], Ctx::Review),
        s("operators", ADMIN_I, vec![f(9)], Ctx::Operators),
        s("staff", ADMIN_I, vec![f(9), tab()], Ctx::Staff),
        s("settings", ADMIN_I, vec![f(9), tab(), tab()], Ctx::Settings),
        s("sync", ADMIN_I, vec![f(9), tab(), tab(), tab()], Ctx::Sync),
        s("add operator", ADMIN_I, vec![f(9), k('n')], Ctx::Form),
        s(
            "deactivate?",
            ADMIN_I,
            vec![f(9), key(KeyCode::Down), k('d')],
            Ctx::Confirm,
        ),
        s(
            "edit setting",
            ADMIN_I,
            vec![f(9), tab(), tab(), key(KeyCode::Enter)],
            Ctx::Form,
        ),
    ]
}

/// A fresh copy of the demo school with `who` logged in, drawn at 80×24,
/// after `keys`.
fn reach(who: usize, keys: &[KeyEvent], dir: &Path) -> App {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let i = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (store, _clock) = open_copy(demo_db(), dir, &format!("s{i}.db"));
    let mut app = App::new(store, vec![]);
    let (name, _, _) = demo::OPERATORS[who];
    let actor = app
        .store
        .operators()
        .expect("operators")
        .into_iter()
        .find(|o| o.name == name)
        .expect("demo operator")
        .actor();
    app.logged_in(actor);
    draw(&mut app, 80, 24);
    for key in keys {
        app.handle_key(*key);
        draw(&mut app, 80, 24);
    }
    app
}

/// Keys worth trying in every state: everything the keymap binds, and a
/// few that nothing should bind.
fn candidate_keys() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = keymap::bindings()
        .iter()
        .map(|b| KeyEvent::new(b.code, b.mods))
        .collect();
    for c in ['z', 'w', 'm', 'u', 'v', '6'] {
        keys.push(k(c));
    }
    for code in [KeyCode::Delete, KeyCode::Insert, KeyCode::F(5)] {
        keys.push(key(code));
    }
    keys.sort_by_key(|k| format!("{k:?}"));
    keys.dedup();
    keys
}

/// Whether help lists `key` for the contexts in force (or the pane reads it
/// itself and help says so, or it is typing into a focused field).
fn in_help(ctxs: &[Ctx], key: &KeyEvent) -> bool {
    let plain_char =
        matches!(key.code, KeyCode::Char(_)) && (key.modifiers - KeyModifiers::SHIFT).is_empty();
    if ctxs.iter().any(|c| {
        matches!(
            c,
            Ctx::Form | Ctx::Dialog | Ctx::Search | Ctx::Picker | Ctx::Choice
        )
    }) && (plain_char
        || matches!(
            key.code,
            KeyCode::Left
                | KeyCode::Right
                | KeyCode::Home
                | KeyCode::End
                | KeyCode::Backspace
                | KeyCode::Delete
        ))
    {
        return true;
    }
    if ctxs.contains(&Ctx::Roll)
        && (matches!(key.code, KeyCode::Char(c) if c.is_ascii_digit())
            || key.code == KeyCode::Backspace)
    {
        return true;
    }
    // Every key of a binding is listed beside its action ("↑/k").
    keymap::lookup(ctxs, key, false).is_some()
}

// The walk takes a while (every key from a fresh copy of the school), so it
// runs in four parts side by side. The language does not change what a key
// does, so these do not take the language lock.
#[test]
fn walk_part_1() {
    walk(0);
}
#[test]
fn walk_part_2() {
    walk(1);
}
#[test]
fn walk_part_3() {
    walk(2);
}
#[test]
fn walk_part_4() {
    walk(3);
}

fn walk(part: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut problems = vec![];
    for st in states().into_iter().skip(part).step_by(4) {
        let app = reach(st.who, &st.keys, dir.path());
        assert!(
            matches!(app.screen, Screen::Main),
            "{}: not on the main screen",
            st.name
        );
        assert_eq!(
            app.contexts().first(),
            Some(&st.ctx),
            "{}: expected to be in {:?}",
            st.name,
            st.ctx
        );
        let hints: Vec<KeyEvent> = app
            .hint_actions()
            .iter()
            .map(|b| KeyEvent::new(b.code, b.mods))
            .collect();
        assert!(!hints.is_empty(), "{}: no hints at all", st.name);
        for h in hints {
            let mut app = reach(st.who, &st.keys, dir.path());
            app.handle_key(h);
            if !app.handled {
                problems.push(format!("{}: hint {h:?} did nothing", st.name));
            }
        }
        for key in candidate_keys() {
            if key.code == KeyCode::Char('c') && key.modifiers == KeyModifiers::CONTROL {
                continue;
            }
            let mut app = reach(st.who, &st.keys, dir.path());
            let before = app.contexts();
            app.handle_key(key);
            if app.handled && !in_help(&before, &key) {
                problems.push(format!("{}: {key:?} acts but is not in help", st.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hint_bars_in_both_languages() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    for (lang, tag) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        set_lang(lang);
        let mut out = String::new();
        for st in states() {
            let mut app = reach(st.who, &st.keys, dir.path());
            let buf = draw(&mut app, 80, 24);
            let text = buffer_text(&buf);
            let last = text.lines().last().unwrap_or("").trim_end();
            out.push_str(&format!("{:<16}|{last}\n", st.name));
        }
        insta::assert_snapshot!(format!("hints_{tag}_80x24"), out);
    }
    set_lang(Lang::ZhCn);
}

#[test]
fn quitting_asks_first_when_something_would_be_lost() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    // Typed input: Ctrl+C asks; Esc keeps the form and its text.
    let mut app = reach(GUARD_I, &[k('n')], dir.path());
    type_str(&mut app, "王");
    app.handle_key(ctrl('c'));
    assert_eq!(app.ask, Some(Ask::QuitUnsaved));
    assert!(!app.quit);
    press(&mut app, KeyCode::Esc);
    assert!(app.ask.is_none() && !app.quit);
    assert!(app.visitors().has_unsaved(), "the typed name survived");
    app.handle_key(ctrl('c'));
    type_str(&mut app, "y");
    assert!(app.quit, "y confirms");
    // The demo school: q asks, because quitting deletes it.
    let mut app = reach(GUARD_I, &[], dir.path());
    app.demo_logins = demo_logins();
    type_str(&mut app, "q");
    assert_eq!(app.ask, Some(Ask::QuitDemo));
    type_str(&mut app, "n");
    assert!(!app.quit);
    // q inside the details view of the demo asks too, never quits at once.
    press(&mut app, KeyCode::Enter);
    type_str(&mut app, "q");
    assert_eq!(app.ask, Some(Ask::QuitDemo));
    // A real station with nothing typed: q quits.
    let mut app = reach(GUARD_I, &[], dir.path());
    type_str(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn deactivating_an_operator_asks_and_keeps_the_selection() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = reach(ADMIN_I, &[f(9), key(KeyCode::Down)], dir.path());
    let st = app.overlay_as::<StationScreen>().expect("F9 open");
    let target = st.operators[st.op_list.sel].clone();
    assert!(target.active);
    type_str(&mut app, "d");
    assert_eq!(app.contexts()[0], Ctx::Confirm, "asked first");
    press(&mut app, KeyCode::Esc);
    let st = app.overlay_as::<StationScreen>().expect("F9 open");
    assert!(
        st.operators.iter().any(|o| o.id == target.id && o.active),
        "Esc: unchanged"
    );
    type_str(&mut app, "d");
    press(&mut app, KeyCode::Enter);
    let st = app.overlay_as::<StationScreen>().expect("F9 open");
    let now = &st.operators[st.op_list.sel];
    assert_eq!(now.id, target.id, "selection stayed on the same operator");
    assert!(!now.active);
}

#[test]
fn esc_twice_in_every_form_with_input() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    for st in states() {
        if !matches!(st.ctx, Ctx::Form | Ctx::Dialog) || st.name == "import roster" {
            continue;
        }
        let mut app = reach(st.who, &st.keys, dir.path());
        // Something typed (that no returning visitor matches): the first Esc
        // only warns.
        type_str(&mut app, "1Ω");
        press(&mut app, KeyCode::Esc);
        assert_eq!(
            app.contexts().first(),
            Some(&st.ctx),
            "{}: one Esc threw typed input away",
            st.name
        );
        assert!(
            app.toast.as_ref().is_some_and(|t| t.error),
            "{}: no warning",
            st.name
        );
        press(&mut app, KeyCode::Esc);
        assert_ne!(
            app.contexts().first(),
            Some(&st.ctx),
            "{}: the second Esc did not leave",
            st.name
        );
    }
}

#[test]
fn keys_do_nothing_behind_the_too_small_screen() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = reach(GUARD_I, &[], dir.path());
    draw(&mut app, 60, 20);
    type_str(&mut app, "n王");
    assert_eq!(
        app.contexts()[0],
        Ctx::List,
        "no form opened behind the message"
    );
    draw(&mut app, 80, 24);
    type_str(&mut app, "n");
    assert_eq!(app.contexts()[0], Ctx::Form);
}

#[test]
fn the_register_export_runs_on_a_worker_and_the_screen_stays_live() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = reach(ADMIN_I, &[k('x')], dir.path());
    let out = dir.path().join("登记表.xlsx");
    if let dutydesk::panes::visitors::Mode::Export(f) = &mut app.visitors_mut().mode {
        f.set("from", "2026-11-01");
        f.set("path", &out.to_string_lossy());
    } else {
        panic!("export form not open");
    }
    app.handle_key(ctrl('s'));
    assert_eq!(
        app.contexts()[0],
        Ctx::Job,
        "the export runs in the background"
    );
    // Keys still reach the screen while it runs (help opens and closes).
    press(&mut app, KeyCode::F(1));
    assert!(app.help);
    press(&mut app, KeyCode::Esc);
    let mut waited = 0;
    while app.contexts()[0] == Ctx::Job && waited < 3000 {
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
        waited += 1;
    }
    assert_eq!(app.contexts()[0], Ctx::List, "the export finished");
    let toast = app.toast.clone().expect("a message");
    assert!(!toast.error, "{}", toast.text);
    assert!(out.is_file(), "the file was written");
}

#[test]
fn the_keymap_switches_to_every_pane_in_the_list_and_no_other() {
    assert_eq!(dutydesk::app::pane_list().len(), keymap::PANE_COUNT);
    let panes = keymap::bindings()
        .iter()
        .filter_map(|b| b.action.pane_index())
        .max();
    assert_eq!(panes, Some(keymap::PANE_COUNT - 1));
}
