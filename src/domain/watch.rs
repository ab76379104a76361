//! Watchlist matching for visitor sign-in.
//!
//! A hit interrupts the duty officer, so every match says *why* it matched and
//! the fuzzy rules are deliberately narrow: two different people who merely
//! share a surname (张三 / 张四) must not be flagged.

use serde::{Deserialize, Serialize};

use crate::domain::names::{NameKeys, edit_distance, name_keys, normalize_name};
use crate::domain::validate::normalize_input;

/// A person on the watchlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchEntry {
    pub id: String,
    pub name: String,
    pub id_no: Option<String>,
    pub phone: Option<String>,
}

/// The person being signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub id_no: Option<String>,
    pub phone: Option<String>,
}

/// Why an entry matched; declaration order is strongest first, so `Ord`
/// sorts the most convincing reason to the front.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    IdNumber,
    Phone,
    ExactName,
    Pinyin,
    NearName,
}

impl MatchReason {
    /// Catalog key, e.g. `"watch.reason.id_number"`.
    pub fn key(self) -> &'static str {
        match self {
            MatchReason::IdNumber => "watch.reason.id_number",
            MatchReason::Phone => "watch.reason.phone",
            MatchReason::ExactName => "watch.reason.exact_name",
            MatchReason::Pinyin => "watch.reason.pinyin",
            MatchReason::NearName => "watch.reason.near_name",
        }
    }
}

/// One watchlist entry that matched, with every reason (strongest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchMatch {
    pub entry_id: String,
    pub reasons: Vec<MatchReason>,
}

fn norm_id(s: Option<&str>) -> Option<String> {
    let v: String = normalize_input(s?)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!v.is_empty()).then_some(v)
}

fn norm_phone(s: Option<&str>) -> Option<String> {
    let digits: String = normalize_input(s?)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let d = if let Some(rest) = digits.strip_prefix("0086") {
        rest
    } else if digits.len() == 13 && digits.starts_with("86") {
        // Only a country code when a full mobile number follows it.
        &digits[2..]
    } else {
        &digits
    };
    (!d.is_empty()).then(|| d.to_string())
}

/// A name's normalised form and pinyin keys, computed once per comparison side.
struct NameInfo {
    norm: String,
    keys: NameKeys,
}

impl NameInfo {
    fn new(name: &str) -> Self {
        let norm = normalize_name(name);
        let keys = name_keys(&norm);
        NameInfo { norm, keys }
    }
}

fn is_latin(norm: &str) -> bool {
    norm.chars().any(|c| c.is_ascii_alphabetic())
        && norm
            .chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'))
}

fn letter_count(norm: &str) -> usize {
    norm.chars().filter(char::is_ascii_alphabetic).count()
}

/// Typo-level similarity, only for names long enough that one slip still
/// leaves a distinctive name.
fn near_name(a: &NameInfo, b: &NameInfo) -> bool {
    let spelled = if is_latin(&a.norm) && is_latin(&b.norm) {
        letter_count(&a.norm) >= 5
            && letter_count(&b.norm) >= 5
            && edit_distance(&a.norm, &b.norm) <= 1
    } else {
        // Two-char Chinese names are excluded: 张三 vs 张四 differ by one char
        // but are plainly different people. The surname must agree too.
        a.norm.chars().count() >= 3
            && b.norm.chars().count() >= 3
            && a.norm.chars().next() == b.norm.chars().next()
            && edit_distance(&a.norm, &b.norm) == 1
    };
    // One-letter pinyin slips (ming/min, san/shan) on long readings catch
    // mis-heard names written with a different character.
    let sounded = a.keys.full.len() >= 8
        && b.keys.full.len() >= 8
        && edit_distance(&a.keys.full, &b.keys.full) == 1;
    spelled || sounded
}

fn name_reason(c: &NameInfo, e: &NameInfo) -> Option<MatchReason> {
    if c.norm.is_empty() || e.norm.is_empty() {
        return None;
    }
    if c.norm == e.norm {
        return Some(MatchReason::ExactName);
    }
    if c.keys.all_full.iter().any(|r| e.keys.all_full.contains(r)) {
        return Some(MatchReason::Pinyin);
    }
    near_name(c, e).then_some(MatchReason::NearName)
}

