//! Person-name normalisation and pinyin search keys.
//!
//! Duty staff type names fast, often as pinyin or initials ("zs" for 张三),
//! and surnames such as 曾/单/解 have several readings, so every plausible
//! reading is indexed rather than guessing one.

use pinyin::{Pinyin, ToPinyinMulti};

/// Upper bound on heteronym combinations per name; keeps the search blob small
/// even for long names made of multi-reading characters.
const MAX_COMBOS: usize = 16;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3007 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The many dots people type between parts of minority or transliterated names.
fn is_name_dot(c: char) -> bool {
    matches!(
        c,
        '·' | '.' | '•' | '‧' | '・' | '･' | '∙' | '⋅' | '\u{0387}'
    )
}

/// Canonical form used for equality and display-independent comparison.
///
/// Chinese names lose all whitespace ("张 三" is 张三) and any separator dot
/// becomes U+00B7 (阿依古丽·买买提); latin names keep single spaces.
pub fn normalize_name(s: &str) -> String {
    let folded = crate::domain::validate::normalize_input(s);
    if folded.chars().any(is_cjk) {
        folded
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if is_name_dot(c) { '·' } else { c })
            .flat_map(char::to_lowercase)
            .collect()
    } else {
        folded
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }
}

/// Pinyin search keys of one name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameKeys {
    /// Most common reading, no separators ("zhangsan").
    pub full: String,
    /// First letters of the most common reading ("zs").
    pub initials: String,
    /// Every reading combination (common first), at most 16.
    pub all_full: Vec<String>,
    /// Every initials combination (common first), at most 16.
    pub all_initials: Vec<String>,
}

/// One searchable unit of a name: a hanzi with its readings, or a latin/digit run.
struct Token {
    readings: Vec<String>,
    initials: Vec<String>,
}

