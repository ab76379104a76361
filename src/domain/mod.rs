//! Domain rules: what may happen and what it means. No SQL, no terminal —
//! everything here is tested with plain values.

pub mod boarding;
pub mod duty;
pub mod duty_lines;
pub mod error;
pub mod event;
pub mod fact;
pub mod handover;
pub mod hazard;
pub mod hazard_fold;
pub mod hlc;
pub mod names;
pub mod patrol;
pub mod patrol_status;
pub mod pin_guard;
pub mod role;
pub mod rollcall;
pub mod roster;
pub mod roster_diff;
pub mod round_due;
pub mod settings;
pub mod shift;
pub mod shift_log;
pub mod student_query;
pub mod time;
pub mod validate;
pub mod visit;
pub mod watch;
pub mod watchlist;
