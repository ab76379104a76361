//! Which roll the duty room is waiting for, and from when: the roll-call
//! header says "due at" before that time and "overdue since" only after it,
//! on the night in question.

use super::rollcall::{RoundKind, night_of};
use super::time;
use chrono::{NaiveDate, Timelike};

/// The hour the night's rolls end. From then until the evening, the rolls
/// ahead are the coming night's: a lights-out roll missed last night is not
/// "overdue" at ten in the morning.
pub const NIGHT_ENDS_HOUR: u32 = 6;

/// The night whose rolls are due or under way at `now`: the previous
/// evening's until 06:00, then the coming one. Rounds themselves are filed
/// by `rollcall::night_of`, which turns at noon; the two differ only in the
/// morning, when last night's rounds are kept on screen but none is due.
pub fn schedule_night(now_ms: i64, offset_min: i32) -> NaiveDate {
    let filed = night_of(now_ms, offset_min);
    let local = time::local(now_ms, offset_min);
    let today = local.date_naive();
    if filed < today && local.hour() >= NIGHT_ENDS_HOUR {
        today
    } else {
        filed
    }
}

/// The next round of `night` and the instant it is due: the lights-out roll
/// at its set time (minutes after midnight) until one has been started, then
/// a bed check `every_min` after the latest round. `rounds` holds each
/// round of that night as (kind, started), in any order.
pub fn next_round(
    night: NaiveDate,
    offset_min: i32,
    lights_out_min: i64,
    every_min: i64,
    rounds: &[(RoundKind, i64)],
) -> (RoundKind, i64) {
    let latest = rounds.iter().map(|r| r.1).max();
    match latest {
        Some(started) if rounds.iter().any(|r| r.0 == RoundKind::LightsOut) => {
            (RoundKind::BedCheck, started + every_min * 60_000)
        }
        _ => (
            RoundKind::LightsOut,
            time::day_start_ms(night, offset_min) + lights_out_min * 60_000,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CN: i32 = 480;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_night_in_question_turns_in_the_morning() {
        for (now, night) in [
            ("2026-11-22T10:00:00+08:00", "2026-11-22"),
            ("2026-11-22T06:00:00+08:00", "2026-11-22"),
            ("2026-11-22T05:59:00+08:00", "2026-11-21"),
            ("2026-11-22T01:30:00+08:00", "2026-11-21"),
            ("2026-11-22T21:45:00+08:00", "2026-11-22"),
            ("2026-11-22T12:00:00+08:00", "2026-11-22"),
        ] {
            assert_eq!(schedule_night(at(now), CN), day(night), "{now}");
        }
    }

    #[test]
    fn lights_out_then_bed_checks_after_the_latest_round() {
        let night = day("2026-11-22");
        let lights_out = at("2026-11-22T21:40:00+08:00");
        assert_eq!(
            next_round(night, CN, 21 * 60 + 40, 120, &[]),
            (RoundKind::LightsOut, lights_out)
        );
        // A bed check alone does not stand in for the lights-out roll.
        let check = at("2026-11-22T20:00:00+08:00");
        assert_eq!(
            next_round(
                night,
                CN,
                21 * 60 + 40,
                120,
                &[(RoundKind::BedCheck, check)]
            ),
            (RoundKind::LightsOut, lights_out)
        );
        let late = at("2026-11-23T00:10:00+08:00");
        assert_eq!(
            next_round(
                night,
                CN,
                21 * 60 + 40,
                120,
                &[
                    (RoundKind::BedCheck, late),
                    (RoundKind::LightsOut, lights_out)
                ]
            ),
            (RoundKind::BedCheck, late + 120 * 60_000)
        );
    }
}
