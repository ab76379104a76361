//! How many keys beyond the typed text the two commonest gate jobs take
//! (issue goals: registering a returning visitor ≤ 4, signing a visitor out
//! from the on-site list ≤ 3). Driven through `App` like a guard would, on
//! the demo school, logged in as the guard through the login screen.

use dutydesk::app::{App, Screen};
use dutydesk::demo::{self, Scale};
use dutydesk::domain::names::name_keys;
use dutydesk::domain::time::FixedClock;
use dutydesk::domain::visit::VisitStatus;
use dutydesk::i18n::{self, Lang};
use dutydesk::panes::visitors::{Mode, View};
use dutydesk::store::Store;
use dutydesk::store::visits::{HistoryFilter, Page};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

/// 2026-11-20 10:00 Beijing time.
const NOW_MS: i64 = 1_795_140_000_000;
const GUARD: (&str, &str) = ("张建国", "1111");

/// The app plus a tally of the keys pressed, split into typed text and the
/// rest (commands, navigation, confirmations). Every key is followed by a
/// frame, as in the real loop.
struct Desk {
    app: App,
    term: Terminal<TestBackend>,
    text: usize,
    other: Vec<String>,
}

impl Desk {
    fn new() -> Desk {
        i18n::set_lang(Lang::ZhCn);
        let clock = FixedClock::new(NOW_MS);
        let mut store = Store::open_in_memory(Arc::new(clock.clone())).expect("in-memory store");
        demo::generate(&mut store, &clock, Scale::Small, 42, NOW_MS).expect("demo data");
        let mut desk = Desk {
            app: App::new(store, vec![]),
            term: Terminal::new(TestBackend::new(120, 40)).expect("terminal"),
            text: 0,
            other: vec![],
        };
        desk.draw();
        desk.login(GUARD.0, GUARD.1);
        desk.text = 0;
        desk.other.clear();
        desk
    }

    fn draw(&mut self) {
        let app = &mut self.app;
        self.term.draw(|f| app.render(f)).expect("draw");
    }

    fn send(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.app.handle_event(Event::Key(KeyEvent::new(code, mods)));
        self.draw();
    }

    /// A key that is not typed text: counted.
    fn key(&mut self, code: KeyCode, mods: KeyModifiers, label: &str) {
        self.other.push(label.to_string());
        self.send(code, mods);
    }

    /// Typed text: not counted against the goal.
    fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.text += 1;
            self.send(KeyCode::Char(c), mods);
        }
    }

    fn login(&mut self, name: &str, pin: &str) {
        let Screen::Login(l) = &self.app.screen else {
            panic!("not on the login screen");
        };
        let idx = l
            .operators
            .iter()
            .position(|o| o.name == name)
            .expect("operator listed");
        let sel = l.sel;
        let step = if idx >= sel {
            KeyCode::Down
        } else {
            KeyCode::Up
        };
        for _ in 0..idx.abs_diff(sel) {
            self.send(step, KeyModifiers::NONE);
        }
        for c in pin.chars() {
            self.send(KeyCode::Char(c), KeyModifiers::NONE);
        }
        self.send(KeyCode::Enter, KeyModifiers::NONE);
        assert!(matches!(self.app.screen, Screen::Main), "login as {name}");
        assert_eq!(
            self.app.visitors().view,
            View::OnSite,
            "the visitors pane opens on the on-site list"
        );
    }

    fn on_site_ids(&self) -> Vec<String> {
        self.app
            .store
            .on_site()
            .expect("on site")
            .into_iter()
            .map(|v| v.id)
            .collect()
    }
}

