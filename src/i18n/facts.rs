//! Turns what an event records (a `Fact` and/or typed text) into the text a
//! screen or ledger shows, in the station's language and local time.

use super::{Lang, lang, trf_in};
use crate::domain::fact::Fact;
use crate::domain::time;

/// A system fact in the current language; times in the station's zone.
pub fn fact_text(fact: &Fact, offset_min: i32) -> String {
    fact_text_in(lang(), fact, offset_min)
}

pub fn fact_text_in(lang: Lang, fact: &Fact, offset_min: i32) -> String {
    let trf = |key: &str, args: &[(&str, String)]| trf_in(lang, key, args);
    match fact {
        Fact::NotInRoster { file } => trf("roster.left_reason", &[("file", file.clone())]),
        Fact::OnLeave {
            destination,
            approved_by,
            due_ms,
        } => trf(
            "roll.note.leave",
            &[
                ("where", destination.clone()),
                ("by", approved_by.clone()),
                ("due", time::fmt_local(*due_ms, offset_min, "%m-%d %H:%M")),
            ],
        ),
        Fact::OutThroughGate {
            with_name,
            relation,
            at_ms,
        } => trf(
            "roll.note.gate",
            &[
                ("with", with_name.clone()),
                ("relation", relation.clone()),
                ("at", time::fmt_local(*at_ms, offset_min, "%H:%M")),
            ],
        ),
    }
}

/// A note or reason as shown: the fact (if any) translated, then what a
/// person typed as typed. Old events have only text (already translated
/// when written) and show it as it stands.
pub fn note_text(note: &str, fact: Option<&Fact>, offset_min: i32) -> String {
    note_text_in(lang(), note, fact, offset_min)
}

pub fn note_text_in(lang: Lang, note: &str, fact: Option<&Fact>, offset_min: i32) -> String {
    match fact {
        Some(f) if note.is_empty() => fact_text_in(lang, f, offset_min),
        Some(f) => format!("{} · {note}", fact_text_in(lang, f, offset_min)),
        None => note.to_string(),
    }
}

/// A visitor's name as shown: a purged visit says it was erased.
pub fn visitor_name(d: &crate::domain::visit::VisitDetails) -> String {
    if d.is_erased() {
        super::tr("visit.erased")
    } else {
        d.name.clone()
    }
}

/// "迟到 25 分", "空岗", …
pub fn duty_flag(f: &crate::domain::duty::DutyFlag) -> String {
    use crate::domain::duty::DutyFlag;
    use crate::i18n::{tr, trf};
    match f {
        DutyFlag::Late { who, minutes } => trf(
            "duty.flag.late",
            &[("who", who.clone()), ("min", minutes.to_string())],
        ),
        DutyFlag::Uncovered => tr("duty.flag.uncovered"),
        DutyFlag::Unplanned { who } => trf("duty.flag.unplanned", &[("who", who.clone())]),
        DutyFlag::NotPlanned => tr("duty.flag.not_planned"),
        DutyFlag::PreviousNotHandedOver => tr("duty.flag.not_handed_over"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_show_in_the_station_language_and_zone() {
        let f = Fact::OutThroughGate {
            with_name: "李华".into(),
            relation: "父亲".into(),
            // 2026-11-30 10:05 UTC = 18:05 at UTC+8.
            at_ms: 1_796_033_100_000,
        };
        let zh = note_text_in(Lang::ZhCn, "", Some(&f), 480);
        let en = note_text_in(Lang::En, "", Some(&f), 480);
        assert_eq!(zh, "18:05 随 李华（父亲）离校");
        assert_eq!(en, "left with 李华 (父亲) at 18:05");
        assert_eq!(
            note_text_in(Lang::En, "typed", Some(&f), 480),
            "left with 李华 (父亲) at 18:05 · typed"
        );
        assert_eq!(note_text_in(Lang::En, "旧文本", None, 480), "旧文本");
    }
}