/// Every entry the candidate matches, strongest evidence first; entries with
/// equally strong evidence keep watchlist order, more reasons ranking higher.
pub fn match_watchlist(c: &Candidate, entries: &[WatchEntry]) -> Vec<WatchMatch> {
    let c_id = norm_id(c.id_no.as_deref());
    let c_phone = norm_phone(c.phone.as_deref());
    let c_name = NameInfo::new(&c.name);

    let mut out: Vec<WatchMatch> = entries
        .iter()
        .filter_map(|e| {
            let mut reasons = Vec::new();
            if c_id.is_some() && c_id == norm_id(e.id_no.as_deref()) {
                reasons.push(MatchReason::IdNumber);
            }
            if c_phone.is_some() && c_phone == norm_phone(e.phone.as_deref()) {
                reasons.push(MatchReason::Phone);
            }
            if let Some(r) = name_reason(&c_name, &NameInfo::new(&e.name)) {
                reasons.push(r);
            }
            reasons.sort();
            (!reasons.is_empty()).then(|| WatchMatch {
                entry_id: e.id.clone(),
                reasons,
            })
        })
        .collect();
    out.sort_by_key(|m| (m.reasons[0], std::cmp::Reverse(m.reasons.len())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, name: &str, id_no: Option<&str>, phone: Option<&str>) -> WatchEntry {
        WatchEntry {
            id: id.into(),
            name: name.into(),
            id_no: id_no.map(Into::into),
            phone: phone.map(Into::into),
        }
    }

    fn cand(name: &str, id_no: Option<&str>, phone: Option<&str>) -> Candidate {
        Candidate {
            name: name.into(),
            id_no: id_no.map(Into::into),
            phone: phone.map(Into::into),
        }
    }

    /// Reasons for a single candidate/entry pair; empty means no match.
    fn reasons(c: &Candidate, e: &WatchEntry) -> Vec<MatchReason> {
        match_watchlist(c, std::slice::from_ref(e))
            .pop()
            .map(|m| m.reasons)
            .unwrap_or_default()
    }

    fn names(a: &str, b: &str) -> Vec<MatchReason> {
        reasons(&cand(a, None, None), &entry("e", b, None, None))
    }

    #[test]
    fn keys() {
        assert_eq!(MatchReason::IdNumber.key(), "watch.reason.id_number");
        assert_eq!(MatchReason::NearName.key(), "watch.reason.near_name");
        assert!(MatchReason::IdNumber < MatchReason::NearName);
    }

    #[test]
    fn id_number_only() {
        let e = entry("e", "李四", Some("11010519491231002X"), None);
        let c = cand("王五", Some(" 11010519491231002x "), None);
        assert_eq!(reasons(&c, &e), vec![MatchReason::IdNumber]);
    }

    #[test]
    fn phone_only() {
        let e = entry("e", "李四", None, Some("138-1234-5678"));
        for p in ["+86 138 1234 5678", "8613812345678", "0086 13812345678"] {
            let c = cand("王五", None, Some(p));
            assert_eq!(reasons(&c, &e), vec![MatchReason::Phone], "{p}");
        }
    }

    #[test]
    fn exact_name() {
        assert_eq!(names("张 三", "张三"), vec![MatchReason::ExactName]);
        assert_eq!(names("Li  Lei", "li lei"), vec![MatchReason::ExactName]);
    }

    #[test]
    fn pinyin_homophones() {
        assert_eq!(names("张三", "章三"), vec![MatchReason::Pinyin]);
        // Same surname character written once as 曾 (zeng) and once as 增.
        assert_eq!(names("曾小明", "增小明"), vec![MatchReason::Pinyin]);
        // A pinyin spelling of the name in the latin field.
        assert_eq!(names("Zhang San", "张三"), vec![MatchReason::Pinyin]);
        assert_eq!(names("Zeng Xiaoming", "曾小明"), vec![MatchReason::Pinyin]);
        assert_eq!(names("Ceng Xiaoming", "曾小明"), vec![MatchReason::Pinyin]);
    }

    #[test]
    fn near_names() {
        // 明 and 名 are both "ming", so the stronger homophone reason wins.
        assert_eq!(names("王小明", "王小名"), vec![MatchReason::Pinyin]);
        assert_eq!(names("王小明", "王大明"), vec![MatchReason::NearName]);
        assert_eq!(names("欧阳娜娜", "欧阳娜"), vec![MatchReason::NearName]);
        assert_eq!(names("Smith", "Smyth"), vec![MatchReason::NearName]);
        // Different surname: not a typo of the same person.
        assert!(names("王小明", "李小明").is_empty());
        // Latin names that are too short for a one-letter slip to mean much.
        assert!(names("Anna", "Anne").is_empty());
        // Long pinyin one letter apart (san / shan).
        assert_eq!(names("张三", "张山"), vec![MatchReason::NearName]);
    }

    #[test]
    fn different_people_do_not_match() {
        let e = entry("e", "张三", Some("11010519491231002X"), Some("13812345678"));
        let c = cand("李四", Some("440304199003071234"), Some("13912345678"));
        assert!(reasons(&c, &e).is_empty());
        assert!(names("张三", "张四").is_empty());
        assert!(names("李四", "张三").is_empty());
        assert!(names("王明", "王敏").is_empty());
    }

    #[test]
    fn empty_fields_never_match() {
        let e = entry("e", "", Some(""), Some(""));
        let c = cand("", Some(""), Some(" "));
        assert!(reasons(&c, &e).is_empty());
        let e = entry("e", "张三", None, None);
        assert!(reasons(&cand("  ", None, None), &e).is_empty());
        let e = entry("e", "", Some("X1"), Some("13812345678"));
        assert!(reasons(&cand("张三", None, None), &e).is_empty());
    }

    #[test]
    fn combined_reasons_sorted() {
        let e = entry("e", "张三", Some("11010519491231002X"), Some("13812345678"));
        let c = cand("章三", Some("11010519491231002X"), Some("13812345678"));
        assert_eq!(
            reasons(&c, &e),
            vec![
                MatchReason::IdNumber,
                MatchReason::Phone,
                MatchReason::Pinyin
            ]
        );
    }

    #[test]
    fn results_sorted_by_strongest_reason() {
        let entries = vec![
            entry("near", "王小名", None, None),
            entry("nobody", "赵六", None, None),
            entry("phone", "周七", None, Some("13812345678")),
            entry("exact", "王小明", None, None),
            entry("id", "吴八", Some("11010519491231002X"), None),
            entry(
                "id_phone",
                "郑九",
                Some("11010519491231002X"),
                Some("13812345678"),
            ),
        ];
        let c = cand("王小明", Some("11010519491231002X"), Some("13812345678"));
        let got: Vec<String> = match_watchlist(&c, &entries)
            .into_iter()
            .map(|m| m.entry_id)
            .collect();
        assert_eq!(got, vec!["id_phone", "id", "phone", "exact", "near"]);
    }
}
