//! Reading a bundle on a second thread: decrypting, decompressing, parsing
//! and hash-checking each event is half the work of an import, and it can
//! run beside the database writes on the other core. Events arrive in file
//! order, in chunks; the first failure ends the stream in its place, so the
//! importer meets problems in the same order as if it read the file itself.

use super::{SyncError, Wire, attachments, crypto, from_wire};
use crate::domain::event::Event;
use crate::store::log::EventRecord;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvError, Sender, SyncSender, channel, sync_channel};

/// Events per message: large enough that the channel costs nothing, small
/// enough to report progress often.
const CHUNK: usize = 2048;
/// Chunks read ahead of the importer.
const AHEAD: usize = 8;

pub(super) enum Msg {
    Header(crypto::BundleHeader),
    /// Events, and how many bytes of the file have been read so far.
    Events(Vec<EventRecord>, u64),
    /// A part of a photo, after the events; its bytes are checked against
    /// its name by the importer.
    Part(attachments::Part, u64),
    Failed(SyncError),
    /// Events read again on request (`Stream::again`), each parsed if its
    /// kind is known; photo parts are not sent again.
    Again(Vec<(EventRecord, Option<Event>)>),
    /// Every line read, the MAC and the end of the file checked.
    Verified,
}

/// The messages of a bundle being read, and the way back to its thread for
/// events the importer is done with.
pub(super) struct Stream {
    rx: Receiver<Msg>,
    back: Sender<Box<dyn Send>>,
    again: Sender<()>,
}

impl Stream {
    pub(super) fn recv(&self) -> Result<Msg, RecvError> {
        self.rx.recv()
    }

    /// Hands events back to be freed on the reading thread, which made
    /// them: freeing them here would contend for that thread's allocator
    /// lock on every event. Freed here once the reader has finished.
    pub(super) fn give_back<T: Send + 'static>(&self, spent: Vec<T>) {
        if !spent.is_empty() {
            let _ = self.back.send(Box::new(spent));
        }
    }

    /// Asks for the bundle's events once more, after `Verified`: they come
    /// as `Again`, then `Verified` (or `Failed`) as the first time.
    pub(super) fn again(&self) {
        let _ = self.again.send(());
    }
}

/// Starts reading `path` on a thread of `scope`. The first message is the
/// header or a failure; then events, ending with `Verified` or `Failed`.
/// Dropping the stream stops the thread.
pub(super) fn spawn<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    path: &'scope Path,
    key: &'scope crypto::SchoolKey,
    school_id: &'scope str,
) -> Stream {
    let (tx, rx) = sync_channel(AHEAD);
    let (back, returned) = channel();
    let (again, asked) = channel();
    scope.spawn(move || {
        if let Err(e) = read(path, key, school_id, &tx, &returned, &asked) {
            let _ = tx.send(Msg::Failed(e));
        }
    });
    Stream { rx, back, again }
}

