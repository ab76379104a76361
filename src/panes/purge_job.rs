//! The retention purge from F9, on the shared job runner: a year-old
//! station's first purge erases tens of thousands of visits, a chunk per
//! transaction, so it shows progress and Esc stops it between chunks
//! (what was erased stays erased; the rest waits for the next run).

use super::job::{Job, JobHandle};
use super::{PaneCtx, error_text};
use crate::domain::role::Actor;
use crate::i18n::trf;
use crate::store::Store;

/// The line to show when done.
pub fn start(ctx: &mut PaneCtx) -> Job<String> {
    let actor = ctx.actor.clone();
    let now = ctx.now_ms;
    let db = ctx.store.path().to_path_buf();
    if db.as_os_str() == ":memory:" {
        return Job::inline("purge.running", |h| run(ctx.store, &actor, now, h));
    }
    let clock = ctx.store.clock();
    Job::spawn("purge.running", move |h| {
        let mut store = Store::open(&db, clock).map_err(|e| error_text(&e))?;
        run(&mut store, &actor, now, h)
    })
}

fn run(store: &mut Store, actor: &Actor, now: i64, h: &JobHandle) -> Result<String, String> {
    let out = store
        .purge_personal(actor, now, &mut |done, total| {
            h.progress(done as u64, total as u64);
            !h.cancelled()
        })
        .map_err(|e| error_text(&e))?;
    let key = if out.complete {
        "purge.done"
    } else {
        "purge.stopped"
    };
    Ok(trf(
        key,
        &[
            ("n", out.visits.to_string()),
            ("events", out.events_erased.to_string()),
        ],
    ))
}
