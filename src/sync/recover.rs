//! A station restored from an old backup that wrote before taking in the
//! others' bundles has split its own chain: the others hold its sequence
//! numbers past the backup with other content. Its bundles then look like
//! replays everywhere, so the split must be recognised and said, not left
//! to read as tampering. Recognised from what peers state they hold of
//! this station's own origin: more than it holds, or a different hash at a
//! place it holds too. Recovered by moving the station's writes since the
//! split to a new origin (its new id): neither branch is lost, and the
//! others' branch of the old origin comes back like any station's events.

use super::crypto::{self, BundleHeader};
use super::knowledge::Knowledge;
use super::{SyncError, identity};
use crate::store::{Store, StoreError};
use std::path::Path;

/// This station's own chain as a peer holds it, where it differs from the
/// chain here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    /// The station whose statement shows the split (by id).
    pub peer: String,
    /// This station's head of its own origin.
    pub ours: i64,
    /// The sequence number of this station's origin the peer holds.
    pub theirs: i64,
}

/// The fork a bundle's statement of heads shows, if any. `sender` made the
/// statement; what it relays of other stations counts too (a station only
/// ever states what it held).
pub fn fork_in(store: &Store, sender: &str, k: &Knowledge) -> Result<Option<Fork>, StoreError> {
    let me = store.require_station()?.id.clone();
    if sender == me {
        return Ok(None);
    }
    let (ours, _) = store.chain_head(&me)?;
    if let Some((theirs, hash)) = k.heads.get(&me) {
        let theirs = *theirs;
        let differs = theirs > ours
            || (theirs > 0
                && store
                    .chain_hash_at(&me, theirs)?
                    .is_none_or(|h| super::hex_into(&h, &mut [0u8; 64]) != hash.as_str()));
        if differs {
            return Ok(Some(Fork {
                peer: sender.to_string(),
                ours,
                theirs,
            }));
        }
    }
    for (peer, st) in &k.peers {
        if let Some(&theirs) = st.heads.get(&me)
            && theirs > ours
        {
            return Ok(Some(Fork {
                peer: peer.clone(),
                ours,
                theirs,
            }));
        }
    }
    Ok(None)
}

/// The fork a bundle file's plain header shows, read without importing it.
/// The header is not yet authenticated, so this is a warning to act on
/// (recovery is an admin's decision), never a change by itself. A bundle of
/// another school, or without a statement of heads, shows none.
pub fn fork_in_bundle(store: &Store, path: &Path) -> Result<Option<Fork>, SyncError> {
    let Some(school_id) = store.meta("school_id")? else {
        return Ok(None);
    };
    let file = std::fs::File::open(path)?;
    let mut r = std::io::BufReader::new(file);
    let header: BundleHeader = match crypto::peek_header(&mut r) {
        Ok(h) => h,
        Err(_) => return Ok(None),
    };
    if header.school_id != school_id {
        return Ok(None);
    }
    match &header.knows {
        Some(k) => Ok(fork_in(store, &header.station_id, k)?),
        None => Ok(None),
    }
}

/// The bundles in a folder (a sync folder), by name.
pub fn bundles_in_folder(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == super::BUNDLE_EXT))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The station a bundle file names as its maker (plain header), if readable.
fn made_by(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let header = crypto::peek_header(&mut std::io::BufReader::new(file)).ok()?;
    Some(header.station_id)
}

/// The fork this station can see without being asked: from the statements
/// kept here, else from the headers of the bundles in `folder`.
pub fn fork_seen(store: &Store, folder: Option<&Path>) -> Result<Option<Fork>, StoreError> {
    if let Some(f) = known_fork(store)? {
        return Ok(Some(f));
    }
    for b in folder.map(bundles_in_folder).unwrap_or_default() {
        // An unreadable file is the folder sync's to report.
        if let Ok(Some(f)) = fork_in_bundle(store, &b) {
            return Ok(Some(f));
        }
    }
    Ok(None)
}

/// The fork the peers' statements kept here show: a peer known to hold more
/// of this station's own chain than this station does. (A hash that differs
/// below the head shows only in a bundle: statements kept here hold no
/// hashes.)
pub fn known_fork(store: &Store) -> Result<Option<Fork>, StoreError> {
    let me = store.require_station()?.id.clone();
    let (ours, _) = store.chain_head(&me)?;
    for (peer, view) in store.peer_views()? {
        if peer == me {
            continue;
        }
        if let Some(&theirs) = view.heads.get(&me)
            && theirs > ours
        {
            return Ok(Some(Fork { peer, ours, theirs }));
        }
    }
    Ok(None)
}

/// The fork as one line in the current language: what happened and what
/// to do about it.
pub fn fork_line(store: &Store, f: &Fork) -> String {
    crate::i18n::trf(
        "sync.fork",
        &[
            ("peer", store.station_name(&f.peer)),
            ("ours", f.ours.to_string()),
            ("theirs", f.theirs.to_string()),
        ],
    )
}

/// Where a peer's copy of this station's own chain leaves the chain here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The two agree up to this sequence number and differ after it.
    At(i64),
    /// The bundle holds none of this station's events at or below the split
    /// (an incremental bundle sends only what its maker thinks is missing).
    Unknown,
}

