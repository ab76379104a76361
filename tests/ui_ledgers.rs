//! Every ledger exported from the TUI: the one export form (`x` in the
//! visitors and roll-call panes), its fields per ledger, its inline errors,
//! the question before replacing a file, cancel, and each ledger's file read
//! back. The demo school is a file database, so exports run on a worker.
//!
//! The language is a process-global: every test holds `LOCK`.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use dutydesk::app::App;
use dutydesk::demo;
use dutydesk::i18n::{Lang, set_lang, tr};
use dutydesk::keymap::Ctx;
use dutydesk::panes::export::{ExportForm, kind_label};
use dutydesk::panes::{rollcall, visitors};
use dutydesk::report::request::LedgerKind;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::sync::Mutex;

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const GUARD_I: usize = 0;
const TEACHER: usize = 1;
const LEADER: usize = 2;
const ADMIN_I: usize = 3;

/// A copy of the demo school (Scale::Small, in a file), with `who` logged
/// in through the login screen, drawn once.
fn app_as(who: usize, dir: &Path) -> App {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let i = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (store, _clock) = open_copy(cached_demo_db("ui_ledgers"), dir, &format!("l{i}.db"));
    let mut app = App::new(store, vec![]);
    let (name, _, pin) = demo::OPERATORS[who];
    login(&mut app, name, pin);
    draw(&mut app, 100, 30);
    app
}

fn back_tab() -> KeyEvent {
    KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)
}

/// The export form open in whichever pane is in front.
fn form(app: &mut App) -> &mut ExportForm {
    if matches!(app.visitors().mode, visitors::Mode::Export(_)) {
        match &mut app.visitors_mut().mode {
            visitors::Mode::Export(f) => f,
            _ => unreachable!(),
        }
    } else {
        match &mut app.rollcall_mut().mode {
            rollcall::Mode::Export(f) => f,
            _ => panic!("the export form is not open"),
        }
    }
}

fn field_ids(app: &mut App) -> Vec<&'static str> {
    form(app).fields.iter().map(|f| f.id).collect()
}

/// Chooses `kind` with the keys a user presses: up to the ledger field,
/// then its number in the list (→ past the ninth).
fn choose(app: &mut App, kind: LedgerKind) {
    while form(app).focused_id() != "ledger" {
        app.handle_key(back_tab());
    }
    let i = form(app)
        .kinds
        .iter()
        .position(|k| *k == kind)
        .expect("ledger on offer");
    // Digits reach the first nine; past them, → steps on.
    if i < 9 {
        type_str(app, &(i + 1).to_string());
    } else {
        while form(app).kind() != kind {
            press(app, KeyCode::Right);
        }
    }
    assert_eq!(form(app).kind(), kind);
}

/// Ctrl+S, then the ticks until the worker is done; the result line.
fn save_and_wait(app: &mut App) -> (String, bool) {
    app.handle_key(ctrl('s'));
    wait(app)
}

fn wait(app: &mut App) -> (String, bool) {
    for _ in 0..3000 {
        if app.contexts()[0] != Ctx::Job {
            break;
        }
        app.tick();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_ne!(app.contexts()[0], Ctx::Job, "the export did not finish");
    let t = app.toast.clone().expect("a result line");
    (t.text, t.error)
}

/// The first cell of the sheet (the ledger's title).
fn title(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).expect("an .xlsx file");
    let name = wb.sheet_names()[0].clone();
    match wb.worksheet_range(&name).expect("sheet").get_value((0, 0)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("no title in {}: {other:?}", path.display()),
    }
}

#[test]
fn a_duty_leader_exports_every_ledger_from_the_tui() {
    let _g = lock();
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_as(LEADER, dir.path());
    for kind in LedgerKind::ALL {
        app.handle_key(key(KeyCode::Char('x')));
        assert_eq!(form(&mut app).kinds, LedgerKind::ALL.to_vec());
        choose(&mut app, kind);
        let out = dir.path().join(format!("{}.xlsx", kind.key()));
        form(&mut app).set("path", &out.to_string_lossy());
        let (line, error) = save_and_wait(&mut app);
        assert!(!error, "{kind:?}: {line}");
        assert!(
            line.contains(&out.display().to_string()),
            "{kind:?}: the line names the file: {line}"
        );
        assert!(
            line.chars().any(|c| c.is_ascii_digit()),
            "{kind:?}: the line says how many: {line}"
        );
        let t = title(&out);
        assert!(
            t.contains(&tr(kind_label(kind))),
            "{kind:?}: title {t:?} does not name {}",
            tr(kind_label(kind))
        );
        assert!(t.contains(demo::SCHOOL), "{t}");
    }
}

