//! Generated boarders: buildings and beds, students with guardians, past
//! nights of roll-calls, and tonight's round half done with the usual
//! problems (one absent and being followed up, one sick, one on leave, one
//! taken home through the gate).

use super::names::{
    BOYS, GIRLS, MEN, OLD_MEN, OLD_WOMEN, SURNAMES, WOMEN, fresh, other_surname, pick,
};
use super::year::Year;
use super::{CLASSES, GenStats, Scale};
use crate::domain::role::Actor;
use crate::domain::rollcall::{FoundWhere, Mark, RoundKind};
use crate::domain::roster::{BedRef, Gender, Guardian, StudentData, Zone};
use crate::domain::time::{FixedClock, day_start_ms};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;

const HEAD_TEACHERS: &[&str] = &["周老师", "吴老师", "郑老师", "孙老师", "马老师", "朱老师"];
const CARE: &[&str] = &[
    "哮喘，备有喷雾",
    "花生过敏",
    "夜里怕黑，需留小灯",
    "近视，上铺不宜",
    "晕车，返校日需留意",
];

struct Layout {
    buildings: Vec<(String, Zone)>,
    floors: i32,
    rooms: i32,
    beds: i32,
    /// Share of beds with a boarder, in percent.
    fill: u32,
}

fn layout(scale: Scale) -> Layout {
    match scale {
        Scale::Small => Layout {
            buildings: vec![("1号楼".into(), Zone::Boys), ("2号楼".into(), Zone::Girls)],
            floors: 3,
            rooms: 4,
            beds: 6,
            fill: 90,
        },
        Scale::Busy => layout(Scale::Small),
        Scale::YearSample => layout(Scale::SchoolYear),
        Scale::SchoolYear => Layout {
            buildings: (1..=6)
                .map(|i| {
                    (
                        format!("{i}号楼"),
                        if i <= 3 { Zone::Boys } else { Zone::Girls },
                    )
                })
                .collect(),
            floors: 5,
            rooms: 10,
            beds: 10,
            fill: 100,
        },
    }
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        rng.random_range(3..=9),
        rng.random_range(0..1_000_000_000u64)
    )
}

fn student(rng: &mut StdRng, zone: Zone, no: usize) -> StudentData {
    let gender = if zone == Zone::Boys {
        Gender::Male
    } else {
        Gender::Female
    };
    // The child's name from the list of the child's gender: the bed's zone
    // decides the gender, the name follows it.
    let surname = pick(rng, SURNAMES);
    let name = format!(
        "{surname}{}",
        pick(rng, if gender == Gender::Male { BOYS } else { GIRLS })
    );
    // The father's side shares the child's surname; the mother, the
    // grandmothers and the mother's father have their own.
    let mother_side = other_surname(rng, surname);
    let mut taken = vec![name.clone()];
    let left_behind = rng.random_range(0..100) < 60;
    let mut guardians = vec![];
    if left_behind {
        let (relation, sur, list) = match rng.random_range(0..4) {
            0 => ("奶奶", other_surname(rng, surname), OLD_WOMEN),
            1 => ("外婆", other_surname(rng, mother_side), OLD_WOMEN),
            2 => ("爷爷", surname, OLD_MEN),
            _ => ("外公", mother_side, OLD_MEN),
        };
        guardians.push(Guardian {
            name: fresh(rng, &mut taken, sur, list),
            relation: relation.into(),
            phone: Some(phone(rng)),
            may_pick_up: true,
        });
    }
    let (relation, sur, list) = if rng.random_bool(0.5) {
        ("父亲", surname, MEN)
    } else {
        ("母亲", mother_side, WOMEN)
    };
    guardians.push(Guardian {
        name: fresh(rng, &mut taken, sur, list),
        relation: relation.into(),
        phone: Some(phone(rng)),
        // Parents working far away may still come; an uncle or aunt may not.
        may_pick_up: true,
    });
    if rng.random_range(0..10) == 0 {
        let (relation, list) = if rng.random_bool(0.5) {
            ("叔叔", MEN)
        } else {
            ("姑姑", WOMEN)
        };
        guardians.push(Guardian {
            name: fresh(rng, &mut taken, surname, list),
            relation: relation.into(),
            phone: Some(phone(rng)),
            may_pick_up: false,
        });
    }
    StudentData {
        student_no: Some(format!("2026{no:04}")),
        name,
        gender: Some(gender),
        class: CLASSES[rng.random_range(0..CLASSES.len())].into(),
        head_teacher: HEAD_TEACHERS[rng.random_range(0..HEAD_TEACHERS.len())].into(),
        guardians,
        left_behind,
        care_notes: if rng.random_range(0..12) == 0 {
            CARE[rng.random_range(0..CARE.len())].into()
        } else {
            String::new()
        },
    }
}

