//! The school key: the age X25519 identity every station of a school holds,
//! its fingerprint and key id, and the grouped codes people read aloud.

use super::*;

/// The school's shared secret: an age X25519 identity all stations of one school hold.
#[derive(Clone)]
pub struct SchoolKey {
    pub(super) identity: age::x25519::Identity,
    pub(super) mac_key: [u8; 32],
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

    pub(super) fn key_id_hex(&self) -> String {
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

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// 80 bits → "XXXX-XXXX-XXXX-XXXX" in the unambiguous alphabet.
pub(super) fn grouped_code(bytes: &[u8]) -> String {
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
