//! Encrypted backups: a whole station database sealed with age, to a
//! passphrase or to the school key, so a copy on a lost USB stick reveals
//! nothing. The layout follows the bundle's:
//!
//! ```text
//! DUTYDESK-BACKUP <format> passphrase\n            plain: how to open it, nothing about the
//! DUTYDESK-BACKUP <format> school <key-id>\n       school (no name, no station)
//! <age stream>                                     holds deflate(the SQLite file)
//! DUTYDESK-BACKUP-END <length, 16 hex> <blake3 of the age stream, 64 hex>\n
//! ```
//!
//! Everything is streamed: a year-end database of ~2 GB is never held in
//! memory. The trailer carries no security (age authenticates every chunk);
//! it tells a cut-short copy from changed bytes, and a damaged age header
//! from a wrong passphrase (both fail to unwrap the file key; only the
//! checksum tells them apart, and it is read only after such a failure).

use super::*;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::Path;

pub const BACKUP_FORMAT: u32 = 1;
const BACKUP_MAGIC: &str = "DUTYDESK-BACKUP";
const BACKUP_END: &[u8] = b"DUTYDESK-BACKUP-END ";
const BACKUP_TRAILER_LEN: usize = BACKUP_END.len() + 16 + 1 + 64 + 1;
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// scrypt work factor for backup passphrases: N = 2^17 (128 MiB, about half
/// a second on the 2-core development machine). A person's passphrase needs
/// more stretching than the join file's 80-bit code; one restore pays it.
pub const BACKUP_SCRYPT_LOG_N: u8 = 17;
/// Shortest passphrase accepted.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("not a dutydesk backup")]
    NotABackup,
    #[error("made by a newer dutydesk (format {found})")]
    NewerFormat { found: u32 },
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("encrypted to another school's key")]
    WrongKey,
    #[error("backup is sealed with a passphrase, none given")]
    NeedsPassphrase,
    #[error("backup is sealed to the school key, none given")]
    NeedsSchoolKey,
    #[error("backup has been altered or damaged")]
    Damaged,
    #[error("backup is incomplete (cut short)")]
    Truncated,
    /// Reading the backup failed (the disk, not the content).
    #[error("read failed: {0}")]
    Read(io::Error),
    /// Writing the restored copy failed.
    #[error("write failed: {0}")]
    Write(io::Error),
}

impl BackupError {
    /// i18n catalogue key; every text takes `{path}`, the backup file.
    pub fn key(&self) -> &'static str {
        match self {
            BackupError::NotABackup => "backup.err.not_a_backup",
            BackupError::NewerFormat { .. } => "backup.err.newer_format",
            BackupError::WrongPassphrase => "backup.err.wrong_passphrase",
            BackupError::WrongKey => "backup.err.wrong_key",
            BackupError::NeedsPassphrase => "backup.err.needs_passphrase",
            BackupError::NeedsSchoolKey => "backup.err.needs_school_key",
            BackupError::Damaged => "backup.err.damaged",
            BackupError::Truncated => "backup.err.truncated",
            BackupError::Read(_) | BackupError::Write(_) => "backup.err.io",
        }
    }
}

/// What seals a backup being written, or opens one being read.
pub enum BackupKey<'a> {
    Passphrase(SecretString),
    School(&'a SchoolKey),
}

/// What a backup file is, from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupKind {
    /// A plain SQLite copy (the daily backups, `--out NAME.db`).
    Plain,
    Passphrase,
    School,
}

/// Counts and hashes what passes, to write or check the trailer.
struct Tally<T> {
    inner: T,
    len: u64,
    hash: blake3::Hasher,
}

impl<T> Tally<T> {
    fn new(inner: T) -> Tally<T> {
        Tally {
            inner,
            len: 0,
            hash: blake3::Hasher::new(),
        }
    }
}

impl<W: Write> Write for Tally<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.len += n as u64;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.len += n as u64;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Counts the bytes read from the file, for progress, while the readers
/// stacked on it own it.
struct Seen<R> {
    inner: R,
    n: Rc<Cell<u64>>,
}

impl<R> Seen<R> {
    fn new(inner: R, n: &Rc<Cell<u64>>) -> Seen<R> {
        Seen {
            inner,
            n: Rc::clone(n),
        }
    }
}

impl<R: Read> Read for Seen<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.set(self.n.get() + n as u64);
        Ok(n)
    }
}

