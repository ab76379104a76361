//! Station settings: defaults from the domain, overrides from events.

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{Event, SettingChanged};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::settings;
use crate::domain::validate::FieldError;
use crate::domain::visit::VisitorType;
use rusqlite::OptionalExtension;

impl Store {
    pub fn setting(&self, key: &str) -> i64 {
        let v: Option<i64> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .ok()
            .flatten();
        v.or_else(|| settings::default_value(key)).unwrap_or(0)
    }

    /// True when the setting was ever set (rather than defaulted).
    pub fn has_setting(&self, key: &str) -> bool {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM settings WHERE key = ?1)",
                [key],
                |r| r.get(0),
            )
            .unwrap_or(false)
    }

    pub fn expected_minutes(&self, t: VisitorType) -> i64 {
        self.setting(&settings::expected_key(t))
    }

    pub fn set_setting(&mut self, by: &Actor, key: &str, value: i64) -> Result<(), StoreError> {
        require(by.role, Permission::ChangeSettings)?;
        let Some((min, max)) = settings::known(key) else {
            return Err(DomainError::NotFound.into());
        };
        if !(min..=max).contains(&value) {
            return Err(
                DomainError::Invalid(vec![("value", FieldError::OutOfRange { min, max })]).into(),
            );
        }
        let key = key.to_string();
        self.write(by, |_| {
            Ok((
                vec![Event::SettingChanged(SettingChanged { key, value })],
                (),
            ))
        })
    }
}