/// `Err` for a failure to report; `Ok` when done or when the importer
/// stopped listening.
fn read(
    path: &Path,
    key: &crypto::SchoolKey,
    school_id: &str,
    tx: &SyncSender<Msg>,
    returned: &Receiver<Box<dyn Send>>,
    asked: &Receiver<()>,
) -> Result<(), SyncError> {
    let open = || -> Result<_, SyncError> {
        let file = std::fs::File::open(path)?;
        let reader: Box<dyn BufRead> = Box::new(BufReader::new(file));
        Ok(crypto::open_bundle(reader, key, school_id)?)
    };
    let (header, body) = open()?;
    if tx.send(Msg::Header(header)).is_err() {
        return Ok(());
    }
    let Some(mac) = pass(body, tx, returned, |r| r, Msg::Events, true)? else {
        return Ok(());
    };
    if tx.send(Msg::Verified).is_err() {
        return Ok(());
    }
    // The importer may ask for the events again (`Stream::again`), parsed
    // here: this thread is otherwise idle while the importer projects. The
    // same MAC at the end proves the same lines were read, each checked
    // against its hash the first time, so the hashes are not taken again.
    while asked.recv().is_ok() {
        let (_, body) = open()?;
        let parse = |r: EventRecord| {
            let ev = Event::parse(&r.kind, &r.body).and_then(Result::ok);
            (r, ev)
        };
        let Some(again) = pass(body, tx, returned, parse, |v, _| Msg::Again(v), false)? else {
            return Ok(());
        };
        if again != mac {
            return Err(SyncError::BadEvent);
        }
        if tx.send(Msg::Verified).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// One read of the body: its events made into `T` and sent in chunks; on
/// the `first` read each is checked against its hash and photo parts are
/// sent too. The bundle's MAC once verified; `None` when the importer
/// stopped listening.
fn pass<T>(
    mut body: crypto::BundleBody,
    tx: &SyncSender<Msg>,
    returned: &Receiver<Box<dyn Send>>,
    make: impl Fn(EventRecord) -> T,
    msg: impl Fn(Vec<T>, u64) -> Msg,
    first: bool,
) -> Result<Option<[u8; 32]>, SyncError> {
    let mut chunk = Vec::with_capacity(CHUNK);
    let outcome = (|| -> Result<bool, SyncError> {
        while let Some(line) = body.next_line()? {
            if attachments::is_part(&line) {
                if !first {
                    continue;
                }
                // A malformed part is a photo refused, not a bundle refused.
                let part = attachments::parse_part(&line).unwrap_or(attachments::Part {
                    hash: String::new(),
                    name: "?".into(),
                    index: 0,
                    last: true,
                    bytes: vec![],
                });
                if !chunk.is_empty() {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if tx.send(msg(full, body.bytes_read())).is_err() {
                        return Ok(false);
                    }
                }
                if tx.send(Msg::Part(part, body.bytes_read())).is_err() {
                    return Ok(false);
                }
                continue;
            }
            let wire: Wire = serde_json::from_str(&line).map_err(|_| SyncError::BadEvent)?;
            let rec = from_wire(wire).ok_or(SyncError::BadEvent)?;
            if first && rec.compute_hash() != rec.hash {
                return Err(SyncError::BadEvent);
            }
            chunk.push(make(rec));
            if chunk.len() == CHUNK {
                // Free what the importer is done with (see `give_back`).
                while returned.try_recv().is_ok() {}
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                if tx.send(msg(full, body.bytes_read())).is_err() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    })();
    // The events read before a failure go first, as if read in one stream.
    if !chunk.is_empty() && tx.send(msg(chunk, body.bytes_read())).is_err() {
        return Ok(None);
    }
    if !outcome? {
        return Ok(None);
    }
    Ok(Some(body.finish()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::FixedClock;
    use crate::store::Store;
    use std::sync::Arc;

    /// Every message up to `Verified` or `Failed`: events read, and whether
    /// the read verified.
    fn drain(s: &Stream) -> (usize, bool) {
        let mut n = 0;
        loop {
            match s.recv() {
                Ok(Msg::Events(v, _)) => n += v.len(),
                Ok(Msg::Again(v)) => n += v.len(),
                Ok(Msg::Header(_) | Msg::Part(..)) => {}
                Ok(Msg::Verified) => return (n, true),
                Ok(Msg::Failed(_)) | Err(_) => return (n, false),
            }
        }
    }

    #[test]
    fn a_second_read_gives_the_same_events_or_fails() {
        let dir = tempfile::tempdir().unwrap();
        let now = 1_795_000_000_000;
        let clock = FixedClock::new(now);
        let mut st = Store::open(&dir.path().join("a.db"), Arc::new(clock.clone())).unwrap();
        crate::demo::generate(&mut st, &clock, crate::demo::Scale::Small, 42, now).unwrap();
        let id = super::super::identity(&mut st).unwrap();
        let one = dir.path().join("one.ddbundle");
        let n = super::super::export_to_as(&mut st, &one, true)
            .unwrap()
            .events as usize;
        // Another bundle of the same school: one event more.
        clock.advance_min(5);
        let admin = st.operators().unwrap().into_iter();
        let admin = admin
            .filter(|o| o.role == crate::domain::role::Role::Admin)
            .map(|o| o.actor())
            .next()
            .unwrap();
        st.set_setting(&admin, "lock_minutes", 7).unwrap();
        let two = dir.path().join("two.ddbundle");
        super::super::export_to_as(&mut st, &two, true).unwrap();
        let path = dir.path().join("in.ddbundle");
        for (swap, verified) in [(false, true), (true, false)] {
            std::fs::copy(&one, &path).unwrap();
            std::thread::scope(|scope| {
                let s = spawn(scope, &path, &id.key, &id.school_id);
                assert_eq!(drain(&s), (n, true));
                if swap {
                    std::fs::copy(&two, &path).unwrap();
                }
                s.again();
                let (read, ok) = drain(&s);
                assert_eq!(ok, verified, "swapped {swap}");
                assert!(read >= n.min(2048 * 8), "{read} read again");
            });
        }
    }
}