/// Seals the database read from `db` into `out`. `progress` gets the bytes
/// of the database read so far.
pub fn write_backup(
    db: &mut dyn Read,
    out: &mut dyn Write,
    key: &BackupKey,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let line = match key {
        BackupKey::Passphrase(_) => format!("{BACKUP_MAGIC} {BACKUP_FORMAT} passphrase\n"),
        BackupKey::School(k) => {
            format!("{BACKUP_MAGIC} {BACKUP_FORMAT} school {}\n", k.key_id_hex())
        }
    };
    out.write_all(line.as_bytes())?;
    let encryptor = match key {
        BackupKey::Passphrase(p) => {
            let mut r = age::scrypt::Recipient::new(p.clone());
            r.set_work_factor(BACKUP_SCRYPT_LOG_N);
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        }
        BackupKey::School(k) => {
            let r = k.identity.to_public();
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        }
    }
    .map_err(|e| io::Error::other(e.to_string()))?;
    let age_out = encryptor.wrap_output(Tally::new(BufWriter::with_capacity(IO_BUF, out)))?;
    let mut deflate = flate2::write::DeflateEncoder::new(age_out, Compression::new(DEFLATE_LEVEL));
    let mut buf = vec![0u8; IO_BUF];
    let mut done = 0u64;
    loop {
        let n = match db.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        deflate.write_all(&buf[..n])?;
        done += n as u64;
        progress(done);
    }
    let tally = deflate.finish()?.finish()?;
    let mut out = tally.inner;
    out.write_all(&backup_trailer(tally.len, &tally.hash.finalize()))?;
    out.flush()
}

fn backup_trailer(len: u64, hash: &blake3::Hash) -> Vec<u8> {
    let mut t = BACKUP_END.to_vec();
    t.extend_from_slice(format!("{len:016x} {}\n", hash.to_hex()).as_bytes());
    debug_assert_eq!(t.len(), BACKUP_TRAILER_LEN);
    t
}

/// The plain first line of an encrypted backup: its kind, the key id for
/// the school key, and the line's length.
fn read_first_line(file: &mut File) -> Result<(BackupKind, Option<String>, u64), BackupError> {
    let mut head = Vec::with_capacity(128);
    (&mut *file)
        .take(128)
        .read_to_end(&mut head)
        .map_err(BackupError::Read)?;
    if head.starts_with(SQLITE_MAGIC) {
        return Ok((BackupKind::Plain, None, 0));
    }
    let nl = head
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(BackupError::NotABackup)?;
    let line = std::str::from_utf8(&head[..nl]).map_err(|_| BackupError::NotABackup)?;
    let mut parts = line.split(' ');
    if parts.next() != Some(BACKUP_MAGIC) {
        return Err(BackupError::NotABackup);
    }
    let format: u32 = parts
        .next()
        .and_then(|f| f.parse().ok())
        .ok_or(BackupError::Damaged)?;
    if format > BACKUP_FORMAT {
        return Err(BackupError::NewerFormat { found: format });
    }
    let (kind, key_id) = match (parts.next(), parts.next(), parts.next()) {
        (Some("passphrase"), None, None) => (BackupKind::Passphrase, None),
        (Some("school"), Some(id), None) if id.len() == 16 => {
            (BackupKind::School, Some(id.to_string()))
        }
        _ => return Err(BackupError::Damaged),
    };
    Ok((kind, key_id, nl as u64 + 1))
}

/// What the backup at `path` is, from its first line: which key restoring
/// it needs. Refuses a file that is not a backup.
pub fn backup_kind(path: &Path) -> Result<BackupKind, BackupError> {
    let mut f = File::open(path).map_err(BackupError::Read)?;
    Ok(read_first_line(&mut f)?.0)
}

