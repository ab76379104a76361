//! What a sync says, one line at a time in the current language: an
//! export, an import, a refused photo, an error.

use super::{ExportReport, ImportReport, SyncError};
use crate::i18n::errors::io_reason;
use crate::sync::crypto::SyncCryptoError;

/// A sync error as one line in the current language.
pub fn error_text(e: &SyncError) -> String {
    match e {
        SyncError::Store(s) => crate::i18n::errors::store_error_text(s),
        SyncError::Io(io) => crate::i18n::trf("sync.err.io", &[("detail", io_reason(io))]),
        SyncError::Replayed { origin, seq } => crate::i18n::trf(
            "sync.err.replayed",
            &[
                ("origin", origin.chars().take(8).collect()),
                ("seq", seq.to_string()),
            ],
        ),
        SyncError::Crypto(SyncCryptoError::OtherSchool { .. }) => {
            crate::i18n::tr("sync.err.other_school")
        }
        SyncError::Crypto(SyncCryptoError::NewerFormat { found }) => {
            crate::i18n::trf("sync.err.newer_format", &[("found", found.to_string())])
        }
        SyncError::Crypto(SyncCryptoError::Io(io)) => {
            crate::i18n::trf("sync.err.io", &[("detail", io_reason(io))])
        }
        other => crate::i18n::tr(other.key()),
    }
}

/// What an export wrote, in one line: events, file, size, and the photos
/// carried or left out over the limit.
pub fn export_line(r: &ExportReport) -> String {
    use crate::i18n::trf;
    let mut line = trf(
        "sync.exported",
        &[
            ("n", r.events.to_string()),
            ("path", r.path.display().to_string()),
            ("kb", (r.bytes / 1024).to_string()),
        ],
    );
    if r.attachments > 0 || r.attachments_left > 0 {
        line.push_str(&trf(
            if r.attachments_left > 0 {
                "sync.exported_photos_left"
            } else {
                "sync.exported_photos"
            },
            &[
                ("carried", r.attachments.to_string()),
                ("left", r.attachments_left.to_string()),
                ("mb", r.attachment_limit_mb.to_string()),
            ],
        ));
    }
    line
}

/// The photos a bundle carried and left out, as a line of its own (the
/// invitation's dialog); none when the station holds no photo to carry.
pub fn photos_line(r: &ExportReport) -> Option<String> {
    (r.attachments > 0 || r.attachments_left > 0).then(|| {
        crate::i18n::trf(
            if r.attachments_left > 0 {
                "sync.bundle_photos_left"
            } else {
                "sync.bundle_photos"
            },
            &[
                ("carried", r.attachments.to_string()),
                ("left", r.attachments_left.to_string()),
                ("mb", r.attachment_limit_mb.to_string()),
            ],
        )
    })
}

/// The bundle's line, then one line per photo refused.
pub fn report_lines(r: &ImportReport) -> Vec<String> {
    let mut out = vec![report_line(r)];
    out.extend(r.attachments_refused.iter().map(|(name, hash)| {
        crate::i18n::trf(
            "sync.photo_refused",
            &[
                ("file", r.file.clone()),
                ("name", name.clone()),
                ("hash", hash.chars().take(12).collect()),
            ],
        )
    }));
    out
}

/// One line per bundle: what it brought, or why it was refused.
pub fn report_line(r: &ImportReport) -> String {
    use crate::i18n::{tr, trf};
    let mut line = match &r.refused_text {
        Some(reason) => trf(
            "sync.refused",
            &[("file", r.file.clone()), ("reason", reason.clone())],
        ),
        None => trf(
            if r.dry_run {
                "sync.imported_dry"
            } else {
                "sync.imported"
            },
            &[
                ("file", r.file.clone()),
                ("from", r.from_station.clone()),
                ("new", r.new.to_string()),
                ("known", r.known.to_string()),
                ("rejected", r.rejected.to_string()),
            ],
        ),
    };
    if r.rejected > 0 && r.refused_text.is_none() {
        line.push_str(&trf(
            "sync.flag_waiting",
            &[("from", r.from_station.clone())],
        ));
    }
    if r.attachments > 0 && r.refused_text.is_none() {
        line.push_str(&trf(
            "sync.photos_received",
            &[("n", r.attachments.to_string())],
        ));
    }
    if r.future > 0 {
        line.push_str(&trf("sync.flag_future", &[("n", r.future.to_string())]));
    }
    if !r.clock_behind.is_empty() {
        line.push_str(&tr("sync.flag_clock"));
    }
    line
}
