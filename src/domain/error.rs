//! Errors a domain command can refuse with. Each maps to a catalog key so the
//! UI and the command line explain it in the user's language.

use super::role::Permission;
use super::validate::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("permission denied: {0:?}")]
    Forbidden(Permission),
    /// Field name → what is wrong with it.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<(&'static str, FieldError)>),
    #[error("visit already signed out")]
    AlreadySignedOut,
    #[error("visit was denied entry and cannot be signed out")]
    NotOnSite,
    #[error("record not found")]
    NotFound,
    #[error("a correction needs a reason")]
    ReasonRequired,
    #[error("nothing changed")]
    NothingChanged,
    #[error("wrong PIN")]
    WrongPin,
    #[error("operator is deactivated")]
    Inactive,
    #[error("the last active admin cannot be removed or demoted")]
    LastAdmin,
    #[error("name already in use")]
    Duplicate,
    #[error("{0} boarder(s) unaccounted for")]
    Unaccounted(usize),
    #[error("the round is closed")]
    RoundClosed,
    #[error("a round of this kind is already open for this building")]
    RoundOpen,
    #[error("the person is not on the student's pick-up list")]
    NotAuthorisedPickup,
    #[error("the hazard is closed: reopen it first")]
    HazardClosed,
    #[error("that step does not follow the hazard's current state")]
    HazardStep,
    #[error("the fix must be verified by someone other than who rectified it")]
    OwnRectification,
    #[error("nobody is named for this route tonight")]
    PersonRequired,
    #[error("the checkpoint is not on this round's route")]
    NotOnRoute,
    #[error("no checkpoint has this code")]
    UnknownCode,
    #[error("a round of this route is already open")]
    PatrolOpen,
    #[error("the visitor's personal data was erased")]
    Erased,
    #[error("the entry has no open follow-up")]
    LogEntryNotOpen,
    #[error("that step does not follow the handover's state")]
    HandoverStep,
    #[error("the incoming operator must be someone other than who signed")]
    OwnHandover,
    #[error("{0} section(s) not acknowledged")]
    Unacknowledged(usize),
    /// Too many wrong PINs: no PIN is tried for this many more ms.
    #[error("locked out for {0} ms after wrong PINs")]
    PinLocked(i64),
}

impl DomainError {
    pub fn key(&self) -> &'static str {
        match self {
            DomainError::Forbidden(_) => "err.forbidden",
            DomainError::Invalid(_) => "err.invalid",
            DomainError::AlreadySignedOut => "err.already_signed_out",
            DomainError::NotOnSite => "err.not_on_site",
            DomainError::NotFound => "err.not_found",
            DomainError::ReasonRequired => "err.reason_required",
            DomainError::NothingChanged => "err.nothing_changed",
            DomainError::WrongPin => "err.wrong_pin",
            DomainError::Inactive => "err.inactive",
            DomainError::LastAdmin => "err.last_admin",
            DomainError::Duplicate => "err.duplicate",
            DomainError::Unaccounted(_) => "err.unaccounted",
            DomainError::RoundClosed => "err.round_closed",
            DomainError::RoundOpen => "err.round_open",
            DomainError::NotAuthorisedPickup => "err.not_authorised_pickup",
            DomainError::HazardClosed => "err.hazard_closed",
            DomainError::HazardStep => "err.hazard_step",
            DomainError::OwnRectification => "err.own_rectification",
            DomainError::PersonRequired => "err.person_required",
            DomainError::NotOnRoute => "err.not_on_route",
            DomainError::UnknownCode => "err.unknown_code",
            DomainError::PatrolOpen => "err.patrol_open",
            DomainError::Erased => "err.erased",
            DomainError::LogEntryNotOpen => "err.log_entry_not_open",
            DomainError::HandoverStep => "err.handover_step",
            DomainError::OwnHandover => "err.own_handover",
            DomainError::Unacknowledged(_) => "err.unacknowledged",
            DomainError::PinLocked(_) => "err.pin_locked",
        }
    }
}
