//! Shifts (班次): a station's day cut into named spans, e.g. 白班 07:30–18:00
//! and 夜班 18:00–07:30. A shift is named by the local date it starts on, so
//! the night shift that crosses midnight belongs to the evening's date.
//! The roster plans people onto shifts, the handover closes them.

use super::time;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// One shift of a station's day. `key` is stored in events ("day",
/// "night", or an admin's own short key); times are minutes after local
/// midnight; an end at or before the start crosses midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftDef {
    pub key: String,
    pub start_min: u32,
    pub end_min: u32,
}

impl ShiftDef {
    pub fn new(key: &str, start_min: u32, end_min: u32) -> ShiftDef {
        ShiftDef {
            key: key.to_string(),
            start_min,
            end_min,
        }
    }

    pub fn crosses_midnight(&self) -> bool {
        self.end_min <= self.start_min
    }

    pub fn len_min(&self) -> i64 {
        if self.crosses_midnight() {
            (24 * 60 - self.start_min + self.end_min) as i64
        } else {
            (self.end_min - self.start_min) as i64
        }
    }

    /// UTC start and end of this shift begun on `date`.
    pub fn window(&self, date: NaiveDate, offset_min: i32) -> (i64, i64) {
        let start = time::day_start_ms(date, offset_min) + self.start_min as i64 * 60_000;
        (start, start + self.len_min() * 60_000)
    }

    /// "07:30–18:00".
    pub fn span_text(&self) -> String {
        format!(
            "{}–{}",
            time::fmt_hhmm(self.start_min),
            time::fmt_hhmm(self.end_min)
        )
    }
}

/// The two shifts a station has until an admin sets others.
pub fn default_shifts() -> Vec<ShiftDef> {
    vec![
        ShiftDef::new("day", 7 * 60 + 30, 18 * 60),
        ShiftDef::new("night", 18 * 60, 7 * 60 + 30),
    ]
}

/// One shift at one station: what a roster line plans and a handover closes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShiftId {
    pub station_id: String,
    /// Local date the shift starts on, YYYY-MM-DD.
    pub date: String,
    pub shift: String,
}

impl ShiftId {
    pub fn new(station_id: &str, date: NaiveDate, shift: &str) -> ShiftId {
        ShiftId {
            station_id: station_id.to_string(),
            date: date.format("%Y-%m-%d").to_string(),
            shift: shift.to_string(),
        }
    }

    pub fn naive_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").ok()
    }

    /// "station|date|shift": the entity key events use.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.station_id, self.date, self.shift)
    }

    pub fn parse_key(s: &str) -> Option<ShiftId> {
        let mut it = s.splitn(3, '|');
        let (st, d, sh) = (it.next()?, it.next()?, it.next()?);
        NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?;
        Some(ShiftId {
            station_id: st.to_string(),
            date: d.to_string(),
            shift: sh.to_string(),
        })
    }
}

/// Shifts sorted by start time, the way a day runs.
fn sorted(defs: &[ShiftDef]) -> Vec<&ShiftDef> {
    let mut v: Vec<&ShiftDef> = defs.iter().collect();
    v.sort_by_key(|d| d.start_min);
    v
}

/// The shift running at `at_ms` (and the date it started on). With gaps
/// between shifts, none. Yesterday's crossing shift is looked at first.
pub fn shift_at(defs: &[ShiftDef], at_ms: i64, offset_min: i32) -> Option<(NaiveDate, &ShiftDef)> {
    let today = time::local(at_ms, offset_min).date_naive();
    for date in [today - Duration::days(1), today] {
        for d in sorted(defs) {
            let (s, e) = d.window(date, offset_min);
            if s <= at_ms && at_ms < e {
                return Some((date, d));
            }
        }
    }
    None
}

