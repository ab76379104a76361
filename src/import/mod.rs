//! Reading files the school already has into domain values. Pure apart from
//! reading the file itself; nothing here touches the store.

pub mod checkpoints;
pub mod duty;
pub mod roster;
pub mod summary;

/// A header cell as it is matched: full-width folded, lower case, without
/// spaces or the marks offices put on required columns (`*`, `＊`).
pub(crate) fn header_key(s: &str) -> String {
    crate::domain::validate::fold_full_width(s)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !"-_.*＊".contains(*c))
        .collect()
}

/// The column index of each known field in a header row, by the names each
/// field may go by (`table`: field, its accepted header keys); the first
/// column naming a field wins.
pub(crate) fn columns(
    row: &[String],
    table: &[(&'static str, &[&str])],
) -> Vec<(&'static str, usize)> {
    let mut out = vec![];
    for (i, cell) in row.iter().enumerate() {
        let k = header_key(cell);
        if let Some((field, _)) = table.iter().find(|(_, a)| a.contains(&k.as_str()))
            && !out.iter().any(|(f, _)| f == field)
        {
            out.push((*field, i));
        }
    }
    out
}
