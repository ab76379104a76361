//! Station settings with their defaults. Changed by admins through events.

use super::hazard::Severity;
use super::visit::VisitorType;

pub const LOCK_MINUTES: &str = "lock_minutes";
/// Minutes after midnight by which boarders out through the gate are due
/// back (a building's own curfew overrides it).
pub const CURFEW_MINUTES: &str = "curfew_minutes";
/// Lights-out roll-call time (minutes after midnight).
pub const LIGHTS_OUT_MINUTES: &str = "lights_out_minutes";
/// Minutes between bed checks through the night.
pub const BED_CHECK_EVERY: &str = "bed_check_every_minutes";
/// 1 while a special period (exams) is in force: pass holders only.
pub const SPECIAL_PERIOD: &str = "special_period";
pub const DEFAULT_LOCK_MINUTES: i64 = 10;
/// Days a visitor's personal data is kept after the visit ends (PIPL);
/// a school sets its own within the bounds in `known`.
pub const RETENTION_DAYS: &str = "retention_days";
pub const DEFAULT_RETENTION_DAYS: i64 = 180;
/// The most attachment bytes (in MB) one bundle carries; 0 = never carry.
/// Photos past it stay where they are and travel in a later bundle.
pub const BUNDLE_ATTACHMENT_MB: &str = "bundle_attachment_mb";
pub const DEFAULT_BUNDLE_ATTACHMENT_MB: i64 = 20;

/// The setting key holding the hours a hazard of this severity is given.
pub fn hazard_deadline_key(s: Severity) -> String {
    format!("hazard_deadline_hours.{}", s.key())
}

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
    if key == CURFEW_MINUTES || key == LIGHTS_OUT_MINUTES {
        return Some((17 * 60, 24 * 60 - 1));
    }
    if key == BED_CHECK_EVERY {
        return Some((30, 600));
    }
    if Severity::ALL.iter().any(|s| hazard_deadline_key(*s) == key) {
        return Some((1, 24 * 180));
    }
    if key == RETENTION_DAYS {
        return Some((30, 3650));
    }
    if key == BUNDLE_ATTACHMENT_MB {
        return Some((0, 1024));
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
        LIGHTS_OUT_MINUTES.to_string(),
        BED_CHECK_EVERY.to_string(),
        RETENTION_DAYS.to_string(),
        BUNDLE_ATTACHMENT_MB.to_string(),
    ];
    v.extend(VisitorType::ALL.iter().map(|t| expected_key(*t)));
    v.extend(Severity::ALL.iter().map(|s| hazard_deadline_key(*s)));
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
    if key == LIGHTS_OUT_MINUTES {
        return Some(21 * 60 + 40);
    }
    if key == BED_CHECK_EVERY {
        return Some(120);
    }
    if let Some(s) = Severity::ALL
        .iter()
        .find(|s| hazard_deadline_key(**s) == key)
    {
        return Some(s.default_deadline_hours());
    }
    if key == RETENTION_DAYS {
        return Some(DEFAULT_RETENTION_DAYS);
    }
    if key == BUNDLE_ATTACHMENT_MB {
        return Some(DEFAULT_BUNDLE_ATTACHMENT_MB);
    }
    VisitorType::ALL
        .iter()
        .find(|t| expected_key(**t) == key)
        .map(|t| default_expected_minutes(*t))
}

/// Settings that hold a clock time (minutes after midnight), shown and
/// typed as HH:MM.
pub fn is_time(key: &str) -> bool {
    key == LIGHTS_OUT_MINUTES
        || key == CURFEW_MINUTES
        || key.starts_with(&format!("{CURFEW_MINUTES}."))
}

/// A setting's value as a person reads it.
pub fn show(key: &str, v: i64) -> String {
    if is_time(key) {
        format!("{:02}:{:02}", v / 60, v % 60)
    } else {
        v.to_string()
    }
}

/// A typed value: HH:MM for times (or 21点40), a whole number otherwise;
/// full-width digits are read as digits.
pub fn parse(key: &str, s: &str) -> Option<i64> {
    if is_time(key) {
        super::time::parse_hhmm(s).map(i64::from)
    } else {
        let v = super::validate::normalize_input(s);
        // i64's own parser takes a leading '+', which nobody means here.
        if v.is_empty()
            || !v
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        v.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_parse_or_refuse() {
        assert_eq!(parse(LIGHTS_OUT_MINUTES, "21:40"), Some(1300));
        assert_eq!(parse(LIGHTS_OUT_MINUTES, "21点40"), Some(1300));
        assert_eq!(parse(&curfew_key("1号楼"), "２１：３０"), Some(1290));
        assert_eq!(parse(LIGHTS_OUT_MINUTES, "9点"), Some(540));
        assert_eq!(parse(LIGHTS_OUT_MINUTES, "21点99"), None);
        assert_eq!(parse(LOCK_MINUTES, " １５ "), Some(15));
        assert_eq!(parse(LOCK_MINUTES, "15分钟"), None);
        assert_eq!(parse(LOCK_MINUTES, "+15"), None);
        assert_eq!(parse(LOCK_MINUTES, "-"), None);
        assert_eq!(parse(LOCK_MINUTES, "99999999999999999999"), None);
        for k in all_keys() {
            let v = default_value(&k).unwrap();
            assert_eq!(parse(&k, &show(&k, v)), Some(v), "{k}");
        }
    }
}
