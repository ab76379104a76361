//! Importing the roster from the TUI (admins): the file is read and compared
//! on a worker thread with its own connection, so a large Excel file never
//! freezes the screen; the preview shows what would change, Enter applies.

use super::super::{Handled, Input, PaneCtx, error_text};
use crate::action::Action;
use crate::domain::role::Actor;
use crate::domain::time::Clock;
use crate::i18n::{tr, trf};
use crate::import::roster::{ParsedRoster, parse_file};
use crate::import::summary::{default_building, import_error_text, row_errors, summary};
use crate::keymap::Ctx;
use crate::panes::job::Job;
use crate::store::Store;
use crate::ui::text_input::TextInput;
use crate::ui::{dialog, theme};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use std::path::PathBuf;
use std::sync::Arc;

/// The worker's result: the parsed file and what importing it would do.
pub struct Preview {
    file: String,
    parsed: ParsedRoster,
    lines: Vec<String>,
    errors: Vec<String>,
    changes: usize,
}

pub enum ImportFlow {
    /// Typing the file's path (with the last problem, if any).
    Path(TextInput, Option<String>),
    /// The worker is reading and comparing.
    Working(Job<Preview>),
    /// What would change; Enter applies (errors: only with "skip invalid").
    Preview(Preview, bool),
}

/// Reads and compares on a worker (1 of 2: reading the file; 2 of 2:
/// comparing with the roster); the dry run writes nothing.
fn worker(db: PathBuf, clock: Arc<dyn Clock>, file: PathBuf, actor: Actor) -> Job<Preview> {
    Job::spawn("roster.import_title", move |h| {
        h.progress(0, 2);
        let mut parsed = parse_file(&file).map_err(|e| import_error_text(&e))?;
        default_building(&mut parsed);
        if h.cancelled() {
            return Err(tr("job.cancelled"));
        }
        h.progress(1, 2);
        let mut store = Store::open(&db, clock).map_err(|e| error_text(&e))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let out = store
            .import_roster(&actor, &name, &parsed, true, true)
            .map_err(|e| error_text(&e))?;
        let changes = out.diff.new.len()
            + out.diff.moved.len()
            + out.diff.left.len()
            + out.diff.changed.len()
            + out.diff.guardians_changed.len();
        let lines = summary(&parsed, &out.diff);
        let errors = row_errors(&parsed);
        h.progress(2, 2);
        Ok(Preview {
            file: name,
            parsed,
            lines,
            errors,
            changes,
        })
    })
}

impl ImportFlow {
    pub fn start() -> ImportFlow {
        let dir = crate::panes::export::default_dir();
        ImportFlow::Path(
            TextInput::new(&format!("{}{}", dir.display(), std::path::MAIN_SEPARATOR)),
            None,
        )
    }

    /// Picks up the worker's news; true when the screen should change.
    pub fn poll(&mut self) -> bool {
        let ImportFlow::Working(job) = self else {
            return false;
        };
        match job.poll() {
            (_, Some(Ok(p))) => *self = ImportFlow::Preview(p, false),
            (_, Some(Err(msg))) => *self = ImportFlow::Path(TextInput::new(""), Some(msg)),
            (changed, None) => return changed,
        }
        true
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match self {
            ImportFlow::Path(..) => vec![Ctx::Dialog],
            ImportFlow::Working(_) => vec![Ctx::Job],
            ImportFlow::Preview(..) => vec![Ctx::ImportPreview],
        }
    }

    pub fn in_text(&self) -> bool {
        matches!(self, ImportFlow::Path(..))
    }

