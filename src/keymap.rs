//! Default key bindings, each with a description. The same table drives key
//! dispatch, the `?`/F1 help overlay and the hint bar, so they cannot drift.

use crate::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. The innermost context is looked up first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    Global,
    /// Browsing a list (on site, history, watchlist).
    List,
    /// Editing a form: only non-text keys reach the keymap.
    Form,
    /// The station/operators screen.
    Station,
    /// Calling the roll: one key per mark.
    Roll,
    /// The bed map (falls back to the roll's keys).
    RollMap,
    /// Absences, sick log, leave register.
    RollList,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    pub ctx: Ctx,
    /// Catalog key of the description.
    pub desc: &'static str,
    /// Shown in the hint bar (otherwise only in help).
    pub hint: bool,
}

const fn b(
    code: KeyCode,
    mods: KeyModifiers,
    action: Action,
    ctx: Ctx,
    desc: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        code,
        mods,
        action,
        ctx,
        desc,
        hint,
    }
}

const N: KeyModifiers = KeyModifiers::NONE;
const C: KeyModifiers = KeyModifiers::CONTROL;
const A: KeyModifiers = KeyModifiers::ALT;

// One binding per line reads as a table; keep rustfmt from unfolding it.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    b(KeyCode::Char('n'), N, Action::New, Ctx::List, "key.new", true),
    b(KeyCode::Char('o'), N, Action::SignOut, Ctx::List, "key.sign_out", true),
    b(KeyCode::Enter, N, Action::Open, Ctx::List, "key.open", true),
    b(KeyCode::Char('e'), N, Action::Correct, Ctx::List, "key.correct", true),
    b(KeyCode::Char('/'), N, Action::Search, Ctx::List, "key.search", true),
    b(KeyCode::Tab, N, Action::NextView, Ctx::List, "key.next_view", true),
    b(KeyCode::BackTab, KeyModifiers::SHIFT, Action::PrevView, Ctx::List, "key.prev_view", false),
    b(KeyCode::Char('g'), N, Action::GateOut, Ctx::List, "key.gate_out", false),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::List, "key.export", false),
    b(KeyCode::Char('d'), N, Action::Remove, Ctx::List, "key.remove_watch", false),
    b(KeyCode::Up, N, Action::Up, Ctx::List, "key.up", false),
    b(KeyCode::Char('k'), N, Action::Up, Ctx::List, "key.up", false),
    b(KeyCode::Down, N, Action::Down, Ctx::List, "key.down", false),
    b(KeyCode::Char('j'), N, Action::Down, Ctx::List, "key.down", false),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::List, "key.page_up", false),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::List, "key.page_down", false),
    b(KeyCode::Home, N, Action::Home, Ctx::List, "key.home", false),
    b(KeyCode::End, N, Action::End, Ctx::List, "key.end", false),
    b(KeyCode::Char(' '), N, Action::MarkPresent, Ctx::Roll, "key.mark_present", true),
    b(KeyCode::Char('p'), N, Action::MarkPresent, Ctx::Roll, "key.mark_present", true),
    b(KeyCode::Char('a'), N, Action::MarkAbsent, Ctx::Roll, "key.mark_absent", true),
    b(KeyCode::Char('l'), N, Action::MarkLeave, Ctx::Roll, "key.mark_leave", false),
    b(KeyCode::Char('s'), N, Action::MarkSick, Ctx::Roll, "key.mark_sick", false),
    b(KeyCode::Char('t'), N, Action::MarkLate, Ctx::Roll, "key.mark_late", false),
    b(KeyCode::Char('r'), N, Action::RoomPresent, Ctx::Roll, "key.room_present", true),
    b(KeyCode::Char('f'), N, Action::FloorPresent, Ctx::Roll, "key.floor_present", true),
    b(KeyCode::Char('c'), N, Action::CloseRound, Ctx::Roll, "key.close_round", true),
    b(KeyCode::Char('n'), N, Action::NewRound, Ctx::Roll, "key.new_round", true),
    b(KeyCode::Enter, N, Action::Open, Ctx::Roll, "key.followup", false),
    b(KeyCode::Char('h'), N, Action::History, Ctx::Roll, "key.round_history", false),
    b(KeyCode::Char('b'), N, Action::NextBuilding, Ctx::Roll, "key.next_building", false),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Roll, "key.next_view", false),
    b(KeyCode::BackTab, KeyModifiers::SHIFT, Action::PrevView, Ctx::Roll, "key.prev_view", false),
    b(KeyCode::Up, N, Action::Up, Ctx::Roll, "key.up", false),
    b(KeyCode::Down, N, Action::Down, Ctx::Roll, "key.down", false),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::Roll, "key.page_up", false),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::Roll, "key.page_down", false),
    b(KeyCode::Home, N, Action::Home, Ctx::Roll, "key.first", false),
    b(KeyCode::End, N, Action::End, Ctx::Roll, "key.last", false),
    b(KeyCode::Left, N, Action::PrevFloor, Ctx::RollMap, "key.prev_floor", true),
    b(KeyCode::Right, N, Action::NextFloor, Ctx::RollMap, "key.next_floor", true),
    b(KeyCode::Char('n'), N, Action::New, Ctx::RollList, "key.new_record", true),
    b(KeyCode::Enter, N, Action::Open, Ctx::RollList, "key.open_record", true),
    b(KeyCode::Tab, N, Action::NextView, Ctx::RollList, "key.next_view", true),
    b(KeyCode::BackTab, KeyModifiers::SHIFT, Action::PrevView, Ctx::RollList, "key.prev_view", false),
    b(KeyCode::Char('b'), N, Action::NextBuilding, Ctx::RollList, "key.next_building", false),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::RollList, "key.import_roster", false),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::Roll, "key.import_roster", false),
    b(KeyCode::Up, N, Action::Up, Ctx::RollList, "key.up", false),
    b(KeyCode::Down, N, Action::Down, Ctx::RollList, "key.down", false),
    b(KeyCode::Char('s'), C, Action::Save, Ctx::Form, "key.save", true),
    b(KeyCode::Esc, N, Action::Back, Ctx::Form, "key.cancel", true),
    b(KeyCode::Char('n'), N, Action::New, Ctx::Station, "key.add_operator", true),
    b(KeyCode::Char('p'), N, Action::ResetPin, Ctx::Station, "key.reset_pin", true),
    b(KeyCode::Char('d'), N, Action::ToggleActive, Ctx::Station, "key.toggle_active", true),
    b(KeyCode::Char('r'), N, Action::ChangeRole, Ctx::Station, "key.change_role", true),
    b(KeyCode::Enter, N, Action::Open, Ctx::Station, "key.edit_setting", true),
    b(KeyCode::Char('s'), N, Action::SyncNow, Ctx::Station, "key.sync_now", true),
    b(KeyCode::Char('i'), N, Action::Invite, Ctx::Station, "key.invite", false),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Station, "key.next_section", false),
    b(KeyCode::Up, N, Action::Up, Ctx::Station, "key.up", false),
    b(KeyCode::Down, N, Action::Down, Ctx::Station, "key.down", false),
    b(KeyCode::Esc, N, Action::Back, Ctx::Station, "key.back", true),
    b(KeyCode::Char('1'), N, Action::GotoVisitors, Ctx::Global, "key.goto_visitors", false),
    b(KeyCode::Char('1'), A, Action::GotoVisitors, Ctx::Global, "key.goto_visitors", false),
    b(KeyCode::Char('2'), N, Action::GotoRollcall, Ctx::Global, "key.goto_rollcall", false),
    b(KeyCode::Char('2'), A, Action::GotoRollcall, Ctx::Global, "key.goto_rollcall", false),
    b(KeyCode::Char('?'), N, Action::Help, Ctx::Global, "key.help", true),
    b(KeyCode::F(1), N, Action::Help, Ctx::Global, "key.help", false),
    b(KeyCode::F(9), N, Action::Station, Ctx::Global, "key.station", false),
    b(KeyCode::F(8), N, Action::Conflicts, Ctx::Global, "key.conflicts", false),
    b(KeyCode::Char('l'), C, Action::Lock, Ctx::Global, "key.lock", false),
    b(KeyCode::Char('q'), N, Action::Quit, Ctx::Global, "key.quit", true),
    b(KeyCode::Char('c'), C, Action::ForceQuit, Ctx::Global, "key.force_quit", false),
];

