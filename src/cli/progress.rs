//! Progress of long work on the command line: a percentage rewritten in
//! place on standard error, only when a person is watching (a terminal);
//! scripts and pipes get the result line alone.

use std::cell::Cell;
use std::io::{IsTerminal, Write};

use crate::report::ledger::Watch;

pub struct Percent {
    shown: Cell<Option<u64>>,
    on_terminal: bool,
}

impl Percent {
    pub fn new() -> Percent {
        Percent {
            shown: Cell::new(None),
            on_terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Clears the percentage so the result line starts clean.
    pub fn finish(&self) {
        if self.on_terminal && self.shown.get().is_some() {
            eprint!("\r      \r");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Watch for Percent {
    fn progress(&self, done: u64, total: u64) {
        if !self.on_terminal || total == 0 {
            return;
        }
        let pct = (done.min(total) * 100) / total;
        if self.shown.get() != Some(pct) {
            self.shown.set(Some(pct));
            eprint!("\r{pct:>3}%");
            let _ = std::io::stderr().flush();
        }
    }
}