#[test]
fn guards_and_dorm_teachers_cannot_open_the_form() {
    let _g = lock();
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    for who in [GUARD_I, TEACHER] {
        for pane in ['1', '2'] {
            let mut app = app_as(who, dir.path());
            app.handle_key(key(KeyCode::Char(pane)));
            assert!(
                app.hint_actions()
                    .iter()
                    .all(|b| b.action != dutydesk::action::Action::Export),
                "{who}: x offered in pane {pane}"
            );
            app.handle_key(key(KeyCode::Char('x')));
            let open = matches!(app.visitors().mode, visitors::Mode::Export(_))
                || matches!(app.rollcall().mode, rollcall::Mode::Export(_));
            assert!(!open, "operator {who} opened the form in pane {pane}");
            assert!(app.contexts()[0] != Ctx::Form);
            let toast = app.toast.clone().expect("a refusal");
            assert!(toast.error);
            assert_eq!(toast.text, tr("err.forbidden"));
        }
    }
    // A duty leader is offered it in both panes.
    let mut app = app_as(LEADER, dir.path());
    for pane in ['1', '2'] {
        app.handle_key(key(KeyCode::Char(pane)));
        assert!(
            app.hint_actions()
                .iter()
                .any(|b| b.action == dutydesk::action::Action::Export),
            "x not offered to a duty leader in pane {pane}"
        );
    }
}

#[test]
fn each_pane_opens_on_its_own_ledger_with_its_fields() {
    let _g = lock();
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_as(ADMIN_I, dir.path());
    // Visitors: the register, its dates, full IDs (admins) and the file.
    app.handle_key(key(KeyCode::Char('x')));
    assert_eq!(form(&mut app).kind(), LedgerKind::Visitors);
    assert_eq!(
        field_ids(&mut app),
        ["ledger", "from", "to", "full_ids", "path"]
    );
    assert_eq!(form(&mut app).focused_id(), "from", "typing goes to a date");
    assert_eq!(form(&mut app).value("from"), "2026-11-01");
    assert_eq!(form(&mut app).value("to"), "2026-11-22");
    let path = form(&mut app).value("path");
    assert!(path.ends_with("visitors-20261122.xlsx"), "{path}");
    assert!(
        !form(&mut app).has_unsaved(),
        "defaults are not unsaved input"
    );

    // The roster needs nothing but a file; the path follows the choice.
    choose(&mut app, LedgerKind::Roster);
    assert_eq!(field_ids(&mut app), ["ledger", "path"]);
    let path = form(&mut app).value("path");
    assert!(path.ends_with("roster-20261122.xlsx"), "{path}");
    // Full IDs are for the visitor register only.
    choose(&mut app, LedgerKind::Gate);
    assert_eq!(field_ids(&mut app), ["ledger", "from", "to", "path"]);
    assert!(form(&mut app).value("path").ends_with("gate-20261122.xlsx"));
    assert!(form(&mut app).has_unsaved(), "another ledger chosen");
    // Choosing back is as opened: one Esc leaves.
    choose(&mut app, LedgerKind::Visitors);
    assert!(!form(&mut app).has_unsaved());
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.contexts()[0], Ctx::List);

    // Roll-call pane: the book, by month and building.
    app.handle_key(key(KeyCode::Char('2')));
    app.handle_key(key(KeyCode::Char('x')));
    assert_eq!(form(&mut app).kind(), LedgerKind::Rollcall);
    assert_eq!(field_ids(&mut app), ["ledger", "month", "building", "path"]);
    assert_eq!(form(&mut app).value("month"), "2026-11");
    let buildings = app.store.buildings().expect("buildings");
    assert!(!buildings.is_empty());
    match &form(&mut app).fields[2].kind {
        dutydesk::ui::form::FieldKind::Choice(opts) => {
            assert_eq!(opts.len(), buildings.len() + 1, "all, then each building");
            assert_eq!(tr(opts[0]), tr("report.rollcall.all_buildings"));
            assert_eq!(
                opts[1..],
                buildings.iter().map(|b| b.as_str()).collect::<Vec<_>>()
            );
        }
        other => panic!("building is not a choice: {other:?}"),
    }
    assert!(
        form(&mut app)
            .value("path")
            .ends_with("rollcall-20261122.xlsx")
    );

    // A path typed by hand stays when the ledger changes.
    form(&mut app).focus_on("path");
    press(&mut app, KeyCode::Backspace);
    let typed = form(&mut app).value("path");
    choose(&mut app, LedgerKind::Sick);
    assert_eq!(form(&mut app).value("path"), typed);
    assert_eq!(field_ids(&mut app), ["ledger", "from", "to", "path"]);
}

