//! Default key bindings, each with a description. The same table drives key
//! dispatch, the `?`/F1 help overlay and the hint bar, so they cannot drift.

use crate::action::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::OnceLock;

/// Where a binding applies. The innermost context is looked up first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ctx {
    Global,
    /// Browsing a list (on site, history, watchlist, leave).
    List,
    /// Typing a history search: arrows still move the list.
    Search,
    /// The visit history, newest first: Home/End read as newest/oldest.
    History,
    /// Editing a form: only non-text keys reach the keymap.
    Form,
    /// Returning visitors offered under the registration form.
    Suggest,
    /// A yes/no question.
    Confirm,
    /// A one-line dialog (a time, a reason): Enter confirms.
    Dialog,
    /// A two-way choice (the kind of round to start).
    Choice,
    /// Admit or deny at a watchlist match, with a note: every way out is
    /// recorded, so Esc records a denial rather than cancelling.
    WatchMatch,
    /// A read-only page (details, a round's history).
    Viewer,
    /// One visit's details: correct or sign out from there.
    Detail,
    /// Picking a boarder or a duty leader from a list.
    Picker,
    /// A roster file read and compared, waiting for Enter.
    ImportPreview,
    /// The station screen (F9), by section.
    Operators,
    Staff,
    Settings,
    Sync,
    /// The contradictions list (F8).
    Review,
    /// Long work running with a progress bar.
    Job,
    /// Calling the roll: one key per mark.
    Roll,
    /// The bed map (falls back to the roll's keys).
    RollMap,
    /// Absences, sick log, leave register.
    RollList,
    /// The hazard ledger.
    Hazards,
    /// The steps of the loop, from one hazard's history too.
    HazardSteps,
    /// Tonight's patrol routes and their rounds.
    Patrol,
    /// Checkpoints and routes (admins keep them).
    PatrolAdmin,
    /// Walking a round: the code field has the keys, a scan is code + Enter.
    PatrolRound,
    /// A finding: failed checklist items and a note.
    PatrolFinding,
    /// The duty pane's views (handover sheet, shift log, roster).
    Duty,
    /// The shift log: this shift's entries and earlier open ones.
    ShiftLog,
    /// One shift-log entry's details: close or correct from there.
    ShiftLogEntry,
    /// The duty roster (值班表): a week of shifts, planned against actual.
    DutyRoster,
    /// The handover sheet.
    HandoverSheet,
    /// Stepping through a handover's sections before accepting.
    HandoverAccept,
    /// Past handovers of every station.
    HandoverList,
}

impl Ctx {
    /// Catalog key of the heading in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Ctx::Global => "help.global",
            Ctx::List => "help.list",
            Ctx::Search => "help.search",
            Ctx::History => "help.history",
            Ctx::Form => "help.form",
            Ctx::Suggest => "help.suggest",
            Ctx::Confirm => "help.confirm",
            Ctx::Dialog => "help.dialog",
            Ctx::Choice => "help.choice",
            Ctx::WatchMatch => "help.watch_match",
            Ctx::Viewer => "help.viewer",
            Ctx::Detail => "help.detail",
            Ctx::Picker => "help.picker",
            Ctx::ImportPreview => "help.import_preview",
            Ctx::Operators => "help.operators",
            Ctx::Staff => "help.staff",
            Ctx::Settings => "help.settings",
            Ctx::Sync => "help.sync",
            Ctx::Review => "help.review",
            Ctx::Job => "help.job",
            Ctx::Roll => "help.roll",
            Ctx::RollMap => "help.roll_map",
            Ctx::RollList => "help.roll_list",
            Ctx::Hazards => "help.hazards",
            Ctx::HazardSteps => "help.hazard_steps",
            Ctx::Patrol => "help.patrol",
            Ctx::PatrolAdmin => "help.patrol_admin",
            Ctx::PatrolRound => "help.patrol_round",
            Ctx::PatrolFinding => "help.patrol_finding",
            Ctx::Duty => "help.duty",
            Ctx::ShiftLog => "help.shift_log",
            Ctx::ShiftLogEntry => "help.shift_log_entry",
            Ctx::DutyRoster => "help.duty_roster",
            Ctx::HandoverSheet => "help.handover_sheet",
            Ctx::HandoverAccept => "help.handover_accept",
            Ctx::HandoverList => "help.handover_list",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    pub ctx: Ctx,
    /// Catalog key of the description.
    pub desc: &'static str,
    /// Shown in the hint bar (otherwise only in help), lower first.
    pub hint: Option<u8>,
}