/// Reads the backup at `path` into `out`: the SQLite file, decrypted when
/// sealed. `progress` gets (bytes read, bytes in all). Every failure says
/// what is wrong with the file; `out` may hold a part of it then (the
/// caller writes to a temporary file and deletes it).
pub fn read_backup(
    path: &Path,
    key: Option<&BackupKey>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), BackupError> {
    let mut file = File::open(path).map_err(BackupError::Read)?;
    let total = file.metadata().map_err(BackupError::Read)?.len();
    let (kind, key_id, start) = read_first_line(&mut file)?;
    file.seek(SeekFrom::Start(start))
        .map_err(BackupError::Read)?;
    let seen = Rc::new(Cell::new(0u64));
    if kind == BackupKind::Plain {
        let mut src = BufReader::with_capacity(IO_BUF, Seen::new(file, &seen));
        return pump(&mut src, out, &mut || progress(seen.get(), total));
    }
    // The trailer first: a copy cut short is told before any work.
    if total < start + BACKUP_TRAILER_LEN as u64 {
        return Err(BackupError::Truncated);
    }
    let stream_len = total - start - BACKUP_TRAILER_LEN as u64;
    let mut trailer = [0u8; BACKUP_TRAILER_LEN];
    file.seek(SeekFrom::Start(start + stream_len))
        .and_then(|_| file.read_exact(&mut trailer))
        .map_err(BackupError::Read)?;
    let Some((len, hash)) = parse_trailer(&trailer) else {
        // Bytes added after a whole trailer are damage, not a cut.
        let tail = (total - start).min(4096);
        let mut end = vec![0u8; tail as usize];
        file.seek(SeekFrom::Start(total - tail))
            .and_then(|_| file.read_exact(&mut end))
            .map_err(BackupError::Read)?;
        // A whole trailer followed by more bytes; part of one is a cut.
        let added = end.windows(BACKUP_END.len()).enumerate().any(|(i, w)| {
            w == BACKUP_END
                && end
                    .get(i..i + BACKUP_TRAILER_LEN)
                    .is_some_and(|t| parse_trailer(t).is_some())
        });
        return Err(if added {
            BackupError::Damaged
        } else {
            BackupError::Truncated
        });
    };
    if len != stream_len {
        // A whole trailer whose length disagrees: bytes went missing or were
        // added in the middle.
        return Err(if len > stream_len {
            BackupError::Truncated
        } else {
            BackupError::Damaged
        });
    }
    match (&kind, key) {
        (BackupKind::Passphrase, Some(BackupKey::Passphrase(_))) => {}
        (BackupKind::Passphrase, _) => return Err(BackupError::NeedsPassphrase),
        (BackupKind::School, Some(BackupKey::School(k))) => {
            if key_id.as_deref() != Some(k.key_id_hex().as_str()) {
                return Err(BackupError::WrongKey);
            }
        }
        (BackupKind::School, _) => return Err(BackupError::NeedsSchoolKey),
        (BackupKind::Plain, _) => unreachable!("returned above"),
    }
    file.seek(SeekFrom::Start(start))
        .map_err(BackupError::Read)?;
    let mut tally = Tally::new(BufReader::with_capacity(
        IO_BUF,
        Seen::new((&mut file).take(stream_len), &seen),
    ));
    let decryptor = match age::Decryptor::new(&mut tally) {
        Ok(d) => d,
        Err(age::DecryptError::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
            return Err(BackupError::Read(e));
        }
        Err(_) => return Err(BackupError::Damaged),
    };
    let opened = match key {
        Some(BackupKey::Passphrase(p)) => {
            let mut id = age::scrypt::Identity::new(p.clone());
            // Bound the work a crafted file can demand, with headroom for a
            // later version that raises the factor.
            id.set_max_work_factor(BACKUP_SCRYPT_LOG_N + 3);
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
        Some(BackupKey::School(k)) => {
            decryptor.decrypt(std::iter::once(&k.identity as &dyn age::Identity))
        }
        None => unreachable!("checked above"),
    };
    let reader = match opened {
        Ok(r) => r,
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) => {
            // A wrong key and a damaged key stanza look alike to age: the
            // checksum over the whole stream decides.
            drop(tally);
            file.seek(SeekFrom::Start(start))
                .map_err(BackupError::Read)?;
            let mut all = Tally::new((&mut file).take(stream_len));
            io::copy(&mut all, &mut io::sink()).map_err(BackupError::Read)?;
            return Err(if all.hash.finalize() == hash {
                match kind {
                    BackupKind::School => BackupError::WrongKey,
                    _ => BackupError::WrongPassphrase,
                }
            } else {
                BackupError::Damaged
            });
        }
        Err(age::DecryptError::Io(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
            return Err(BackupError::Read(e));
        }
        Err(_) => return Err(BackupError::Damaged),
    };
    let mut inflate = flate2::read::DeflateDecoder::new(reader);
    pump(&mut inflate, out, &mut || progress(seen.get(), stream_len))?;
    // The deflate stream ended: age must end there too, its last chunk
    // checked (a copy cut at a chunk boundary fails here).
    let mut rest = inflate.into_inner();
    match rest.read(&mut [0u8; 1]) {
        Ok(0) => {}
        Ok(_) => return Err(BackupError::Damaged),
        Err(e) if is_content_error(&e) => return Err(BackupError::Damaged),
        Err(e) => return Err(BackupError::Read(e)),
    }
    drop(rest);
    io::copy(&mut tally, &mut io::sink()).map_err(BackupError::Read)?;
    if tally.len != stream_len || tally.hash.finalize() != hash {
        return Err(BackupError::Damaged);
    }
    Ok(())
}

fn parse_trailer(t: &[u8]) -> Option<(u64, blake3::Hash)> {
    let rest = t.strip_prefix(BACKUP_END)?;
    let s = std::str::from_utf8(rest).ok()?.strip_suffix('\n')?;
    let (len, hash) = s.split_once(' ')?;
    if len.len() != 16 {
        return None;
    }
    Some((
        u64::from_str_radix(len, 16).ok()?,
        blake3::Hash::from_hex(hash).ok()?,
    ))
}

/// Copies `src` to `out`: a read that fails on the content (age's chunk
/// check, deflate) is damage, a failed write is the target's.
fn pump(
    src: &mut dyn Read,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(),
) -> Result<(), BackupError> {
    let mut buf = vec![0u8; IO_BUF];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_content_error(&e) => return Err(BackupError::Damaged),
            Err(e) => return Err(BackupError::Read(e)),
        };
        out.write_all(&buf[..n]).map_err(BackupError::Write)?;
        progress();
    }
    out.flush().map_err(BackupError::Write)
}

