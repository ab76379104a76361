//! Operators: adding them, PINs (argon2 hashes), login.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{
    Event, OperatorAdded, OperatorChanged, OperatorLockedOut, OperatorLoggedIn, OperatorPinFailed,
    OperatorPinPassed, OperatorPinSet, OperatorUnlocked,
};
use crate::domain::names::normalize_name;
use crate::domain::pin_guard::{PinGuard, Verdict};
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
    /// Locked out after wrong PINs until then (it may have passed).
    pub locked_until_ms: Option<i64>,
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
        locked_until_ms: r.get(5)?,
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
            "SELECT id, name, role, active, last_login_ms, locked_until_ms FROM operators ORDER BY active DESC, CASE role WHEN 'guard' THEN 0 WHEN 'dorm_teacher' THEN 1 WHEN 'duty_leader' THEN 2 ELSE 3 END, name",
        )?;
        let rows = stmt.query_map([], read)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn operator(&self, id: &str) -> Result<Option<Operator>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms, locked_until_ms FROM operators WHERE id = ?1",
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
            // A station acts for what no signed-in person did (a wrong PIN).
            .unwrap_or_else(|_| self.station_name(id))
    }

    pub fn find_operator_by_name(&self, name: &str) -> Result<Option<Operator>, StoreError> {
        let name = normalize_name(&normalize_input(name));
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms, locked_until_ms FROM operators WHERE name = ?1",
                [name],
                read,
            )
            .optional()?)
    }

    /// Checks the PIN, throttled (`domain::pin_guard`): while the operator
    /// is locked out no PIN is even compared; a wrong one is recorded (the
    /// station as its actor: whoever typed it is not known), the fifth in a
    /// row with the lockout it starts; a correct one after wrong ones
    /// clears the count. Every PIN check of the TUI and the command line
    /// comes here. A right PIN with nothing to clear writes nothing (a
    /// report from a read-only copy still works); a wrong one is counted
    /// inside one write transaction, re-reading the count, so processes
    /// guessing side by side are counted one after another.
    pub fn verify_pin(&mut self, operator_id: &str, pin: &str) -> Result<Operator, StoreError> {
        let (op, hash, guard) = self.pin_row(operator_id)?.ok_or(DomainError::NotFound)?;
        let now = self.clock.now_ms();
        if let Verdict::LockedUntil(until) = guard.check(now) {
            return Err(DomainError::PinLocked(until - now).into());
        }
        if !pin_matches(&hash, pin) {
            let id = operator_id.to_string();
            let lock = self.batch(|s| {
                let guard = s.pin_row(&id)?.ok_or(DomainError::NotFound)?.2;
                let now = s.clock.now_ms();
                // Another process's guess may have locked it meanwhile.
                if let Verdict::LockedUntil(until) = guard.check(now) {
                    return Ok(Some(until - now));
                }
                let lock = guard.lock_after_wrong(now);
                let mut events = vec![Event::OperatorPinFailed(OperatorPinFailed {
                    operator_id: id.clone(),
                })];
                if let Some(until_ms) = lock {
                    tracing::warn!(operator = %id, "locked out after wrong PINs");
                    events.push(Event::OperatorLockedOut(OperatorLockedOut {
                        operator_id: id.clone(),
                        until_ms,
                    }));
                }
                let station = s.station_actor();
                s.append(&station, &events)?;
                Ok(lock.map(|until| until - now))
            })?;
            return Err(match lock {
                Some(ms) => DomainError::PinLocked(ms),
                None => DomainError::WrongPin,
            }
            .into());
        }
        if !op.active {
            return Err(DomainError::Inactive.into());
        }
        if guard.is_dirty() {
            let id = operator_id.to_string();
            self.write(&op.actor(), |_| {
                Ok((
                    vec![Event::OperatorPinPassed(OperatorPinPassed {
                        operator_id: id,
                    })],
                    (),
                ))
            })?;
        }
        Ok(op)
    }

    /// The operator, their PIN hash and their record of wrong PINs.
    fn pin_row(&self, id: &str) -> Result<Option<(Operator, String, PinGuard)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role, active, last_login_ms, locked_until_ms, pin_hash, pin_failures, pin_lockouts FROM operators WHERE id = ?1",
                [id],
                |r| {
                    let op = read(r)?;
                    let guard = PinGuard {
                        failures: r.get(7)?,
                        lockouts: r.get(8)?,
                        locked_until_ms: op.locked_until_ms,
                    };
                    Ok((op, r.get(6)?, guard))
                },
            )
            .optional()?)
    }

    /// Whether `pin` is the operator's, unthrottled and unrecorded: only for
    /// the demo generator, which probes its own operators' known PINs.
    pub(crate) fn pin_is(&self, operator_id: &str, pin: &str) -> bool {
        self.conn
            .query_row(
                "SELECT pin_hash FROM operators WHERE id = ?1 AND active = 1",
                [operator_id],
                |r| r.get::<_, String>(0),
            )
            .is_ok_and(|h| pin_matches(&h, pin))
    }

    /// The station as an actor, for what happened at its desk with nobody
    /// signed in.
    fn station_actor(&self) -> Actor {
        match self.station() {
            Some(st) => Actor::station(&st.id, &st.name),
            None => Actor::system(),
        }
    }

    /// An admin lifts an operator's lockout (and the count of wrong PINs).
    pub fn unlock_operator(&mut self, by: &Actor, id: &str) -> Result<(), StoreError> {
        require(by.role, Permission::ManageOperators)?;
        let id = id.to_string();
        self.write(by, |s| {
            s.operator(&id)?.ok_or(DomainError::NotFound)?;
            Ok((
                vec![Event::OperatorUnlocked(OperatorUnlocked {
                    operator_id: id.clone(),
                })],
                (),
            ))
        })
    }

    /// Operators locked out at `now`: (name, ms left), for the duty
    /// leaders' alert.
    pub fn locked_operators(&self, now: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, locked_until_ms FROM operators WHERE locked_until_ms > ?1 ORDER BY name",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? - now)))?;
        Ok(rows.collect::<Result<_, _>>()?)
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