const fn b(
    code: KeyCode,
    mods: KeyModifiers,
    action: Action,
    ctx: Ctx,
    desc: &'static str,
    hint: Option<u8>,
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
const S: KeyModifiers = KeyModifiers::SHIFT;
const H: Option<u8> = None;
const fn h(rank: u8) -> Option<u8> {
    Some(rank)
}

/// How many panes the tab bar lists; `1`…`N` switch to them.
pub const PANE_COUNT: usize = 5;

// One binding per line reads as a table; keep rustfmt from unfolding it.
// The number after the description is its place in the hint bar (lower
// first when space is short); H means help only.
#[rustfmt::skip]
pub const DEFAULTS: &[Binding] = &[
    b(KeyCode::Char('n'), N, Action::New, Ctx::List, "key.new", h(1)),
    b(KeyCode::Char('o'), N, Action::SignOut, Ctx::List, "key.sign_out", h(2)),
    b(KeyCode::Enter, N, Action::Open, Ctx::List, "key.open", h(3)),
    b(KeyCode::Char('/'), N, Action::Search, Ctx::List, "key.search", h(4)),
    b(KeyCode::Char('e'), N, Action::Correct, Ctx::List, "key.correct", h(5)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::List, "key.next_view", h(6)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::List, "key.prev_view", H),
    b(KeyCode::Char('g'), N, Action::GateOut, Ctx::List, "key.gate_out", h(7)),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::List, "key.export", h(8)),
    b(KeyCode::Char('d'), N, Action::Remove, Ctx::List, "key.remove_watch", h(8)),
    b(KeyCode::Up, N, Action::Up, Ctx::List, "key.up", H),
    b(KeyCode::Char('k'), N, Action::Up, Ctx::List, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::List, "key.down", H),
    b(KeyCode::Char('j'), N, Action::Down, Ctx::List, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::List, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::List, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::List, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::List, "key.last", H),
    b(KeyCode::Home, N, Action::Home, Ctx::History, "key.newest", H),
    b(KeyCode::End, N, Action::End, Ctx::History, "key.oldest", H),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::Search, "key.search_done", h(1)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Search, "key.search_clear", h(2)),
    b(KeyCode::Up, N, Action::Up, Ctx::Search, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Search, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::Search, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::Search, "key.page_down", H),
    b(KeyCode::Char('s'), C, Action::Save, Ctx::Form, "key.save", h(1)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Form, "key.cancel", h(2)),
    b(KeyCode::Tab, N, Action::NextField, Ctx::Form, "key.next_field", h(3)),
    b(KeyCode::Down, N, Action::NextField, Ctx::Form, "key.next_field", H),
    b(KeyCode::Enter, N, Action::NextField, Ctx::Form, "key.enter_field", H),
    b(KeyCode::BackTab, S, Action::PrevField, Ctx::Form, "key.prev_field", H),
    b(KeyCode::Up, N, Action::PrevField, Ctx::Form, "key.prev_field", H),
    b(KeyCode::Enter, N, Action::Choose, Ctx::Suggest, "key.fill_suggestion", h(1)),
    b(KeyCode::Up, N, Action::Up, Ctx::Suggest, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Suggest, "key.down", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Suggest, "key.hide_suggestions", h(2)),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::Confirm, "key.yes", h(1)),
    b(KeyCode::Char('y'), N, Action::Confirm, Ctx::Confirm, "key.yes", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Confirm, "key.no", h(2)),
    b(KeyCode::Char('n'), N, Action::Back, Ctx::Confirm, "key.no", H),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::Dialog, "key.ok", h(1)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Dialog, "key.cancel", h(2)),
    b(KeyCode::Left, N, Action::Toggle, Ctx::Choice, "key.toggle", h(1)),
    b(KeyCode::Right, N, Action::Toggle, Ctx::Choice, "key.toggle", H),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::Choice, "key.ok", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Choice, "key.cancel", h(3)),
    b(KeyCode::Left, N, Action::Toggle, Ctx::WatchMatch, "key.toggle", h(1)),
    b(KeyCode::Right, N, Action::Toggle, Ctx::WatchMatch, "key.toggle", H),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::WatchMatch, "key.record_decision", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::WatchMatch, "key.record_denial", h(3)),
    b(KeyCode::Up, N, Action::Up, Ctx::Viewer, "key.scroll_up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Viewer, "key.scroll_down", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Viewer, "key.close", h(9)),
    b(KeyCode::Enter, N, Action::Back, Ctx::Viewer, "key.close", H),
    b(KeyCode::Char('e'), N, Action::Correct, Ctx::Detail, "key.correct", h(1)),
    b(KeyCode::Char('o'), N, Action::SignOut, Ctx::Detail, "key.sign_out", h(2)),
    b(KeyCode::Enter, N, Action::Choose, Ctx::Picker, "key.choose", h(1)),
    b(KeyCode::Up, N, Action::Up, Ctx::Picker, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Picker, "key.down", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Picker, "key.cancel", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Job, "key.cancel_job", h(1)),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::ImportPreview, "key.apply_import", h(1)),
    b(KeyCode::Char('s'), N, Action::SkipErrors, Ctx::ImportPreview, "key.skip_errors", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::ImportPreview, "key.cancel", h(3)),
    b(KeyCode::Char('n'), N, Action::New, Ctx::Operators, "key.add_operator", h(1)),
    b(KeyCode::Char('p'), N, Action::ResetPin, Ctx::Operators, "key.reset_pin", h(2)),
    b(KeyCode::Char('p'), N, Action::Purge, Ctx::Settings, "key.purge", h(2)),
    b(KeyCode::Char('d'), N, Action::ToggleActive, Ctx::Operators, "key.toggle_active", h(3)),
    b(KeyCode::Char('r'), N, Action::ChangeRole, Ctx::Operators, "key.change_role", h(4)),
    b(KeyCode::Char('u'), N, Action::Unlock, Ctx::Operators, "key.unlock", None),
    b(KeyCode::Char('n'), N, Action::New, Ctx::Staff, "key.add_staff", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Staff, "key.edit_staff", h(2)),
    b(KeyCode::Char('d'), N, Action::ToggleActive, Ctx::Staff, "key.toggle_active", h(3)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Settings, "key.edit_setting", h(1)),
    b(KeyCode::Char('s'), N, Action::SyncNow, Ctx::Sync, "key.sync_now", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Sync, "key.sync_settings", h(2)),
    b(KeyCode::Char('i'), N, Action::Invite, Ctx::Sync, "key.invite", h(3)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Review, "key.decide", h(1)),
    b(KeyCode::Up, N, Action::Up, Ctx::Review, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Review, "key.down", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Review, "key.back", h(9)),
    b(KeyCode::Char(' '), N, Action::MarkPresent, Ctx::Roll, "key.mark_present", h(1)),
    b(KeyCode::Char('p'), N, Action::MarkPresent, Ctx::Roll, "key.mark_present", H),
    b(KeyCode::Char('a'), N, Action::MarkAbsent, Ctx::Roll, "key.mark_absent", h(2)),
    b(KeyCode::Char('r'), N, Action::RoomPresent, Ctx::Roll, "key.room_present", h(3)),
    b(KeyCode::Char('f'), N, Action::FloorPresent, Ctx::Roll, "key.floor_present", h(4)),
    b(KeyCode::Char('n'), N, Action::NewRound, Ctx::Roll, "key.new_round", h(5)),
    b(KeyCode::Char('c'), N, Action::CloseRound, Ctx::Roll, "key.close_round", h(6)),
    b(KeyCode::Char('l'), N, Action::MarkLeave, Ctx::Roll, "key.mark_leave", h(7)),
    b(KeyCode::Char('s'), N, Action::MarkSick, Ctx::Roll, "key.mark_sick", h(7)),
    b(KeyCode::Char('t'), N, Action::MarkLate, Ctx::Roll, "key.mark_late", h(7)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Roll, "key.followup", h(8)),
    b(KeyCode::Char('h'), N, Action::History, Ctx::Roll, "key.round_history", H),
    b(KeyCode::Char('b'), N, Action::NextBuilding, Ctx::Roll, "key.next_building", h(9)),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::Roll, "key.import_roster", H),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::Roll, "key.export", h(10)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Roll, "key.next_view", h(9)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::Roll, "key.prev_view", H),
    b(KeyCode::Up, N, Action::Up, Ctx::Roll, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Roll, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::Roll, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::Roll, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::Roll, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::Roll, "key.last", H),
    b(KeyCode::Left, N, Action::PrevFloor, Ctx::RollMap, "key.prev_floor", h(1)),
    b(KeyCode::Right, N, Action::NextFloor, Ctx::RollMap, "key.next_floor", h(1)),
    b(KeyCode::Char('n'), N, Action::New, Ctx::RollList, "key.new_record", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::RollList, "key.open_record", h(2)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::RollList, "key.next_view", h(3)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::RollList, "key.prev_view", H),
    b(KeyCode::Char('b'), N, Action::NextBuilding, Ctx::RollList, "key.next_building", h(4)),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::RollList, "key.import_roster", H),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::RollList, "key.export", h(5)),
    b(KeyCode::Up, N, Action::Up, Ctx::RollList, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::RollList, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::RollList, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::RollList, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::RollList, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::RollList, "key.last", H),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Duty, "key.next_view", h(9)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::Duty, "key.prev_view", H),
    b(KeyCode::Char('s'), N, Action::SignHandover, Ctx::HandoverSheet, "key.sign_handover", h(1)),
    b(KeyCode::Char('a'), N, Action::AcceptHandover, Ctx::HandoverSheet, "key.accept_handover", h(2)),
    b(KeyCode::Char('c'), N, Action::Countersign, Ctx::HandoverSheet, "key.countersign", h(3)),
    b(KeyCode::Char('w'), N, Action::EditNote, Ctx::HandoverSheet, "key.handover_note", h(4)),
    b(KeyCode::Char('h'), N, Action::History, Ctx::HandoverSheet, "key.handover_history", h(5)),
    b(KeyCode::Up, N, Action::Up, Ctx::HandoverSheet, "key.scroll_up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::HandoverSheet, "key.scroll_down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::HandoverSheet, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::HandoverSheet, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::HandoverSheet, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::HandoverSheet, "key.last", H),
    b(KeyCode::Char(' '), N, Action::Confirm, Ctx::HandoverAccept, "key.acknowledge", h(1)),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::HandoverAccept, "key.acknowledge", H),
    b(KeyCode::Char('m'), N, Action::Correct, Ctx::HandoverAccept, "key.remark", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::HandoverAccept, "key.cancel", h(3)),
    b(KeyCode::Up, N, Action::Up, Ctx::HandoverAccept, "key.scroll_up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::HandoverAccept, "key.scroll_down", H),
    b(KeyCode::Enter, N, Action::Open, Ctx::HandoverList, "key.open", h(1)),
    b(KeyCode::Char('c'), N, Action::Countersign, Ctx::HandoverList, "key.countersign", h(2)),
    b(KeyCode::Esc, N, Action::Back, Ctx::HandoverList, "key.back", h(3)),
    b(KeyCode::Up, N, Action::Up, Ctx::HandoverList, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::HandoverList, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::HandoverList, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::HandoverList, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::HandoverList, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::HandoverList, "key.last", H),
    b(KeyCode::Char('n'), N, Action::New, Ctx::Hazards, "key.report_hazard", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Hazards, "key.hazard_history", h(2)),
    b(KeyCode::Char('/'), N, Action::Search, Ctx::Hazards, "key.search", h(8)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Hazards, "key.next_view", h(9)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::Hazards, "key.prev_view", H),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::Hazards, "key.export", h(10)),
    b(KeyCode::Up, N, Action::Up, Ctx::Hazards, "key.up", H),
    b(KeyCode::Char('k'), N, Action::Up, Ctx::Hazards, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Hazards, "key.down", H),
    b(KeyCode::Char('j'), N, Action::Down, Ctx::Hazards, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::Hazards, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::Hazards, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::Hazards, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::Hazards, "key.last", H),
    b(KeyCode::Char('a'), N, Action::Assign, Ctx::Hazards, "key.assign", h(3)),
    b(KeyCode::Char('r'), N, Action::Rectify, Ctx::Hazards, "key.rectify", h(4)),
    b(KeyCode::Char('v'), N, Action::Verify, Ctx::Hazards, "key.verify", h(5)),
    b(KeyCode::Char('c'), N, Action::CloseHazard, Ctx::Hazards, "key.close_hazard", h(6)),
    b(KeyCode::Char('u'), N, Action::Reopen, Ctx::Hazards, "key.reopen", h(7)),
    b(KeyCode::Char('a'), N, Action::Assign, Ctx::HazardSteps, "key.assign", h(3)),
    b(KeyCode::Char('r'), N, Action::Rectify, Ctx::HazardSteps, "key.rectify", h(4)),
    b(KeyCode::Char('v'), N, Action::Verify, Ctx::HazardSteps, "key.verify", h(5)),
    b(KeyCode::Char('c'), N, Action::CloseHazard, Ctx::HazardSteps, "key.close_hazard", h(6)),
    b(KeyCode::Char('u'), N, Action::Reopen, Ctx::HazardSteps, "key.reopen", h(7)),
    b(KeyCode::Enter, N, Action::Open, Ctx::Patrol, "key.patrol_walk", h(1)),
    b(KeyCode::Char('n'), N, Action::NewRound, Ctx::Patrol, "key.patrol_unscheduled", h(2)),
    b(KeyCode::Char('a'), N, Action::Assign, Ctx::Patrol, "key.patrol_assign", h(3)),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::Patrol, "key.export", h(5)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Patrol, "key.next_view", h(4)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::Patrol, "key.prev_view", H),
    b(KeyCode::Up, N, Action::Up, Ctx::Patrol, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Patrol, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::Patrol, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::Patrol, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::Patrol, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::Patrol, "key.last", H),
    b(KeyCode::Char('n'), N, Action::New, Ctx::PatrolAdmin, "key.patrol_add", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::PatrolAdmin, "key.patrol_edit", h(2)),
    b(KeyCode::Char('d'), N, Action::ToggleActive, Ctx::PatrolAdmin, "key.patrol_retire", h(3)),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::PatrolAdmin, "key.patrol_import", h(5)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::PatrolAdmin, "key.next_view", h(4)),
    b(KeyCode::BackTab, S, Action::PrevView, Ctx::PatrolAdmin, "key.prev_view", H),
    b(KeyCode::Up, N, Action::Up, Ctx::PatrolAdmin, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::PatrolAdmin, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::PatrolAdmin, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::PatrolAdmin, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::PatrolAdmin, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::PatrolAdmin, "key.last", H),
    b(KeyCode::Enter, N, Action::Confirm, Ctx::PatrolRound, "key.patrol_check", h(1)),
    b(KeyCode::Char('r'), C, Action::FindingToHazard, Ctx::PatrolRound, "key.patrol_to_hazard", h(2)),
    b(KeyCode::Char('f'), C, Action::Finding, Ctx::PatrolRound, "key.patrol_finding", h(2)),
    b(KeyCode::Char('t'), C, Action::EnterLater, Ctx::PatrolRound, "key.patrol_later", h(3)),
    b(KeyCode::Char('e'), C, Action::CloseRound, Ctx::PatrolRound, "key.patrol_close", h(4)),
    b(KeyCode::Esc, N, Action::Back, Ctx::PatrolRound, "key.patrol_leave_round", h(5)),
    b(KeyCode::Up, N, Action::Up, Ctx::PatrolRound, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::PatrolRound, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::PatrolRound, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::PatrolRound, "key.page_down", H),
    b(KeyCode::Char('s'), C, Action::Save, Ctx::PatrolFinding, "key.save", h(1)),
    b(KeyCode::Esc, N, Action::Back, Ctx::PatrolFinding, "key.cancel", h(2)),
    b(KeyCode::Tab, N, Action::NextField, Ctx::PatrolFinding, "key.next_field", h(3)),
    b(KeyCode::BackTab, S, Action::PrevField, Ctx::PatrolFinding, "key.prev_field", H),
    b(KeyCode::Enter, N, Action::Toggle, Ctx::PatrolFinding, "key.patrol_toggle_item", h(4)),
    b(KeyCode::Up, N, Action::Up, Ctx::PatrolFinding, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::PatrolFinding, "key.down", H),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Operators, "key.next_section", h(8)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Staff, "key.next_section", h(8)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Settings, "key.next_section", h(8)),
    b(KeyCode::Tab, N, Action::NextView, Ctx::Sync, "key.next_section", h(8)),
    b(KeyCode::Up, N, Action::Up, Ctx::Operators, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Operators, "key.down", H),
    b(KeyCode::Up, N, Action::Up, Ctx::Staff, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Staff, "key.down", H),
    b(KeyCode::Up, N, Action::Up, Ctx::Settings, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Settings, "key.down", H),
    b(KeyCode::Up, N, Action::Up, Ctx::Sync, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::Sync, "key.down", H),
    b(KeyCode::Esc, N, Action::Back, Ctx::Operators, "key.back", h(9)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Staff, "key.back", h(9)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Settings, "key.back", h(9)),
    b(KeyCode::Esc, N, Action::Back, Ctx::Sync, "key.back", h(9)),
    // shiftlog
    b(KeyCode::Char('n'), N, Action::New, Ctx::ShiftLog, "key.log_new", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::ShiftLog, "key.log_details", h(2)),
    b(KeyCode::Char('c'), N, Action::CloseEntry, Ctx::ShiftLog, "key.log_close", h(3)),
    b(KeyCode::Char('e'), N, Action::Correct, Ctx::ShiftLog, "key.correct", h(4)),
    b(KeyCode::Char('/'), N, Action::Search, Ctx::ShiftLog, "key.search", h(5)),
    b(KeyCode::Char('o'), N, Action::OpenOnly, Ctx::ShiftLog, "key.log_open_only", h(6)),
    b(KeyCode::Char('x'), N, Action::Export, Ctx::ShiftLog, "key.export", h(7)),
    b(KeyCode::Up, N, Action::Up, Ctx::ShiftLog, "key.up", H),
    b(KeyCode::Char('k'), N, Action::Up, Ctx::ShiftLog, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::ShiftLog, "key.down", H),
    b(KeyCode::Char('j'), N, Action::Down, Ctx::ShiftLog, "key.down", H),
    b(KeyCode::PageUp, N, Action::PageUp, Ctx::ShiftLog, "key.page_up", H),
    b(KeyCode::PageDown, N, Action::PageDown, Ctx::ShiftLog, "key.page_down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::ShiftLog, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::ShiftLog, "key.last", H),
    b(KeyCode::Char('c'), N, Action::CloseEntry, Ctx::ShiftLogEntry, "key.log_close", h(1)),
    b(KeyCode::Char('g'), C, Action::FindingToLog, Ctx::PatrolRound, "key.patrol_to_log", h(2)),
    b(KeyCode::Char('e'), N, Action::Correct, Ctx::ShiftLogEntry, "key.correct", h(2)),
    b(KeyCode::Char('n'), N, Action::New, Ctx::DutyRoster, "key.duty_add", h(1)),
    b(KeyCode::Enter, N, Action::Open, Ctx::DutyRoster, "key.duty_edit", h(2)),
    b(KeyCode::Char('d'), N, Action::Remove, Ctx::DutyRoster, "key.duty_remove", h(3)),
    b(KeyCode::Char('i'), N, Action::Import, Ctx::DutyRoster, "key.duty_import", h(5)),
    b(KeyCode::Left, N, Action::PrevWeek, Ctx::DutyRoster, "key.prev_week", h(4)),
    b(KeyCode::Right, N, Action::NextWeek, Ctx::DutyRoster, "key.next_week", h(4)),
    b(KeyCode::PageUp, N, Action::PrevWeek, Ctx::DutyRoster, "key.prev_week", H),
    b(KeyCode::PageDown, N, Action::NextWeek, Ctx::DutyRoster, "key.next_week", H),
    b(KeyCode::Char('a'), N, Action::AllStations, Ctx::DutyRoster, "key.all_stations", h(6)),
    b(KeyCode::Up, N, Action::Up, Ctx::DutyRoster, "key.up", H),
    b(KeyCode::Char('k'), N, Action::Up, Ctx::DutyRoster, "key.up", H),
    b(KeyCode::Down, N, Action::Down, Ctx::DutyRoster, "key.down", H),
    b(KeyCode::Char('j'), N, Action::Down, Ctx::DutyRoster, "key.down", H),
    b(KeyCode::Home, N, Action::Home, Ctx::DutyRoster, "key.first", H),
    b(KeyCode::End, N, Action::End, Ctx::DutyRoster, "key.last", H),
    b(KeyCode::Char('1'), N, Action::Pane1, Ctx::Global, "key.pane1", H),
    b(KeyCode::Char('1'), A, Action::Pane1, Ctx::Global, "key.pane1", H),
    b(KeyCode::Char('2'), N, Action::Pane2, Ctx::Global, "key.pane2", H),
    b(KeyCode::Char('2'), A, Action::Pane2, Ctx::Global, "key.pane2", H),
    b(KeyCode::Char('3'), N, Action::Pane3, Ctx::Global, "key.pane3", H),
    b(KeyCode::Char('3'), A, Action::Pane3, Ctx::Global, "key.pane3", H),
    b(KeyCode::Char('4'), N, Action::Pane4, Ctx::Global, "key.pane4", H),
    b(KeyCode::Char('4'), A, Action::Pane4, Ctx::Global, "key.pane4", H),
    b(KeyCode::Char('5'), N, Action::Pane5, Ctx::Global, "key.pane5", H),
    b(KeyCode::Char('5'), A, Action::Pane5, Ctx::Global, "key.pane5", H),
    b(KeyCode::Char('?'), N, Action::Help, Ctx::Global, "key.help", h(0)),
    b(KeyCode::F(1), N, Action::Help, Ctx::Global, "key.help", H),
    b(KeyCode::F(9), N, Action::Station, Ctx::Global, "key.station", H),
    b(KeyCode::F(8), N, Action::Conflicts, Ctx::Global, "key.conflicts", H),
    b(KeyCode::Char('l'), C, Action::Lock, Ctx::Global, "key.lock", H),
    b(KeyCode::Char('q'), N, Action::Quit, Ctx::Global, "key.quit", h(20)),
    b(KeyCode::Char('c'), C, Action::ForceQuit, Ctx::Global, "key.force_quit", H),
];

