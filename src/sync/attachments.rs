//! Hazard photos travel in bundles. After the events, a bundle carries the
//! attachments its hazard events name that this station holds, smallest
//! first, up to the station's limit (`bundle_attachment_mb`). Each one is a
//! run of body lines `{"att":<blake3 hex>,"n":<name>,"i":<part>,"last":…,
//! "d":<base64>}` — inside the encrypted, MAC'd stream like the events.
//! Bundles without photos are exactly what earlier versions wrote (format 1),
//! and theirs import unchanged.
//!
//! On import every photo must hash to its name: one that does not is refused
//! by name while the events still land. Good ones are written beside their
//! final name and renamed once the bundle's transaction has committed.

use crate::domain::hazard::Attachment;
use crate::domain::settings;
use crate::store::{Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Raw bytes per body line: 4 MiB of base64, well under the reader's
/// 16 MiB line bound whatever the photo's size.
const PART: usize = 3 << 20;
/// What an attachment line starts with (serde writes fields in order); an
/// event line starts with `{"o":`.
const PREFIX: &str = "{\"att\":";

#[derive(Serialize)]
struct PartOut<'a> {
    att: &'a str,
    n: &'a str,
    i: u32,
    last: bool,
    d: &'a str,
}

#[derive(Deserialize)]
struct PartIn {
    att: String,
    n: String,
    i: u32,
    last: bool,
    d: String,
}

/// One part of an attachment as read from a bundle.
#[derive(Debug)]
pub struct Part {
    pub hash: String,
    pub name: String,
    pub index: u32,
    pub last: bool,
    pub bytes: Vec<u8>,
}

/// Whether a body line is an attachment part (else it is an event).
pub(super) fn is_part(line: &str) -> bool {
    line.starts_with(PREFIX)
}

/// Parses an attachment line; `None` for one that is not well formed.
pub(super) fn parse_part(line: &str) -> Option<Part> {
    let p: PartIn = serde_json::from_str(line).ok()?;
    let bytes = B64.decode(p.d.as_bytes()).ok()?;
    Some(Part {
        hash: p.att,
        name: p.n,
        index: p.i,
        last: p.last,
        bytes,
    })
}

/// An attachment chosen to travel, with its local file.
#[derive(Debug, Clone)]
pub(super) struct Carry {
    pub att: Attachment,
    pub path: PathBuf,
}

/// What an export carries and how many photos held here it leaves out
/// because they would pass the limit.
pub(super) fn choose(
    store: &Store,
    ranges: &BTreeMap<String, (i64, i64)>,
) -> Result<(Vec<Carry>, u64), StoreError> {
    let limit = store
        .setting(settings::BUNDLE_ATTACHMENT_MB)
        .max(0)
        .unsigned_abs()
        * 1_000_000;
    let mut held: Vec<Carry> = store
        .hazard_attachments_in(ranges)?
        .into_iter()
        .filter_map(|att| {
            let path = store.attachment_path(&att)?;
            // The size on disk is what travels.
            let size = std::fs::metadata(&path).ok()?.len();
            Some(Carry {
                att: Attachment { size, ..att },
                path,
            })
        })
        .collect();
    // Smallest first: the most photos arrive within the limit.
    held.sort_by(|a, b| (a.att.size, &a.att.hash).cmp(&(b.att.size, &b.att.hash)));
    let mut used = 0u64;
    let mut carry = vec![];
    let mut left = 0u64;
    for c in held {
        if used + c.att.size <= limit && limit > 0 {
            used += c.att.size;
            carry.push(c);
        } else {
            left += 1;
        }
    }
    Ok((carry, left))
}

/// Writes the chosen attachments as body lines; returns how many went in
/// (one removed from the folder since it was chosen is left out).
pub(super) fn write_all(w: &mut dyn Write, carry: &[Carry]) -> std::io::Result<u64> {
    let mut n = 0;
    let mut buf = vec![0u8; PART];
    let mut text = String::new();
    for c in carry {
        let Ok(mut f) = std::fs::File::open(&c.path) else {
            continue;
        };
        let mut i = 0u32;
        let mut pending: Option<Vec<u8>> = None;
        // One part is held back so the last can say it is the last.
        loop {
            let got = read_full(&mut f, &mut buf)?;
            if let Some(prev) = pending.take() {
                write_part(w, c, i, got == 0, &prev, &mut text)?;
                i += 1;
            }
            if got == 0 {
                break;
            }
            pending = Some(buf[..got].to_vec());
        }
        if i == 0 {
            // An empty file is one empty part.
            write_part(w, c, 0, true, &[], &mut text)?;
        }
        n += 1;
    }
    Ok(n)
}

fn write_part(
    w: &mut dyn Write,
    c: &Carry,
    i: u32,
    last: bool,
    bytes: &[u8],
    text: &mut String,
) -> std::io::Result<()> {
    text.clear();
    B64.encode_string(bytes, text);
    let out = PartOut {
        att: &c.att.hash,
        n: &c.att.name,
        i,
        last,
        d: text,
    };
    serde_json::to_writer(&mut *w, &out).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..])? {
            0 => break,
            k => got += k,
        }
    }
    Ok(got)
}

