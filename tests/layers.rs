//! Layers point one way. Reads every `.rs` file under `src/` and fails,
//! naming file and line, where a module reaches a layer it may not use.
//! The same table is in docs/architecture.md ("Layers").

use std::path::{Path, PathBuf};

/// (folder under `src/`, top-level modules of the crate it may not use).
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "store", "i18n", "import", "report", "sync", "panes", "ui", "app", "screens", "cli",
        ],
    ),
    (
        "store",
        &[
            "i18n", "import", "report", "panes", "ui", "app", "screens", "cli", "sync",
        ],
    ),
    ("sync", &["panes", "ui", "app", "screens", "cli"]),
    ("import", &["panes", "ui", "app", "screens"]),
    ("report", &["panes", "ui", "app", "screens"]),
];

/// (folder, words its code may not contain at all, even outside `crate::`).
const FORBIDDEN_WORDS: &[(&str, &[&str])] = &[
    ("domain", &["i18n", "ratatui", "rusqlite"]),
    ("store", &["i18n"]),
];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The line without its `//` comment (string literals holding `//` are
/// rare in this crate and would only make the check stricter).
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// Every crate module a file's code names, with its line: `crate::x`, and
/// each first name inside `crate::{x, y::z}` (which may span lines). A
/// file's unit tests (from its `#[cfg(test)]` on) may build their inputs
/// with any layer — a domain test reads fixture files with the importer.
fn crate_uses(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .map(code)
        .collect();
    let joined = lines.join("\n");
    let line_of = |pos: usize| joined[..pos].matches('\n').count() + 1;
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = vec![];
    for (pos, _) in joined.match_indices("crate::") {
        let rest = &joined[pos + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: split on commas outside braces.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push((line_of(pos), ident(&group[start..i])));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push((line_of(pos), ident(&group[start..i])));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push((line_of(pos), ident(rest)));
        }
    }
    out.retain(|(_, m)| !m.is_empty());
    out
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rs_files(&src, &mut files);
    files.sort();
    let mut bad = vec![];
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let layer = rel.split('/').next().unwrap_or("").trim_end_matches(".rs");
        let text = std::fs::read_to_string(f).unwrap();
        if let Some((_, banned)) = FORBIDDEN.iter().find(|(l, _)| *l == layer) {
            for (line, m) in crate_uses(&text) {
                if banned.contains(&m.as_str()) {
                    bad.push(format!("src/{rel}:{line}: {layer} uses crate::{m}"));
                }
            }
        }
        for (i, line) in text.lines().enumerate() {
            if let Some((_, words)) = FORBIDDEN_WORDS.iter().find(|(l, _)| *l == layer) {
                for w in *words {
                    if line.contains(w) {
                        bad.push(format!("src/{rel}:{}: {layer} mentions {w}", i + 1));
                    }
                }
            }
            if layer != "store" && code(line).contains(".conn()") {
                bad.push(format!(
                    "src/{rel}:{}: .conn() outside the store; add a Store method",
                    i + 1
                ));
            }
        }
    }
    bad
}

#[test]
fn layers_point_one_way() {
    let bad = violations();
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_finds_uses_in_every_form() {
    let text = "use crate::store::Store; // crate::ui in a comment\n\
                use crate::{\n    domain::event,\n    i18n::{tr, trf},\n};\n\
                let x = crate::panes::error_text(e);\n\
                #[cfg(test)]\nuse crate::import::roster;\n";
    assert_eq!(
        crate_uses(text),
        vec![
            (1, "store".to_string()),
            (2, "domain".to_string()),
            (2, "i18n".to_string()),
            (6, "panes".to_string()),
        ]
    );
}