/// Keys a pane reads itself rather than through the table (typed digits,
/// text editing): listed in help so every key that does something is there.
pub struct DocKey {
    pub label: &'static str,
    pub ctx: Ctx,
    pub desc: &'static str,
}

pub const DOC_KEYS: &[DocKey] = &[
    DocKey {
        label: "0-9 -",
        ctx: Ctx::Roll,
        desc: "key.jump_bed",
    },
    DocKey {
        label: "Backspace",
        ctx: Ctx::Roll,
        desc: "key.jump_back",
    },
    DocKey {
        label: "A-Z 0-9 -",
        ctx: Ctx::PatrolRound,
        desc: "key.patrol_code",
    },
    DocKey {
        label: "Space",
        ctx: Ctx::PatrolFinding,
        desc: "key.patrol_toggle_item",
    },
    DocKey {
        label: "Ctrl+U",
        ctx: Ctx::Form,
        desc: "key.clear_field",
    },
    DocKey {
        label: "← →",
        ctx: Ctx::Form,
        desc: "key.choice_cycle",
    },
    DocKey {
        label: "Esc",
        ctx: Ctx::Form,
        desc: "key.save_waits",
    },
];

static TABLE: OnceLock<Vec<Binding>> = OnceLock::new();

/// The bindings in force: the defaults, with the user's keymap file on top
/// when `install` was called. Panes beyond the tab list have no keys.
pub fn bindings() -> &'static [Binding] {
    TABLE.get_or_init(|| defaults_for(PANE_COUNT))
}