#[test]
fn registering_a_returning_visitor_takes_at_most_4_keys_beyond_the_text() {
    let mut d = Desk::new();
    let before = d.on_site_ids();
    // The returning visitor: the most recent visitor in the history who has
    // left, is not on site now and is not on the watchlist.
    let watched: Vec<String> = d
        .app
        .store
        .watch_entries(true)
        .expect("watchlist")
        .into_iter()
        .map(|w| w.data.name)
        .collect();
    let on_site_names: Vec<String> = d
        .app
        .visitors()
        .on_site
        .iter()
        .map(|v| v.details.name.clone())
        .collect();
    let history = d
        .app
        .store
        .history_page(&HistoryFilter::All, None, Page::Older, 200)
        .expect("history");
    let visitor = history
        .iter()
        .find(|v| {
            v.status == VisitStatus::Out
                && !on_site_names.contains(&v.details.name)
                && !watched.contains(&v.details.name)
        })
        .expect("a returning visitor in the history")
        .details
        .clone();
    let initials = name_keys(&visitor.name).initials;
    assert!(!initials.is_empty(), "initials of {}", visitor.name);

    // Where the 30 most recent returning visitors stand in the suggestions
    // for their initials, so that one person's luck is visible.
    let sugg = suggestion_names(&d.app.store, &initials);
    let mut spread = std::collections::BTreeMap::<String, usize>::new();
    let mut seen: Vec<&str> = vec![];
    for v in history.iter().filter(|v| {
        v.status == VisitStatus::Out
            && !on_site_names.contains(&v.details.name)
            && !watched.contains(&v.details.name)
    }) {
        if seen.contains(&v.details.name.as_str()) {
            continue;
        }
        seen.push(&v.details.name);
        let keys = suggestion_names(&d.app.store, &name_keys(&v.details.name).initials)
            .iter()
            .position(|n| *n == v.details.name)
            .map(|p| format!("{} keys", 3 + p))
            .unwrap_or_else(|| "not in the 6 suggestions".into());
        *spread.entry(keys).or_default() += 1;
        if seen.len() == 30 {
            break;
        }
    }

    d.key(KeyCode::Char('n'), KeyModifiers::NONE, "n");
    assert!(
        matches!(d.app.visitors().mode, Mode::Register(_)),
        "n opens the form"
    );
    d.type_text(&initials);
    let Mode::Register(r) = &d.app.visitors().mode else {
        panic!("the form closed while typing");
    };
    let pos = r
        .suggestions
        .iter()
        .position(|s| s.name == visitor.name)
        .unwrap_or_else(|| {
            panic!(
                "{} is not among the suggestions for {initials:?}",
                visitor.name
            )
        });
    for _ in 0..pos {
        d.key(KeyCode::Down, KeyModifiers::NONE, "↓");
    }
    d.key(KeyCode::Enter, KeyModifiers::NONE, "Enter");
    let Mode::Register(r) = &d.app.visitors().mode else {
        panic!("Enter on a suggestion closed the form");
    };
    assert_eq!(
        r.form.value("name"),
        visitor.name,
        "Enter filled the form from the last visit"
    );
    assert!(
        !r.form.value("purpose").is_empty(),
        "the purpose came from the last visit"
    );
    d.key(KeyCode::Char('s'), KeyModifiers::CONTROL, "Ctrl+S");

    assert!(
        matches!(d.app.visitors().mode, Mode::Browse),
        "the form closed after saving"
    );
    let after = d.on_site_ids();
    assert_eq!(after.len(), before.len() + 1, "one more visitor on site");
    let new_id = after
        .iter()
        .find(|id| !before.contains(id))
        .expect("the new visit");
    let new = d
        .app
        .store
        .visit(new_id)
        .expect("read")
        .expect("the new visit exists");
    assert_eq!(new.details.name, visitor.name);
    assert_eq!(
        new.details.id_no, visitor.id_no,
        "the real ID was kept, not the masked one"
    );
    assert_eq!(new.details.phone, visitor.phone);
    println!(
        "register a returning visitor ({}, typed {initials:?}, suggestion #{}): {} keys beyond {} typed chars: {}",
        visitor.name,
        pos + 1,
        d.other.len(),
        d.text,
        d.other.join(" ")
    );
    println!(
        "  the {} most recent returning visitors, by keys needed (3 = first suggestion): {spread:?}",
        seen.len()
    );
    println!(
        "  suggestions for {initials:?} before registering: {}",
        sugg.join(", ")
    );
    assert!(
        d.other.len() <= 4,
        "{} keys ({:?}): {} was suggestion #{} of [{}] for {initials:?}. Store::suggest_persons \
         orders by last visit only, so people on site now and substring matches inside a full \
         pinyin rank above an exact-initials match; ranking initials/name-prefix matches first \
         and people already on site last would bring this back to 3 keys",
        d.other.len(),
        d.other,
        visitor.name,
        pos + 1,
        sugg.join(", ")
    );
}

/// Names the registration form would suggest for `q` (it asks for 6).
fn suggestion_names(store: &Store, q: &str) -> Vec<String> {
    store
        .suggest_persons(q, 6)
        .expect("suggestions")
        .into_iter()
        .map(|s| s.name)
        .collect()
}

#[test]
fn signing_out_a_visitor_from_the_on_site_list_takes_at_most_3_keys() {
    let mut d = Desk::new();
    let before = d.on_site_ids();
    assert!(before.len() >= 2, "the demo has visitors on site");
    let target = d.app.visitors().on_site[1].clone();

    d.key(KeyCode::Down, KeyModifiers::NONE, "↓");
    d.key(KeyCode::Char('o'), KeyModifiers::NONE, "o");
    assert!(
        matches!(d.app.visitors().mode, Mode::ConfirmSignOut { .. }),
        "o asks to confirm"
    );
    d.key(KeyCode::Enter, KeyModifiers::NONE, "Enter");

    let after = d.on_site_ids();
    assert_eq!(after.len(), before.len() - 1, "one visitor fewer on site");
    assert!(
        !after.contains(&target.id),
        "the selected (second) visitor left"
    );
    let v = d.app.store.visit(&target.id).expect("read").expect("visit");
    assert_eq!(v.status, VisitStatus::Out);
    assert!(v.time_out.is_some());
    println!(
        "sign out the second visitor on site ({}): {} keys: {}",
        target.details.name,
        d.other.len(),
        d.other.join(" ")
    );
    assert!(d.other.len() <= 3, "{} keys: {:?}", d.other.len(), d.other);

    // The first row needs no ↓: two keys.
    let first = d.app.visitors().on_site[d.app.visitors().on_site_list.sel]
        .id
        .clone();
    d.other.clear();
    d.key(KeyCode::Char('o'), KeyModifiers::NONE, "o");
    d.key(KeyCode::Enter, KeyModifiers::NONE, "Enter");
    assert!(
        !d.on_site_ids().contains(&first),
        "the selected visitor left"
    );
    println!(
        "sign out the selected visitor: {} keys: {}",
        d.other.len(),
        d.other.join(" ")
    );
    assert!(d.other.len() <= 2);
}
