//! Stations stay in step by bundle files: no server, no network. A bundle
//! holds every event its station knows (its own and those relayed from
//! others), encrypted to the school's key and authenticated. Importing is
//! idempotent and order-independent: known events are skipped, new ones
//! appended, a known (origin, seq) with different content is tampering and
//! refuses the whole bundle. Projections are recomputed per record, so any
//! order of any bundles ends in the same state.

mod attachments;
pub mod crypto;
mod folder;
pub mod knowledge;
mod lines;
mod reader;
pub mod recover;

pub use folder::{folder, folder_with};
pub use lines::{error_text, export_line, photos_line, report_line, report_lines};

use crate::domain::hlc::Hlc;
use crate::store::intake::{Intake, ReadAgain, Verdict};
use crate::store::log::EventRecord;
use crate::store::station_log::ImportLogEntry;
use crate::store::{Store, StoreError};
use crypto::{BundleHeader, SchoolKey, SyncCryptoError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const BUNDLE_EXT: &str = "ddbundle";
pub const JOIN_EXT: &str = "ddjoin";

/// Bundles above this size are imported with a larger page cache
/// (`IMPORT_CACHE_KIB`, negative: in KiB), given back afterwards.
const BIG_BUNDLE_BYTES: u64 = 4 << 20;
const IMPORT_CACHE_KIB: i64 = -65_536;
/// Events per message from the reading to the writing thread of an export.
const EXPORT_CHUNK: usize = 2048;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Crypto(#[from] SyncCryptoError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// An event already known here arrived with different content.
    #[error("event {origin}#{seq} was replayed with different content")]
    Replayed { origin: String, seq: i64 },
    /// An event whose hash does not match its content, or a line that is
    /// not an event.
    #[error("an event in the bundle is damaged")]
    BadEvent,
    /// A joined station without its school key (the database was altered).
    #[error("this station has lost the school key")]
    KeyMissing,
}

impl SyncError {
    /// Catalog key of the one-line reason.
    pub fn key(&self) -> &'static str {
        match self {
            SyncError::Crypto(c) => c.key(),
            SyncError::Store(_) => "sync.err.store",
            SyncError::Io(_) => "sync.err.io",
            SyncError::Replayed { .. } => "sync.err.replayed",
            SyncError::BadEvent => "sync.err.bad_event",
            SyncError::KeyMissing => "sync.err.key_missing",
        }
    }
}

/// The school this station belongs to and its key. The key lives in this
/// station's `meta` only; it never enters the event log or a bundle.
pub struct Identity {
    pub school_id: String,
    pub key: SchoolKey,
}

/// This station's school identity; the first station of a school makes its
/// key the first time it is needed.
pub fn identity(store: &mut Store) -> Result<Identity, SyncError> {
    store.require_station()?;
    let school_id = match store.meta("school_id")? {
        Some(id) => id,
        None => {
            // Stations set up before sync existed: adopt an id now.
            let id = store.new_id();
            store.set_meta("school_id", &id)?;
            id
        }
    };
    let key = match store.meta("school_key")? {
        Some(s) => SchoolKey::from_secret(&s)?,
        None if store.meta("joined")?.is_some() => return Err(SyncError::KeyMissing),
        None => {
            let k = SchoolKey::generate();
            store.set_meta("school_key", &k.secret())?;
            k
        }
    };
    Ok(Identity { school_id, key })
}

/// One event as it travels: every envelope field, hashes in hex (read in
/// place: hex needs no unescaping, and a million events spare two copies).
#[derive(Deserialize)]
struct Wire<'l> {
    o: String,
    s: i64,
    i: String,
    hm: i64,
    hc: u32,
    k: String,
    e: String,
    v: i64,
    a: String,
    b: String,
    p: &'l str,
    h: &'l str,
}

/// `Wire` as written: the same fields, borrowed from the record, so an
/// export copies no strings.
#[derive(Serialize)]
struct WireOut<'a> {
    o: &'a str,
    s: i64,
    i: &'a str,
    hm: i64,
    hc: u32,
    k: &'a str,
    e: &'a str,
    v: i64,
    a: &'a str,
    b: &'a str,
    p: &'a str,
    h: &'a str,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex into `out` (64 bytes).
