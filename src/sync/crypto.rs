//! File format and cryptography of station-to-station bundles and join files.
//!
//! A bundle file is
//!
//! ```text
//! DUTYDESK-BUNDLE <format> <key-id> <header-json>\n     plain, so another school's bundle is
//!                                                       recognised and skipped without the key
//! <age stream, X25519 to the school key>                holds deflate([plain line again]
//!                                                         [body lines] [MAC <hex>\n])
//! DUTYDESK-END <age stream length, 16 hex>\n            plain trailer, 30 bytes
//! ```
//!
//! Security rests on age (confidentiality, integrity, end of stream) and on the
//! keyed blake3 MAC (only a holder of the school secret — not merely of its public
//! recipient — can make a bundle). The key id and the trailer carry no security:
//! they only let us name the failure precisely. The key id tells "encrypted to
//! another key" from "age header damaged"; the trailer tells "file cut short" from
//! "bytes changed", which age alone cannot (a cut inside a chunk looks like a
//! forged last chunk).
//!
//! A join file is `DUTYDESK-JOIN 1 <blake3 of payload, hex>\n` then an age file
//! encrypted with the normalised join code as scrypt passphrase. The unkeyed
//! checksum separates "file damaged" from "wrong code" without running scrypt.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::rc::Rc;

use age::secrecy::{ExposeSecret, SecretString};
use flate2::Compression;
use serde::{Deserialize, Serialize};

/// Bundle format this version writes and the newest it reads.
pub const BUNDLE_FORMAT: u32 = 1;
/// Join file format this version writes and the newest it reads.
pub const JOIN_FORMAT: u32 = 1;
/// scrypt work factor (N = 2^16, 64 MiB) for join files: 0.2–0.4 s on the busy
/// 2-core development machine, paid once when a station joins. age's default
/// calibrates ~1 s on the sealing machine (it chose 2^19 there, ~2 s), which a
/// slower duty PC would pay several times over; an 80-bit random code needs no
/// more stretching than this.
pub const JOIN_SCRYPT_LOG_N: u8 = 16;

const BUNDLE_MAGIC: &str = "DUTYDESK-BUNDLE";
const JOIN_MAGIC: &str = "DUTYDESK-JOIN";
const TRAILER_MAGIC: &[u8] = b"DUTYDESK-END ";
const TRAILER_LEN: usize = TRAILER_MAGIC.len() + 16 + 1;
const MAC_PREFIX: &[u8] = b"MAC ";
/// The plain header is read before anything is authenticated: bound it so a
/// large non-bundle file is not slurped into memory looking for a newline.
const MAX_HEADER_LINE: u64 = 64 * 1024;
/// Same for body lines; an event is a few hundred bytes.
const MAX_BODY_LINE: u64 = 16 * 1024 * 1024;
const MAX_JOIN_PAYLOAD: u64 = 1024 * 1024;
/// Deflate level 1: on event JSON it gives 0.18 of the size against 0.16 at
/// the default level 6, writing 7× faster (measured, 1M events).
const DEFLATE_LEVEL: u32 = 1;
/// Large enough that blake3 and age see whole chunks, not one event at a time.
const IO_BUF: usize = 64 * 1024;

const CTX_FINGERPRINT: &str = "dutydesk school fingerprint v1";
const CTX_MAC: &str = "dutydesk bundle mac v1";
const CTX_KEY_ID: &str = "dutydesk bundle key id v1";

/// Codes and fingerprints are read aloud and typed by people: no 0/O/1/I.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

// ---------------------------------------------------------------------------
// Errors

#[derive(Debug, thiserror::Error)]
pub enum SyncCryptoError {
    #[error("not a dutydesk bundle")]
    NotABundle,
    #[error("made by a newer dutydesk (format {found})")]
    NewerFormat { found: u32 },
    #[error("bundle belongs to another school ({school_id})")]
    OtherSchool { school_id: String },
    #[error("bundle was not encrypted with this school's key")]
    WrongKey,
    #[error("bundle has been altered or damaged")]
    Tampered,
    #[error("bundle is incomplete (cut short)")]
    Truncated,
    #[error("wrong join code")]
    BadJoinCode,
    #[error("join file is damaged or not a join file")]
    BadJoinFile,
    #[error("read/write failed: {0}")]
    Io(#[from] io::Error),
}

impl SyncCryptoError {
    /// i18n catalogue key for the message shown to people.
    pub fn key(&self) -> &'static str {
        match self {
            SyncCryptoError::NotABundle => "sync.err.not_a_bundle",
            SyncCryptoError::NewerFormat { .. } => "sync.err.newer_format",
            SyncCryptoError::OtherSchool { .. } => "sync.err.other_school",
            SyncCryptoError::WrongKey => "sync.err.wrong_key",
            SyncCryptoError::Tampered => "sync.err.tampered",
            SyncCryptoError::Truncated => "sync.err.truncated",
            SyncCryptoError::BadJoinCode => "sync.err.bad_join_code",
            SyncCryptoError::BadJoinFile => "sync.err.bad_join_file",
            SyncCryptoError::Io(_) => "sync.err.io",
        }
    }
}

fn invalid_input(msg: &'static str) -> SyncCryptoError {
    SyncCryptoError::Io(io::Error::new(io::ErrorKind::InvalidInput, msg))
}

// ---------------------------------------------------------------------------
// School key

/// The school's shared secret: an age X25519 identity all stations of one school hold.
#[derive(Clone)]
pub struct SchoolKey {
    identity: age::x25519::Identity,
    mac_key: [u8; 32],
    key_id: [u8; 8],
    fingerprint: String,
}

impl SchoolKey {
    pub fn generate() -> SchoolKey {
        Self::from_identity(age::x25519::Identity::generate())
    }

    /// Parses "AGE-SECRET-KEY-1…". The only untrusted source of such text is a
    /// join file, hence `BadJoinFile`; the input is never echoed.
    pub fn from_secret(s: &str) -> Result<SchoolKey, SyncCryptoError> {
        s.trim()
            .parse::<age::x25519::Identity>()
            .map(Self::from_identity)
            .map_err(|_| SyncCryptoError::BadJoinFile)
    }

    fn from_identity(identity: age::x25519::Identity) -> SchoolKey {
        // Derive from the canonical (upper-case) encoding so that a key typed in
        // lower case still yields the same MAC key and fingerprint.
        let secret = identity.to_string();
        let material = secret.expose_secret().as_bytes();
        let mac_key = blake3::derive_key(CTX_MAC, material);
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(&blake3::derive_key(CTX_KEY_ID, material)[..8]);
        let fp = blake3::derive_key(CTX_FINGERPRINT, material);
        SchoolKey {
            identity,
            mac_key,
            key_id,
            fingerprint: grouped_code(&fp[..10]),
        }
    }

