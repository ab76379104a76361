//! Cell values as offices type them: rooms, beds, floors, genders, zones,
//! yes/no flags, and numbers Excel has reformatted.

use crate::domain::roster::{Gender, Zone};
use crate::domain::validate::fold_full_width;

pub(super) fn clean(s: &str) -> String {
    fold_full_width(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trimmed and single-spaced, every character as typed: full-width
/// brackets and commas in a class or a note are the office's own. The
/// quote our CSV export puts before a leading = + - @ (so a spreadsheet
/// does not run it) is taken off again.
pub(super) fn tidy(s: &str) -> String {
    let s = s.trim();
    let s = match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    };
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A name as typed, without the spaces offices put inside Chinese names
/// to line them up ("王  芳"); Latin names keep single spaces.
pub(super) fn tidy_name(s: &str) -> String {
    let t = tidy(s);
    if t.chars().any(|c| c >= '\u{2E80}') {
        t.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        t
    }
}

/// Undo Excel's number display: "13800138000.0" and "1.3800138E10" are
/// 13800138000. Scientific text is trusted only with more than six
/// significant digits, because Excel's General format shows six
/// ("1.38001E+10") and the rest of the number is already lost.
pub(super) fn excel_integer(s: &str) -> String {
    integral_text(s).unwrap_or_else(|| s.to_string())
}

fn integral_text(s: &str) -> Option<String> {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => {
            let e: i64 = e.strip_prefix('+').unwrap_or(e).parse().ok()?;
            (m, e)
        }
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.')?;
    if int.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    let all = format!("{int}{frac}");
    let significant = all.trim_start_matches('0').trim_end_matches('0').len();
    if exp != 0 && significant <= 6 {
        return None;
    }
    // Integer value = all × 10^(exp − len(frac)).
    let shift = exp - frac.len() as i64;
    let value = if shift >= 0 {
        format!("{all}{}", "0".repeat(usize::try_from(shift).ok()?))
    } else {
        let cut = all.len().checked_sub(usize::try_from(-shift).ok()?)?;
        if !all[cut..].bytes().all(|b| b == b'0') {
            return None;
        }
        all[..cut].to_string()
    };
    let value = value.trim_start_matches('0');
    Some(if value.is_empty() { "0" } else { value }.to_string())
}

fn strip_brackets(s: &str) -> &str {
    s.trim_matches(|c: char| "「」『』【】[]()<>《》\"'".contains(c) || c.is_whitespace())
}

/// "305室", "305寝室", "305" → "305"; letters upper-cased ("a305" → "A305").
pub(super) fn norm_room(s: &str) -> String {
    let s = excel_integer(&clean(s));
    let mut r: String = strip_brackets(&s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for suffix in ["号寝室", "号宿舍", "寝室", "宿舍", "号房", "室", "房", "号"] {
        if let Some(rest) = r.strip_suffix(suffix)
            && !rest.is_empty()
        {
            r = rest.to_string();
            break;
        }
    }
    r.to_ascii_uppercase()
}

/// 「3号床」, "3床", "03", "3#", "床3", "Bed 3" → "3".
pub(super) fn norm_bed(s: &str) -> String {
    let s = excel_integer(&clean(s));
    let mut b: String = strip_brackets(&s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    for prefix in ["第", "床位", "床", "bed"] {
        if let Some(rest) = b.strip_prefix(prefix)
            && !rest.is_empty()
        {
            b = rest.to_string();
        }
    }
    for suffix in ["号床位", "号床", "床位", "床", "号", "#"] {
        if let Some(rest) = b.strip_suffix(suffix)
            && !rest.is_empty()
        {
            b = rest.to_string();
            break;
        }
    }
    if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()) {
        let t = b.trim_start_matches('0');
        return if t.is_empty() { "0" } else { t }.to_string();
    }
    b.to_ascii_uppercase()
}

/// Floor from the room number's last digit run minus the two room digits
/// (305 → 3, 1204 → 12, A305 → 3). Rooms without a floor part are on 1.
pub(super) fn floor_of_room(room: &str) -> i32 {
    let run: String = room
        .chars()
        .rev()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if run.len() >= 3 {
        run[..run.len() - 2].parse().unwrap_or(1)
    } else {
        1
    }
}

/// "3楼", "3F", "3层", "第三层", "三楼", "十二楼" → the number.
pub(super) fn parse_floor(s: &str) -> Option<i32> {
    let mut f: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    f = f.to_lowercase();
    let f = f.strip_prefix('第').unwrap_or(&f);
    let f = ["/f", "楼", "层", "f"]
        .iter()
        .find_map(|suf| f.strip_suffix(suf))
        .unwrap_or(f);
    let f = excel_integer(f);
    if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) {
        return f.parse().ok();
    }
    chinese_number(&f)
}

/// Chinese numerals 1–99 as written for floors (一 … 十二 … 九十九).
fn chinese_number(s: &str) -> Option<i32> {
    let digit = |t: &str| -> Option<i32> {
        let mut cs = t.chars();
        let c = cs.next()?;
        if cs.next().is_some() {
            return None;
        }
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as i32)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    match s.split_once('十') {
        Some((tens, ones)) => {
            let tens = if tens.is_empty() { 1 } else { digit(tens)? };
            let ones = if ones.is_empty() { 0 } else { digit(ones)? };
            Some(tens * 10 + ones)
        }
        None => digit(s).filter(|&n| n > 0),
    }
}

pub(super) fn parse_gender(s: &str) -> Option<Gender> {
    match s.to_lowercase().as_str() {
        "男" | "男生" | "m" | "male" | "boy" => Some(Gender::Male),
        "女" | "女生" | "f" | "female" | "girl" => Some(Gender::Female),
        _ => None,
    }
}

pub(super) fn parse_zone(s: &str) -> Option<Zone> {
    match s.to_lowercase().as_str() {
        "男" | "男生" | "男区" | "男生区" | "m" | "b" | "boys" | "boy" | "male" => {
            Some(Zone::Boys)
        }
        "女" | "女生" | "女区" | "女生区" | "f" | "g" | "girls" | "girl" | "female" => {
            Some(Zone::Girls)
        }
        _ => None,
    }
}

/// 是/否 and the ways offices tick a box; an empty cell is "no".
pub(super) fn parse_flag(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "是" | "有" | "y" | "yes" | "1" | "√" | "✓" | "✔" | "true" | "可接送" | "可以"
        | "may pick up" => Some(true),
        "" | "否" | "无" | "n" | "no" | "0" | "×" | "✗" | "x" | "false" | "不可接送" | "不可"
        | "不可以" | "may not pick up" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_offices_type_them() {
        assert_eq!(norm_bed("「3号床」"), "3");
        assert_eq!(norm_bed("3床"), "3");
        assert_eq!(norm_bed("03"), "3");
        assert_eq!(norm_bed("３"), "3");
        assert_eq!(norm_bed("3.0"), "3");
        assert_eq!(norm_bed("床3"), "3");
        assert_eq!(norm_bed("Bed 4"), "4");
        assert_eq!(norm_bed("3#"), "3");
        assert_eq!(norm_bed("a"), "A");
        assert_eq!(norm_room("305室"), "305");
        assert_eq!(norm_room("305 寝室"), "305");
        assert_eq!(norm_room("a305"), "A305");
        assert_eq!(floor_of_room("305"), 3);
        assert_eq!(floor_of_room("1204"), 12);
        assert_eq!(floor_of_room("A305"), 3);
        assert_eq!(floor_of_room("12"), 1);
        for (s, n) in [
            ("3楼", 3),
            ("3F", 3),
            ("3f", 3),
            ("三楼", 3),
            ("第三层", 3),
            ("十楼", 10),
            ("十二楼", 12),
            ("二十一层", 21),
            ("两楼", 2),
            ("12", 12),
        ] {
            assert_eq!(parse_floor(s), Some(n), "{s}");
        }
        assert_eq!(parse_floor(""), None);
        assert_eq!(parse_floor("顶楼"), None);
        assert_eq!(parse_gender(&clean("Ｍ")), Some(Gender::Male));
        assert_eq!(parse_gender("Female"), Some(Gender::Female));
        assert_eq!(parse_gender("未知"), None);
        for yes in ["是", "Y", "yes", "1", "√"] {
            assert_eq!(parse_flag(yes), Some(true), "{yes}");
        }
        for no in ["否", "N", "no", "0", ""] {
            assert_eq!(parse_flag(no), Some(false), "{no}");
        }
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn excel_integers() {
        assert_eq!(excel_integer("1.3800138E10"), "13800138000");
        assert_eq!(excel_integer("1.38001380E10"), "13800138000");
        assert_eq!(excel_integer("1.3800138001e+10"), "13800138001");
        assert_eq!(excel_integer("13800138000.0"), "13800138000");
        assert_eq!(excel_integer("3.00"), "3");
        // Excel's six-digit display has lost the number: left as is.
        assert_eq!(excel_integer("1.38001E+10"), "1.38001E+10");
        assert_eq!(excel_integer("2.5"), "2.5");
        assert_eq!(excel_integer("305"), "305");
        assert_eq!(excel_integer("1.5E1"), "1.5E1");
    }
}
