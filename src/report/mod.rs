//! Ledgers in the layout of the paper forms, as .xlsx or .csv.

pub mod ledger;
pub mod visitors;
