//! Operators: adding them, PINs (argon2 hashes), login.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{
    Event, OperatorAdded, OperatorChanged, OperatorLoggedIn, OperatorPinSet,
};
use crate::domain::names::normalize_name;
use crate::domain::role::{Actor, Permission, Role, require};
use crate::domain::validate::{FieldError, normalize_input};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub last_login_ms: Option<i64>,
}

impl Operator {
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
        }
    }
}

/// The rule lives with the other field checks; kept here for callers.
pub use crate::domain::validate::check_pin;

pub fn hash_pin(pin: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

fn pin_matches(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn read(r: &rusqlite::Row) -> rusqlite::Result<Operator> {
    Ok(Operator {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Guard),
        active: r.get(3)?,
        last_login_ms: r.get(4)?,
    })
}

/// Adds an operator inside the caller's transaction (setup uses it too).
pub(super) fn add_in_tx(
    s: &mut Store,
    by: &Actor,
    name: &str,
    role: Role,
    pin: &str,
) -> Result<Actor, StoreError> {
    require(by.role, Permission::ManageOperators)?;
    let name = normalize_name(&normalize_input(name));
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push(("operator", FieldError::Required));
    } else if name.chars().count() > 20 {
        errs.push(("operator", FieldError::TooLong { max: 20 }));
    }
    if let Err(e) = check_pin(pin) {
        errs.push(("pin", e));
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs).into());
    }
    let exists: bool = s.conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM operators WHERE name = ?1)",
        [&name],
        |r| r.get(0),
    )?;
    if exists {
        return Err(DomainError::Duplicate.into());
    }
    let id = s.new_id();
    let ev = Event::OperatorAdded(OperatorAdded {
        operator_id: id.clone(),
        name: name.clone(),
        role,
        pin_hash: hash_pin(pin),
    });
    s.append(by, &[ev])?;
    Ok(Actor { id, name, role })
}

impl Store {
    pub fn add_operator(
        &mut self,
        by: &Actor,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<Actor, StoreError> {
        let by = by.clone();
        self.batch(|s| add_in_tx(s, &by, name, role, pin))
    }

    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, role, active, last_login_ms FROM operators ORDER BY active DESC, CASE role WHEN 'guard' THEN 0 WHEN 'dorm_teacher' THEN 1 WHEN 'duty_leader' THEN 2 ELSE 3 END, name",
        )?;
        let rows = stmt.query_map([], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn operator(&self, id: &str) -> Result<Option<Operator>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms FROM operators WHERE id = ?1",
                [id],
                read,
            )
            .optional()?)
    }

    pub fn operator_name(&self, id: &str) -> String {
        self.conn
            .query_row("SELECT name FROM operators WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap_or_else(|_| id.chars().take(8).collect())
    }

    pub fn find_operator_by_name(&self, name: &str) -> Result<Option<Operator>, StoreError> {
        let name = normalize_name(&normalize_input(name));
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms FROM operators WHERE name = ?1",
                [name],
                read,
            )
            .optional()?)
    }

    /// Checks the PIN without recording anything (unlocking, CLI checks).
    pub fn verify_pin(&self, operator_id: &str, pin: &str) -> Result<Operator, StoreError> {
        let row: Option<(Operator, String)> = self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms, pin_hash FROM operators WHERE id = ?1",
                [operator_id],
                |r| Ok((read(r)?, r.get(5)?)),
            )
            .optional()?;
        let Some((op, hash)) = row else {
            return Err(DomainError::NotFound.into());
        };
        if !pin_matches(&hash, pin) {
            return Err(DomainError::WrongPin.into());
        }
        if !op.active {
            return Err(DomainError::Inactive.into());
        }
        Ok(op)
    }

    /// Verifies the PIN and records the login (who was on duty, from when).
    pub fn login(&mut self, operator_id: &str, pin: &str) -> Result<Operator, StoreError> {
        let op = self.verify_pin(operator_id, pin)?;
        tracing::info!(operator = %op.name, "login");
        let actor = op.actor();
        self.write(&actor, |_| {
            Ok((
                vec![Event::OperatorLoggedIn(OperatorLoggedIn {
                    operator_id: actor.id.clone(),
                })],
                (),
            ))
        })?;
        Ok(op)
    }

    /// Changes an operator's role or deactivates them; the last active admin
    /// is protected so a station can never lock itself out.
    pub fn change_operator(
        &mut self,
        by: &Actor,
        id: &str,
        role: Role,
        active: bool,
    ) -> Result<(), StoreError> {
        require(by.role, Permission::ManageOperators)?;
        let id = id.to_string();
        self.write(by, |s| {
            let cur = s.operator(&id)?.ok_or(DomainError::NotFound)?;
            if cur.role == role && cur.active == active {
                return Err(DomainError::NothingChanged.into());
            }
            let admins: i64 = s.conn.query_row(
                "SELECT COUNT(*) FROM operators WHERE role = 'admin' AND active = 1 AND id != ?1",
                [&id],
                |r| r.get(0),
            )?;
            if cur.role == Role::Admin
                && cur.active
                && (role != Role::Admin || !active)
                && admins == 0
            {
                return Err(DomainError::LastAdmin.into());
            }
            Ok((
                vec![Event::OperatorChanged(OperatorChanged {
                    operator_id: id.clone(),
                    role,
                    active,
                })],
                (),
            ))
        })
    }

    /// Sets a new PIN: admins for anyone, everyone for themselves.
    pub fn set_pin(&mut self, by: &Actor, id: &str, pin: &str) -> Result<(), StoreError> {
        if by.id != id {
            require(by.role, Permission::ManageOperators)?;
        }
        if let Err(e) = check_pin(pin) {
            return Err(DomainError::Invalid(vec![("pin", e)]).into());
        }
        let id = id.to_string();
        let hash = hash_pin(pin);
        self.write(by, |s| {
            s.operator(&id)?.ok_or(DomainError::NotFound)?;
            Ok((
                vec![Event::OperatorPinSet(OperatorPinSet {
                    operator_id: id.clone(),
                    pin_hash: hash,
                })],
                (),
            ))
        })
    }

    /// The admin count, for setup checks and tests.
    pub fn active_admins(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM operators WHERE role = 'admin' AND active = 1",
            params![],
            |r| r.get(0),
        )?)
    }
}
