//! Night roll-call (就寝点名) and bed checks (查铺): marks, who is still
//! unaccounted, and when a round may close.

use super::error::DomainError;
use super::role::{Actor, Permission, Role, require};
use super::validate::normalize_input;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// 就寝点名: the roll at lights-out.
    LightsOut,
    /// 查铺: a later check of the beds.
    BedCheck,
}

impl RoundKind {
    pub const ALL: [RoundKind; 2] = [RoundKind::LightsOut, RoundKind::BedCheck];
    pub fn key(self) -> &'static str {
        match self {
            RoundKind::LightsOut => "lights_out",
            RoundKind::BedCheck => "bed_check",
        }
    }
    pub fn parse(s: &str) -> Option<RoundKind> {
        RoundKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// Where an absent boarder was found: the follow-up's outcome, which
/// decides whether the night counts as a night away (夜不归宿) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundWhere {
    /// On campus: a classmate's room, the classroom, the sick bay.
    OnCampus,
    /// Off campus: at home, with a guardian, in town.
    OffCampus,
}

impl FoundWhere {
    pub fn key(self) -> &'static str {
        match self {
            FoundWhere::OnCampus => "on_campus",
            FoundWhere::OffCampus => "off_campus",
        }
    }
    pub fn parse(s: &str) -> Option<FoundWhere> {
        [FoundWhere::OnCampus, FoundWhere::OffCampus]
            .into_iter()
            .find(|w| w.key() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// 在
    Present,
    /// 缺
    Absent,
    /// 假 — approved leave or out through the gate with a guardian.
    Leave,
    /// 病
    Sick,
    /// 晚归 — came back late (with the time).
    Late,
}

impl Mark {
    pub const ALL: [Mark; 5] = [
        Mark::Present,
        Mark::Absent,
        Mark::Leave,
        Mark::Sick,
        Mark::Late,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Mark::Present => "present",
            Mark::Absent => "absent",
            Mark::Leave => "leave",
            Mark::Sick => "sick",
            Mark::Late => "late",
        }
    }
    pub fn parse(s: &str) -> Option<Mark> {
        Mark::ALL.into_iter().find(|m| m.key() == s)
    }
    /// The one-character mark the paper roll-call book uses.
    pub fn paper(self) -> &'static str {
        match self {
            Mark::Present => "√",
            Mark::Absent => "×",
            Mark::Leave => "假",
            Mark::Sick => "病",
            Mark::Late => "晚",
        }
    }
}

/// Who may run a round: the dorm teacher on duty, a duty leader, an admin.
pub fn require_rollcall(actor: &Actor) -> Result<(), DomainError> {
    require(actor.role, Permission::RunRollCall)
}

/// A boarder's state in one round, as far as closing is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub student_id: String,
    pub mark: Option<Mark>,
    /// An absence follow-up recorded where the student was found.
    pub found: bool,
}

/// Boarders nobody can vouch for: not marked, or absent and not yet found.
/// A round with any of them cannot close on its own.
pub fn unaccounted(standings: &[Standing]) -> Vec<String> {
    standings
        .iter()
        .filter(|s| match s.mark {
            None => true,
            Some(Mark::Absent) => !s.found,
            Some(_) => false,
        })
        .map(|s| s.student_id.clone())
        .collect()
}

/// Closing a round: refused while anyone is unaccounted, unless a duty
/// leader (or admin) forces it with a reason — and that stays on record.
pub fn decide_close(
    actor: &Actor,
    already_closed: bool,
    unaccounted: &[String],
    force_reason: Option<&str>,
) -> Result<Option<String>, DomainError> {
    require_rollcall(actor)?;
    if already_closed {
        return Err(DomainError::RoundClosed);
    }
    if unaccounted.is_empty() {
        return Ok(None);
    }
    let Some(reason) = force_reason else {
        return Err(DomainError::Unaccounted(unaccounted.len()));
    };
    require(actor.role, Permission::ForceCloseRound)?;
    let reason = normalize_input(reason);
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    Ok(Some(reason))
}

/// Marks may change while the round is open; each change is a new event.
pub fn decide_mark(
    actor: &Actor,
    closed: bool,
    mark: Mark,
    late_at_ms: Option<i64>,
) -> Result<(), DomainError> {
    require_rollcall(actor)?;
    if closed {
        return Err(DomainError::RoundClosed);
    }
    if mark == Mark::Late && late_at_ms.is_none() {
        return Err(DomainError::Invalid(vec![(
            "late_at",
            super::validate::FieldError::Required,
        )]));
    }
    Ok(())
}

