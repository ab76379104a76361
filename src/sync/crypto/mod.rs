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
    #[error("extra bytes follow the end of the bundle")]
    TrailingBytes,
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
            SyncCryptoError::TrailingBytes => "sync.err.trailing",
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
// The parts, each in its own file; their items are re-exported here so
// callers keep the paths `crate::sync::crypto::…`.

mod backup;
mod header;
mod join;
mod keys;
mod read;
mod write;

pub use backup::*;
pub use header::*;
pub use join::*;
pub use keys::*;
pub use read::*;
pub use write::*;

#[cfg(test)]
mod tests;
