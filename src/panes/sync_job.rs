//! A sync with the shared folder, run on the shared job runner with its
//! own connection so a large bundle never freezes the screen.

use super::job::Job;
use crate::store::Store;
use crate::sync;
use std::path::PathBuf;

/// One line per bundle and whether any was refused.
pub type SyncResult = (Vec<String>, bool);

pub fn start(
    db: PathBuf,
    clock: std::sync::Arc<dyn crate::domain::time::Clock>,
    folder: PathBuf,
) -> Job<SyncResult> {
    Job::spawn("sync.running", move |h| {
        let mut store = Store::open(&db, clock).map_err(|e| crate::panes::error_text(&e))?;
        let (exp, reports) = sync::folder_with(&mut store, &folder, &mut |p| {
            h.progress(p.done, p.total);
        })
        .map_err(|e| sync::error_text(&e))?;
        let now = store.now_ms();
        let _ = store.set_meta("last_sync_ms", &now.to_string());
        let mut lines = vec![sync::export_line(&exp)];
        lines.extend(reports.iter().flat_map(sync::report_lines));
        Ok((lines, reports.iter().any(|r| r.refused.is_some())))
    })
}
