//! Who acts on the command line: `--as NAME` with that operator's PIN, the
//! same check and the same role permissions as the TUI's login. Every
//! command that changes records or reveals personal data goes through
//! `AsOperator::actor`, so the log never names someone who did not act.

use super::{CliError, read_pin};
use crate::domain::error::DomainError;
use crate::domain::role::{Actor, Permission, require};
use crate::i18n::errors::wait_text;
use crate::i18n::{tr, trf};
use crate::store::{Store, StoreError};
use clap::Args;
use std::path::PathBuf;

/// `--as NAME` and `--pin-file FILE` (the PIN otherwise on the first line
/// of standard input — never in argv, where other users of the PC see it).
#[derive(Args, Debug, Clone, Default)]
pub struct AsOperator {
    #[arg(long = "as")]
    pub as_operator: Option<String>,
    #[arg(long, requires = "as_operator")]
    pub pin_file: Option<PathBuf>,
}

impl AsOperator {
    /// Finds the operator, checks the PIN through the store's throttled
    /// check, then the permission; nothing is written before all pass
    /// (but a wrong PIN is itself recorded, so guesses are counted).
    pub fn actor(&self, store: &mut Store, need: Permission) -> Result<Actor, CliError> {
        self.actor_with(store, need, || read_pin(&self.pin_file))
    }

    /// The same check with the PIN read by the caller (`backup` reads the
    /// passphrase from the next line of the same standard input).
    pub fn actor_with(
        &self,
        store: &mut Store,
        need: Permission,
        pin: impl FnOnce() -> Result<String, CliError>,
    ) -> Result<Actor, CliError> {
        store.require_station()?;
        let Some(name) = self.as_operator.as_deref() else {
            return Err(CliError(tr("cli.auth.need_as")));
        };
        let who = || vec![("name", name.to_string())];
        let op = store
            .find_operator_by_name(name)?
            .ok_or_else(|| CliError(trf("cli.auth.unknown", &who())))?;
        let pin = pin()?;
        let op = store.verify_pin(&op.id, &pin).map_err(|e| match e {
            StoreError::Domain(DomainError::WrongPin) => {
                CliError(trf("cli.auth.wrong_pin", &who()))
            }
            StoreError::Domain(DomainError::Inactive) => CliError(trf("cli.auth.inactive", &who())),
            StoreError::Domain(DomainError::PinLocked(ms)) => CliError(trf(
                "cli.auth.locked",
                &[("name", name.to_string()), ("wait", wait_text(ms))],
            )),
            other => other.into(),
        })?;
        require(op.role, need).map_err(|_| {
            CliError(trf(
                "cli.auth.forbidden",
                &[
                    ("name", op.name.clone()),
                    ("role", tr(&format!("role.{}", op.role.key()))),
                ],
            ))
        })?;
        Ok(op.actor())
    }
}
