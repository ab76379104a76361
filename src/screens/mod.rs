//! Screens before the panes: first-run setup and login/unlock.

pub mod login;
pub mod setup;
