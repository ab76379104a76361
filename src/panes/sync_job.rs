//! A sync with the shared folder, run on a worker thread with its own
//! connection so a large bundle never freezes the screen; progress and the
//! result come back through a channel the app polls.

use crate::domain::time::SystemClock;
use crate::i18n::trf;
use crate::store::Store;
use crate::sync::{self, Progress};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// One line per bundle and whether any was refused; or why it failed.
pub type JobResult = Result<(Vec<String>, bool), String>;

pub enum JobMsg {
    Progress(Progress),
    /// One line per bundle, and whether any was refused.
    Done(JobResult),
}

pub struct SyncJob {
    rx: Receiver<JobMsg>,
    pub progress: Option<Progress>,
}

impl SyncJob {
    pub fn start(db: PathBuf, folder: PathBuf) -> SyncJob {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let result = (|| {
                let mut store = Store::open(&db, Arc::new(SystemClock))
                    .map_err(|e| crate::panes::error_text(&e))?;
                let ptx = tx.clone();
                let (exp, reports) = sync::folder_with(&mut store, &folder, &mut |p| {
                    let _ = ptx.send(JobMsg::Progress(p));
                })
                .map_err(|e| sync::error_text(&e))?;
                let now = store.now_ms();
                let _ = store.set_meta("last_sync_ms", &now.to_string());
                let mut lines = vec![trf(
                    "sync.exported",
                    &[
                        ("n", exp.events.to_string()),
                        ("path", exp.path.display().to_string()),
                        ("kb", (exp.bytes / 1024).to_string()),
                    ],
                )];
                lines.extend(reports.iter().map(sync::report_line));
                Ok((lines, reports.iter().any(|r| r.refused.is_some())))
            })();
            let _ = tx.send(JobMsg::Done(result));
        });
        SyncJob { rx, progress: None }
    }

    /// Takes what the worker sent; `Some` when it has finished.
    pub fn poll(&mut self) -> (bool, Option<JobResult>) {
        let mut changed = false;
        while let Ok(m) = self.rx.try_recv() {
            changed = true;
            match m {
                JobMsg::Progress(p) => self.progress = Some(p),
                JobMsg::Done(r) => return (true, Some(r)),
            }
        }
        (changed, None)
    }
}