    /// For storage in the station DB only.
    pub fn secret(&self) -> String {
        self.identity.to_string().expose_secret().to_owned()
    }

    /// Short code both stations display to confirm they hold the same key.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    fn key_id_hex(&self) -> String {
        hex(&self.key_id)
    }
}

impl fmt::Debug for SchoolKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret, even in debug logs.
        f.debug_struct("SchoolKey")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// 80 bits → "XXXX-XXXX-XXXX-XXXX" in the unambiguous alphabet.
fn grouped_code(bytes: &[u8]) -> String {
    debug_assert_eq!(bytes.len(), 10);
    let v = bytes.iter().fold(0u128, |v, &b| (v << 8) | u128::from(b));
    let mut s = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let idx = (v >> (75 - 5 * i)) & 31;
        s.push(ALPHABET[idx as usize] as char);
    }
    s
}

// ---------------------------------------------------------------------------
// Bundle header

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHeader {
    pub format: u32,
    pub school_id: String,
    pub station_id: String,
    pub station_name: String,
    pub created_ms: i64,
    pub events: u64,
}

impl BundleHeader {
    /// The plain header is shown before anything is verified: refuse control
    /// characters so a crafted file cannot drive the terminal.
    fn is_displayable(&self) -> bool {
        [&self.school_id, &self.station_id, &self.station_name]
            .iter()
            .all(|s| !s.chars().any(char::is_control))
    }
}

fn header_line(key: &SchoolKey, header: &BundleHeader) -> Result<Vec<u8>, SyncCryptoError> {
    let json = serde_json::to_string(header).map_err(|e| SyncCryptoError::Io(e.into()))?;
    Ok(format!(
        "{BUNDLE_MAGIC} {} {} {json}\n",
        header.format,
        key.key_id_hex()
    )
    .into_bytes())
}

struct PlainHeader {
    header: BundleHeader,
    key_id: String,
}

fn read_header_line(r: &mut dyn BufRead, line: &mut Vec<u8>) -> Result<(), SyncCryptoError> {
    r.take(MAX_HEADER_LINE).read_until(b'\n', line)?;
    if line.last() != Some(&b'\n') {
        // Our magic without the end of its line: the file was cut inside it.
        let m = BUNDLE_MAGIC.as_bytes();
        let cut = !line.is_empty()
            && (line.len() as u64) < MAX_HEADER_LINE
            && (m.starts_with(line) || (line.starts_with(m) && line[m.len()] == b' '));
        return Err(if cut {
            SyncCryptoError::Truncated
        } else {
            SyncCryptoError::NotABundle
        });
    }
    Ok(())
}

fn parse_header_line(line: &[u8]) -> Result<PlainHeader, SyncCryptoError> {
    let text = std::str::from_utf8(line)
        .ok()
        .and_then(|t| t.strip_suffix('\n'))
        .ok_or(SyncCryptoError::NotABundle)?;
    let rest = text
        .strip_prefix(BUNDLE_MAGIC)
        .and_then(|t| t.strip_prefix(' '))
        .ok_or(SyncCryptoError::NotABundle)?;
    // The format comes first so a newer layout of the rest is reported as newer.
    let (format, rest) = rest.split_once(' ').ok_or(SyncCryptoError::NotABundle)?;
    let format: u32 = format.parse().map_err(|_| SyncCryptoError::NotABundle)?;
    if format > BUNDLE_FORMAT {
        return Err(SyncCryptoError::NewerFormat { found: format });
    }
    let (key_id, json) = rest.split_once(' ').ok_or(SyncCryptoError::NotABundle)?;
    if key_id.len() != 16 {
        return Err(SyncCryptoError::NotABundle);
    }
    let header: BundleHeader =
        serde_json::from_str(json).map_err(|_| SyncCryptoError::NotABundle)?;
    if header.format > BUNDLE_FORMAT {
        return Err(SyncCryptoError::NewerFormat {
            found: header.format,
        });
    }
    if !header.is_displayable() {
        return Err(SyncCryptoError::NotABundle);
    }
    Ok(PlainHeader {
        header,
        key_id: key_id.to_owned(),
    })
}

/// Reads the plain header line only (to show who a bundle is from, or to skip
/// another school's). Nothing in it is verified yet.
pub fn peek_header(r: &mut dyn BufRead) -> Result<BundleHeader, SyncCryptoError> {
    let mut line = Vec::new();
    read_header_line(r, &mut line)?;
    Ok(parse_header_line(&line)?.header)
}

fn trailer(len: u64) -> Vec<u8> {
    let mut t = TRAILER_MAGIC.to_vec();
    t.extend_from_slice(format!("{len:016x}\n").as_bytes());
    t
}

// ---------------------------------------------------------------------------
// Writing

/// Counts what age writes so the trailer can state the stream's length.
struct CountingWriter<'a> {
    inner: &'a mut dyn Write,
    written: u64,
}

impl Write for CountingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct MacWriter<W: Write> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for MacWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What the caller writes the body through. It refuses a body line starting
/// with "MAC ": the reader would take it for the end of the bundle.
struct BodyWriter<W: Write> {
    inner: BufWriter<W>,
    /// Bytes of the current line matched against "MAC " so far; `CLEAR` once
    /// the line cannot be a MAC line.
    col: usize,
}

const CLEAR: usize = usize::MAX;

impl<W: Write> BodyWriter<W> {
    fn scan(&mut self, mut rest: &[u8]) -> io::Result<()> {
        loop {
            while self.col < MAC_PREFIX.len() {
                let Some((&b, tail)) = rest.split_first() else {
                    return Ok(());
                };
                if b != MAC_PREFIX[self.col] {
                    self.col = CLEAR;
                    break;
                }
                self.col += 1;
                rest = tail;
            }
            if self.col == MAC_PREFIX.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "bundle body line must not start with \"MAC \"",
                ));
            }
            match rest.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    rest = &rest[i + 1..];
                    self.col = 0;
                }
                None => return Ok(()),
            }
        }
    }
}

impl<W: Write> Write for BodyWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Scan first: a refused line must not reach the bundle at all.
        self.scan(buf)?;
        self.inner.write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a bundle to `out` (see the module comment for the layout). The body