fn is_content_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that deflate cannot shrink much, so the stream spans many
    /// age chunks (64 KiB each).
    fn content(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 3 == 0 { b'a' } else { x as u8 }
            })
            .collect()
    }

    fn sealed(data: &[u8], key: &BackupKey) -> Vec<u8> {
        let mut out = Vec::new();
        write_backup(&mut &data[..], &mut out, key, &mut |_| {}).unwrap();
        out
    }

    fn open(bytes: &[u8], key: Option<&BackupKey>) -> Result<Vec<u8>, BackupError> {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("b.ddbak");
        std::fs::write(&f, bytes).unwrap();
        let mut out = Vec::new();
        read_backup(&f, key, &mut out, &mut |_, _| {}).map(|()| out)
    }

    #[test]
    fn school_key_round_trip_and_every_cut_or_flip_refused() {
        let k = SchoolKey::generate();
        let key = BackupKey::School(&k);
        let data = content(300_000);
        let bytes = sealed(&data, &key);
        assert_eq!(open(&bytes, Some(&key)).unwrap(), data);

        let other = SchoolKey::generate();
        assert!(matches!(
            open(&bytes, Some(&BackupKey::School(&other))),
            Err(BackupError::WrongKey)
        ));
        assert!(matches!(
            open(&bytes, None),
            Err(BackupError::NeedsSchoolKey)
        ));

        let mut cuts: Vec<usize> = (1..bytes.len()).step_by(4099).collect();
        cuts.extend([bytes.len() - 1, bytes.len() - BACKUP_TRAILER_LEN]);
        for cut in cuts {
            match open(&bytes[..cut], Some(&key)) {
                Err(BackupError::Truncated) => {}
                // Cut inside the plain first line.
                Err(BackupError::NotABackup | BackupError::Damaged) if cut < 50 => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
        for pos in (50..bytes.len()).step_by(7919) {
            let mut b = bytes.clone();
            b[pos] ^= 0x10;
            match open(&b, Some(&key)) {
                Err(BackupError::Damaged | BackupError::Truncated) => {}
                other => panic!("flip at {pos}: {other:?}"),
            }
        }
        // Bytes appended after the trailer: the trailer is no longer last.
        let mut longer = bytes.clone();
        longer.extend_from_slice(b"\n");
        assert!(matches!(
            open(&longer, Some(&key)),
            Err(BackupError::Damaged)
        ));
    }

    #[test]
    fn passphrase_round_trip_wrong_passphrase_and_nothing_in_clear() {
        let pass = |s: &str| BackupKey::Passphrase(SecretString::from(s.to_string()));
        let data = b"SQLite format 3\0 \xe9\x9d\x92\xe5\xb1\xb1 school".repeat(1000);
        let bytes = sealed(&data, &pass("correct horse"));
        assert!(bytes.starts_with(b"DUTYDESK-BACKUP 1 passphrase\n"));
        assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));
        assert_eq!(open(&bytes, Some(&pass("correct horse"))).unwrap(), data);
        assert!(matches!(
            open(&bytes, Some(&pass("wrong horse"))),
            Err(BackupError::WrongPassphrase)
        ));
        assert!(matches!(
            open(&bytes, None),
            Err(BackupError::NeedsPassphrase)
        ));
        assert!(matches!(
            open(b"DUTYDESK-BACKUP 9 passphrase\n", None),
            Err(BackupError::NewerFormat { found: 9 })
        ));
        assert!(matches!(
            open(b"hello\n", None),
            Err(BackupError::NotABackup)
        ));
    }
}
