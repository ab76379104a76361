//! Syncing through a shared folder (USB stick, network share, or a folder
//! a file-sync tool such as Syncthing, 坚果云 or OneDrive keeps in step).
//! Each station keeps one current bundle there, named by station and time
//! like `sync export` names them, and removes its older ones. File-sync
//! tools leave their own files beside ours: temporary ones (`~syncthing~…
//! .tmp`, `.syncthing.….tmp`, hidden names) are not ours to read; conflict
//! and duplicate copies (`….sync-conflict-….ddbundle`, `name (1).ddbundle`,
//! a copy named after another computer) are bundles like any other, told
//! apart by their header, not their name. A bundle whose maker this
//! station has already taken in whole at that time or later is skipped
//! unopened, so a copy is never imported twice and an unchanged folder
//! costs one line read per file.

use super::{
    BUNDLE_EXT, ExportReport, ImportReport, Progress, SyncError, crypto, export_to, identity,
    import_file_with,
};
use crate::store::Store;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A sync folder: take in every other station's bundle found there (oldest
/// first, so an older copy can fill what a newer one starts above), then
/// write this station's bundle — which so relays what it just took in —
/// and remove this station's older ones.
pub fn folder(
    store: &mut Store,
    dir: &Path,
) -> Result<(ExportReport, Vec<ImportReport>), SyncError> {
    folder_with(store, dir, &mut |_| {})
}

/// `folder`, reporting progress while importing.
pub fn folder_with(
    store: &mut Store,
    dir: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<(ExportReport, Vec<ImportReport>), SyncError> {
    let own = store.require_station()?.id.clone();
    let school = identity(store)?.school_id;
    let found = scan(dir)?;
    // Oldest first, so an older bundle can fill what a newer one starts
    // above; of copies of one bundle the longest first, so a copy cut short
    // by a sync tool still writing is skipped once the whole one is in.
    let mut theirs: Vec<(i64, std::cmp::Reverse<u64>, &Path, Option<&str>)> = found
        .iter()
        .filter_map(|f| match &f.header {
            // Unreadable: the import names what is wrong with it.
            None => Some((i64::MIN, std::cmp::Reverse(f.len), f.path.as_path(), None)),
            // Another school's bundle in a shared folder: not ours, no failure.
            Some(h) if h.school_id != school || h.station_id == own => None,
            Some(h) => Some((
                h.created_ms,
                std::cmp::Reverse(f.len),
                f.path.as_path(),
                Some(h.station_id.as_str()),
            )),
        })
        .collect();
    theirs.sort();
    let mut reports = vec![];
    for (made, _, path, station) in theirs {
        if let Some(station) = station
            && store.peer_taken_ms(station)?.is_some_and(|t| t >= made)
        {
            continue;
        }
        reports.push(import_file_with(store, path, false, progress)?);
    }
    let mine = dir.join(super::bundle_name(store));
    let exported = export_to(store, &mine)?;
    // This station's earlier bundles (and copies of them): everything in
    // them is in the one just written or held by every peer that counts.
    // The full bundle beside a join file stays for the station joining.
    let joining = format!(".{}.{BUNDLE_EXT}", super::JOIN_EXT);
    for f in &found {
        if !f.path.to_string_lossy().ends_with(&joining)
            && f.header
                .as_ref()
                .is_some_and(|h| h.station_id == own && h.school_id == school)
            && f.path != mine
            && let Err(e) = std::fs::remove_file(&f.path)
        {
            // A file-sync tool may hold it open: removed next time.
            tracing::warn!(path = %f.path.display(), error = %e, "old bundle not removed");
        }
    }
    Ok((exported, reports))
}

/// Whether a name is one a file-sync tool (or an unfinished write of ours)
/// uses while a file is on its way: never a bundle to read.
fn in_transit(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('~') || !name.ends_with(&format!(".{BUNDLE_EXT}"))
}

struct Found {
    path: PathBuf,
    len: u64,
    /// The plain header, if it reads.
    header: Option<crypto::BundleHeader>,
}

/// The bundle files of the folder.
fn scan(dir: &Path) -> Result<Vec<Found>, SyncError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        // A file vanishing under a sync tool's hands is no reason to stop.
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().to_string();
        let Ok(meta) = entry.metadata() else { continue };
        if in_transit(&name) || !meta.is_file() {
            continue;
        }
        let path = entry.path();
        let header = std::fs::File::open(&path)
            .ok()
            .and_then(|f| crypto::peek_header(&mut BufReader::new(f)).ok());
        out.push(Found {
            path,
            len: meta.len(),
            header,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::in_transit;

    #[test]
    fn temporary_names_of_file_sync_tools_are_not_read() {
        for name in [
            "~syncthing~门卫室-20261130-070000.ddbundle.tmp",
            ".syncthing.门卫室-20261130-070000.ddbundle.tmp",
            "门卫室-20261130-070000.ddbundle.tmp-4242",
            ".门卫室-20261130-070000.ddbundle",
            "~$门卫室.ddbundle",
            "门卫室-20261130-070000.ddjoin",
            "desktop.ini",
        ] {
            assert!(in_transit(name), "{name}");
        }
        for name in [
            "门卫室-20261130-070000.ddbundle",
            "门卫室-20261130-070000.sync-conflict-20261130-070102-ABCDEFG.ddbundle",
            "门卫室-20261130-070000 (1).ddbundle",
            "门卫室-20261130-070000-DESKTOP-7QK2.ddbundle",
            "门卫室-20261130-070000(冲突副本).ddbundle",
        ] {
            assert!(!in_transit(name), "{name}");
        }
    }
}