/// is streamed through the writer handed to `body`: JSON lines, none starting
/// with "MAC ". A missing final newline is added.
pub fn write_bundle(
    out: &mut dyn Write,
    key: &SchoolKey,
    header: &BundleHeader,
    body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), SyncCryptoError> {
    if header.format != BUNDLE_FORMAT {
        return Err(invalid_input("bundle header format must be 1"));
    }
    if !header.is_displayable() {
        return Err(invalid_input("bundle header contains control characters"));
    }
    let line = header_line(key, header)?;
    out.write_all(&line)?;

    let recipient = key.identity.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| SyncCryptoError::Io(io::Error::other(e.to_string())))?;
    let counting = CountingWriter {
        inner: out,
        written: 0,
    };
    let age_out = encryptor.wrap_output(counting)?;
    let deflate = flate2::write::DeflateEncoder::new(age_out, Compression::new(DEFLATE_LEVEL));
    let mut mac = MacWriter {
        inner: deflate,
        hasher: blake3::Hasher::new_keyed(&key.mac_key),
    };
    // The plain line is repeated inside so tampering with the outside shows.
    mac.write_all(&line)?;
    let mut writer = BodyWriter {
        inner: BufWriter::with_capacity(IO_BUF, mac),
        col: 0,
    };
    body(&mut writer)?;
    if writer.col != 0 {
        writer.write_all(b"\n")?;
    }
    let mac = writer.inner.into_inner().map_err(|e| e.into_error())?;
    let tag = mac.hasher.finalize();
    let mut deflate = mac.inner;
    deflate.write_all(MAC_PREFIX)?;
    deflate.write_all(tag.to_hex().as_bytes())?;
    deflate.write_all(b"\n")?;
    let counting = deflate.finish()?.finish()?;
    let written = counting.written;
    let out = counting.inner;
    out.write_all(&trailer(written))?;
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TrailerVerdict {
    Pending,
    Ok,
    /// The trailer's magic is (nearly) intact but something in it is wrong.
    Altered,
    /// No trailer where the file ends: it was cut short.
    Missing,
}

/// Shared between the layers of the read pipeline so an error surfacing at
/// the top can be traced to where it began.
#[derive(Clone, Copy, Debug)]
struct ReadState {
    file_bytes: u64,
    eof: bool,
    trailer: TrailerVerdict,
    io_failed: bool,
}

type Shared = Rc<Cell<ReadState>>;

fn update(state: &Shared, f: impl FnOnce(&mut ReadState)) {
    let mut s = state.get();
    f(&mut s);
    state.set(s);
}

/// Passes the file on to age but always keeps the last `TRAILER_LEN` bytes
/// back; at end of file they must be the trailer.
struct HoldBack {
    inner: Box<dyn BufRead>,
    tail: Vec<u8>,
    passed: u64,
    state: Shared,
}

impl HoldBack {
    fn judge_trailer(&self) -> TrailerVerdict {
        if self.tail.len() < TRAILER_LEN {
            return TrailerVerdict::Missing;
        }
        if self.tail == trailer(self.passed) {
            return TrailerVerdict::Ok;
        }
        // Cut-off ciphertext matches the 13-byte magic in ≤ 2 places with
        // negligible probability; a changed byte in a real trailer does.
        let differing = self
            .tail
            .iter()
            .zip(TRAILER_MAGIC)
            .filter(|(a, b)| a != b)
            .count();
        if differing <= 2 {
            TrailerVerdict::Altered
        } else {
            TrailerVerdict::Missing
        }
    }
}

impl Read for HoldBack {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    update(&self.state, |s| s.io_failed = true);
                    return Err(e);
                }
            };
            if avail.is_empty() {
                if !self.state.get().eof {
                    let verdict = self.judge_trailer();
                    update(&self.state, |s| {
                        s.eof = true;
                        s.trailer = verdict;
                    });
                }
                return Ok(0);
            }
            let total = self.tail.len() + avail.len();
            if total <= TRAILER_LEN {
                let n = avail.len();
                self.tail.extend_from_slice(avail);
                self.inner.consume(n);
                continue;
            }
            let n = (total - TRAILER_LEN).min(buf.len());
            let from_tail = n.min(self.tail.len());
            let from_avail = n - from_tail;
            buf[..from_tail].copy_from_slice(&self.tail[..from_tail]);
            buf[from_tail..n].copy_from_slice(&avail[..from_avail]);
            self.tail.drain(..from_tail);
            self.inner.consume(from_avail);
            self.passed += n as u64;
            let passed = self.passed;
            update(&self.state, |s| s.file_bytes = passed);
            return Ok(n);
        }
    }
}

type AgeStream = age::stream::StreamReader<BufReader<HoldBack>>;
type Plain = BufReader<flate2::bufread::DeflateDecoder<BufReader<AgeStream>>>;

/// Names the failure behind an error from anywhere in the read pipeline.
fn classify(e: io::Error, state: &Shared) -> SyncCryptoError {
    let s = state.get();
    if s.io_failed {
        return SyncCryptoError::Io(e);
    }
    // age cannot tell a cut inside a chunk from a forged last chunk; the
    // trailer can. A complete file is never reported as truncated.
    match (s.eof, s.trailer) {
        (true, TrailerVerdict::Missing) => SyncCryptoError::Truncated,
        _ => SyncCryptoError::Tampered,
    }
}

fn classify_age(e: age::DecryptError, state: &Shared, key_id_matches: bool) -> SyncCryptoError {
    match e {
        age::DecryptError::NoMatchingKeys if !key_id_matches => SyncCryptoError::WrongKey,
        age::DecryptError::Io(e) => classify(e, state),
        // Same key id but the stanza does not open, or a damaged header.
        _ => classify(io::Error::other("age header"), state),
    }
}

/// Opens a bundle: checks the plain header (school id must equal `school_id`,
/// format ≤ 1), decrypts, decompresses, checks that the inner header line is
/// byte-for-byte the outer one, and returns a reader over the body lines.
/// Apply nothing until [`BundleBody::finish`] succeeds.
pub fn open_bundle(
    mut r: Box<dyn BufRead>,
    key: &SchoolKey,
    school_id: &str,
) -> Result<(BundleHeader, BundleBody), SyncCryptoError> {
    let mut line = Vec::new();
    read_header_line(&mut r, &mut line)?;
    let plain = parse_header_line(&line)?;
    if plain.header.school_id != school_id {
        return Err(SyncCryptoError::OtherSchool {
            school_id: plain.header.school_id,
        });
    }
    let key_id_matches = plain.key_id == key.key_id_hex();

    let state: Shared = Rc::new(Cell::new(ReadState {
        file_bytes: 0,
        eof: false,
        trailer: TrailerVerdict::Pending,
        io_failed: false,
    }));
    let hold = HoldBack {
        inner: r,
        tail: Vec::with_capacity(TRAILER_LEN * 2),
        passed: 0,
        state: state.clone(),
    };
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(IO_BUF, hold))
        .map_err(|e| classify_age(e, &state, key_id_matches))?;
    let stream = decryptor
        .decrypt(std::iter::once(&key.identity as &dyn age::Identity))
        .map_err(|e| classify_age(e, &state, key_id_matches))?;
    let deflate = flate2::bufread::DeflateDecoder::new(BufReader::with_capacity(IO_BUF, stream));
    let mut body = BundleBody {
        reader: BufReader::with_capacity(IO_BUF, deflate),
        hasher: blake3::Hasher::new_keyed(&key.mac_key),
        state,
        line: Vec::new(),
        outcome: None,
    };
    if !body.read_raw_line()? || body.line != line {
        return Err(SyncCryptoError::Tampered);
    }
    body.hasher.update(&line);
    Ok((plain.header, body))
}