/// Reads a verified bundle's events of this station's own origin and finds
/// the split: the one event of the peer's copy that links to this
/// station's chain (its predecessor's hash is ours) but is not ours. Hash
/// chains make it unique. Nothing is written.
pub fn split_in_bundle(store: &mut Store, path: &Path) -> Result<Split, SyncError> {
    let id = identity(store)?;
    let me = store.require_station()?.id.clone();
    let (head, _) = store.chain_head(&me)?;
    let store = &*store;
    std::thread::scope(|scope| {
        let events = super::reader::spawn(scope, path, &id.key, &id.school_id);
        let mut found = Split::Unknown;
        loop {
            match events.recv() {
                // Photos say nothing about where a chain split.
                Ok(super::reader::Msg::Header(_) | super::reader::Msg::Part(..)) => {}
                // Not asked for here.
                Ok(super::reader::Msg::Again(_)) => return Err(SyncError::BadEvent),
                Ok(super::reader::Msg::Events(recs, _)) => {
                    for r in recs.iter().filter(|r| r.origin == me && r.seq <= head + 1) {
                        if found != Split::Unknown {
                            break;
                        }
                        let before = if r.seq == 1 {
                            Some([0u8; 32])
                        } else {
                            store.chain_hash_at(&me, r.seq - 1)?
                        };
                        let ours = store.chain_hash_at(&me, r.seq)?;
                        if before == Some(r.prev_hash) && ours != Some(r.hash) {
                            found = Split::At(r.seq - 1);
                        }
                    }
                }
                Ok(super::reader::Msg::Verified) => return Ok(found),
                Ok(super::reader::Msg::Failed(e)) => return Err(e),
                Err(_) => return Err(SyncError::BadEvent),
            }
        }
    })
}

/// Why a recovery did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No bundle given shows this station's own chain split.
    #[error("no fork of this station's own chain")]
    NoFork,
    /// The bundles show the split but none holds the peer's copy from the
    /// split on: a full bundle from that station is needed.
    #[error("a full bundle from {0} is needed")]
    NeedFull(String),
}

impl RecoverError {
    /// One line in the current language.
    pub fn text(&self) -> String {
        use crate::i18n::{tr, trf};
        match self {
            RecoverError::Sync(e) => super::error_text(e),
            RecoverError::Store(e) => crate::i18n::errors::store_error_text(e),
            RecoverError::NoFork => tr("sync.recover.no_fork"),
            RecoverError::NeedFull(peer) => {
                trf("sync.recover.need_full", &[("peer", peer.clone())])
            }
        }
    }
}

/// What a recovery did: the station's writes since the restore moved to a
/// new origin, then the bundles taken in.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub moved: crate::store::own_writes::Moved,
    pub split: i64,
    pub imports: Vec<super::ImportReport>,
}

/// Recovers a station whose own chain forked (restored from an old backup,
/// then written to): finds the split in `bundles` (the first that shows
/// it), moves this station's events above it to a new origin under the new
/// station id (`actor`, an admin, is recorded with `note` on retiring the
/// old origin), then imports every bundle but those this station made under
/// its old id, which are removed,
/// which brings the others' continuation of the old origin like any other
/// station's events.
pub fn recover(
    store: &mut Store,
    actor: &crate::domain::role::Actor,
    bundles: &[std::path::PathBuf],
    note: &str,
) -> Result<Recovered, RecoverError> {
    crate::domain::role::require(actor.role, crate::domain::role::Permission::Sync)
        .map_err(StoreError::from)?;
    let mut fork: Option<Fork> = known_fork(store)?;
    let mut split = None;
    // A damaged or foreign file among them (a sync folder collects all
    // sorts) cannot show the split; its import below reports it.
    for b in bundles {
        if let Ok(Some(f)) = fork_in_bundle(store, b) {
            fork.get_or_insert(f);
        }
        if let Ok(Split::At(s)) = split_in_bundle(store, b) {
            split = Some(s);
            break;
        }
    }
    let me = store.require_station()?.id.clone();
    let (head, _) = store.chain_head(&me)?;
    let split = match (split, &fork) {
        // A peer holds our chain beyond our head, linked to it: this
        // station is only behind on its own events, not forked.
        (Some(s), _) if s >= head => return Err(RecoverError::NoFork),
        (Some(s), _) => s,
        (None, Some(f)) => return Err(RecoverError::NeedFull(store.station_name(&f.peer))),
        (None, None) => return Err(RecoverError::NoFork),
    };
    let moved = store.move_own_writes(actor, split, note)?;
    tracing::info!(split, moved = moved.events, "sync recover");
    let mut imports = Vec::new();
    for b in bundles {
        // This station's own bundles under its old id: any written since the
        // restore carry the moved events at their old places, which every
        // station would refuse at each sync; the others hold the rest.
        if made_by(b).as_deref() == Some(moved.old_origin.as_str()) {
            // Left behind it is refused where read, never applied: the
            // recovery stands either way.
            if let Err(e) = std::fs::remove_file(b) {
                tracing::warn!(file = %b.display(), error = %e, "old bundle not removed");
            }
            continue;
        }
        imports.push(super::import_file(store, b, false)?);
    }
    Ok(Recovered {
        moved,
        split,
        imports,
    })
}
