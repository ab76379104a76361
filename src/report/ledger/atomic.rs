//! Replacing a file so that a crash or a full disk never leaves half of it.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temp files of concurrent writes from the same process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Lets `fill` write a temp file beside `path`, syncs it and renames it over
/// `path`; on any failure (of `fill` too) the temp file is removed.
pub(super) fn write_atomically_with<E: From<io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // Same directory as the target so the rename never crosses filesystems.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp_name = OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp_path = dir.join(tmp_name);

    // If even the create fails there is nothing of ours to clean up.
    let mut file = File::create(&tmp_path)?;
    let written = fill(&mut file).and_then(|()| file.sync_all().map_err(E::from));
    // Close first: Windows refuses to rename or remove an open file.
    drop(file);
    let result = written.and_then(|()| fs::rename(&tmp_path, path).map_err(E::from));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp_path);
        return Err(e);
    }
    sync_dir(dir);
    Ok(())
}

/// Makes the rename itself durable where the OS allows syncing a directory.
/// Best effort: the new file is already in place, so a failure here is not
/// worth reporting as a failed export.
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}