/// Result of the end-of-bundle checks, kept so `finish` can report it.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Verified,
    Tampered,
    Truncated,
}

impl Outcome {
    fn into_result(self) -> Result<(), SyncCryptoError> {
        match self {
            Outcome::Verified => Ok(()),
            Outcome::Tampered => Err(SyncCryptoError::Tampered),
            Outcome::Truncated => Err(SyncCryptoError::Truncated),
        }
    }
}

/// The body lines of an opened bundle. Nothing read from it is trustworthy
/// until [`finish`](BundleBody::finish) returns `Ok`.
pub struct BundleBody {
    reader: Plain,
    hasher: blake3::Hasher,
    state: Shared,
    line: Vec<u8>,
    outcome: Option<Outcome>,
}

impl BundleBody {
    /// Reads one complete line (with its newline) into `self.line`; `false` at
    /// a clean end of the plaintext.
    fn read_raw_line(&mut self) -> Result<bool, SyncCryptoError> {
        self.line.clear();
        let res = (&mut self.reader)
            .take(MAX_BODY_LINE)
            .read_until(b'\n', &mut self.line);
        if let Err(e) = res {
            return Err(self.fail(classify(e, &self.state)));
        }
        if self.line.is_empty() {
            return Ok(false);
        }
        if self.line.last() != Some(&b'\n') {
            // Over-long line or plaintext ending mid-line: age vouches the
            // stream is complete, so it was made this way.
            return Err(self.fail(SyncCryptoError::Tampered));
        }
        Ok(true)
    }

    fn fail(&mut self, e: SyncCryptoError) -> SyncCryptoError {
        self.outcome = Some(match e {
            SyncCryptoError::Truncated => Outcome::Truncated,
            _ => Outcome::Tampered,
        });
        e
    }

    /// The next body line without its newline; `None` once the MAC line is
    /// reached (it is consumed and checked here, the verdict comes from `finish`).
    pub fn next_line(&mut self) -> Result<Option<String>, SyncCryptoError> {
        match self.outcome {
            Some(Outcome::Verified) => return Ok(None),
            Some(o) => return o.into_result().map(|()| None),
            None => {}
        }
        if !self.read_raw_line()? {
            // The stream ended cleanly without a MAC line. age vouches the
            // file is complete, so the content was made this way: tampered.
            return Err(self.fail(SyncCryptoError::Tampered));
        }
        if let Some(tag) = self.line.strip_prefix(MAC_PREFIX) {
            let ok = tag
                .strip_suffix(b"\n")
                .and_then(|t| blake3::Hash::from_hex(t).ok())
                // blake3::Hash compares in constant time.
                .is_some_and(|t| t == self.hasher.finalize());
            let outcome = if ok {
                self.check_end()
            } else {
                Outcome::Tampered
            };
            self.outcome = Some(outcome);
            return Ok(None);
        }
        self.hasher.update(&self.line);
        self.line.pop();
        match String::from_utf8(std::mem::take(&mut self.line)) {
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(self.fail(SyncCryptoError::Tampered)),
        }
    }

    /// After the MAC line: nothing may follow, age must reach its verified last
    /// chunk, and the trailer must match.
    fn check_end(&mut self) -> Outcome {
        let mut probe = [0u8; 1];
        match self.reader.read(&mut probe) {
            Ok(0) => {}
            Ok(_) => return Outcome::Tampered,
            Err(e) => return outcome_of(classify(e, &self.state)),
        }
        let stream = self.reader.get_mut().get_mut();
        match stream.read(&mut probe) {
            Ok(0) => {}
            Ok(_) => return Outcome::Tampered,
            Err(e) => return outcome_of(classify(e, &self.state)),
        }
        match self.state.get().trailer {
            TrailerVerdict::Ok => Outcome::Verified,
            TrailerVerdict::Missing => Outcome::Truncated,
            TrailerVerdict::Altered | TrailerVerdict::Pending => Outcome::Tampered,
        }
    }

    /// Bytes of the bundle file consumed so far (after the plain header line),
    /// for a progress display.
    pub fn bytes_read(&self) -> u64 {
        self.state.get().file_bytes
    }

    /// Reads any remaining lines, then reports whether the whole bundle is
    /// authentic and complete.
    pub fn finish(mut self) -> Result<(), SyncCryptoError> {
        while self.outcome.is_none() {
            self.next_line()?;
        }
        self.outcome.unwrap_or(Outcome::Tampered).into_result()
    }
}

fn outcome_of(e: SyncCryptoError) -> Outcome {
    match e {
        SyncCryptoError::Truncated => Outcome::Truncated,
        _ => Outcome::Tampered,
    }
}

impl fmt::Debug for BundleBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleBody")
            .field("bytes_read", &self.bytes_read())
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Join files

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinInfo {
    pub school_id: String,
    pub school_name: String,
    pub secret: String,
    pub made_by_station: String,
    pub made_ms: i64,
}

impl fmt::Debug for JoinInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret is left out so a logged JoinInfo leaks nothing.
        f.debug_struct("JoinInfo")
            .field("school_id", &self.school_id)
            .field("school_name", &self.school_name)
            .field("secret", &"<redacted>")
            .field("made_by_station", &self.made_by_station)
            .field("made_ms", &self.made_ms)
            .finish()
    }
}

/// A fresh one-time code: 4 groups of 4 from the unambiguous alphabet (80 bits).
pub fn new_join_code() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 10];
    // ThreadRng is a CSPRNG seeded from the OS.
    rand::rng().fill_bytes(&mut bytes);
    grouped_code(&bytes)
}

/// Upper-case, without dashes and spaces; full-width forms from a Chinese IME
/// are folded to ASCII. `None` unless 16 characters of the alphabet remain.
pub fn normalise_code(code: &str) -> Option<SecretString> {
    let mut out = String::with_capacity(16);
    for c in code.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0)?,
            _ => c,
        };
        if c == '-' || c.is_whitespace() || matches!(c, '\u{2010}'..='\u{2015}') {
            continue;
        }
        let c = c.to_ascii_uppercase();
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == 16).then(|| SecretString::from(out))
}