/// Keys that still work while a text field has focus (it gets first say,
/// and these are never text).
pub fn works_in_text(code: KeyCode, mods: KeyModifiers) -> bool {
    mods.contains(KeyModifiers::CONTROL)
        || mods.contains(KeyModifiers::ALT)
        || matches!(code, KeyCode::F(_) | KeyCode::Esc)
}

fn same(b: &Binding, key: &KeyEvent) -> bool {
    // Terminals differ on whether '?' arrives with SHIFT; ignore it for chars.
    let mods = if matches!(key.code, KeyCode::Char(_)) {
        key.modifiers - KeyModifiers::SHIFT
    } else {
        key.modifiers
    };
    let bmods = if matches!(b.code, KeyCode::Char(_)) {
        b.mods - KeyModifiers::SHIFT
    } else {
        b.mods
    };
    b.code == key.code && bmods == mods
}

/// The action for `key` given the active contexts, innermost first.
/// `in_text` means a text field has focus: plain keys are typing.
pub fn lookup(ctxs: &[Ctx], key: &KeyEvent, in_text: bool) -> Option<Action> {
    if in_text && !works_in_text(key.code, key.modifiers) {
        return None;
    }
    ctxs.iter().find_map(|c| {
        BINDINGS
            .iter()
            .find(|b| b.ctx == *c && same(b, key))
            .map(|b| b.action)
    })
}

