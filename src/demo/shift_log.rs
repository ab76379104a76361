//! The shift log (值班记录) of the demo school: last night's entries — a
//! visitor, an absence found and closed, someone loitering by the wall
//! still open for the day shift, a leak fixed by morning — and this
//! morning's instruction from the education bureau (上级指示, in force
//! until done) and an incident at the gate. With `--scale school-year` a
//! year of entries first: two to four a day, about a third needing
//! follow-up, nearly all closed within two days. Its own random stream, so
//! the other generated records are what they were.

use super::Scale;
use crate::domain::role::Actor;
use crate::domain::shift_log::{Category, LogDraft};
use crate::domain::time::FixedClock;
use crate::store::{Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// (category, what happened, action taken, reported to, follow-up, outcome).
const YEAR: &[(Category, &str, &str, &str, bool, &str)] = &[
    (
        Category::Visitor,
        "家长晚间送衣物",
        "登记后转交宿管",
        "",
        false,
        "",
    ),
    (
        Category::Visitor,
        "快递员要求进校送件",
        "在门卫室代收",
        "",
        false,
        "",
    ),
    (
        Category::Student,
        "一名学生发烧 38.2℃",
        "送校医室，通知家长",
        "班主任",
        true,
        "家长接回就医",
    ),
    (
        Category::Student,
        "就寝点名一名学生未到",
        "电话联系家长",
        "刘主任",
        true,
        "学生在亲戚家，次日返校",
    ),
    (
        Category::Safety,
        "东侧围墙外有人逗留",
        "喊话驱离，查看监控",
        "刘主任",
        true,
        "已报派出所备案",
    ),
    (
        Category::Safety,
        "宿舍楼安全出口被杂物堵塞",
        "当场清理",
        "",
        false,
        "",
    ),
    (
        Category::Repair,
        "3楼水房水管漏水",
        "关闭阀门",
        "后勤王师傅",
        true,
        "后勤已更换水管",
    ),
    (
        Category::Repair,
        "南门道闸抬杆失灵",
        "人工放行",
        "后勤王师傅",
        true,
        "已修复",
    ),
    (
        Category::Incident,
        "两名学生在宿舍争吵",
        "分开安置，做思想工作",
        "班主任",
        true,
        "已调解并告知家长",
    ),
    (
        Category::Incident,
        "送货车辆未登记闯入校门",
        "拦停补登记",
        "刘主任",
        false,
        "",
    ),
    (
        Category::Instruction,
        "上级通知：加强夜间巡查",
        "传达到各值班人员",
        "全体值班人员",
        true,
        "已落实",
    ),
    (
        Category::Other,
        "停电 20 分钟",
        "启用应急照明",
        "后勤",
        false,
        "",
    ),
];

fn draft(cat: Category, what: &str, action: &str, to: &str, followup: bool) -> LogDraft {
    LogDraft {
        at_ms: None,
        category: Some(cat),
        what: what.into(),
        action_taken: action.into(),
        reported_to: to.into(),
        needs_followup: followup,
    }
}

/// Writes the demo's entries (and a year's at `SchoolYear`); returns how
/// many entries it wrote.
pub fn generate(
    s: &mut Store,
    clock: &FixedClock,
    (guard, teacher, leader): (&Actor, &Actor, &Actor),
    now_ms: i64,
    scale: Scale,
    seed: u64,
) -> Result<usize, StoreError> {
    // The generator goes on from where the clock stands: leave it there.
    let was = crate::domain::time::Clock::now_ms(clock);
    let mut n = 0;
    if scale == Scale::SchoolYear {
        n += year(s, clock, [guard, teacher, leader], now_ms, seed)?;
    }
    if !matches!(scale, Scale::Small | Scale::SchoolYear) {
        clock.set(was);
        return Ok(n);
    }
    // Today 10:00 in the demo: the night shift began at 18:00 yesterday.
    let night = crate::domain::time::day_start_ms(
        crate::domain::time::local(now_ms, s.offset_min()).date_naive(),
        s.offset_min(),
    ) - DAY;
    let at = |h: i64, m: i64| night + h * HOUR + m * MIN;
    // Started before the night's last entry's time, the demo stops at now:
    // an entry from later would lend every new event its time.
    let mut write = |s: &mut Store, t: i64, who: &Actor, d: LogDraft| {
        if t > now_ms {
            return Ok(None);
        }
        clock.set(t);
        n += 1;
        s.log_entry(who, &d).map(Some)
    };
    let close = |s: &mut Store, t: i64, who: &Actor, id: Option<String>, outcome: &str| match id
        .filter(|_| t <= now_ms)
    {
        Some(id) => {
            clock.set(t);
            s.close_log_entry(who, &id, outcome)
        }
        None => Ok(()),
    };
    write(
        s,
        at(20, 10),
        guard,
        draft(
            Category::Visitor,
            "家长晚间送衣物",
            "登记后转交宿管",
            "",
            false,
        ),
    )?;
    let absent = write(
        s,
        at(21, 40),
        teacher,
        draft(
            Category::Student,
            "2号宿舍楼 305 室一名学生就寝点名未到",
            "电话联系家长",
            "刘主任",
            true,
        ),
    )?;
    close(
        s,
        at(22, 30),
        teacher,
        absent,
        "家长确认学生在亲戚家过夜，今早返校",
    )?;
    write(
        s,
        at(23, 20),
        guard,
        draft(
            Category::Safety,
            "东侧围墙外有人逗留约十分钟",
            "喊话驱离，调取监控",
            "刘主任",
            true,
        ),
    )?;
    let leak = write(
        s,
        at(26, 0),
        teacher,
        draft(
            Category::Repair,
            "1号宿舍楼 3 楼水房水管漏水",
            "关闭阀门",
            "后勤王师傅",
            true,
        ),
    )?;
    close(s, at(31, 0), guard, leak, "后勤王师傅已更换水管")?;
    write(
        s,
        at(32, 0),
        leader,
        draft(
            Category::Instruction,
            "教育局通知：本周内完成宿舍消防器材检查",
            "已传达",
            "全体值班人员",
            true,
        ),
    )?;
    write(
        s,
        at(33, 15),
        guard,
        draft(
            Category::Incident,
            "送货车辆未登记闯入校门",
            "拦停补登记",
            "刘主任",
            false,
        ),
    )?;
    clock.set(was);
    Ok(n)
}

/// A school year of entries up to yesterday.
fn year(
    s: &mut Store,
    clock: &FixedClock,
    who: [&Actor; 3],
    now_ms: i64,
    seed: u64,
) -> Result<usize, StoreError> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x51F7_1060);
    let start = now_ms - 365 * DAY;
    let mut n = 0;
    // (close at, entry id, outcome): follow-ups waiting for their day.
    let mut pending: Vec<(i64, String, &str)> = vec![];
    for d in 0..364 {
        let day = start + d * DAY;
        let mut times: Vec<i64> = (0..rng.random_range(2..=4))
            .map(|_| day + rng.random_range(0..DAY))
            .collect();
        times.sort_unstable();
        for t in times {
            pending.sort_by_key(|p| p.0);
            while pending.first().is_some_and(|p| p.0 <= t) {
                let (at, id, outcome) = pending.remove(0);
                clock.set(at);
                s.close_log_entry(who[rng.random_range(0..3)], &id, outcome)?;
            }
            let (cat, what, action, to, followup, outcome) = YEAR[rng.random_range(0..YEAR.len())];
            clock.set(t);
            let id = s.log_entry(
                who[rng.random_range(0..3)],
                &draft(cat, what, action, to, followup),
            )?;
            n += 1;
            // A few stay open for good: the handover keeps carrying them.
            if followup && rng.random_range(0..50) != 0 {
                pending.push((t + rng.random_range(HOUR..2 * DAY), id, outcome));
            }
        }
    }
    for (at, id, outcome) in pending {
        if at < now_ms - DAY {
            clock.set(at);
            s.close_log_entry(who[0], &id, outcome)?;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::StationKind;
    use crate::domain::role::Role;
    use std::sync::Arc;

    #[test]
    fn a_year_of_entries_leaves_few_open_and_all_in_time() {
        let now = 1_795_000_000_000;
        let clock = FixedClock::new(now - 366 * DAY);
        let mut s = Store::open_in_memory(Arc::new(clock.clone())).unwrap();
        let admin = s
            .setup(
                "青山县第一中学",
                "南门门卫室",
                StationKind::Gate,
                480,
                "陈老师",
                "9999",
            )
            .unwrap();
        let g = s
            .add_operator(&admin, "张建国", Role::Guard, "1111")
            .unwrap();
        let t = s
            .add_operator(&admin, "李芳", Role::DormTeacher, "2222")
            .unwrap();
        let n = s
            .batch(|s| year(s, &clock, [&g, &t, &admin], now, 7))
            .unwrap();
        assert!((364 * 2..=364 * 4).contains(&n), "{n}");
        let all = s.log_entries_between(0, now).unwrap();
        assert_eq!(all.len(), n);
        let open = s.open_log_entries(None).unwrap().len();
        assert!(open < n / 20, "{open} of {n} open");
        assert!(all.iter().all(|e| e.fields.at_ms < now - DAY));
    }
}
