//! The two string catalogs (zh-CN, en). Every UI string goes through `tr`.
//!
//! Catalogs are plain `key = text` files compiled into the binary, so a duty PC
//! needs no resource files next to the executable. `{name}` placeholders are
//! filled by `trf`.

pub mod errors;
pub mod facts;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let l = s.trim().to_ascii_lowercase();
        if l.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if l.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// LC_ALL, then LC_MESSAGES, then LANG: zh* → Chinese, anything else → English.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::ZhCn
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }
}

pub const ZH_CN_SRC: &str = include_str!("../../locales/zh-CN.txt");
pub const EN_SRC: &str = include_str!("../../locales/en.txt");

static CURRENT: AtomicU8 = AtomicU8::new(0);

pub fn set_lang(lang: Lang) {
    CURRENT.store(
        match lang {
            Lang::ZhCn => 0,
            Lang::En => 1,
        },
        Ordering::Relaxed,
    );
}

pub fn lang() -> Lang {
    if CURRENT.load(Ordering::Relaxed) == 0 {
        Lang::ZhCn
    } else {
        Lang::En
    }
}

/// Parses a catalog: one `key = text` per line, `#` comments, `\n` escapes.
pub fn parse_catalog(src: &str) -> HashMap<&'static str, String>
where
{
    let mut map = HashMap::new();
    for line in src.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some((k, v)) = line.split_once(" = ") {
            let key: &'static str = Box::leak(k.trim().to_string().into_boxed_str());
            map.insert(key, v.replace("\\n", "\n"));
        }
    }
    map
}

fn catalog(lang: Lang) -> &'static HashMap<&'static str, String> {
    static ZH: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    static EN: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    match lang {
        Lang::ZhCn => ZH.get_or_init(|| parse_catalog(ZH_CN_SRC)),
        Lang::En => EN.get_or_init(|| parse_catalog(EN_SRC)),
    }
}

/// The text for `key` in the current language. A missing key shows the key
/// itself (the catalog test keeps that from ever shipping).
pub fn tr(key: &str) -> String {
    tr_in(lang(), key)
}

pub fn tr_in(lang: Lang, key: &str) -> String {
    catalog(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// `tr` with `{name}` placeholders filled from `args`.
pub fn trf(key: &str, args: &[(&str, String)]) -> String {
    trf_in(lang(), key, args)
}

/// `trf` in a given language.
pub fn trf_in(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let mut s = tr_in(lang, key);
    for (name, val) in args {
        s = s.replace(&format!("{{{name}}}"), val);
    }
    s
}

/// A shift's name: 白班 / 夜班 for the built-in keys, an admin's own key as set.
pub fn shift_name(key: &str) -> String {
    match key {
        "day" | "night" => tr(&format!("shift.{key}")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &'static str) -> BTreeSet<&'static str> {
        parse_catalog(src).keys().copied().collect()
    }

    #[test]
    fn catalogs_have_the_same_keys() {
        let zh = keys(ZH_CN_SRC);
        let en = keys(EN_SRC);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "keys missing in en: {only_zh:?}");
        assert!(only_en.is_empty(), "keys missing in zh-CN: {only_en:?}");
    }

    #[test]
    fn placeholders_match_between_languages() {
        let zh = parse_catalog(ZH_CN_SRC);
        let en = parse_catalog(EN_SRC);
        let ph = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        };
        for (k, v) in &zh {
            assert_eq!(ph(v), ph(&en[k]), "placeholders differ for {k}");
        }
    }

    #[test]
    fn every_key_used_in_source_exists() {
        // Scan src/ for literal keys passed to tr and trf.
        let zh = keys(ZH_CN_SRC);
        let mut missing = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                for pat in ["tr(\"", "trf(\""] {
                    for (i, _) in text.match_indices(pat) {
                        // `push_str("…")` is not a lookup: need a word start.
                        let before = text[..i].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = &text[i + pat.len()..];
                        if let Some((key, _)) = rest.split_once('"')
                            && !zh.contains(key)
                        {
                            missing.push(format!("{}: {key}", p.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not in catalogs: {missing:#?}"
        );
    }
}