fn defaults_for(panes: usize) -> Vec<Binding> {
    DEFAULTS
        .iter()
        .filter(|b| b.action.pane_index().is_none_or(|i| i < panes))
        .copied()
        .collect()
}

/// Loads the user's keymap file (if it exists) over the defaults. A file
/// that cannot be used leaves the defaults in force and says why in one
/// line (path and problem), for the caller to show.
pub fn install(path: &Path) -> Result<(), String> {
    let table = match std::fs::read_to_string(path) {
        Ok(text) => match overrides(&text, defaults_for(PANE_COUNT)) {
            Ok(t) => t,
            Err(e) => {
                let _ = TABLE.set(defaults_for(PANE_COUNT));
                return Err(crate::i18n::trf(
                    "keymap.bad_file",
                    &[("path", path.display().to_string()), ("detail", e)],
                ));
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => defaults_for(PANE_COUNT),
        Err(e) => {
            let _ = TABLE.set(defaults_for(PANE_COUNT));
            return Err(crate::i18n::trf(
                "keymap.bad_file",
                &[
                    ("path", path.display().to_string()),
                    ("detail", e.to_string()),
                ],
            ));
        }
    };
    let _ = TABLE.set(table);
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFile {
    #[serde(default)]
    bind: Vec<UserBinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBinding {
    key: String,
    action: Action,
    context: Ctx,
}

/// The defaults with the file's bindings applied: a user binding replaces
/// every default key for that action in that context (so the old key is
/// free), and takes its description from the default it replaces.
fn overrides(text: &str, mut table: Vec<Binding>) -> Result<Vec<Binding>, String> {
    let file: UserFile = toml::from_str(text)
        .map_err(|e| e.message().split_whitespace().collect::<Vec<_>>().join(" "))?;
    for (i, u) in file.bind.iter().enumerate() {
        let (code, mods) = parse_key(&u.key).ok_or_else(|| {
            crate::i18n::trf(
                "keymap.bad_key",
                &[("key", u.key.clone()), ("n", (i + 1).to_string())],
            )
        })?;
        let Some(template) = table
            .iter()
            .find(|b| b.ctx == u.context && b.action == u.action)
            .copied()
        else {
            return Err(crate::i18n::trf(
                "keymap.not_in_context",
                &[("n", (i + 1).to_string())],
            ));
        };
        table.retain(|b| !(b.ctx == u.context && b.action == u.action));
        // The new key must not shadow another action in the same context.
        table.retain(|b| !(b.ctx == u.context && b.code == code && b.mods == mods));
        table.push(Binding {
            code,
            mods,
            ..template
        });
    }
    Ok(table)
}

/// "Ctrl+S", "Alt+1", "F9", "Enter", "Shift+Tab", "x" → a key.
pub fn parse_key(s: &str) -> Option<(KeyCode, KeyModifiers)> {
    let mut mods = KeyModifiers::NONE;
    let mut rest = s.trim();
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(r) = lower.strip_prefix("ctrl+") {
            mods |= KeyModifiers::CONTROL;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower.strip_prefix("alt+") {
            mods |= KeyModifiers::ALT;
            rest = &rest[rest.len() - r.len()..];
        } else if let Some(r) = lower.strip_prefix("shift+") {
            mods |= KeyModifiers::SHIFT;
            rest = &rest[rest.len() - r.len()..];
        } else {
            break;
        }
    }
    let lower = rest.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "space" => KeyCode::Char(' '),
        "up" | "↑" => KeyCode::Up,
        "down" | "↓" => KeyCode::Down,
        "left" | "←" => KeyCode::Left,
        "right" | "→" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "backspace" => KeyCode::Backspace,
        f if f.len() > 1
            && f.starts_with('f')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().ok()?)
        }
        _ => {
            let mut chars = rest.chars();
            let c = chars.next()?;
            if chars.next().is_some() || c.is_control() {
                return None;
            }
            KeyCode::Char(if mods.is_empty() {
                c
            } else {
                c.to_ascii_lowercase()
            })
        }
    };
    Some((code, mods))
}

/// Keys that still work while a text field has focus (it gets first say,
/// and these are never text).
/// Everything but a plain character: a focused field has already passed on
/// the editing keys it uses, so Tab, Enter, arrows, Esc, F-keys and Ctrl/Alt
/// chords may still mean something; a typed letter never does.
pub fn works_in_text(code: KeyCode, mods: KeyModifiers) -> bool {
    mods.contains(KeyModifiers::CONTROL)
        || mods.contains(KeyModifiers::ALT)
        || !matches!(code, KeyCode::Char(_))
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
        bindings()
            .iter()
            .find(|b| b.ctx == *c && same(b, key))
            .map(|b| b.action)
    })
}

