//! `dutydesk purge`: erase visitors' personal data past the retention
//! period. Without `--yes` it only says what would be erased.

use super::{CliError, auth::AsOperator, progress::Percent};
use crate::domain::role::Permission;
use crate::domain::time;
use crate::i18n::trf;
use crate::report::ledger::Watch;
use std::path::Path;

pub fn run(path: &Path, by: &AsOperator, yes: bool) -> Result<(), CliError> {
    let mut store = super::open_existing(path)?;
    let station = store.require_station()?.clone();
    // Asked to erase: the admin is named first, whatever turns out due.
    let actor = match yes {
        true => Some(by.actor(&mut store, Permission::PurgePersonalData)?),
        false => None,
    };
    let now = chrono::Utc::now().timestamp_millis();
    let due = store.purge_due(now)?.len();
    let days = store.setting(crate::domain::settings::RETENTION_DAYS);
    let before = time::fmt_local(
        store.purge_cutoff(now),
        station.utc_offset_min,
        "%Y-%m-%d %H:%M",
    );
    let args = [
        ("n", due.to_string()),
        ("days", days.to_string()),
        ("before", before),
    ];
    let Some(actor) = actor.filter(|_| due > 0) else {
        let key = if due == 0 {
            "cli.purge_none"
        } else {
            "cli.purge_would"
        };
        say!("{}", trf(key, &args));
        return Ok(());
    };
    let percent = Percent::new();
    let out = store.purge_personal(&actor, now, &mut |done, total| {
        percent.progress(done as u64, total as u64);
        true
    })?;
    percent.finish();
    say!(
        "{}",
        trf(
            "cli.purge_done",
            &[
                ("n", out.visits.to_string()),
                ("events", out.events_erased.to_string()),
                ("name", actor.name.clone()),
            ],
        )
    );
    if out.legacy > 0 {
        say!(
            "{}",
            trf("cli.purge_legacy", &[("n", out.legacy.to_string())])
        );
    }
    Ok(())
}
