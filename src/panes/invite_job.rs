//! A join invitation written on the shared job runner: its full bundle of
//! a year-old station takes seconds, so it runs on a worker with its own
//! connection, shows the progress dialog and stops on Esc without leaving
//! a file behind.

use super::job::{Job, JobHandle};
use crate::i18n::tr;
use crate::store::Store;
use crate::sync;
use std::path::{Path, PathBuf};

/// The one-time code, the school key's fingerprint, and the line saying
/// how many hazard photos the full bundle carried (when there were any).
pub type InviteResult = (String, String, Option<String>);

/// Starts writing the join file `path` (and its bundle beside it).
pub fn start(store: &mut Store, path: PathBuf) -> Job<InviteResult> {
    let db = store.path().to_path_buf();
    if db.as_os_str() == ":memory:" {
        // A database held only in memory has no second connection.
        return Job::inline("sync.inviting", |h| write(store, &path, h));
    }
    let clock = store.clock();
    Job::spawn("sync.inviting", move |h| {
        let mut store = Store::open(&db, clock).map_err(|e| crate::panes::error_text(&e))?;
        write(&mut store, &path, h)
    })
}

fn write(store: &mut Store, path: &Path, h: &JobHandle) -> Result<InviteResult, String> {
    let r = sync::invite_watched(store, path, &mut |done, total| {
        h.progress(done, total);
        !h.cancelled()
    });
    match r {
        Ok((code, fp, bundle)) => Ok((code, fp, sync::photos_line(&bundle))),
        // Stopped: the bundle's temporary file (or the bundle) is gone and
        // no join file was written.
        Err(_) if h.cancelled() => Err(tr("sync.invite_cancelled")),
        Err(e) => Err(sync::error_text(&e)),
    }
}