/// Plain pinyin in ASCII: ü is typed as v on every Chinese keyboard.
fn ascii_reading(p: Pinyin) -> String {
    p.plain()
        .chars()
        .map(|c| match c {
            'ü' => 'v',
            'ê' => 'e',
            _ => c,
        })
        .collect()
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

fn tokens(normalized: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut Vec<Token>| {
        if run.is_empty() {
            return;
        }
        let word = std::mem::take(run);
        // A latin word abbreviates to its first letter; digits stay whole.
        let initial = if word.starts_with(|c: char| c.is_ascii_digit()) {
            word.clone()
        } else {
            word.chars().take(1).collect()
        };
        out.push(Token {
            readings: vec![word],
            initials: vec![initial],
        });
    };
    for c in normalized.chars() {
        if c.is_ascii_alphanumeric() {
            let c = c.to_ascii_lowercase();
            // Split letter runs from digit runs so "li3" indexes as li + 3.
            if run
                .chars()
                .last()
                .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit())
            {
                flush(&mut run, &mut out);
            }
            run.push(c);
            continue;
        }
        flush(&mut run, &mut out);
        if let Some(multi) = c.to_pinyin_multi() {
            let mut readings = Vec::new();
            let mut initials = Vec::new();
            for p in multi {
                let r = ascii_reading(p);
                if r.is_empty() {
                    continue;
                }
                // By char, not byte: a reading is not promised to be ASCII.
                push_unique(&mut initials, r.chars().take(1).collect());
                push_unique(&mut readings, r);
            }
            if !readings.is_empty() {
                out.push(Token { readings, initials });
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Concatenations of one option per slot, best-ranked first, capped at `cap`.
///
/// Rank is the sum of option indices, so the all-common reading comes first
/// and one-off variants (e.g. the other reading of the surname) come next.
/// Truncating after every slot is safe: a top-`cap` combination always has a
/// top-`cap` prefix.
fn combos<'a>(slots: impl Iterator<Item = &'a [String]>, cap: usize) -> Vec<String> {
    let mut acc: Vec<(usize, String)> = vec![(0, String::new())];
    for opts in slots {
        let mut next: Vec<(usize, String)> = Vec::with_capacity(acc.len() * opts.len());
        for (rank, prefix) in &acc {
            for (i, o) in opts.iter().enumerate() {
                let s = format!("{prefix}{o}");
                if !next.iter().any(|(_, e)| *e == s) {
                    next.push((rank + i, s));
                }
            }
        }
        next.sort_by_key(|(r, _)| *r);
        next.truncate(cap);
        acc = next;
    }
    acc.into_iter()
        .map(|(_, s)| s)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Compute pinyin keys for a name. Characters with no pinyin that are not
/// latin letters or digits are skipped.
pub fn name_keys(name: &str) -> NameKeys {
    let toks = tokens(&normalize_name(name));
    if toks.is_empty() {
        return NameKeys::default();
    }
    let all_full = combos(toks.iter().map(|t| t.readings.as_slice()), MAX_COMBOS);
    let all_initials = combos(toks.iter().map(|t| t.initials.as_slice()), MAX_COMBOS);
    NameKeys {
        full: all_full.first().cloned().unwrap_or_default(),
        initials: all_initials.first().cloned().unwrap_or_default(),
        all_full,
        all_initials,
    }
}

/// Space-separated lowercase text to match `LIKE '%q%'` queries against:
/// the normalised name, then every full reading, then every initials form.
pub fn search_blob(name: &str) -> String {
    let keys = name_keys(name);
    let mut parts: Vec<String> = Vec::new();
    let normalized = normalize_name(name);
    if !normalized.is_empty() {
        parts.push(normalized);
    }
    for s in keys.all_full.into_iter().chain(keys.all_initials) {
        push_unique(&mut parts, s);
    }
    parts.join(" ")
}

/// Levenshtein distance counted in chars (not bytes), so 王小明/王小名 is 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// True when a query is plain ASCII letters, i.e. could be pinyin initials.
pub fn looks_like_initials(q: &str) -> bool {
    !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize_name("  张 三 "), "张三");
        assert_eq!(normalize_name("Li   Lei"), "li lei");
        assert_eq!(normalize_name("ＬＩ"), "li");
        assert_eq!(normalize_name("Ｌｉ　Ｌｅｉ"), "li lei");
        assert_eq!(normalize_name("阿依古丽·买买提"), "阿依古丽·买买提");
        assert_eq!(normalize_name("阿依古丽 • 买买提"), "阿依古丽·买买提");
        assert_eq!(normalize_name("阿依古丽.买买提"), "阿依古丽·买买提");
        assert_eq!(normalize_name("   "), "");
    }

    #[test]
    fn zhang_san() {
        let k = name_keys("张三");
        assert_eq!(k.full, "zhangsan");
        assert_eq!(k.initials, "zs");
        assert_eq!(k.all_full, vec!["zhangsan"]);
        assert_eq!(k.all_initials, vec!["zs"]);
    }

    #[test]
    fn surname_heteronyms() {
        let k = name_keys("曾小明");
        assert!(k.all_full.contains(&"zengxiaoming".to_string()), "{k:?}");
        assert!(k.all_full.contains(&"cengxiaoming".to_string()), "{k:?}");
        assert!(k.all_initials.contains(&"zxm".to_string()));
        assert!(k.all_initials.contains(&"cxm".to_string()));
        // The full key is the all-first-readings combination.
        assert_eq!(k.all_full[0], k.full);

        let k = name_keys("单田芳");
        assert!(k.all_full.contains(&"shantianfang".to_string()), "{k:?}");
        assert!(k.all_full.contains(&"dantianfang".to_string()), "{k:?}");
        assert!(k.all_initials.contains(&"stf".to_string()));
    }

    #[test]
    fn umlaut_is_v() {
        assert_eq!(name_keys("吕").full, "lv");
    }

    #[test]
    fn latin_and_digits() {
        let k = name_keys("Li Lei");
        assert_eq!(k.full, "lilei");
        assert_eq!(k.initials, "ll");
        let k = name_keys("张三2");
        assert_eq!(k.full, "zhangsan2");
        assert_eq!(k.initials, "zs2");
        // Characters with neither pinyin nor ASCII are skipped.
        assert_eq!(name_keys("Øle").full, "le");
        assert_eq!(name_keys("！？"), NameKeys::default());
    }

    #[test]
    fn combination_cap() {
        // 单 has three readings: 3^6 = 729 combinations without the cap.
        let k = name_keys("单单单单单单");
        assert_eq!(k.all_full.len(), MAX_COMBOS);
        assert!(k.all_initials.len() <= MAX_COMBOS);
        assert_eq!(k.all_full[0], "dandandandandandan");
        // Every one-char switch to the second reading ranks right after the
        // common one, whichever position it is in.
        assert!(k.all_full.contains(&"chandandandandandan".to_string()));
        assert!(k.all_full.contains(&"dandandandandanchan".to_string()));
        let mut dedup = k.all_full.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), k.all_full.len());
    }

    #[test]
    fn blob() {
        assert_eq!(search_blob("张三"), "张三 zhangsan zs");
        let b = search_blob("曾小明");
        assert!(b.starts_with("曾小明 "));
        assert!(b.contains("zengxiaoming") && b.contains("zxm"));
        assert_eq!(search_blob("Li Lei"), "li lei lilei ll");
        assert_eq!(search_blob(""), "");
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("王小明", "王小名"), 1);
        assert_eq!(edit_distance("欧阳娜娜", "欧阳娜"), 1);
        assert_eq!(edit_distance("张三", "李四"), 2);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
    }

    #[test]
    fn every_cjk_character_indexes_without_panic() {
        // The pinyin tables are data; check each hanzi once instead of trusting them.
        for cp in (0x3400..=0x4DBF)
            .chain(0x4E00..=0x9FFF)
            .chain(0xF900..=0xFAFF)
        {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let k = name_keys(&c.to_string());
            assert!(k.full.is_ascii(), "{c} {k:?}");
        }
    }

    #[test]
    fn initials_detection() {
        assert!(looks_like_initials("zs"));
        assert!(looks_like_initials("ZXM"));
        assert!(!looks_like_initials(""));
        assert!(!looks_like_initials("z s"));
        assert!(!looks_like_initials("张"));
        assert!(!looks_like_initials("zs1"));
    }
}