/// Enrols the school's boarders at the start of term; returns the buildings.
pub(super) fn enroll(
    s: &mut Store,
    clock: &FixedClock,
    rng: &mut StdRng,
    scale: Scale,
    admin: &Actor,
    start_day: NaiveDate,
    stats: &mut GenStats,
) -> Result<Vec<String>, StoreError> {
    let l = layout(scale);
    clock.set(day_start_ms(start_day, s.offset_min()) + 8 * 3_600_000);
    // The head teachers, with the numbers the duty room calls at night.
    for t in HEAD_TEACHERS {
        let p = phone(rng);
        s.set_staff(
            admin,
            None,
            t,
            crate::domain::roster::StaffKind::HeadTeacher,
            &p,
            true,
        )?;
    }
    let mut no = s.students(None)?.len();
    for (b, zone) in &l.buildings {
        for floor in 1..=l.floors {
            for room in 1..=l.rooms {
                for bed in 1..=l.beds {
                    let bed_ref = BedRef {
                        building: b.clone(),
                        floor,
                        room: format!("{floor}{room:02}"),
                        bed: bed.to_string(),
                    };
                    if rng.random_range(0..100) < l.fill {
                        no += 1;
                        s.enroll_student(
                            admin,
                            student(rng, *zone, no),
                            Some(bed_ref),
                            Some(*zone),
                        )?;
                        stats.boarders += 1;
                    } else {
                        // An empty bed still belongs on the bed map.
                        let ev = s.bed_events(&bed_ref, *zone, &mut Default::default())?;
                        s.write(admin, |_| Ok((ev, ())))?;
                    }
                }
            }
        }
    }
    Ok(l.buildings.into_iter().map(|(b, _)| b).collect())
}

/// One past night: a lights-out roll per building, nearly everyone
/// present, the odd late return or absence found within the hour (in a
/// school year, after a call or two).
#[allow(clippy::too_many_arguments)]
pub(super) fn night(
    s: &mut Store,
    clock: &FixedClock,
    rng: &mut StdRng,
    teacher: &Actor,
    buildings: &[String],
    day_start: i64,
    stats: &mut GenStats,
    mut year: Option<&mut Year>,
) -> Result<(), StoreError> {
    for b in buildings {
        // In a school year each building's roll is called at its dorm
        // station, under that station's chain.
        match year.as_deref().and_then(|y| y.dorm_of_building(b)) {
            Some(station) => s.as_station(&station, |s| {
                building_night(
                    s,
                    clock,
                    rng,
                    teacher,
                    b,
                    day_start,
                    stats,
                    year.as_deref_mut(),
                )
            })?,
            None => building_night(
                s,
                clock,
                rng,
                teacher,
                b,
                day_start,
                stats,
                year.as_deref_mut(),
            )?,
        }
    }
    Ok(())
}

/// One building's night: the lights-out roll and, in a school year, the
/// bed check.
#[allow(clippy::too_many_arguments)]
fn building_night(
    s: &mut Store,
    clock: &FixedClock,
    rng: &mut StdRng,
    teacher: &Actor,
    b: &str,
    day_start: i64,
    stats: &mut GenStats,
    mut year: Option<&mut Year>,
) -> Result<(), StoreError> {
    let at = |m: i64| day_start + m * 60_000;
    {
        clock.set(at(21 * 60 + 30));
        let round = s.start_round(teacher, RoundKind::LightsOut, b)?;
        stats.rounds += 1;
        let unmarked = unmarked_by_room(s, &round)?;
        let ids: Vec<String> = unmarked.iter().map(|(_, id)| id.clone()).collect();
        let odd = (!ids.is_empty() && rng.random_range(0..4) == 0)
            .then(|| ids[rng.random_range(0..ids.len())].clone());
        let present: Vec<(String, String)> = unmarked
            .into_iter()
            .filter(|(_, id)| Some(id) != odd.as_ref())
            .collect();
        clock.set(at(21 * 60 + 35));
        mark_present(s, teacher, &round, &present, year.is_some())?;
        if let Some(who) = &odd {
            if rng.random_bool(0.5) {
                let back = 21 * 60 + 40 + rng.random_range(0..40);
                clock.set(at(back + 1));
                s.mark(teacher, &round, who, Mark::Late, Some(at(back)), "")?;
            } else {
                s.mark(teacher, &round, who, Mark::Absent, None, "")?;
                let steps = match year.as_deref_mut() {
                    Some(y) => y.absence_steps(),
                    None => vec![("guardian", "在同学寝室，已带回", Some(FoundWhere::OnCampus))],
                };
                let first = 22 * 60 + 5 - 5 * steps.len() as i64;
                for (n, (contacted, finding, found)) in steps.into_iter().enumerate() {
                    clock.set(at(first + 5 * n as i64 + 5));
                    s.record_followup_found(
                        teacher,
                        &round,
                        who,
                        (contacted, ""),
                        finding,
                        found.map(|w| (at(22 * 60), Some(w))),
                    )?;
                }
            }
        }
        clock.set(at(22 * 60 + 10));
        s.close_round(teacher, &round, None)?;
        // In a school year the dorm teacher also checks the beds before
        // midnight (查铺), room by room, as the roll-call pane's `r` does.
        if year.is_some() {
            clock.set(at(23 * 60 + 30));
            let check = s.start_round(teacher, RoundKind::BedCheck, b)?;
            stats.rounds += 1;
            let unmarked = unmarked_by_room(s, &check)?;
            clock.set(at(23 * 60 + 40));
            mark_present(s, teacher, &check, &unmarked, true)?;
            clock.set(at(23 * 60 + 50));
            s.close_round(teacher, &check, None)?;
        }
    }
    Ok(())
}