/// Bindings to list for these contexts (help), one per action+desc, leaving
/// out any whose key an inner context has taken for something else (or
/// describes otherwise: History's Home is "newest", not List's "first").
pub fn bindings_for(ctxs: &[Ctx]) -> Vec<&'static Binding> {
    let mut out: Vec<&'static Binding> = Vec::new();
    for c in ctxs {
        for b in bindings().iter().filter(|b| b.ctx == *c) {
            let key = KeyEvent::new(b.code, b.mods);
            let wins = ctxs.iter().find_map(|c| {
                bindings()
                    .iter()
                    .find(|o| o.ctx == *c && same(o, &key))
                    .map(|o| (o.action, o.desc))
            });
            if wins != Some((b.action, b.desc)) {
                continue;
            }
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
    bindings()
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
        KeyCode::BackTab => return "Shift+Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
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
    fn key_names_parse_as_shown_in_help() {
        assert_eq!(parse_key("Ctrl+S"), Some((KeyCode::Char('s'), C)));
        assert_eq!(parse_key("alt+1"), Some((KeyCode::Char('1'), A)));
        assert_eq!(parse_key("F9"), Some((KeyCode::F(9), N)));
        assert_eq!(parse_key("Shift+Tab"), Some((KeyCode::BackTab, S)));
        assert_eq!(parse_key("Space"), Some((KeyCode::Char(' '), N)));
        assert_eq!(parse_key("x"), Some((KeyCode::Char('x'), N)));
        assert_eq!(parse_key("点"), Some((KeyCode::Char('点'), N)));
        for bad in ["", "Ctrl+", "F99", "xy", "Hyper+x"] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_user_file_moves_a_key_and_frees_the_old_one() {
        let text = "[[bind]]\nkey = \"F2\"\naction = \"new\"\ncontext = \"list\"\n";
        let t = overrides(text, defaults_for(PANE_COUNT)).expect("valid file");
        let find = |code| {
            t.iter()
                .find(|b| b.ctx == Ctx::List && b.code == code && b.mods == N)
                .map(|b| b.action)
        };
        assert_eq!(find(KeyCode::F(2)), Some(Action::New));
        assert_eq!(find(KeyCode::Char('n')), None, "n is free in lists now");
        // Elsewhere n still means what it did.
        assert!(
            t.iter()
                .any(|b| b.ctx == Ctx::Roll && b.code == KeyCode::Char('n'))
        );
        // The description came with it: help still explains the key.
        assert!(
            t.iter()
                .any(|b| b.code == KeyCode::F(2) && b.desc == "key.new")
        );
    }

    #[test]
    fn a_bad_user_file_says_what_is_wrong_and_keeps_the_defaults() {
        for (text, needle) in [
            (
                "[[bind]]\nkey = \"Ctrl+\"\naction = \"new\"\ncontext = \"list\"\n",
                "Ctrl+",
            ),
            (
                "[[bind]]\nkey = \"F2\"\naction = \"no_such\"\ncontext = \"list\"\n",
                "no_such",
            ),
            (
                "[[bind]]\nkey = \"F2\"\naction = \"mark_present\"\ncontext = \"list\"\n",
                "1",
            ),
            ("this is not toml", ""),
        ] {
            let e = overrides(text, defaults_for(PANE_COUNT)).expect_err(text);
            assert!(e.contains(needle), "{e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
        let dir = std::env::temp_dir().join(format!("dutydesk-keymap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("keymap.toml");
        std::fs::write(&f, "nonsense = [").unwrap();
        let e = install(&f).expect_err("bad file");
        assert!(e.contains("keymap.toml"), "names the file: {e}");
        assert!(
            bindings()
                .iter()
                .any(|b| b.action == Action::New && b.code == KeyCode::Char('n'))
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn every_binding_is_described_in_both_languages() {
        let zh = parse_catalog(ZH_CN_SRC);
        let en = parse_catalog(EN_SRC);
        for b in DEFAULTS {
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
