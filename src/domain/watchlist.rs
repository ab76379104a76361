//! The watchlist (banned persons, custody restrictions): who may change it
//! and what an entry must hold.

use super::error::DomainError;
use super::event::{WatchlistAdded, WatchlistRemoved};
use super::names::normalize_name;
use super::role::{Actor, Permission, require};
use super::validate::{self, FieldError, IdType, normalize_input};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchEntryData {
    pub name: String,
    pub id_type: IdType,
    pub id_no: Option<String>,
    pub phone: Option<String>,
    /// Why the person is listed — shown to the guard on a match.
    pub reason: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchForm {
    pub name: String,
    pub id_no: String,
    pub phone: String,
    pub reason: String,
    pub note: String,
}

pub fn decide_add(
    actor: &Actor,
    entry_id: String,
    f: &WatchForm,
) -> Result<WatchlistAdded, DomainError> {
    require(actor.role, Permission::ManageWatchlist)?;
    let mut errs = Vec::new();
    let name = normalize_name(&normalize_input(&f.name));
    if name.is_empty() {
        errs.push(("name", FieldError::Required));
    }
    let id_raw = normalize_input(&f.id_no);
    // An 18-character number is taken as a resident ID and checked; anything
    // else is kept as another document's number.
    let (id_type, id_no) = if id_raw.is_empty() {
        (IdType::ResidentId, None)
    } else if id_raw.chars().count() == 18 {
        match validate::check_resident_id(&id_raw) {
            Ok(v) => (IdType::ResidentId, Some(v)),
            Err(e) => {
                errs.push(("id_no", e));
                (IdType::ResidentId, None)
            }
        }
    } else {
        match validate::check_document(IdType::Other, &id_raw) {
            Ok(v) => (IdType::Other, Some(v)),
            Err(e) => {
                errs.push(("id_no", e));
                (IdType::Other, None)
            }
        }
    };
    let phone = match normalize_input(&f.phone) {
        p if p.is_empty() => None,
        p => match validate::check_mobile(&p) {
            Ok(v) => Some(v),
            Err(e) => {
                errs.push(("phone", e));
                None
            }
        },
    };
    let reason = normalize_input(&f.reason);
    if reason.is_empty() {
        errs.push(("reason", FieldError::Required));
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    Ok(WatchlistAdded {
        entry_id,
        entry: WatchEntryData {
            name,
            id_type,
            id_no,
            phone,
            reason,
            note: normalize_input(&f.note),
        },
    })
}

pub fn decide_remove(
    actor: &Actor,
    entry_id: &str,
    active: bool,
    reason: &str,
) -> Result<WatchlistRemoved, DomainError> {
    require(actor.role, Permission::ManageWatchlist)?;
    if !active {
        return Err(DomainError::NotFound);
    }
    let reason = normalize_input(reason);
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    Ok(WatchlistRemoved {
        entry_id: entry_id.to_string(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn actor(role: Role) -> Actor {
        Actor {
            id: "a".into(),
            name: "a".into(),
            role,
        }
    }

    fn f() -> WatchForm {
        WatchForm {
            name: "李某".into(),
            id_no: "11010519491231002X".into(),
            phone: "".into(),
            reason: "法院禁止令".into(),
            note: "".into(),
        }
    }

    #[test]
    fn guard_cannot_edit_watchlist() {
        assert_eq!(
            decide_add(&actor(Role::Guard), "w".into(), &f()),
            Err(DomainError::Forbidden(Permission::ManageWatchlist))
        );
        assert_eq!(
            decide_remove(&actor(Role::DutyLeader), "w", true, "x"),
            Err(DomainError::Forbidden(Permission::ManageWatchlist))
        );
    }

    #[test]
    fn admin_adds_with_reason_and_valid_id() {
        let a = decide_add(&actor(Role::Admin), "w".into(), &f()).unwrap();
        assert_eq!(a.entry.id_no.as_deref(), Some("11010519491231002X"));
        let mut bad = f();
        bad.reason.clear();
        bad.id_no = "110105194912310021".into();
        let Err(DomainError::Invalid(e)) = decide_add(&actor(Role::Admin), "w".into(), &bad) else {
            panic!()
        };
        assert_eq!(e.len(), 2);
    }
}
