//! The event loop: one channel fed by the input thread, the tick and the
//! start-up check; draws only when something changed.

use super::*;

/// Messages into the loop.
pub enum Msg {
    Input(Event),
    Tick,
    /// A background check (integrity, daily backup) has a warning to show.
    Warn(String),
}

/// Runs the TUI until quit. The terminal is restored on return and, via
/// ratatui's hook, on panic.
pub fn run(app: &mut App) -> anyhow::Result<()> {
    use ratatui::crossterm::{event, execute, terminal};
    use std::sync::mpsc;
    // The user's keys, from keymap.toml beside the database; a file that
    // cannot be used is said on screen and the defaults stay.
    if let Some(dir) = app.store.path().parent() {
        let dir = if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        };
        if let Err(msg) = keymap::install(&dir.join("keymap.toml")) {
            app.toast = Some(Toast {
                text: msg,
                error: true,
            });
            app.toast_until = app.store.now_ms() + 600_000;
        }
    }
    // Checkpoints on their own thread, not in the key that crosses the
    // WAL's limit; stopped when the loop ends.
    let _checkpoints = app
        .store
        .checkpoint_in_background(crate::store::checkpoints::EVERY);
    let mut terminal = ratatui::init();
    let _ = execute!(std::io::stdout(), event::EnableMouseCapture);
    // ratatui's hook restores the screen on panic; mouse reporting too.
    let restore_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), event::DisableMouseCapture);
        restore_hook(info);
    }));
    let (tx, rx) = mpsc::channel::<Msg>();
    let input_tx = tx.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if input_tx.send(Msg::Input(ev)).is_err() {
                break;
            }
        }
    });
    // SQLite's quick_check reads the whole file: run it beside the UI so a
    // large database does not delay the first frame.
    let path = app.store.path().to_path_buf();
    if path.is_file() {
        let check_tx = tx.clone();
        std::thread::spawn(move || {
            let problem = match Store::quick_check(&path) {
                Ok(None) => {
                    // Healthy: keep a daily copy (3 days) beside the database.
                    let day = chrono::Local::now().format("%Y%m%d").to_string();
                    if let Err(e) = crate::store::backup::daily(&path, &day, 3) {
                        let _ = check_tx.send(Msg::Warn(trf(
                            "ui.backup_failed",
                            &[("detail", e.to_string())],
                        )));
                    }
                    return;
                }
                Ok(Some(p)) => p,
                Err(e) => e.to_string(),
            };
            let _ = check_tx.send(Msg::Warn(trf("ui.damaged", &[("detail", problem)])));
        });
    }
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
    let draw = |terminal: &mut ratatui::DefaultTerminal, app: &mut App| -> anyhow::Result<()> {
        let _ = execute!(std::io::stdout(), terminal::BeginSynchronizedUpdate);
        terminal.draw(|f| app.render(f))?;
        let _ = execute!(std::io::stdout(), terminal::EndSynchronizedUpdate);
        Ok(())
    };
    let result = (|| -> anyhow::Result<()> {
        draw(&mut terminal, app)?;
        loop {
            // Blocks until something happens; only while a save waits for
            // another program's lock does a short timer retry it.
            let first = if app.is_waiting() {
                match rx.recv_timeout(super::RETRY_EVERY) {
                    Ok(m) => Some(m),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            } else {
                match rx.recv() {
                    Ok(m) => Some(m),
                    Err(_) => break,
                }
            };
            let mut dirty = first.is_none() && app.retry_wait();
            for m in first.into_iter().chain(rx.try_iter()) {
                dirty |= match m {
                    Msg::Input(ev) => app.handle_event(ev),
                    Msg::Tick => app.tick(),
                    Msg::Warn(text) => {
                        app.toast = Some(Toast { text, error: true });
                        app.toast_until = app.store.now_ms() + 600_000;
                        true
                    }
                };
            }
            if app.quit {
                break;
            }
            if dirty {
                draw(&mut terminal, app)?;
            }
        }
        Ok(())
    })();
    let _ = execute!(std::io::stdout(), event::DisableMouseCapture);
    ratatui::restore();
    result
}