/// Seals `info` into a join file readable with `code`.
pub fn seal_join(code: &str, info: &JoinInfo) -> Result<Vec<u8>, SyncCryptoError> {
    let pass = normalise_code(code).ok_or(SyncCryptoError::BadJoinCode)?;
    let json = serde_json::to_vec(info).map_err(|e| SyncCryptoError::Io(e.into()))?;
    let mut recipient = age::scrypt::Recipient::new(pass);
    recipient.set_work_factor(JOIN_SCRYPT_LOG_N);
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| SyncCryptoError::Io(io::Error::other(e.to_string())))?;
    let mut payload = Vec::with_capacity(json.len() + 256);
    let mut w = encryptor.wrap_output(&mut payload)?;
    w.write_all(&json)?;
    w.finish()?;
    let mut out = format!(
        "{JOIN_MAGIC} {JOIN_FORMAT} {}\n",
        blake3::hash(&payload).to_hex()
    )
    .into_bytes();
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Opens a join file. A wrong code gives `BadJoinCode`, a damaged file
/// `BadJoinFile` (told apart by the plain checksum, before any scrypt work).
pub fn open_join(code: &str, bytes: &[u8]) -> Result<JoinInfo, SyncCryptoError> {
    let nl = bytes
        .iter()
        .take(256)
        .position(|&b| b == b'\n')
        .ok_or(SyncCryptoError::BadJoinFile)?;
    let (first, payload) = (&bytes[..nl], &bytes[nl + 1..]);
    let first = std::str::from_utf8(first).map_err(|_| SyncCryptoError::BadJoinFile)?;
    let mut parts = first.split(' ');
    if parts.next() != Some(JOIN_MAGIC) {
        return Err(SyncCryptoError::BadJoinFile);
    }
    let format: u32 = parts
        .next()
        .and_then(|f| f.parse().ok())
        .ok_or(SyncCryptoError::BadJoinFile)?;
    if format > JOIN_FORMAT {
        return Err(SyncCryptoError::NewerFormat { found: format });
    }
    let sum = parts
        .next()
        .and_then(|s| blake3::Hash::from_hex(s).ok())
        .ok_or(SyncCryptoError::BadJoinFile)?;
    if parts.next().is_some() || blake3::hash(payload) != sum {
        return Err(SyncCryptoError::BadJoinFile);
    }

    let pass = normalise_code(code).ok_or(SyncCryptoError::BadJoinCode)?;
    let mut identity = age::scrypt::Identity::new(pass);
    // Bound the work a crafted file can demand; one step of headroom lets a
    // later version raise the factor without breaking this one.
    identity.set_max_work_factor(JOIN_SCRYPT_LOG_N + 1);
    let decryptor =
        age::Decryptor::new_buffered(payload).map_err(|_| SyncCryptoError::BadJoinFile)?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            // The checksum matched, so a stanza that does not open means the code.
            age::DecryptError::DecryptionFailed => SyncCryptoError::BadJoinCode,
            _ => SyncCryptoError::BadJoinFile,
        })?;
    let mut json = Vec::new();
    (&mut reader)
        .take(MAX_JOIN_PAYLOAD)
        .read_to_end(&mut json)
        .map_err(|_| SyncCryptoError::BadJoinFile)?;
    let info: JoinInfo = serde_json::from_slice(&json).map_err(|_| SyncCryptoError::BadJoinFile)?;
    SchoolKey::from_secret(&info.secret)?;
    Ok(info)
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn header(school: &str, events: u64) -> BundleHeader {
        BundleHeader {
            format: BUNDLE_FORMAT,
            school_id: school.into(),
            station_id: "st-gate".into(),
            station_name: "门卫室 Gate".into(),
            created_ms: 1_760_000_000_000,
            events,
        }
    }

    fn body_line(i: u64) -> String {
        format!(
            r#"{{"origin":"st-gate","seq":{i},"kind":"visit.registered","body":{{"name":"张三"}}}}"#
        )
    }

    fn make(key: &SchoolKey, hdr: &BundleHeader, lines: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_bundle(&mut out, key, hdr, &mut |w| {
            for i in 0..lines {
                w.write_all(body_line(i).as_bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })
        .unwrap();
        out
    }

    /// Reads a whole bundle the way an importer would; `Ok(n)` only when
    /// `finish` verified it.
    fn read_all(bytes: &[u8], key: &SchoolKey, school: &str) -> Result<u64, SyncCryptoError> {
        let (_, mut body) = open_bundle(Box::new(Cursor::new(bytes.to_vec())), key, school)?;
        let mut n = 0;
        while body.next_line()?.is_some() {
            n += 1;
        }
        body.finish()?;
        Ok(n)
    }

    fn variant(r: Result<u64, SyncCryptoError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.key(),
        }
    }

    fn header_len(bytes: &[u8]) -> usize {
        bytes.iter().position(|&b| b == b'\n').unwrap() + 1
    }

    /// Length of the age header (up to and including the "--- mac" line).
    fn age_header_end(bytes: &[u8]) -> usize {
        let start = header_len(bytes);
        let mac = bytes[start..]
            .windows(4)
            .position(|w| w == b"\n---")
            .unwrap();
        let nl = bytes[start + mac + 1..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap();
        start + mac + 1 + nl + 1
    }

    /// Re-encrypts a bundle's plaintext after `edit`, keeping a valid age
    /// stream and trailer, to test checks that sit inside the encryption.
    fn reseal(bytes: &[u8], key: &SchoolKey, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let hl = header_len(bytes);
        let ct = &bytes[hl..bytes.len() - TRAILER_LEN];
        let dec = age::Decryptor::new_buffered(ct).unwrap();
        let mut r = dec
            .decrypt(std::iter::once(&key.identity as &dyn age::Identity))
            .unwrap();
        let mut packed = Vec::new();
        r.read_to_end(&mut packed).unwrap();
        let mut plain = Vec::new();
        flate2::read::DeflateDecoder::new(&packed[..])
            .read_to_end(&mut plain)
            .unwrap();
        edit(&mut plain);
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), Compression::fast());
        d.write_all(&plain).unwrap();
        let packed = d.finish().unwrap();
        let rcpt = key.identity.to_public();
        let enc =
            age::Encryptor::with_recipients(std::iter::once(&rcpt as &dyn age::Recipient)).unwrap();
        let mut ct = Vec::new();
        let mut w = enc.wrap_output(&mut ct).unwrap();
        w.write_all(&packed).unwrap();
        w.finish().unwrap();
        let mut out = bytes[..hl].to_vec();
        out.extend_from_slice(&ct);
        out.extend_from_slice(&trailer(ct.len() as u64));
        out
    }

    fn remove_mac_line(plain: &mut Vec<u8>) {
        let start = plain.windows(5).rposition(|w| w == b"\nMAC ").unwrap() + 1;
        plain.truncate(start);
    }

    #[test]
    fn round_trip_many_lines_streamed() {
        let key = SchoolKey::generate();
        let hdr = header("school-a", 100_000);
        let bytes = make(&key, &hdr, 100_000);
        assert_eq!(peek_header(&mut Cursor::new(&bytes)).unwrap(), hdr);
        let (got, mut body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
        assert_eq!(got, hdr);
        let mut i = 0;
        while let Some(line) = body.next_line().unwrap() {
            assert_eq!(line, body_line(i));
            i += 1;
        }
        assert_eq!(i, 100_000);
        assert!(body.bytes_read() > 0);
        body.finish().unwrap();
    }

    #[test]
    fn round_trip_empty_and_missing_final_newline() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 0), 0);
        assert_eq!(read_all(&bytes, &key, "school-a").unwrap(), 0);

        let mut out = Vec::new();
        write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
            w.write_all(b"{\"a\":1}")
        })
        .unwrap();
        let (_, mut body) = open_bundle(Box::new(Cursor::new(out)), &key, "school-a").unwrap();
        assert_eq!(body.next_line().unwrap().as_deref(), Some("{\"a\":1}"));
        assert_eq!(body.next_line().unwrap(), None);
        body.finish().unwrap();
    }

    #[test]
    fn body_line_that_looks_like_mac_is_refused() {
        let key = SchoolKey::generate();
        let mut out = Vec::new();
        let err = write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
            w.write_all(b"{}\nMA")?;
            w.write_all(b"C 00\n")
        })
        .unwrap_err();
        assert!(
            matches!(err, SyncCryptoError::Io(ref e) if e.kind() == io::ErrorKind::InvalidInput)
        );
        // Near misses are fine.
        let mut out = Vec::new();
        write_bundle(&mut out, &key, &header("school-a", 3), &mut |w| {
            w.write_all(b"MAC\nMA\n\nMACX 1\n")
        })
        .unwrap();
        assert_eq!(read_all(&out, &key, "school-a").unwrap(), 4);
    }

    #[test]
    fn finish_without_reading_still_verifies() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 10), 10);
        let (_, body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
        body.finish().unwrap();
    }

    #[test]
    fn other_school_and_wrong_key() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-b", 3), 3);
        assert!(matches!(
            read_all(&bytes, &key, "school-a"),
            Err(SyncCryptoError::OtherSchool { ref school_id }) if school_id == "school-b"
        ));
        let other = SchoolKey::generate();
        assert_eq!(
            variant(read_all(&bytes, &other, "school-b")),
            "sync.err.wrong_key"
        );
    }

    #[test]
    fn newer_format() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 1), 1);
        let newer = String::from_utf8_lossy(&bytes[..header_len(&bytes)]).replacen(
            "DUTYDESK-BUNDLE 1 ",
            "DUTYDESK-BUNDLE 2 ",
            1,
        );
        let mut f = newer.into_bytes();
        f.extend_from_slice(&bytes[header_len(&bytes)..]);
        assert!(matches!(
            peek_header(&mut Cursor::new(&f)),
            Err(SyncCryptoError::NewerFormat { found: 2 })
        ));
        assert!(matches!(
            read_all(&f, &key, "school-a"),
            Err(SyncCryptoError::NewerFormat { found: 2 })
        ));
        // A future layout after the format number is still reported as newer.
        let mut g = b"DUTYDESK-BUNDLE 7 something else entirely\n".to_vec();
        g.extend_from_slice(b"\x00\x01");
        assert!(matches!(
            read_all(&g, &key, "school-a"),
            Err(SyncCryptoError::NewerFormat { found: 7 })
        ));
    }

    #[test]
    fn not_a_bundle() {
        let key = SchoolKey::generate();
        for junk in [
            &b""[..],
            b"hello\n",
            b"PK\x03\x04zipfile",
            b"DUTYDESK-BUNDLE x y {}\n",
        ] {
            assert_eq!(variant(read_all(junk, &key, "s")), "sync.err.not_a_bundle");
        }
        let big = vec![b'a'; 100_000];
        assert_eq!(variant(read_all(&big, &key, "s")), "sync.err.not_a_bundle");
        // Control characters in the unverified header are refused.
        let evil = header("school-a\u{1b}[2J", 0);
        let json = serde_json::to_string(&evil).unwrap();
        let line = format!("DUTYDESK-BUNDLE 1 0000000000000000 {json}\n");
        assert_eq!(
            variant(read_all(line.as_bytes(), &key, "school-a")),
            "sync.err.not_a_bundle"
        );
    }

    #[test]
    fn flipped_byte_in_plain_header() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 5), 5);
        let flip = |at: usize| {
            let mut b = bytes.clone();
            b[at] ^= 0x01;
            variant(read_all(&b, &key, "school-a"))
        };
        // Magic broken: not recognised at all.
        assert_eq!(flip(3), "sync.err.not_a_bundle");
        // Key id changed (still hex): decrypts, but inner ≠ outer.
        let kid = "DUTYDESK-BUNDLE 1 ".len();
        let mut b = bytes.clone();
        b[kid] = if b[kid] == b'a' { b'b' } else { b'a' };
        assert_eq!(variant(read_all(&b, &key, "school-a")), "sync.err.tampered");
        // A letter in the station name ("Gate" → "Gatd"): inner ≠ outer.
        let at = bytes.windows(4).position(|w| w == b"Gate").unwrap() + 3;
        assert_eq!(flip(at), "sync.err.tampered");
        // Event count 5 → 4.
        let at = bytes
            .windows(10)
            .position(|w| w == b"\"events\":5")
            .unwrap()
            + 9;
        assert_eq!(flip(at), "sync.err.tampered");
        // Format 1 → 0: still parses, but inner ≠ outer.
        assert_eq!(flip("DUTYDESK-BUNDLE ".len()), "sync.err.tampered");
    }

    #[test]
    fn swapped_plain_header_from_another_bundle() {
        let key = SchoolKey::generate();
        let a = make(&key, &header("school-a", 1), 1);
        let mut hb = header("school-a", 1);
        hb.station_id = "st-dorm".into();
        let b = make(&key, &hb, 1);
        let mut mixed = b[..header_len(&b)].to_vec();
        mixed.extend_from_slice(&a[header_len(&a)..]);
        assert_eq!(
            variant(read_all(&mixed, &key, "school-a")),
            "sync.err.tampered"
        );
    }

    #[test]
    fn flipped_byte_anywhere_in_age_header() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 5), 5);
        let (start, end) = (header_len(&bytes), age_header_end(&bytes));
        assert!(end - start > 100);
        // Every byte of the age header (version line, X25519 stanza, MAC) and
        // the 16-byte payload nonce after it.
        for at in start..end + 16 {
            let mut b = bytes.clone();
            b[at] ^= 0x01;
            assert_eq!(
                variant(read_all(&b, &key, "school-a")),
                "sync.err.tampered",
                "byte {at}"
            );
        }
    }

    #[test]
    fn flipped_byte_in_payload_and_last_bytes() {
        let key = SchoolKey::generate();
        // Several age chunks (64 KiB each) after compression.
        let mut bytes = Vec::new();
        let mut n = 0u64;
        write_bundle(&mut bytes, &key, &header("school-a", 1), &mut |w| {
            // Incompressible-ish lines so the stream spans several chunks.
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            for _ in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                writeln!(w, "{{\"r\":\"{x:016x}{:016x}\"}}", x.rotate_left(29))?;
                n += 1;
            }
            Ok(())
        })
        .unwrap();
        let payload = bytes.len() - TRAILER_LEN - age_header_end(&bytes);
        assert!(payload > 3 * 65_552, "payload {payload}");
        let len = bytes.len();
        let t0 = len - TRAILER_LEN;
        let cases = [
            ("middle of payload", (age_header_end(&bytes) + t0) / 2),
            ("first chunk", age_header_end(&bytes) + 100),
            ("last ciphertext byte (tag of last chunk)", t0 - 1),
            ("trailer magic", t0 + 2),
            ("trailer length", t0 + TRAILER_MAGIC.len() + 15),
            ("trailer newline", len - 1),
        ];
        for (what, at) in cases {
            let mut b = bytes.clone();
            b[at] ^= 0x01;
            assert_eq!(
                variant(read_all(&b, &key, "school-a")),
                "sync.err.tampered",
                "{what}"
            );
        }
        assert_eq!(read_all(&bytes, &key, "school-a").unwrap(), n);
    }

    #[test]
    fn truncation_at_many_points() {
        let key = SchoolKey::generate();
        let bytes = {
            let mut out = Vec::new();
            write_bundle(&mut out, &key, &header("school-a", 1), &mut |w| {
                let mut x = 88_172_645_463_325_252u64;
                for _ in 0..10_000 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    writeln!(w, "{{\"r\":\"{x:016x}\"}}")?;
                }
                Ok(())
            })
            .unwrap();
            out
        };
        let hl = header_len(&bytes);
        let ah = age_header_end(&bytes);
        let len = bytes.len();
        let chunk_boundary = ah + 16 + 65_552;
        assert!(chunk_boundary < len - TRAILER_LEN);
        let cuts = [
            10,                // inside the plain header line
            hl - 1,            // plain header without its newline
            hl,                // nothing after the plain header
            hl + 5,            // inside the age version line
            ah - 3,            // inside the age header MAC
            ah + 8,            // inside the nonce
            ah + 16 + 1000,    // inside the first chunk
            chunk_boundary,    // exactly at a chunk boundary
            (ah + len) / 2,    // middle
            len - TRAILER_LEN, // trailer removed entirely
            len - TRAILER_LEN - 1,
            len - 10, // inside the trailer
            len - 1,  // only the final newline lost
        ];
        for cut in cuts {
            let v = variant(read_all(&bytes[..cut], &key, "school-a"));
            assert_eq!(v, "sync.err.truncated", "cut at {cut} of {len}");
        }
        // A cut that also leaves the peek-able header intact still peeks.
        assert!(peek_header(&mut Cursor::new(&bytes[..hl])).is_ok());
    }

    #[test]
    fn bytes_appended_or_removed_in_the_middle() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 100), 100);
        let mut more = bytes.clone();
        more.extend_from_slice(b"junk");
        // Known limit: junk appended after the trailer hides it, which reads
        // as "cut short" — still refused.
        assert_eq!(
            variant(read_all(&more, &key, "school-a")),
            "sync.err.truncated"
        );
        let mid = (age_header_end(&bytes) + bytes.len()) / 2;
        let mut less = bytes.clone();
        less.remove(mid);
        // The trailer is intact, so bytes went missing in the middle: altered.
        assert_eq!(
            variant(read_all(&less, &key, "school-a")),
            "sync.err.tampered"
        );
    }

    #[test]
    fn mac_line_removed_or_altered() {
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 3), 3);
        // Sanity: an unedited reseal verifies.
        assert_eq!(
            read_all(&reseal(&bytes, &key, |_| {}), &key, "school-a").unwrap(),
            3
        );

        let removed = reseal(&bytes, &key, remove_mac_line);
        assert_eq!(
            variant(read_all(&removed, &key, "school-a")),
            "sync.err.tampered"
        );

        let altered = reseal(&bytes, &key, |p| {
            let n = p.len();
            p[n - 2] = if p[n - 2] == b'0' { b'1' } else { b'0' };
        });
        assert_eq!(
            variant(read_all(&altered, &key, "school-a")),
            "sync.err.tampered"
        );

        // A body line changed, MAC left alone.
        let body_edit = reseal(&bytes, &key, |p| {
            let at = p.windows(5).position(|w| w == b"\"seq\"").unwrap() + 6;
            p[at] = b'9';
        });
        assert_eq!(
            variant(read_all(&body_edit, &key, "school-a")),
            "sync.err.tampered"
        );

        // A line dropped (replay of a subset) with the old MAC.
        let dropped = reseal(&bytes, &key, |p| {
            let first = p.iter().position(|&b| b == b'\n').unwrap() + 1;
            let second = first + p[first..].iter().position(|&b| b == b'\n').unwrap() + 1;
            p.drain(first..second);
        });
        assert_eq!(
            variant(read_all(&dropped, &key, "school-a")),
            "sync.err.tampered"
        );

        // Something after the MAC line.
        let extra = reseal(&bytes, &key, |p| p.extend_from_slice(b"{\"more\":1}\n"));
        assert_eq!(
            variant(read_all(&extra, &key, "school-a")),
            "sync.err.tampered"
        );

        // Inner header differs from the outer one.
        let inner = reseal(&bytes, &key, |p| {
            let at = p.windows(4).position(|w| w == b"Gate").unwrap();
            p[at] = b'g';
        });
        let err = open_bundle(Box::new(Cursor::new(inner)), &key, "school-a").unwrap_err();
        assert!(matches!(err, SyncCryptoError::Tampered));
    }

    #[test]
    fn made_with_public_key_only_is_refused() {
        // Someone with the recipient but not the secret cannot forge the MAC.
        let key = SchoolKey::generate();
        let bytes = make(&key, &header("school-a", 2), 2);
        let forged = reseal(&bytes, &key, |p| {
            remove_mac_line(p);
            p.extend_from_slice(b"MAC ");
            p.extend_from_slice(blake3::hash(b"guess").to_hex().as_bytes());
            p.push(b'\n');
        });
        assert_eq!(
            variant(read_all(&forged, &key, "school-a")),
            "sync.err.tampered"
        );
    }

    #[test]
    fn fingerprints() {
        let a = SchoolKey::generate();
        let a2 = SchoolKey::from_secret(&a.secret()).unwrap();
        let a3 = SchoolKey::from_secret(&format!(" {} \n", a.secret().to_lowercase())).unwrap();
        let b = SchoolKey::generate();
        assert_eq!(a.fingerprint(), a2.fingerprint());
        assert_eq!(a.fingerprint(), a3.fingerprint());
        assert_eq!(a.secret(), a3.secret());
        assert_ne!(a.fingerprint(), b.fingerprint());
        for fp in [a.fingerprint(), b.fingerprint(), new_join_code()] {
            assert_eq!(fp.len(), 19, "{fp}");
            for (i, c) in fp.chars().enumerate() {
                if i % 5 == 4 {
                    assert_eq!(c, '-');
                } else {
                    assert!(ALPHABET.contains(&(c as u8)), "{fp}");
                }
            }
        }
        assert!(a.secret().starts_with("AGE-SECRET-KEY-1"));
        assert!(matches!(
            SchoolKey::from_secret("AGE-SECRET-KEY-1NOPE"),
            Err(SyncCryptoError::BadJoinFile)
        ));
    }

    fn join_info(key: &SchoolKey) -> JoinInfo {
        JoinInfo {
            school_id: "school-a".into(),
            school_name: "第一中学".into(),
            secret: key.secret(),
            made_by_station: "st-office".into(),
            made_ms: 1_760_000_000_000,
        }
    }

    #[test]
    fn join_file() {
        let key = SchoolKey::generate();
        let info = join_info(&key);
        let code = new_join_code();
        assert_ne!(code, new_join_code());
        let sealed = seal_join(&code, &info).unwrap();
        assert!(sealed.starts_with(b"DUTYDESK-JOIN 1 "));
        assert!(!String::from_utf8_lossy(&sealed).contains(&info.secret));

        // Typed sloppily: lower case, spaces, full-width from an IME.
        let typed: String = code
            .to_lowercase()
            .replace('-', " ")
            .chars()
            .map(|c| if c == 'a' { 'Ａ' } else { c })
            .collect();
        assert_eq!(open_join(&typed, &sealed).unwrap(), info);

        let mut wrong = code.clone().into_bytes();
        wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
        let wrong = String::from_utf8(wrong).unwrap();
        assert!(matches!(
            open_join(&wrong, &sealed),
            Err(SyncCryptoError::BadJoinCode)
        ));
        assert!(matches!(
            open_join("too-short", &sealed),
            Err(SyncCryptoError::BadJoinCode)
        ));
        assert!(matches!(
            seal_join("0000-OOOO-1111-IIII", &info),
            Err(SyncCryptoError::BadJoinCode)
        ));

        // Damage anywhere: header line, age header, payload, end; and cuts.
        for at in [3, 20, sealed.len() / 2, sealed.len() - 1] {
            let mut d = sealed.clone();
            d[at] ^= 0x01;
            assert!(
                matches!(open_join(&code, &d), Err(SyncCryptoError::BadJoinFile)),
                "at {at}"
            );
        }
        assert!(matches!(
            open_join(&code, &sealed[..sealed.len() - 5]),
            Err(SyncCryptoError::BadJoinFile)
        ));
        assert!(matches!(
            open_join(&code, b"garbage"),
            Err(SyncCryptoError::BadJoinFile)
        ));
        let newer = [b"DUTYDESK-JOIN 2 ".as_slice(), &sealed[16..]].concat();
        assert!(matches!(
            open_join(&code, &newer),
            Err(SyncCryptoError::NewerFormat { found: 2 })
        ));
    }

    #[test]
    fn secret_never_in_errors_or_debug() {
        let key = SchoolKey::generate();
        let secret = key.secret();
        let lower = secret.to_lowercase();
        let info = join_info(&key);
        let mut errors = vec![
            SyncCryptoError::NotABundle,
            SyncCryptoError::NewerFormat { found: 2 },
            SyncCryptoError::OtherSchool {
                school_id: "x".into(),
            },
            SyncCryptoError::WrongKey,
            SyncCryptoError::Tampered,
            SyncCryptoError::Truncated,
            SyncCryptoError::BadJoinCode,
            SyncCryptoError::BadJoinFile,
            SyncCryptoError::Io(io::Error::other("x")),
        ];
        // Errors from real failures, including parsing a damaged secret.
        let mut damaged = secret.clone();
        damaged.pop();
        errors.push(SchoolKey::from_secret(&damaged).unwrap_err());
        let code = new_join_code();
        let sealed = seal_join(&code, &info).unwrap();
        let mut bad = sealed.clone();
        let n = bad.len();
        bad[n - 3] ^= 1;
        errors.push(open_join(&code, &bad).unwrap_err());
        let bytes = make(&key, &header("school-a", 1), 1);
        errors.push(read_all(&bytes[..bytes.len() / 2], &key, "school-a").unwrap_err());
        errors.push(read_all(&bytes, &SchoolKey::generate(), "school-a").unwrap_err());
        let mut flipped = bytes.clone();
        flipped[header_len(&bytes) + 60] ^= 1;
        errors.push(read_all(&flipped, &key, "school-a").unwrap_err());

        let mut texts: Vec<String> = errors
            .iter()
            .flat_map(|e| [e.to_string(), format!("{e:?}")])
            .collect();
        texts.push(format!("{key:?}"));
        texts.push(format!("{info:?}"));
        let (_, body) = open_bundle(Box::new(Cursor::new(bytes)), &key, "school-a").unwrap();
        texts.push(format!("{body:?}"));
        for t in texts {
            assert!(
                !t.contains(&secret) && !t.to_lowercase().contains(&lower),
                "{t}"
            );
            assert!(!t.contains(&secret[16..40]), "{t}");
        }
        for e in &errors {
            assert!(e.key().starts_with("sync.err."));
        }
    }

    #[test]
    fn works_through_a_file_on_disk() {
        let key = SchoolKey::generate();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gate-20250101.ddb");
        let mut f = std::fs::File::create(&path).unwrap();
        write_bundle(&mut f, &key, &header("school-a", 1000), &mut |w| {
            for i in 0..1000 {
                writeln!(w, "{}", body_line(i))?;
            }
            Ok(())
        })
        .unwrap();
        drop(f);
        let r = BufReader::new(std::fs::File::open(&path).unwrap());
        let (_, mut body) = open_bundle(Box::new(r), &key, "school-a").unwrap();
        let mut n = 0;
        while body.next_line().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 1000);
        body.finish().unwrap();
    }
}
