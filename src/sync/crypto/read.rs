//! Reading a bundle: telling another school's, a damaged and a cut-short
//! file apart, then streaming the body with the MAC and the end checked.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum TrailerVerdict {
    Pending,
    Ok,
    /// The trailer's magic is (nearly) intact but something in it is wrong.
    Altered,
    /// No trailer where the file ends: it was cut short.
    Missing,
    /// The trailer is intact but bytes follow it (files joined, a bad copy).
    Trailing,
}

/// Shared between the layers of the read pipeline so an error surfacing at
/// the top can be traced to where it began.
#[derive(Clone, Copy, Debug)]
pub(super) struct ReadState {
    file_bytes: u64,
    eof: bool,
    trailer: TrailerVerdict,
    io_failed: bool,
}

pub(super) type Shared = Rc<Cell<ReadState>>;

pub(super) fn update(state: &Shared, f: impl FnOnce(&mut ReadState)) {
    let mut s = state.get();
    f(&mut s);
    state.set(s);
}

/// Passes the file on to age but always keeps the last `TRAILER_LEN` bytes
/// back; at end of file they must be the trailer.
pub(super) struct HoldBack {
    inner: Box<dyn BufRead>,
    tail: Vec<u8>,
    passed: u64,
    /// The last bytes passed on (up to `2 * RECENT`), to find a trailer that
    /// junk appended after it pushed out of `tail`.
    recent: Vec<u8>,
    state: Shared,
}

/// Age reads at most one chunk past the real end before it fails, so the
/// real trailer of a bundle with junk after it lies within this many bytes.
const RECENT: usize = 128 * 1024;

impl HoldBack {
    /// Whether the bytes held end with junk after an intact trailer: a
    /// trailer names its own offset, so one at offset `o` that reads
    /// `trailer(o)` is the real one.
    fn trailer_before_end(&self) -> bool {
        let start = self.passed - self.recent.len() as u64;
        let mut all = self.recent.clone();
        all.extend_from_slice(&self.tail);
        let mut from = 0;
        while let Some(i) = all[from..]
            .windows(TRAILER_MAGIC.len())
            .position(|w| w == TRAILER_MAGIC)
        {
            let at = from + i;
            if at + TRAILER_LEN < all.len()
                && all[at..at + TRAILER_LEN] == trailer(start + at as u64)[..]
            {
                return true;
            }
            from = at + 1;
        }
        false
    }

    fn judge_trailer(&self) -> TrailerVerdict {
        if self.tail.len() < TRAILER_LEN {
            return TrailerVerdict::Missing;
        }
        if self.tail == trailer(self.passed) {
            return TrailerVerdict::Ok;
        }
        if self.trailer_before_end() {
            return TrailerVerdict::Trailing;
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
            self.recent.extend_from_slice(&buf[..n]);
            if self.recent.len() > 2 * RECENT {
                let over = self.recent.len() - RECENT;
                self.recent.drain(..over);
            }
            self.tail.drain(..from_tail);
            self.inner.consume(from_avail);
            self.passed += n as u64;
            let passed = self.passed;
            update(&self.state, |s| s.file_bytes = passed);
            return Ok(n);
        }
    }
}

pub(super) type AgeStream = age::stream::StreamReader<BufReader<HoldBack>>;
pub(super) type Plain = BufReader<flate2::bufread::DeflateDecoder<BufReader<AgeStream>>>;

/// Names the failure behind an error from anywhere in the read pipeline.
pub(super) fn classify(e: io::Error, state: &Shared) -> SyncCryptoError {
    let s = state.get();
    if s.io_failed {
        return SyncCryptoError::Io(e);
    }
    // age cannot tell a cut inside a chunk from a forged last chunk; the
    // trailer can. A complete file is never reported as truncated.
    match (s.eof, s.trailer) {
        (true, TrailerVerdict::Missing) => SyncCryptoError::Truncated,
        (true, TrailerVerdict::Trailing) => SyncCryptoError::TrailingBytes,
        _ => SyncCryptoError::Tampered,
    }
}

pub(super) fn classify_age(
    e: age::DecryptError,
    state: &Shared,
    key_id_matches: bool,
) -> SyncCryptoError {
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
        recent: Vec::new(),
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
        tag: None,
    };
    if !body.read_raw_line()? || body.line != line {
        return Err(SyncCryptoError::Tampered);
    }
    body.hasher.update(&line);
    Ok((plain.header, body))
}

/// Result of the end-of-bundle checks, kept so `finish` can report it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Outcome {
    Verified,
    Tampered,
    Truncated,
    Trailing,
}

impl Outcome {
    fn into_result(self) -> Result<(), SyncCryptoError> {
        match self {
            Outcome::Verified => Ok(()),
            Outcome::Tampered => Err(SyncCryptoError::Tampered),
            Outcome::Truncated => Err(SyncCryptoError::Truncated),
            Outcome::Trailing => Err(SyncCryptoError::TrailingBytes),
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
    /// The MAC, once its line was read and matched.
    tag: Option<blake3::Hash>,
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
        self.outcome = Some(outcome_of_ref(&e));
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
            let mac = self.hasher.finalize();
            let ok = tag
                .strip_suffix(b"\n")
                .and_then(|t| blake3::Hash::from_hex(t).ok())
                // blake3::Hash compares in constant time.
                .is_some_and(|t| t == mac);
            if ok {
                self.tag = Some(mac);
            }
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
            TrailerVerdict::Trailing => Outcome::Trailing,
            TrailerVerdict::Altered | TrailerVerdict::Pending => Outcome::Tampered,
        }
    }

    /// Bytes of the bundle file consumed so far (after the plain header line),
    /// for a progress display.
    pub fn bytes_read(&self) -> u64 {
        self.state.get().file_bytes
    }

    /// Reads any remaining lines, then reports whether the whole bundle is
    /// authentic and complete, with its MAC: a keyed blake3 of every line,
    /// so two reads with the same MAC read the same lines.
    pub fn finish(mut self) -> Result<[u8; 32], SyncCryptoError> {
        while self.outcome.is_none() {
            self.next_line()?;
        }
        self.outcome.unwrap_or(Outcome::Tampered).into_result()?;
        self.tag
            .map(|t| *t.as_bytes())
            .ok_or(SyncCryptoError::Tampered)
    }
}

pub(super) fn outcome_of(e: SyncCryptoError) -> Outcome {
    outcome_of_ref(&e)
}

fn outcome_of_ref(e: &SyncCryptoError) -> Outcome {
    match e {
        SyncCryptoError::Truncated => Outcome::Truncated,
        SyncCryptoError::TrailingBytes => Outcome::Trailing,
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
