//! Writing to the terminal or a pipe. `dutydesk … | head` closes stdout
//! early; `println!` would then panic with "Broken pipe". Here a closed
//! stdout only means nobody reads any more: output stops, the command's
//! work finishes, and the exit is quiet.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout as is. A closed pipe ends the output quietly;
/// other write errors are reported once on stderr and also end it.
pub fn text(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            let what = crate::i18n::tr("cli.stdout");
            err_line(format!(
                "dutydesk: {}",
                super::io_error_text("cli.io.write", what, &e)
            ));
        }
    }
}

/// One line on stdout.
pub fn line(l: impl Display) {
    text(&format!("{l}\n"));
}

/// One line on stderr; a closed stderr is ignored (there is nowhere left
/// to say anything).
pub fn err_line(l: impl Display) {
    let _ = writeln!(io::stderr().lock(), "{l}");
}