#[test]
fn bad_input_is_named_under_its_field_in_the_current_language() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("tempdir");
    for lang in [Lang::ZhCn, Lang::En] {
        set_lang(lang);
        let mut app = app_as(LEADER, dir.path());
        app.handle_key(key(KeyCode::Char('x')));
        let error_of = |app: &mut App, id: &str| {
            form(app)
                .fields
                .iter()
                .find(|f| f.id == id)
                .and_then(|f| f.error.clone())
        };
        form(&mut app).set("from", "2026-13-01");
        form(&mut app).set("path", &dir.path().join("a.pdf").to_string_lossy());
        app.handle_key(ctrl('s'));
        assert_eq!(app.contexts()[0], Ctx::Form, "the form stays");
        assert_eq!(error_of(&mut app, "from"), Some(tr("err.date_format")));
        assert_eq!(error_of(&mut app, "path"), Some(tr("ledger.err.ext")));
        assert_eq!(form(&mut app).focused_id(), "from", "first error focused");

        form(&mut app).set("from", "2026-11-20");
        form(&mut app).set("to", "2026-11-02");
        form(&mut app).set("path", &dir.path().to_string_lossy());
        app.handle_key(ctrl('s'));
        assert_eq!(error_of(&mut app, "to"), Some(tr("err.date_order")));
        assert_eq!(error_of(&mut app, "path"), Some(tr("ledger.err.is_dir")));

        choose(&mut app, LedgerKind::Rollcall);
        form(&mut app).set("month", "2026-13");
        let missing = dir.path().join("no-such-folder").join("b.xlsx");
        form(&mut app).set("path", &missing.to_string_lossy());
        app.handle_key(ctrl('s'));
        assert_eq!(error_of(&mut app, "month"), Some(tr("ledger.err.month")));
        let e = error_of(&mut app, "path").expect("a path error");
        assert!(e.contains("no-such-folder"), "{e}");
        assert!(!missing.exists());
    }
    set_lang(Lang::ZhCn);
}

#[test]
fn an_existing_file_is_replaced_only_when_the_user_says_so() {
    let _g = lock();
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("花名册.xlsx");
    std::fs::write(&out, b"last month's signed copy").expect("write");
    let mut app = app_as(LEADER, dir.path());
    app.handle_key(key(KeyCode::Char('2')));
    app.handle_key(key(KeyCode::Char('x')));
    choose(&mut app, LedgerKind::Roster);
    form(&mut app).set("path", &out.to_string_lossy());
    app.handle_key(ctrl('s'));
    assert_eq!(app.contexts()[0], Ctx::Confirm, "asked before replacing");
    let buf = draw(&mut app, 80, 24);
    assert!(find_text(&buf, &tr("ledger.replace_title")).is_some());
    // No: back in the form, the file untouched.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.contexts()[0], Ctx::Form);
    assert_eq!(form(&mut app).focused_id(), "path");
    assert_eq!(std::fs::read(&out).unwrap(), b"last month's signed copy");
    // Yes: replaced.
    app.handle_key(ctrl('s'));
    press(&mut app, KeyCode::Enter);
    let (line, error) = wait(&mut app);
    assert!(!error, "{line}");
    assert!(title(&out).contains("花名册"));
}

#[test]
fn a_cancelled_export_leaves_no_file() {
    let _g = lock();
    set_lang(Lang::ZhCn);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = app_as(LEADER, dir.path());
    let out = dir.path().join("来访.xlsx");
    // Esc right after Ctrl+S reaches the worker before its first row; if
    // the machine lets a worker finish first, try again.
    let mut cancelled = 0;
    for _ in 0..5 {
        app.handle_key(key(KeyCode::Char('x')));
        form(&mut app).set("path", &out.to_string_lossy());
        app.handle_key(ctrl('s'));
        assert_eq!(app.contexts()[0], Ctx::Job);
        press(&mut app, KeyCode::Esc);
        let (line, _) = wait(&mut app);
        if line == tr("export.cancelled") {
            cancelled += 1;
            assert!(!out.exists(), "a cancelled export left a file");
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".db") && !n.contains(".db-"))
                .collect();
            assert!(left.is_empty(), "temporary files left: {left:?}");
            break;
        }
        std::fs::remove_file(&out).expect("the finished export");
    }
    assert_eq!(cancelled, 1, "no export was cancelled in five tries");
    assert_eq!(app.contexts()[0], Ctx::List);
}

/// The form in both languages and both sizes: the admin's register form
/// and the duty leader's roll-call book, with a fixed file name.
#[test]
fn snapshots_of_the_form() {
    let _g = lock();
    let dir = tempfile::tempdir().expect("tempdir");
    for (lang, tag) in [(Lang::ZhCn, "zh-CN"), (Lang::En, "en")] {
        set_lang(lang);
        for (w, h) in [(80u16, 24u16), (120, 40)] {
            for (who, pane, name) in [(ADMIN_I, '1', "visitors"), (LEADER, '2', "rollcall")] {
                set_lang(lang);
                let mut app = app_as(who, dir.path());
                app.handle_key(key(KeyCode::Char(pane)));
                app.handle_key(key(KeyCode::Char('x')));
                let kind = form(&mut app).kind();
                let file =
                    kind.default_file_name(chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
                form(&mut app).set("path", &format!("D:\\台账\\{file}"));
                let buf = draw(&mut app, w, h);
                insta::assert_snapshot!(
                    format!("ledger_form_{name}_{tag}_{w}x{h}"),
                    buffer_text(&buf)
                );
            }
        }
    }
    set_lang(Lang::ZhCn);
}
