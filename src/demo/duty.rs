//! The demo's duty roster (值班表): the gate's day and night shifts planned
//! around today (a school year of them at `--scale school-year`), and the
//! sign-ons that make planned against actual worth looking at — the night
//! before last nobody came (an uncovered shift), yesterday morning the
//! guard came 25 minutes late. Sign-ons are `operator.logged_in` events
//! written at their own time among the day's events, so the log's clock
//! and the arrivals agree.

use super::Scale;
use crate::domain::duty::{DutyPerson, DutyPlan, DutyPost};
use crate::domain::event::{Event, OperatorLoggedIn};
use crate::domain::role::Actor;
use crate::domain::shift::{ShiftId, default_shifts};
use crate::domain::time::day_start_ms;
use crate::store::{Store, StoreError};
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Someone signing on at the gate.
#[derive(Debug, Clone)]
pub struct SignOn(Actor);

pub struct Duty {
    guard: Actor,
    teacher: Actor,
    today: NaiveDate,
    rng: StdRng,
}

impl Duty {
    /// Plans the roster: a week around today, or the school year and the
    /// days after today. Written by the admin before it all happens.
    #[allow(clippy::too_many_arguments)]
    pub fn setup(
        s: &mut Store,
        admin: &Actor,
        (guard, teacher, leader): (&Actor, &Actor, &Actor),
        scale: Scale,
        start_day: NaiveDate,
        today: NaiveDate,
        seed: u64,
    ) -> Result<Duty, StoreError> {
        let st = s.require_station()?.id.clone();
        let first = match scale {
            Scale::SchoolYear => start_day,
            _ => today - Duration::days(3),
        };
        let person = |a: &Actor| DutyPerson::operator(&a.id, &a.name);
        let mut plans = vec![];
        let mut day = first;
        while day <= today + Duration::days(3) {
            for def in default_shifts() {
                let night = def.key == "night";
                plans.push(DutyPlan {
                    shift: ShiftId::new(&st, day, &def.key),
                    people: vec![person(if night { teacher } else { guard })],
                    leader: Some(person(leader)),
                    // In the day the dorm teacher keeps the dormitory.
                    posts: if night {
                        vec![]
                    } else {
                        vec![DutyPost {
                            post: "宿舍值班".into(),
                            person: person(teacher),
                        }]
                    },
                    note: String::new(),
                });
            }
            day += Duration::days(1);
        }
        s.plan_duties(admin, &plans)?;
        Ok(Duty {
            guard: guard.clone(),
            teacher: teacher.clone(),
            today,
            rng: StdRng::seed_from_u64(seed ^ 0xD07_7AB1E),
        })
    }

    /// The sign-ons of the shifts starting on `day` before `until`: the
    /// guard for the day shift, the teacher for the night.
    pub fn day(&mut self, day: NaiveDate, offset: i32, until: i64) -> Vec<(i64, SignOn)> {
        let base = day_start_ms(day, offset);
        let ago = (self.today - day).num_days();
        let mut out = vec![];
        // Mostly 5–15 minutes early; yesterday morning 25 minutes late,
        // and now and then someone late in the school year.
        let early = |rng: &mut StdRng| -(rng.random_range(5..16) as i64);
        let mut day_in = early(&mut self.rng);
        if ago == 1 {
            day_in = 25;
        } else if ago > 7 && self.rng.random_range(0..60) == 0 {
            day_in = self.rng.random_range(11..45);
        }
        out.push((
            base + (7 * 60 + 30 + day_in) * 60_000,
            SignOn(self.guard.clone()),
        ));
        // The night before last, nobody came: the shift stood uncovered.
        let uncovered = ago == 2 || (ago > 7 && self.rng.random_range(0..200) == 0);
        if !uncovered {
            let night_in = early(&mut self.rng);
            out.push((
                base + (18 * 60 + night_in) * 60_000,
                SignOn(self.teacher.clone()),
            ));
        }
        out.retain(|(t, _)| *t < until);
        out
    }

    /// Writes one sign-on at the clock's time (set by the caller).
    pub fn happen(&mut self, s: &mut Store, on: SignOn) -> Result<(), StoreError> {
        let SignOn(who) = on;
        s.write(&who, |_| {
            Ok((
                vec![Event::OperatorLoggedIn(OperatorLoggedIn {
                    operator_id: who.id.clone(),
                })],
                (),
            ))
        })
    }

    /// Today's sign-ons up to `now_ms`, for the caller to write in time
    /// order among the day's other records.
    pub fn today_ons(&mut self, offset: i32, now_ms: i64) -> Vec<(i64, SignOn)> {
        self.day(self.today, offset, now_ms)
    }
}
