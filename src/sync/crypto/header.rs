//! The plain first line of a bundle (its header) and the plain trailer.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHeader {
    pub format: u32,
    pub school_id: String,
    pub station_id: String,
    pub station_name: String,
    pub created_ms: i64,
    /// Events in this bundle (all the station holds, or only what some
    /// peer may lack).
    pub events: u64,
    /// What the station holds and has heard others hold; absent in bundles
    /// of earlier versions, which then teach nothing about their sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knows: Option<crate::sync::knowledge::Knowledge>,
}

impl BundleHeader {
    /// The plain header is shown before anything is verified: refuse control
    /// characters so a crafted file cannot drive the terminal.
    pub(super) fn is_displayable(&self) -> bool {
        [&self.school_id, &self.station_id, &self.station_name]
            .iter()
            .all(|s| !s.chars().any(char::is_control))
    }
}

pub(super) fn header_line(
    key: &SchoolKey,
    header: &BundleHeader,
) -> Result<Vec<u8>, SyncCryptoError> {
    let json = serde_json::to_string(header).map_err(|e| SyncCryptoError::Io(e.into()))?;
    Ok(format!(
        "{BUNDLE_MAGIC} {} {} {json}\n",
        header.format,
        key.key_id_hex()
    )
    .into_bytes())
}

pub(super) struct PlainHeader {
    pub(super) header: BundleHeader,
    pub(super) key_id: String,
}

pub(super) fn read_header_line(
    r: &mut dyn BufRead,
    line: &mut Vec<u8>,
) -> Result<(), SyncCryptoError> {
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

pub(super) fn parse_header_line(line: &[u8]) -> Result<PlainHeader, SyncCryptoError> {
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

pub(super) fn trailer(len: u64) -> Vec<u8> {
    let mut t = TRAILER_MAGIC.to_vec();
    t.extend_from_slice(format!("{len:016x}\n").as_bytes());
    t
}