/// The local date a night belongs to: before noon counts as the previous
/// evening's night, so a 02:00 bed check joins the 22:00 roll-call.
pub fn night_of(now_ms: i64, offset_min: i32) -> chrono::NaiveDate {
    let local = super::time::local(now_ms, offset_min);
    let d = local.date_naive();
    if chrono::Timelike::hour(&local) < 12 {
        d.pred_opt().unwrap_or(d)
    } else {
        d
    }
}

/// Roles allowed to force a round closed.
pub fn can_force(role: Role) -> bool {
    super::role::allows(role, Permission::ForceCloseRound)
}

/// A key typed on the roll to jump to a bed, as the character to keep:
/// digits (full-width folded), and a dash once digits are there ("303-5").
pub fn jump_key(typed: &str, c: char) -> Option<char> {
    let c = match c {
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0)?,
        '\u{FF0D}' | '\u{2010}'..='\u{2015}' => '-',
        _ => c,
    };
    match c {
        '0'..='9' => Some(c),
        '-' if !typed.is_empty() && !typed.contains('-') => Some(c),
        _ => None,
    }
}

/// Which bed a typed jump means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BedJump {
    /// "303-5": room 303, bed 5 (leading zeros of the bed dropped).
    RoomBed { room: String, bed: String },
    /// "3035", "2011": the start of room then bed; "305" alone is the room.
    Prefix(String),
}

/// Reads a typed jump (full-width digits and dashes too); `None` for
/// anything else, such as text that is not digits.
pub fn parse_bed_jump(s: &str) -> Option<BedJump> {
    let s = super::validate::fold_full_width(s);
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match s.split_once('-') {
        Some((room, bed)) if all_digits(room) && all_digits(bed) => Some(BedJump::RoomBed {
            room: room.to_string(),
            bed: bed.trim_start_matches('0').to_string(),
        }),
        // "303-" while the bed is still being typed: the room.
        Some((room, "")) if all_digits(room) => Some(BedJump::Prefix(room.to_string())),
        None if all_digits(&s) => Some(BedJump::Prefix(s)),
        _ => None,
    }
}

impl BedJump {
    /// Whether a (room, bed) is where this jump points.
    pub fn matches(&self, room: &str, bed: &str) -> bool {
        match self {
            BedJump::RoomBed { room: r, bed: b } => {
                r == room && bed.trim_start_matches('0') == b.as_str()
            }
            BedJump::Prefix(p) => {
                room == p
                    || p.strip_prefix(room)
                        .map_or(room.starts_with(p.as_str()), |rest| bed.starts_with(rest))
            }
        }
    }
}