/// A photo on its way in.
struct Incoming {
    hash: String,
    name: String,
    next: u32,
    hasher: blake3::Hasher,
    /// The temporary file, unless the photo is already here (or a dry run).
    file: Option<(PathBuf, std::fs::File)>,
    broken: bool,
}

/// The import's side of attachments: parts are hashed as they come and
/// written to temporary files; `commit` names the good ones.
#[derive(Default)]
pub(super) struct Intake {
    dir: Option<PathBuf>,
    current: Option<Incoming>,
    ready: Vec<(PathBuf, PathBuf)>,
    /// Photos refused: (name, hash).
    pub refused: Vec<(String, String)>,
    /// Photos that were already here.
    pub present: u64,
}

impl Intake {
    /// `dir` is the attachment folder; `None` writes nothing (a dry run, or
    /// a database held in memory) but still checks every photo.
    pub fn new(dir: Option<PathBuf>) -> Self {
        let mut i = Intake::default();
        i.dir = dir;
        i
    }

    pub fn take(&mut self, p: Part) -> std::io::Result<()> {
        if p.index == 0 {
            self.end_unfinished();
            self.current = Some(self.open(&p.hash, &p.name)?);
        }
        let Some(cur) = self.current.as_mut() else {
            // A part without its beginning: the photo is refused once.
            let named = (p.name, p.hash);
            if self.refused.last() != Some(&named) {
                self.refused.push(named);
            }
            return Ok(());
        };
        if cur.hash != p.hash || cur.next != p.index {
            cur.broken = true;
        }
        cur.next = p.index + 1;
        if !cur.broken {
            cur.hasher.update(&p.bytes);
            if let Some((_, f)) = cur.file.as_mut() {
                f.write_all(&p.bytes)?;
            }
        }
        if p.last {
            let cur = self.current.take().expect("current photo");
            self.finish(cur)?;
        }
        Ok(())
    }

    fn open(&mut self, hash: &str, name: &str) -> std::io::Result<Incoming> {
        // The name becomes a file name: only what `attach_file` makes.
        let well_formed = hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let mut file = None;
        if let (true, Some(dir)) = (well_formed, &self.dir) {
            if dir.join(hash).is_file() {
                self.present += 1;
            } else {
                std::fs::create_dir_all(dir)?;
                let tmp = dir.join(format!("{hash}.part-{}", std::process::id()));
                file = Some((tmp.clone(), std::fs::File::create(&tmp)?));
            }
        }
        Ok(Incoming {
            hash: hash.to_string(),
            name: name.to_string(),
            next: 0,
            hasher: blake3::Hasher::new(),
            file,
            broken: !well_formed,
        })
    }

    fn finish(&mut self, cur: Incoming) -> std::io::Result<()> {
        let good = !cur.broken && cur.hasher.finalize().to_hex().as_str() == cur.hash;
        match (good, cur.file) {
            (true, Some((tmp, f))) => {
                f.sync_all()?;
                let dest = self
                    .dir
                    .as_ref()
                    .expect("a file means a folder")
                    .join(&cur.hash);
                self.ready.push((tmp, dest));
            }
            (true, None) => {}
            (false, file) => {
                if let Some((tmp, f)) = file {
                    drop(f);
                    let _ = std::fs::remove_file(tmp);
                }
                self.refused.push((cur.name, cur.hash));
            }
        }
        Ok(())
    }

    /// A photo whose last part never came is refused.
    fn end_unfinished(&mut self) {
        if let Some(mut cur) = self.current.take() {
            cur.broken = true;
            let _ = self.finish(cur);
        }
    }

    /// After the bundle's events are committed: the good photos take their
    /// names (a file that meanwhile arrived stays as it is).
    pub fn commit(mut self) -> std::io::Result<(u64, Vec<(String, String)>)> {
        self.end_unfinished();
        let mut n = 0;
        for (tmp, dest) in std::mem::take(&mut self.ready) {
            if dest.is_file() {
                let _ = std::fs::remove_file(&tmp);
            } else {
                std::fs::rename(&tmp, &dest)?;
                n += 1;
            }
        }
        Ok((n, std::mem::take(&mut self.refused)))
    }

    /// The bundle was refused or this was a dry run: no file is left.
    pub fn discard(mut self) -> (u64, Vec<(String, String)>) {
        self.end_unfinished();
        let n = self.ready.len() as u64;
        for (tmp, _) in std::mem::take(&mut self.ready) {
            let _ = std::fs::remove_file(tmp);
        }
        (n, std::mem::take(&mut self.refused))
    }
}

impl Drop for Intake {
    fn drop(&mut self) {
        if let Some(Incoming {
            file: Some((tmp, _)),
            ..
        }) = self.current.take()
        {
            let _ = std::fs::remove_file(tmp);
        }
        for (tmp, _) in self.ready.drain(..) {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// The attachment folder an import writes into.
pub(super) fn folder(store: &Store, dry_run: bool) -> Option<PathBuf> {
    if dry_run {
        None
    } else {
        store.attachment_dir()
    }
}