fn hex_into<'o>(b: &[u8; 32], out: &'o mut [u8; 64]) -> &'o str {
    for (i, x) in b.iter().enumerate() {
        out[2 * i] = HEX[(x >> 4) as usize];
        out[2 * i + 1] = HEX[(x & 15) as usize];
    }
    std::str::from_utf8(out).expect("hex digits are ASCII")
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    /// Each byte's value as a lower-case hex digit, 0xFF if it is none:
    /// a table, as two million hashes a pass go through here.
    const NIBBLE: [u8; 256] = {
        let mut t = [0xFF; 256];
        let mut i = 0;
        while i < 16 {
            t[HEX[i] as usize] = i as u8;
            i += 1;
        }
        t
    };
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (hi, lo) = (NIBBLE[pair[0] as usize], NIBBLE[pair[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad & 0xF0 == 0).then_some(out)
}

/// Writes one event as a bundle line.
fn write_wire(w: &mut dyn Write, e: &EventRecord) -> std::io::Result<()> {
    let (mut p, mut h) = ([0u8; 64], [0u8; 64]);
    let out = WireOut {
        o: &e.origin,
        s: e.seq,
        i: &e.id,
        hm: e.hlc.ms,
        hc: e.hlc.c,
        k: &e.kind,
        e: &e.entity,
        v: e.schema,
        a: &e.actor,
        b: &e.body,
        p: hex_into(&e.prev_hash, &mut p),
        h: hex_into(&e.hash, &mut h),
    };
    serde_json::to_writer(&mut *w, &out).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

fn from_wire(w: Wire) -> Option<EventRecord> {
    Some(EventRecord {
        origin: w.o,
        seq: w.s,
        id: w.i,
        hlc: Hlc { ms: w.hm, c: w.hc },
        kind: w.k,
        entity: w.e,
        schema: w.v,
        actor: w.a,
        body: w.b,
        prev_hash: unhex(w.p)?,
        hash: unhex(w.h)?,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub path: PathBuf,
    pub events: u64,
    pub bytes: u64,
    /// Hazard photos carried, and those held here left out (over the limit).
    pub attachments: u64,
    pub attachments_left: u64,
    /// The station's limit when it was written (MB).
    pub attachment_limit_mb: i64,
}

/// Messages from the reading to the writing thread of an export.
enum ExportChunk {
    Events(Vec<EventRecord>),
    /// Every event is sent: the photos go last.
    End(Vec<attachments::Carry>),
}

/// A file name people can read: station, date and time.
fn bundle_name(store: &Store) -> String {
    let st = store.station().map(|s| s.name.clone()).unwrap_or_default();
    let safe: String = st
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let at = crate::domain::time::fmt_local(store.now_ms(), store.offset_min(), "%Y%m%d-%H%M%S");
    format!("{safe}-{at}.{BUNDLE_EXT}")
}

/// Writes a new bundle into `dir`: what some peer may lack, or with `full`
/// every event this station knows.
pub fn export(store: &mut Store, dir: &Path, full: bool) -> Result<ExportReport, SyncError> {
    if !dir.is_dir() {
        return Err(SyncError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not a folder", dir.display()),
        )));
    }
    let path = dir.join(bundle_name(store));
    export_to_as(store, &path, full)
}

/// Writes to `path` the events some peer this station knows of may lack
/// (every event, when one has never been heard of).
pub fn export_to(store: &mut Store, path: &Path) -> Result<ExportReport, SyncError> {
    export_to_as(store, path, false)
}

/// Writes the bundle to `path` atomically: a temporary file, synced, then
/// renamed — a USB stick pulled out half way leaves no half bundle. With
/// `full`, every event this station holds.
pub fn export_to_as(store: &mut Store, path: &Path, full: bool) -> Result<ExportReport, SyncError> {
    export_watched(store, path, full, &mut |_, _| true)
}

/// `export_to_as` telling `watch` (events read, events in all) after each
/// chunk; when `watch` says stop, the temporary file is removed and the
/// export ends as interrupted: nothing is left behind.
pub fn export_watched(
    store: &mut Store,
    path: &Path,
    full: bool,
    watch: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ExportReport, SyncError> {
    let id = identity(store)?;
    let st = store.require_station()?.clone();
    // Chains only grow: the events up to the heads read here are the same
    // when read below, whatever another connection writes meanwhile.
    let plan = knowledge::plan(store, full)?;
    let events = plan.events();
    let (carry, attachments_left) = attachments::choose(store, &plan.ranges)?;
    let mut carried = 0u64;
    let header = BundleHeader {
        format: 1,
        school_id: id.school_id.clone(),
        station_id: st.id.clone(),
        station_name: st.name.clone(),
        created_ms: store.now_ms(),
        events,
        knows: Some(plan.knowledge.clone()),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let carried_n = &mut carried;
    let result = (|| -> Result<u64, SyncError> {
        let file = std::fs::File::create(&tmp)?;
        let mut out = std::io::BufWriter::new(file);
        // The log is read here while a second thread encodes, compresses,
        // encrypts and writes: the two halves of an export take about as
        // long as each other.
        let (key, header) = (&id.key, &header);
        let log = &*store;
        std::thread::scope(|scope| -> Result<(), SyncError> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<ExportChunk>(8);
            let out = &mut out;
            let writer = scope.spawn(move || {
                let mut body = |w: &mut dyn Write| -> std::io::Result<()> {
                    for chunk in rx.iter() {
                        match chunk {
                            ExportChunk::Events(chunk) => {
                                for rec in &chunk {
                                    write_wire(w, rec)?;
                                }
                            }
                            ExportChunk::End(carry) => {
                                *carried_n = attachments::write_all(w, &carry)?;
                                return Ok(());
                            }
                        }
                    }
                    Err(std::io::Error::other("export interrupted"))
                };
                crypto::write_bundle(out, key, header, &mut body)
            });
            let mut chunk = Vec::with_capacity(EXPORT_CHUNK);
            let mut read_n = 0u64;
            let read = log.for_each_event_in_ranges(&plan.ranges, |rec| {
                chunk.push(rec);
                if chunk.len() == EXPORT_CHUNK {
                    read_n += EXPORT_CHUNK as u64;
                    if !watch(read_n, events) {
                        return Err(StoreError::Io(interrupted()));
                    }
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(EXPORT_CHUNK));
                    if tx.send(ExportChunk::Events(full)).is_err() {
                        // The writer failed: stop; its error is reported.
                        return Err(StoreError::Io(std::io::Error::other("writer stopped")));
                    }
                }
                Ok(())
            });
            if read.is_ok() {
                let _ = tx.send(ExportChunk::Events(chunk));
                let _ = tx.send(ExportChunk::End(carry));
            }
            drop(tx);
            let written = writer
                .join()
                .map_err(|_| std::io::Error::other("export writer"))?;
            written?;
            read?;
            Ok(())
        })?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        Ok(std::fs::metadata(path)?.len())
    })();
    tracing::info!(path = %path.display(), events, full = plan.is_full(), ok = result.is_ok(), "sync export");
    match result {
        Ok(bytes) => Ok(ExportReport {
            path: path.to_path_buf(),
            events,
            bytes,
            attachments: carried,
            attachments_left,
            attachment_limit_mb: store.setting(crate::domain::settings::BUNDLE_ATTACHMENT_MB),
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub file: String,
    pub from_station: String,
    pub new: u64,
    pub known: u64,
    /// Events that cannot be placed yet (their predecessor is missing).
    pub rejected: u64,
    /// New events timed more than 10 minutes after this station's clock.
    pub future: u64,
    /// Stations whose clock ran behind (their events piled up on one
    /// logical tick).
    pub clock_behind: Vec<String>,
    /// Why the whole bundle was refused (catalog key), if it was.
    pub refused: Option<&'static str>,
    /// The same reason as one line in the current language, details filled in.
    pub refused_text: Option<String>,
    pub dry_run: bool,
    /// Hazard photos written into the attachment folder.
    pub attachments: u64,
    /// Photos refused, (name, hash): their bytes do not match their name.
    /// The events still land.
    pub attachments_refused: Vec<(String, String)>,
}

/// Imports one bundle, all or nothing. Refusals (wrong school, tampering,
/// truncation) come back in the report, with nothing applied, and are
/// written to the import log.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
) -> Result<ImportReport, SyncError> {
    import_file_with(store, path, dry_run, &mut |_| {})
}

/// How far an import has read: the bundle's bytes, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub file: String,
    pub done: u64,
    pub total: u64,
}

/// `import_file`, reporting progress every few thousand events.
pub fn import_file_with(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, SyncError> {
    let mut report = ImportReport {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        dry_run,
        ..ImportReport::default()
    };
    let outcome = import_inner(store, path, dry_run, &mut report, progress);
    let (label, detail) = match &outcome {
        Ok(()) if dry_run => ("dry_run", String::new()),
        Ok(()) => ("ok", String::new()),
        Err(e) => {
            report.refused = Some(e.key());
            report.refused_text = Some(error_text(e));
            report.new = 0;
            ("refused", e.to_string())
        }
    };
    log_import(store, &report, label, &detail)?;
    tracing::info!(file = %report.file, result = label, new = report.new, "sync import");
    match outcome {
        // I/O on our own database is an error; a bad bundle is a report.
        Err(SyncError::Store(e)) => Err(SyncError::Store(e)),
        _ => Ok(report),
    }
}

fn import_inner(
    store: &mut Store,
    path: &Path,
    dry_run: bool,
    report: &mut ImportReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let id = identity(store)?;
    let total = std::fs::metadata(path)?.len();
    std::thread::scope(|scope| {
        let events = reader::spawn(scope, path, &id.key, &id.school_id);
        let header = match events.recv() {
            Ok(reader::Msg::Header(h)) => h,
            Ok(reader::Msg::Failed(e)) => return Err(e),
            _ => return Err(SyncError::BadEvent),
        };
        report.from_station = header.station_name.clone();
        let bulk = if total > BIG_BUNDLE_BYTES {
            Some(store.begin_bulk_write(IMPORT_CACHE_KIB)?)
        } else {
            None
        };
        let out = import_events(store, &events, &header, total, dry_run, report, progress);
        if let Some(bulk) = bulk {
            store.end_bulk_write(bulk)?;
        }
        out
    })
}

/// The events of an opened bundle, in one transaction: every event or
/// none. The MAC and the end of the file are checked before commit.
fn import_events(
    store: &mut Store,
    events: &reader::Stream,
    header: &BundleHeader,
    total: u64,
    dry_run: bool,
    report: &mut ImportReport,
    progress: &mut dyn FnMut(Progress),
) -> Result<(), SyncError> {
    let now = store.now_ms();
    let mut failure: Option<SyncError> = None;
    let mut rolled_back_dry = false;
    let mut photos = attachments::Intake::new(attachments::folder(store, dry_run));
    let res = store.batch(|s| {
        let mut intake = Intake::default();
        let run = (|| -> Result<(), SyncError> {
            loop {
                let (recs, done) = match events.recv() {
                    Ok(reader::Msg::Events(recs, done)) => (recs, done),
                    Ok(reader::Msg::Part(part, done)) => {
                        photos.take(part)?;
                        (vec![], done)
                    }
                    Ok(reader::Msg::Verified) => return Ok(()),
                    Ok(reader::Msg::Failed(e)) => return Err(e),
                    Ok(reader::Msg::Header(_) | reader::Msg::Again(_)) | Err(_) => {
                        return Err(SyncError::BadEvent);
                    }
                };
                for rec in recs {
                    let (hlc, origin, seq) = (rec.hlc, rec.origin.clone(), rec.seq);
                    match intake.take(s, rec)? {
                        Verdict::Replayed => return Err(SyncError::Replayed { origin, seq }),
                        Verdict::DuplicateId => return Err(SyncError::BadEvent),
                        Verdict::Known => report.known += 1,
                        Verdict::Unlinked => report.rejected += 1,
                        Verdict::New => {
                            report.new += 1;
                            if hlc.ms > now + 10 * 60_000 {
                                report.future += 1;
                            }
                            if hlc.c >= 1000 && !report.clock_behind.contains(&origin) {
                                report.clock_behind.push(origin);
                            }
                        }
                    }
                }
                events.give_back(intake.spent());
                progress(Progress {
                    file: report.file.clone(),
                    done,
                    total,
                });
            }
        })();
        if let Err(e) = run {
            failure = Some(e);
            return Err(refused());
        }
        let max_hlc = intake.max_hlc();
        // A spilled intake has the reading thread read and parse the bundle
        // again beside the projection, instead of reading the log back.
        let mut asked = false;
        let mut next = |spent: Vec<ReadAgain>| {
            if !std::mem::replace(&mut asked, true) {
                events.again();
            }
            events.give_back(spent);
            match events.recv() {
                Ok(reader::Msg::Again(v)) => Ok(Some(v)),
                Ok(reader::Msg::Verified) => Ok(None),
                Ok(reader::Msg::Failed(e)) => Err(e),
                _ => Err(SyncError::BadEvent),
            }
            .map_err(|e| {
                failure = Some(e);
                refused()
            })
        };
        if !intake.project_again(s, &mut next)? {
            // The file changed between the two reads.
            failure = Some(SyncError::BadEvent);
            return Err(refused());
        }
        // Only a verified bundle teaches what its sender holds.
        if let Some(k) = &header.knows {
            knowledge::record(s, &header.station_id, header.created_ms, k)?;
        }
        if dry_run {
            rolled_back_dry = true;
            return Err(StoreError::Io(std::io::Error::other("dry run")));
        }
        s.observe_hlc(max_hlc);
        Ok(())
    });
    let (n, refused) = match (&res, &failure) {
        (Ok(()), None) => photos.commit()?,
        // A refused bundle is one line; its photos are not reported apart.
        (_, Some(_)) => {
            photos.discard();
            (0, vec![])
        }
        _ => photos.discard(),
    };
    report.attachments = n;
    report.attachments_refused = refused;
    match (res, failure) {
        (_, Some(e)) => Err(e),
        (Err(_), None) if rolled_back_dry => Ok(()),
        (Err(e), None) => Err(SyncError::Store(e)),
        (Ok(()), None) => Ok(()),
    }
}

/// Rolls the import's transaction back for a refused bundle (its reason
/// is kept apart, in `failure`).
fn refused() -> StoreError {
    StoreError::Io(std::io::Error::other("bundle refused"))
}

fn log_import(
    store: &mut Store,
    r: &ImportReport,
    outcome: &str,
    detail: &str,
) -> Result<(), SyncError> {
    store.log_import(&ImportLogEntry {
        at_ms: store.now_ms(),
        file: r.file.clone(),
        from_station: r.from_station.clone(),
        new: r.new as i64,
        known: r.known as i64,
        rejected: r.rejected as i64,
        outcome: outcome.to_string(),
        detail: detail.to_string(),
    })?;
    Ok(())
}

/// Where the full bundle that goes with a join file is written.
pub fn snapshot_path(join_file: &Path) -> PathBuf {
    let mut p = join_file.as_os_str().to_owned();
    p.push(format!(".{BUNDLE_EXT}"));
    PathBuf::from(p)
}

/// The error of an export or invite stopped on request.
fn interrupted() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "cancelled")
}

/// A join file for a new station of this school, and the one-time code
/// that opens it (shown on screen, never stored). Beside it goes a full
/// bundle (`snapshot_path`): the new station is unknown to the others, so
/// their incremental bundles would start above what it holds.
pub fn invite(store: &mut Store, path: &Path) -> Result<(String, String), SyncError> {
    invite_watched(store, path, &mut |_, _| true).map(|(code, fp, _)| (code, fp))
}

/// `invite` telling `watch` how far the full bundle is written (events
/// read, events in all); when `watch` says stop, neither the bundle nor
/// the join file is left behind. Also returns what the full bundle holds.
pub fn invite_watched(
    store: &mut Store,
    path: &Path,
    watch: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<(String, String, ExportReport), SyncError> {
    let id = identity(store)?;
    let st = store.require_station()?.clone();
    let code = crypto::new_join_code();
    let info = crypto::JoinInfo {
        school_id: id.school_id.clone(),
        school_name: st.school.clone(),
        secret: id.key.secret(),
        made_by_station: st.name.clone(),
        made_ms: store.now_ms(),
        snapshot: None,
    };
    let bytes = crypto::seal_join(&code, &info)?;
    // The bundle first: a join file is never left without it.
    let snapshot = snapshot_path(path);
    let bundle = export_watched(store, &snapshot, true, watch)?;
    // Stopped once the bundle was written: it goes too.
    if !watch(bundle.events, bundle.events) {
        let _ = std::fs::remove_file(&snapshot);
        return Err(interrupted().into());
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok((code, id.key.fingerprint(), bundle))
}

/// Opens a join file with its code, noting the full bundle beside it.
pub fn join_info(path: &Path, code: &str) -> Result<crypto::JoinInfo, SyncError> {
    let bytes = std::fs::read(path)?;
    let mut info = crypto::open_join(code, &bytes)?;
    let snapshot = snapshot_path(path);
    info.snapshot = snapshot.is_file().then_some(snapshot);
    Ok(info)
}

/// Sets up this (new) station as part of the school in the join file.
#[allow(clippy::too_many_arguments)]
pub fn join(
    store: &mut Store,
    info: &crypto::JoinInfo,
    station: &str,
    kind: crate::domain::event::StationKind,
    utc_offset_min: i32,
    admin: &str,
    pin: &str,
) -> Result<(), SyncError> {
    // Check the key before anything is written.
    SchoolKey::from_secret(&info.secret)?;
    // The station and its key are written together: a joined station must
    // never end up making a key of its own.
    store.batch(|s| {
        s.setup_in_school(
            &info.school_id,
            &info.school_name,
            station,
            kind,
            utc_offset_min,
            admin,
            pin,
        )?;
        s.set_meta("school_key", &info.secret)?;
        s.set_meta("joined", "1")
    })?;
    // The inviting station's log. A refusal is kept in the import log (and
    // shown with the others); the next sync brings the same events.
    if let Some(snapshot) = &info.snapshot {
        import_file(store, snapshot, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::FixedClock;
    use std::sync::Arc;

    fn journal(store: &Store) -> String {
        store.journal_mode().unwrap()
    }

    #[test]
    fn a_big_import_uses_a_rollback_journal_only_when_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut s = Store::open(&path, Arc::new(FixedClock::new(1_795_000_000_000))).unwrap();
        assert_eq!(journal(&s), "wal");
        let bulk = s.begin_bulk_write(IMPORT_CACHE_KIB).unwrap();
        assert_eq!(journal(&s), "truncate");
        s.end_bulk_write(bulk).unwrap();
        assert_eq!(journal(&s), "wal");

        // Another connection (the TUI's own) keeps the WAL, without waiting.
        let other = rusqlite::Connection::open(&path).unwrap();
        let _: i64 = other
            .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
            .unwrap();
        let cache = s.cache_size().unwrap();
        let t = std::time::Instant::now();
        let bulk = s.begin_bulk_write(IMPORT_CACHE_KIB).unwrap();
        assert_eq!(journal(&s), "wal");
        assert!(t.elapsed() < std::time::Duration::from_secs(1));
        s.end_bulk_write(bulk).unwrap();
        assert_eq!(journal(&s), "wal");
        assert_eq!(
            s.cache_size().unwrap(),
            cache,
            "the page cache is given back"
        );
    }

    #[test]
    fn hashes_travel_as_lower_case_hex_and_back() {
        let mut b = [0u8; 32];
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i as u8).wrapping_mul(37);
        }
        let mut buf = [0u8; 64];
        let s = hex_into(&b, &mut buf).to_string();
        assert_eq!(&s[..6], "00254a");
        assert_eq!(unhex(&s), Some(b));
        assert_eq!(unhex(&s.to_uppercase()), None, "only what we write");
        assert_eq!(unhex(&s[..62]), None);
        assert_eq!(unhex(&format!("{}zz", &s[..62])), None);
    }
}
