//! The one message type keys turn into. The keymap table, the help overlay,
//! the hint bar and the tests all speak it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    GotoVisitors,
    Lock,
    Station,
    New,
    Open,
    Back,
    Save,
    Search,
    SignOut,
    Correct,
    NextView,
    PrevView,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Export,
    Remove,
    ResetPin,
    ToggleActive,
    ChangeRole,
}
