//! Join files: the school key sealed with a join code for a new station.

use super::*;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinInfo {
    pub school_id: String,
    pub school_name: String,
    pub secret: String,
    pub made_by_station: String,
    pub made_ms: i64,
    /// The full bundle written beside the join file, when found there: what
    /// the inviting station held, taken in as the new station joins.
    #[serde(skip)]
    pub snapshot: Option<std::path::PathBuf>,
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