/// Bindings to list for these contexts (help), one per action+desc.
pub fn bindings_for(ctxs: &[Ctx]) -> Vec<&'static Binding> {
    let mut out: Vec<&'static Binding> = Vec::new();
    for c in ctxs {
        for b in BINDINGS.iter().filter(|b| b.ctx == *c) {
            if !out
                .iter()
                .any(|o| o.action == b.action && o.desc == b.desc && o.ctx == b.ctx)
            {
                out.push(b);
            }
        }
    }
    out
}

/// Every key that triggers the same action as `b` in its context, joined
/// ("↑/k"), for help and hints.
pub fn keys_label(b: &Binding) -> String {
    BINDINGS
        .iter()
        .filter(|o| o.ctx == b.ctx && o.action == b.action && o.desc == b.desc)
        .map(|o| key_label(o.code, o.mods))
        .collect::<Vec<_>>()
        .join("/")
}

pub fn key_label(code: KeyCode, mods: KeyModifiers) -> String {
    let base = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        // Shown as printed on the keycap when held with Ctrl/Alt.
        KeyCode::Char(c) if !mods.is_empty() => c.to_ascii_uppercase().to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift+Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    let mut s = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        s.push_str("Ctrl+");
    }
    if mods.contains(KeyModifiers::ALT) {
        s.push_str("Alt+");
    }
    s + &base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN_SRC, ZH_CN_SRC, parse_catalog};

    #[test]
    fn every_binding_is_described_in_both_languages() {
        let zh = parse_catalog(ZH_CN_SRC);
        let en = parse_catalog(EN_SRC);
        for b in BINDINGS {
            assert!(zh.contains_key(b.desc), "zh-CN lacks {}", b.desc);
            assert!(en.contains_key(b.desc), "en lacks {}", b.desc);
        }
    }

    #[test]
    fn typing_in_a_field_never_triggers_pane_keys() {
        let ctxs = [Ctx::Form, Ctx::List, Ctx::Global];
        for c in ['q', '1', '?', 'n', 'o', '/'] {
            let k = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(lookup(&ctxs, &k, true), None, "{c}");
        }
        let save = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(lookup(&ctxs, &save, true), Some(Action::Save));
        let f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(lookup(&ctxs, &f1, true), Some(Action::Help));
        // Esc is never text: it always leaves the form.
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(lookup(&ctxs, &esc, true), Some(Action::Back));
    }

    #[test]
    fn list_keys_and_shifted_question_mark() {
        let ctxs = [Ctx::List, Ctx::Global];
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(lookup(&ctxs, &q, false), Some(Action::Help));
        let o = KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE);
        assert_eq!(lookup(&ctxs, &o, false), Some(Action::SignOut));
        assert_eq!(
            keys_label(
                bindings_for(&ctxs)
                    .iter()
                    .find(|b| b.action == Action::Up)
                    .unwrap()
            ),
            "↑/k"
        );
    }
}
