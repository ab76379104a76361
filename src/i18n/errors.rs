//! Errors of the lower layers as one line in the current language, for the
//! screens, the command line and sync reports alike.

use super::{tr, trf};
use crate::store::StoreError;

/// A store error as one line in the current language.
pub fn store_error_text(e: &StoreError) -> String {
    match e {
        StoreError::Domain(crate::domain::error::DomainError::Unacknowledged(n)) => {
            trf("err.unacknowledged", &[("n", n.to_string())])
        }
        StoreError::Domain(d) => tr(d.key()),
        StoreError::NewerSchema { found, supported } => trf(
            "cli.newer_schema",
            &[
                ("found", found.to_string()),
                ("supported", supported.to_string()),
            ],
        ),
        StoreError::NotSetUp => tr("cli.not_set_up"),
        StoreError::AlreadySetUp => tr("err.already_set_up"),
        StoreError::Foreign => tr("err.foreign_db"),
        StoreError::Busy => tr("err.busy"),
        StoreError::Corrupt(d) => trf("cli.check_sqlite", &[("detail", d.clone())]),
        StoreError::Io(io) => trf("cli.io", &[("detail", io.to_string())]),
        StoreError::Sqlite(e) => trf("err.database", &[("detail", e.to_string())]),
    }
}
