//! Station settings with their defaults. Changed by admins through events.

use super::visit::VisitorType;

pub const LOCK_MINUTES: &str = "lock_minutes";
/// Minutes after midnight by which boarders out through the gate are due
/// back (a building's own curfew overrides it).
pub const CURFEW_MINUTES: &str = "curfew_minutes";
/// 1 while a special period (exams) is in force: pass holders only.
pub const SPECIAL_PERIOD: &str = "special_period";
pub const DEFAULT_LOCK_MINUTES: i64 = 10;

/// The setting key holding the expected visit length of a visitor type.
pub fn expected_key(t: VisitorType) -> String {
    format!("expected_minutes.{}", t.key())
}

/// Minutes a visit of this type is expected to last before it counts as an
/// overstay — a school's own rules override these through settings.
pub fn default_expected_minutes(t: VisitorType) -> i64 {
    match t {
        VisitorType::Parent => 60,
        VisitorType::Contractor => 240,
        VisitorType::Delivery => 30,
        VisitorType::Official => 120,
        VisitorType::Other => 60,
    }
}

/// A building's own curfew overrides the station's.
pub fn curfew_key(building: &str) -> String {
    format!("{CURFEW_MINUTES}.{building}")
}

/// Every key an admin may set, with (min, max) bounds.
pub fn known(key: &str) -> Option<(i64, i64)> {
    if key.starts_with(&format!("{CURFEW_MINUTES}.")) {
        return Some((17 * 60, 24 * 60 - 1));
    }
    if key == LOCK_MINUTES {
        return Some((1, 240));
    }
    if key == SPECIAL_PERIOD {
        return Some((0, 1));
    }
    if key == CURFEW_MINUTES {
        return Some((17 * 60, 24 * 60 - 1));
    }
    VisitorType::ALL
        .iter()
        .any(|t| expected_key(*t) == key)
        .then_some((5, 24 * 60))
}

pub fn all_keys() -> Vec<String> {
    let mut v = vec![
        LOCK_MINUTES.to_string(),
        SPECIAL_PERIOD.to_string(),
        CURFEW_MINUTES.to_string(),
    ];
    v.extend(VisitorType::ALL.iter().map(|t| expected_key(*t)));
    v
}

pub fn default_value(key: &str) -> Option<i64> {
    if key == LOCK_MINUTES {
        return Some(DEFAULT_LOCK_MINUTES);
    }
    if key == SPECIAL_PERIOD {
        return Some(0);
    }
    if key == CURFEW_MINUTES {
        return Some(21 * 60 + 30);
    }
    VisitorType::ALL
        .iter()
        .find(|t| expected_key(**t) == key)
        .map(|t| default_expected_minutes(*t))
}