/// The first row (in roll order) a typed jump points at; `beds` holds each
/// row's (room, bed), `None` for a boarder without one. When the digits
/// together point nowhere, the last one starts a new jump, so "2011" then
/// "3011" lands on 301-1 instead of staying, unnoticed, on 201-1.
/// Returns the row and the query that found it, for the caller to keep.
pub fn find_bed<'a>(
    typed: &str,
    beds: impl Iterator<Item = Option<(&'a str, &'a str)>> + Clone,
) -> Option<(usize, String)> {
    let find = |q: &str| {
        let jump = parse_bed_jump(q)?;
        beds.clone()
            .position(|b| b.is_some_and(|(room, bed)| jump.matches(room, bed)))
    };
    if let Some(i) = find(typed) {
        return Some((i, typed.to_string()));
    }
    let last: String = typed.chars().last()?.to_string();
    find(&last).map(|i| (i, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            id: "x".into(),
            name: "x".into(),
            role,
        }
    }

    fn st(id: &str, mark: Option<Mark>, found: bool) -> Standing {
        Standing {
            student_id: id.into(),
            mark,
            found,
        }
    }

    #[test]
    fn unmarked_and_unfound_absent_are_unaccounted() {
        let s = vec![
            st("a", Some(Mark::Present), false),
            st("b", None, false),
            st("c", Some(Mark::Absent), false),
            st("d", Some(Mark::Absent), true),
            st("e", Some(Mark::Leave), false),
            st("f", Some(Mark::Sick), false),
            st("g", Some(Mark::Late), false),
        ];
        assert_eq!(unaccounted(&s), vec!["b".to_string(), "c".to_string()]);
    }

    #[test]
    fn a_round_cannot_close_with_an_unaccounted_boarder() {
        let t = actor(Role::DormTeacher);
        assert_eq!(
            decide_close(&t, false, &["b".into()], None),
            Err(DomainError::Unaccounted(1))
        );
        assert_eq!(decide_close(&t, false, &[], None), Ok(None));
        assert_eq!(
            decide_close(&t, true, &[], None),
            Err(DomainError::RoundClosed)
        );
    }

    #[test]
    fn only_a_duty_leader_forces_with_a_reason() {
        let un = vec!["b".to_string()];
        assert_eq!(
            decide_close(&actor(Role::DormTeacher), false, &un, Some("找到了")),
            Err(DomainError::Forbidden(Permission::ForceCloseRound))
        );
        assert_eq!(
            decide_close(&actor(Role::Guard), false, &un, Some("x")),
            Err(DomainError::Forbidden(Permission::RunRollCall))
        );
        let l = actor(Role::DutyLeader);
        assert_eq!(
            decide_close(&l, false, &un, Some("  ")),
            Err(DomainError::ReasonRequired)
        );
        assert_eq!(
            decide_close(&l, false, &un, Some("家长电话确认在家")),
            Ok(Some("家长电话确认在家".into()))
        );
    }

    #[test]
    fn marks_need_an_open_round_and_late_needs_a_time() {
        let t = actor(Role::DormTeacher);
        assert!(decide_mark(&t, false, Mark::Present, None).is_ok());
        assert_eq!(
            decide_mark(&t, true, Mark::Present, None),
            Err(DomainError::RoundClosed)
        );
        assert!(decide_mark(&t, false, Mark::Late, None).is_err());
        assert!(decide_mark(&t, false, Mark::Late, Some(5)).is_ok());
    }

    const BEDS: [Option<(&str, &str)>; 6] = [
        Some(("201", "1")),
        Some(("201", "2")),
        None,
        Some(("301", "1")),
        Some(("303", "5")),
        Some(("303", "12")),
    ];

    fn jump(typed: &str) -> Option<(usize, String)> {
        find_bed(typed, BEDS.iter().copied())
    }

    #[test]
    fn bed_jumps_parse() {
        let rb = |r: &str, b: &str| {
            Some(BedJump::RoomBed {
                room: r.into(),
                bed: b.into(),
            })
        };
        assert_eq!(parse_bed_jump("303-5"), rb("303", "5"));
        assert_eq!(parse_bed_jump("３０３－０５"), rb("303", "5"));
        assert_eq!(parse_bed_jump("3035"), Some(BedJump::Prefix("3035".into())));
        assert_eq!(parse_bed_jump("303-"), Some(BedJump::Prefix("303".into())));
        for bad in [
            "",
            "-",
            "-5",
            "3-0-5",
            "30a",
            "三零三",
            "3035😀",
            "3\u{301}",
        ] {
            assert_eq!(parse_bed_jump(bad), None, "{bad}");
        }
    }

    #[test]
    fn bed_jumps_find_the_bed() {
        assert_eq!(jump("2011"), Some((0, "2011".into())));
        assert_eq!(jump("2012"), Some((1, "2012".into())));
        assert_eq!(jump("3035"), Some((4, "3035".into())));
        assert_eq!(jump("303-5"), Some((4, "303-5".into())));
        assert_eq!(jump("303-05"), Some((4, "303-05".into())));
        assert_eq!(jump("30312"), Some((5, "30312".into())));
        assert_eq!(jump("303-12"), Some((5, "303-12".into())));
        assert_eq!(
            jump("303-1"),
            None,
            "303-1 is no bed; 303-12 is not a prefix match"
        );
        assert_eq!(jump("30"), Some((3, "30".into())));
        // A second jump typed straight after the first starts afresh.
        assert_eq!(jump("20113"), Some((3, "3".into())));
        assert_eq!(jump("9"), None);
        assert_eq!(jump(""), None);
    }

    #[test]
    fn jump_keys() {
        assert_eq!(jump_key("", '3'), Some('3'));
        assert_eq!(jump_key("", '３'), Some('3'));
        assert_eq!(jump_key("", '-'), None, "a dash alone is not a jump");
        assert_eq!(jump_key("303", '-'), Some('-'));
        assert_eq!(jump_key("303", '－'), Some('-'));
        assert_eq!(jump_key("303-", '-'), None);
        assert_eq!(jump_key("3", 'a'), None);
        assert_eq!(jump_key("3", '三'), None);
    }

    #[test]
    fn early_morning_belongs_to_the_previous_night() {
        // 2026-11-23 02:00 at +08:00 = 2026-11-22 18:00 UTC.
        let ms = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(
            night_of(ms, 480),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert_eq!(
            night_of(ms + 12 * 3_600_000, 480),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }
}
