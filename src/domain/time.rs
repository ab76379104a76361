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

/// Folds what a Chinese IME leaves in a date or time (full-width digits,
/// colons, dashes, spaces) to ASCII, trimmed.
fn fold(s: &str) -> String {
    super::validate::fold_full_width(s)
}

/// Parses a date typed by a person: 2026-11-22, 2026/11/22, 2026.11.22,
/// 20261122, 2026年11月22日; full-width digits too.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = cjk_date(&fold(s));
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(&s, f) {
            return Some(d);
        }
    }
    None
}

/// 2026年11月22日 → 2026-11-22 and 11月22号 → 11-22, so one set of
/// formats serves both ways of writing a day.
fn cjk_date(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_suffix('日')
        .or_else(|| s.strip_suffix('号'))
        .unwrap_or(s);
    s.replace(['年', '月'], "-")
}

/// A day of `year` typed without the year: 11-22, 11/22, 11.22, 11月22日.
/// A separator is required so that 4-digit ID tails stay text.
pub fn parse_month_day(s: &str, year: i32) -> Option<NaiveDate> {
    let s = cjk_date(&fold(s));
    let (m, d) = s.split_once(['-', '/', '.'])?;
    NaiveDate::from_ymd_opt(year, digits(m, 2)?, digits(d, 2)?)
}

/// 1..=`max` ASCII digits as a number; anything else is not one.
fn digits(s: &str, max: usize) -> Option<u32> {
    if s.is_empty() || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Period words before a clock time; those after noon add 12 hours to 1–11.
const AFTERNOON: [&str; 5] = ["下午", "晚上", "傍晚", "夜里", "夜间"];
const MORNING: [&str; 4] = ["上午", "早上", "早晨", "凌晨"];

/// Parses a clock time to minutes after midnight: 19:30, 7:05, 0705,
/// full-width １９：３０, and the spoken forms 7点, 7点半, 7点30(分),
/// 19时30分, 下午7点. Anything else is `None` (a field error), never a panic.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let s: String = fold(s).chars().filter(|c| !c.is_whitespace()).collect();
    let mut rest = s.as_str();
    let (mut pm, mut am) = (false, false);
    if let Some(r) = AFTERNOON.iter().find_map(|p| rest.strip_prefix(p)) {
        (rest, pm) = (r, true);
    } else if let Some(r) = MORNING.iter().find_map(|p| rest.strip_prefix(p)) {
        (rest, am) = (r, true);
    }
    let (h, m) = if let Some((h, m)) = rest.split_once(':') {
        (digits(h, 2)?, digits(m, 2)?)
    } else if let Some((h, tail)) = rest.split_once(['点', '时']) {
        let m = match tail {
            "" | "整" => 0,
            "半" => 30,
            t => digits(t.strip_suffix('分').unwrap_or(t), 2)?,
        };
        (digits(h, 2)?, m)
    } else if rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_digit()) {
        (digits(&rest[..2], 2)?, digits(&rest[2..], 2)?)
    } else {
        return None;
    };
    let h = if pm && (1..12).contains(&h) {
        h + 12
    } else {
        h
    };
    // 上午19点 contradicts itself: ask rather than guess.
    (h < 24 && m < 60 && !(am && h > 12)).then_some(h * 60 + m)
}

/// Minutes after midnight as HH:MM, the form [`parse_hhmm`] reads back.
pub fn fmt_hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60 % 24, minutes % 60)
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
    fn spoken_and_full_width_times_parse() {
        // Byte slicing here once panicked: "7点" is four bytes.
        assert_eq!(parse_hhmm("7点"), Some(420));
        assert_eq!(parse_hhmm("7点30"), Some(450));
        assert_eq!(parse_hhmm("7点30分"), Some(450));
        assert_eq!(parse_hhmm("7点半"), Some(450));
        assert_eq!(parse_hhmm("7点整"), Some(420));
        assert_eq!(parse_hhmm("19时30分"), Some(1170));
        assert_eq!(parse_hhmm("下午7点"), Some(1140));
        assert_eq!(parse_hhmm("晚上 9:40"), Some(1300));
        assert_eq!(parse_hhmm("上午7点"), Some(420));
        assert_eq!(parse_hhmm("１９：３０"), Some(1170));
        assert_eq!(parse_hhmm("０７０５"), Some(425));
        assert_eq!(parse_hhmm("　7：05　"), Some(425));
        for bad in [
            "点",
            "7点61",
            "25点",
            "7点30秒",
            "七点",
            "7",
            "730",
            "+7:30",
            "7:",
            ":30",
            "7:300",
            "12:3a",
            "7点3０x",
            "١٢:٣٠",
            "😀",
            "7\u{301}:30",
            "下午",
            "上午19点",
            "",
        ] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert_eq!(fmt_hhmm(425), "07:05");
        assert_eq!(parse_hhmm(&fmt_hhmm(1439)), Some(1439));
    }

    #[test]
    fn cjk_and_full_width_dates_parse() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22);
        assert_eq!(parse_date("2026年11月22日"), d);
        assert_eq!(parse_date("２０２６－１１－２２"), d);
        assert_eq!(parse_date("2026.11.22"), d);
        assert_eq!(parse_month_day("11-22", 2026), d);
        assert_eq!(parse_month_day("11月22日", 2026), d);
        assert_eq!(parse_month_day("１１／２２", 2026), d);
        assert_eq!(parse_month_day("11月22号", 2026), d);
        // No separator: a 4-digit ID tail, not a day.
        assert_eq!(parse_month_day("1122", 2026), None);
        assert_eq!(parse_month_day("2026-11-22", 2026), None);
        assert_eq!(parse_month_day("2-30", 2026), None);
        assert_eq!(parse_date("1122"), None);
        assert_eq!(parse_date("13812345678"), None);
        assert_eq!(parse_date("日"), None);
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
/// year) or "18:30" (today); any form [`parse_date`], [`parse_month_day`]
/// and [`parse_hhmm`] read. Returns UTC ms.
pub fn parse_local_datetime(s: &str, now_ms: i64, offset_min: i32) -> Option<i64> {
    let s = fold(s);
    if let Some(m) = parse_hhmm(&s) {
        return Some(today_at(now_ms, offset_min, m));
    }
    let mut parts = s.split_whitespace();
    let (d, t) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let minutes = parse_hhmm(t)?;
    let date = parse_date(d).or_else(|| {
        let year = chrono::Datelike::year(&local(now_ms, offset_min));
        parse_month_day(d, year)
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
        let t = parse_local_datetime("11月24日 下午7点", now, 480).unwrap();
        assert_eq!(fmt_local(t, 480, "%Y-%m-%d %H:%M"), "2026-11-24 19:00");
        let t = parse_local_datetime("７点３０", now, 480).unwrap();
        assert_eq!(fmt_local(t, 480, "%Y-%m-%d %H:%M"), "2026-11-22 07:30");
        assert_eq!(parse_local_datetime("11-24 7点 x", now, 480), None);
        assert_eq!(parse_local_datetime("11-24", now, 480), None);
    }
}
