//! Ledgers in the layout of the paper forms, as .xlsx or .csv.

pub mod absences;
pub(crate) mod common;
pub mod ledger;
pub mod rollcall;
pub mod roster;
pub mod visitors;