/// The round's boarders not marked yet, each with their room, in the
/// sheet's order (room by room).
fn unmarked_by_room(s: &Store, round: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(s.round_sheet(round)?
        .into_iter()
        .filter(|r| r.mark.is_none())
        .map(|r| {
            let room = r.student.bed.map(|b| b.room).unwrap_or_default();
            (room, r.student.id)
        })
        .collect())
}

/// Marks `present` (room, boarder) present: the whole building at once, or
/// room by room (one event a room) as a teacher walking the corridor does.
fn mark_present(
    s: &mut Store,
    teacher: &Actor,
    round: &str,
    present: &[(String, String)],
    by_room: bool,
) -> Result<(), StoreError> {
    if !by_room {
        let ids: Vec<String> = present.iter().map(|(_, id)| id.clone()).collect();
        return s.mark_many(teacher, round, &ids, Mark::Present, None, "");
    }
    for room in present.chunk_by(|a, b| a.0 == b.0) {
        let ids: Vec<String> = room.iter().map(|(_, id)| id.clone()).collect();
        s.mark_many(teacher, round, &ids, Mark::Present, None, "")?;
    }
    Ok(())
}

/// Earlier today: one boarder on leave (due back tomorrow), one taken home
/// by a guardian at the gate. Both show as "on leave" in tonight's roll.
pub(super) fn tonight_early(
    s: &mut Store,
    clock: &FixedClock,
    teacher: &Actor,
    guard: &Actor,
    building: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let students = s.students(Some(building))?;
    if students.len() < 12 {
        return Ok(());
    }
    let min = |m: i64| now_ms - m * 60_000;
    clock.set(min(60 * 20));
    s.grant_leave(
        teacher,
        &students[3].id,
        min(60 * 20),
        min(60 * 20) + 2 * 86_400_000,
        "回家看病",
        "周老师",
        "家中（县城）",
    )?;
    clock.set(min(200));
    let g = students[7].data.guardians.first().cloned();
    if let Some(g) = g {
        s.gate_depart(
            guard,
            &students[7].id,
            &g.name,
            &g.relation,
            g.phone.as_deref().unwrap_or(""),
            None,
            "家中有事",
            None,
        )?;
    }
    Ok(())
}

/// Tonight in the first building: the roll half called, one absent with a
/// follow-up in progress, one sick.
pub(super) fn tonight(
    s: &mut Store,
    clock: &FixedClock,
    teacher: &Actor,
    building: &str,
    now_ms: i64,
    stats: &mut GenStats,
) -> Result<(), StoreError> {
    if s.students(Some(building))?.len() < 12 {
        return Ok(());
    }
    let min = |m: i64| now_ms - m * 60_000;
    clock.set(min(25));
    let round = s.start_round(teacher, RoundKind::LightsOut, building)?;
    stats.rounds += 1;
    let sheet = s.round_sheet(&round)?;
    let half: Vec<String> = sheet
        .iter()
        .take(sheet.len() / 2)
        .filter(|r| r.mark.is_none())
        .map(|r| r.student.id.clone())
        .collect();
    clock.set(min(20));
    let absent = half.get(5).cloned();
    let sick = half.get(9).cloned();
    let present: Vec<String> = half
        .iter()
        .filter(|id| Some(*id) != absent.as_ref() && Some(*id) != sick.as_ref())
        .cloned()
        .collect();
    s.mark_many(teacher, &round, &present, Mark::Present, None, "")?;
    if let Some(a) = &absent {
        s.mark(teacher, &round, a, Mark::Absent, None, "")?;
        clock.set(min(12));
        let st = s.student(a)?;
        let g = st
            .as_ref()
            .and_then(|st| st.data.guardians.first().cloned());
        let who = g
            .map(|g| format!("{} {} {}", g.name, g.relation, g.phone.unwrap_or_default()))
            .unwrap_or_default();
        s.record_followup(
            teacher,
            &round,
            a,
            "guardian",
            &who,
            "电话未接通，已通知班主任",
            None,
        )?;
    }
    if let Some(k) = &sick {
        clock.set(min(15));
        s.mark(teacher, &round, k, Mark::Sick, None, "发烧")?;
        let id = s.record_sick(
            teacher,
            k,
            "发烧、头痛",
            "38.5",
            "布洛芬一片",
            "已喝温水",
            false,
            true,
        )?;
        clock.set(min(5));
        clock.set(min(8));
        s.sick_followup(teacher, &id, "体温下降，已入睡", "37.9", false)?;
    }
    clock.set(now_ms);
    Ok(())
}
