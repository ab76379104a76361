//! The WAL's checkpoints, on a connection and thread of their own while the
//! TUI runs. SQLite's automatic checkpoint runs inside the commit that
//! crosses 1,000 pages of WAL and waits for the fsync of the whole file: on
//! a year-end station one patrol scan in ~60 took half a second for it. The
//! keys' connection stops checkpointing; this thread copies the WAL back
//! every few seconds (PASSIVE: it never waits for the keys' reads or
//! writes). Other processes (the command line, a second TUI, the sync
//! worker) keep their own automatic checkpoints.

use super::Store;
use rusqlite::{Connection, OpenFlags};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the thread checkpoints: the WAL holds a few seconds of writes.
pub const EVERY: Duration = Duration::from_secs(5);

/// The running thread. Dropping it checkpoints once more and stops the
/// thread; the keys' connection, closed soon after, checkpoints when it
/// closes as SQLite always does.
#[derive(Default)]
pub struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Store {
    /// Moves this file's checkpoints to a thread. An in-memory store, or a
    /// file the thread cannot open, keeps checkpointing in its commits.
    pub fn checkpoint_in_background(&self, every: Duration) -> Checkpointer {
        let conn = match self
            .path
            .is_file()
            .then(|| Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE))
        {
            Some(Ok(conn)) => conn,
            _ => return Checkpointer::default(),
        };
        if conn.pragma_update(None, "synchronous", "FULL").is_err()
            || self
                .conn
                .pragma_update(None, "wal_autocheckpoint", 0)
                .is_err()
        {
            return Checkpointer::default();
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                checkpoint(&conn);
            }
            checkpoint(&conn);
        });
        Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// One passive checkpoint. A failure (the file busy in another process's
/// checkpoint, a full disk) leaves the WAL as it was, to be tried again.
fn checkpoint(conn: &Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "background checkpoint failed");
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
