//! Time: stored as UTC milliseconds plus the station's offset, shown local.
//! The clock is injected so tests and snapshots are repeatable.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that only moves when told to (tests, snapshots, demo generation).
#[derive(Clone)]
pub struct FixedClock(pub Arc<AtomicI64>);

impl FixedClock {
    pub fn new(ms: i64) -> FixedClock {
        FixedClock(Arc::new(AtomicI64::new(ms)))
    }
    pub fn set(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst);
    }
    pub fn advance_min(&self, minutes: i64) {
        self.0.fetch_add(minutes * 60_000, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub fn offset(offset_min: i32) -> FixedOffset {
    FixedOffset::east_opt(offset_min * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(8 * 3600).unwrap())
}

pub fn local(ms: i64, offset_min: i32) -> DateTime<FixedOffset> {
    let utc = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    utc.with_timezone(&offset(offset_min))
}

pub fn fmt_local(ms: i64, offset_min: i32, pattern: &str) -> String {
    local(ms, offset_min).format(pattern).to_string()
}

/// UTC ms of local midnight starting `date`.
pub fn day_start_ms(date: NaiveDate, offset_min: i32) -> i64 {
    let naive: NaiveDateTime = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    naive.and_utc().timestamp_millis() - offset_min as i64 * 60_000
}

/// Parses a date typed by a person: 2026-11-22, 2026/11/22, 20261122.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    None
}

/// Parses HH:MM (also H:MM and HHMM) to minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let s = s.trim().replace('：', ":");
    let (h, m) = match s.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None if s.len() == 4 => (s[..2].parse().ok()?, s[2..].parse().ok()?),
        None => return None,
    };
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Station-local "today at HH:MM" in UTC ms, relative to `now_ms`.
pub fn today_at(now_ms: i64, offset_min: i32, minutes: u32) -> i64 {
    let date = local(now_ms, offset_min).date_naive();
    day_start_ms(date, offset_min) + minutes as i64 * 60_000
}

/// The station offset of this machine's local zone, in minutes.
pub fn machine_offset_min() -> i32 {
    chrono::Local::now().offset().local_minus_utc() / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_parse() {
        assert_eq!(
            parse_date("2026/11/22"),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        assert_eq!(
            parse_date("20261122"),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_hhmm("7:05"), Some(425));
        assert_eq!(parse_hhmm("0705"), Some(425));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("12：30"), Some(750));
    }

    #[test]
    fn local_day_start_respects_offset() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let ms = day_start_ms(d, 480);
        assert_eq!(fmt_local(ms, 480, "%Y-%m-%d %H:%M"), "2026-11-22 00:00");
        assert_eq!(fmt_local(ms, 0, "%Y-%m-%d %H:%M"), "2026-11-21 16:00");
    }
}

/// A local date-time as typed: "2026-11-22 18:30", "11-22 18:30" (this
/// year) or "18:30" (today). Returns UTC ms.
pub fn parse_local_datetime(s: &str, now_ms: i64, offset_min: i32) -> Option<i64> {
    let s = s.trim().replace('：', ":");
    if let Some(m) = parse_hhmm(&s) {
        return Some(today_at(now_ms, offset_min, m));
    }
    let (d, t) = s.split_once(' ')?;
    let minutes = parse_hhmm(t)?;
    let date = parse_date(d).or_else(|| {
        let year = local(now_ms, offset_min).format("%Y").to_string();
        parse_date(&format!("{year}-{}", d.replace('/', "-")))
    })?;
    Some(day_start_ms(date, offset_min) + minutes as i64 * 60_000)
}

#[cfg(test)]
mod datetime_tests {
    use super::*;

    #[test]
    fn local_datetimes_parse() {
        let now =
            day_start_ms(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), 480) + 10 * 3_600_000;
        let t = parse_local_datetime("18:30", now, 480).unwrap();
        assert_eq!(fmt_local(t, 480, "%Y-%m-%d %H:%M"), "2026-11-22 18:30");
        let t = parse_local_datetime("11-24 07:00", now, 480).unwrap();
        assert_eq!(fmt_local(t, 480, "%Y-%m-%d %H:%M"), "2026-11-24 07:00");
        let t = parse_local_datetime("2026-12-01 08:00", now, 480).unwrap();
        assert_eq!(fmt_local(t, 480, "%Y-%m-%d %H:%M"), "2026-12-01 08:00");
        assert_eq!(parse_local_datetime("tomorrow", now, 480), None);
    }
}