    /// Returns the next state (None: finished or cancelled) and whether the
    /// input was used.
    pub fn handle(self, input: Input, ctx: &mut PaneCtx) -> (Option<ImportFlow>, Handled) {
        match (self, input) {
            (ImportFlow::Path(mut t, err), Input::Key(k)) => {
                let before = t.value();
                let used = t.handle_key(k);
                let err = if t.value() != before { None } else { err };
                (Some(ImportFlow::Path(t, err)), Handled::from(used))
            }
            (ImportFlow::Path(..), Input::Act(Action::Back)) => (None, Handled::Yes),
            (ImportFlow::Path(t, _), Input::Act(Action::Confirm)) => {
                let file = PathBuf::from(t.value().trim());
                if !file.is_file() {
                    let msg = trf("import.err.io", &[("detail", file.display().to_string())]);
                    return (Some(ImportFlow::Path(t, Some(msg))), Handled::Yes);
                }
                let db = ctx.store.path().to_path_buf();
                let job = worker(db, ctx.store.clock(), file, ctx.actor.clone());
                (Some(ImportFlow::Working(job)), Handled::Yes)
            }
            // The worker only reads: cancelling leaves nothing behind.
            (ImportFlow::Working(job), Input::Act(Action::Back)) => {
                job.cancel();
                (None, Handled::Yes)
            }
            (ImportFlow::Preview(..), Input::Act(Action::Back)) => (None, Handled::Yes),
            (ImportFlow::Preview(p, skip), Input::Act(Action::SkipErrors)) => {
                if p.errors.is_empty() {
                    ctx.err(tr("roster.no_errors_to_skip"));
                    return (Some(ImportFlow::Preview(p, skip)), Handled::Yes);
                }
                (Some(ImportFlow::Preview(p, !skip)), Handled::Yes)
            }
            (ImportFlow::Preview(p, skip), Input::Act(Action::Confirm)) => {
                if !p.errors.is_empty() && !skip {
                    ctx.err(trf("roster.refused", &[("n", p.errors.len().to_string())]));
                    return (Some(ImportFlow::Preview(p, skip)), Handled::Yes);
                }
                match ctx
                    .store
                    .import_roster(ctx.actor, &p.file, &p.parsed, skip, false)
                {
                    Ok(o) if o.events == 0 => ctx.ok(tr("roster.no_changes")),
                    Ok(o) => ctx.ok(trf("roster.applied", &[("n", o.events.to_string())])),
                    Err(e) => ctx.err(error_text(&e)),
                }
                (None, Handled::Yes)
            }
            (flow, _) => (Some(flow), Handled::No),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) -> Option<Position> {
        match self {
            ImportFlow::Path(t, err) => {
                let inner = dialog(
                    area,
                    buf,
                    &tr("roster.import_title"),
                    vec![
                        Line::from(tr("roster.import_prompt")),
                        Line::from(""),
                        Line::from(Span::styled(
                            err.clone().unwrap_or_default(),
                            theme::error(),
                        )),
                        Line::from(Span::styled(tr("dialog.enter_esc"), theme::muted())),
                    ],
                    72,
                    4,
                );
                let field = Rect::new(inner.x, inner.y + 1, inner.width, 1);
                buf.set_style(field, theme::focus());
                let (s, c) = t.visible(field.width as usize, false);
                Span::styled(s, theme::focus()).render(field, buf);
                Some(Position::new(field.x + c as u16, field.y))
            }
            ImportFlow::Working(job) => {
                crate::panes::job::render(job, area, buf);
                None
            }
            ImportFlow::Preview(
                Preview {
                    lines,
                    errors,
                    changes,
                    ..
                },
                skip,
            ) => {
                let mut text: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
                if !errors.is_empty() {
                    text.push(Line::from(Span::styled(
                        trf("roster.errors_n", &[("n", errors.len().to_string())]),
                        theme::error(),
                    )));
                    for e in errors.iter().take(8) {
                        text.push(Line::from(Span::styled(format!("  {e}"), theme::error())));
                    }
                    let mark = if *skip { "[x]" } else { "[ ]" };
                    text.push(Line::from(format!("{mark} {}", tr("roster.skip_invalid"))));
                }
                let keys = if *changes == 0 {
                    tr("roster.no_changes")
                } else {
                    tr("roster.preview_keys")
                };
                text.push(Line::from(Span::styled(keys, theme::muted())));
                let w = area.width.min(100);
                // Long lists wrap: count the rows they take.
                let inner_w = usize::from(w.saturating_sub(2).max(1));
                let rows: usize = text
                    .iter()
                    .map(|l| l.width().max(1).div_ceil(inner_w))
                    .sum();
                let h = (rows as u16).min(area.height.saturating_sub(2));
                dialog(area, buf, &tr("roster.preview_title"), text, w, h);
                None
            }
        }
    }
}