/// The shift before `(date, key)` at the same station: the one whose end is
/// latest at or before this one's start (yesterday's last shift for the first).
pub fn previous<'a>(
    defs: &'a [ShiftDef],
    date: NaiveDate,
    key: &str,
    offset_min: i32,
) -> Option<(NaiveDate, &'a ShiftDef)> {
    let this = defs.iter().find(|d| d.key == key)?;
    let (start, _) = this.window(date, offset_min);
    let mut best: Option<(i64, NaiveDate, &ShiftDef)> = None;
    for day in [date - Duration::days(1), date] {
        for d in defs {
            if d.key == key && day == date {
                continue;
            }
            let (_, e) = d.window(day, offset_min);
            if e <= start && best.is_none_or(|(be, _, _)| e > be) {
                best = Some((e, day, d));
            }
        }
    }
    best.map(|(_, day, d)| (day, d))
}

/// The shift after `(date, key)`: the one starting earliest at or after its end.
pub fn next<'a>(
    defs: &'a [ShiftDef],
    date: NaiveDate,
    key: &str,
    offset_min: i32,
) -> Option<(NaiveDate, &'a ShiftDef)> {
    let this = defs.iter().find(|d| d.key == key)?;
    let (_, end) = this.window(date, offset_min);
    let mut best: Option<(i64, NaiveDate, &ShiftDef)> = None;
    for day in [date, date + Duration::days(1)] {
        for d in defs {
            if d.key == key && day == date {
                continue;
            }
            let (s, _) = d.window(day, offset_min);
            if s >= end && best.is_none_or(|(bs, _, _)| s < bs) {
                best = Some((s, day, d));
            }
        }
    }
    best.map(|(_, day, d)| (day, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CN: i32 = 480;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(date: &str, hh: u32, mm: u32) -> i64 {
        time::day_start_ms(d(date), CN) + (hh * 60 + mm) as i64 * 60_000
    }

    #[test]
    fn night_shift_belongs_to_the_evening_it_began() {
        let defs = default_shifts();
        let (date, s) = shift_at(&defs, at("2026-11-30", 2, 0), CN).unwrap();
        assert_eq!((date, s.key.as_str()), (d("2026-11-29"), "night"));
        let (date, s) = shift_at(&defs, at("2026-11-30", 7, 29), CN).unwrap();
        assert_eq!((date, s.key.as_str()), (d("2026-11-29"), "night"));
        let (date, s) = shift_at(&defs, at("2026-11-30", 7, 30), CN).unwrap();
        assert_eq!((date, s.key.as_str()), (d("2026-11-30"), "day"));
        let (date, s) = shift_at(&defs, at("2026-11-30", 18, 0), CN).unwrap();
        assert_eq!((date, s.key.as_str()), (d("2026-11-30"), "night"));
    }

    #[test]
    fn windows_cross_midnight() {
        let night = &default_shifts()[1];
        assert!(night.crosses_midnight());
        assert_eq!(night.len_min(), 13 * 60 + 30);
        let (s, e) = night.window(d("2026-11-29"), CN);
        assert_eq!((s, e), (at("2026-11-29", 18, 0), at("2026-11-30", 7, 30)));
    }

    #[test]
    fn previous_and_next_wrap_the_day() {
        let defs = default_shifts();
        let (date, p) = previous(&defs, d("2026-11-30"), "day", CN).unwrap();
        assert_eq!((date, p.key.as_str()), (d("2026-11-29"), "night"));
        let (date, p) = previous(&defs, d("2026-11-30"), "night", CN).unwrap();
        assert_eq!((date, p.key.as_str()), (d("2026-11-30"), "day"));
        let (date, n) = next(&defs, d("2026-11-29"), "night", CN).unwrap();
        assert_eq!((date, n.key.as_str()), (d("2026-11-30"), "day"));
    }

    #[test]
    fn a_gap_between_shifts_is_no_shift() {
        let defs = vec![ShiftDef::new("day", 8 * 60, 17 * 60)];
        assert!(shift_at(&defs, at("2026-11-30", 20, 0), CN).is_none());
        assert!(shift_at(&defs, at("2026-11-30", 9, 0), CN).is_some());
    }

    #[test]
    fn shift_ids_round_trip_through_their_key() {
        let id = ShiftId::new("gate-1", d("2026-11-30"), "night");
        assert_eq!(ShiftId::parse_key(&id.key()), Some(id));
        assert_eq!(ShiftId::parse_key("x|2026-13-01|day"), None);
    }
}
