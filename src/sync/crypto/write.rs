//! Writing a bundle: header, age stream of the deflated body with its MAC,
//! trailer.

use super::*;

/// Counts what age writes so the trailer can state the stream's length.
pub(super) struct CountingWriter<'a> {
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

pub(super) struct MacWriter<W: Write> {
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
pub(super) struct BodyWriter<W: Write> {
    inner: BufWriter<W>,
    /// Bytes of the current line matched against "MAC " so far; `CLEAR` once
    /// the line cannot be a MAC line.
    col: usize,
}

pub(super) const CLEAR: usize = usize::MAX;

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
