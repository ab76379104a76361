//! Sizes shared by both writers: the table's width in columns, and column
//! widths and wrapped-line estimates for the .xlsx.

use super::Ledger;

/// Excel's default column width for 宋体 11, in characters.
pub(super) const DEFAULT_COLUMN_WIDTH: f64 = 8.38;
/// Height in points of one line of 宋体 11, i.e. Excel's default row height.
pub(super) const LINE_HEIGHT: f64 = 13.5;

/// The usable width of a column, or `None` to leave Excel's default.
pub(super) fn column_width(width: f64) -> Option<f64> {
    // Excel's own limit is 255 characters.
    (width.is_finite() && width > 0.0).then_some(width.min(255.0))
}

/// Estimated number of lines `text` wraps to in a column `width` characters
/// wide, where a CJK character takes the room of two digits.
pub(super) fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = width.max(1.0);
    text.split('\n')
        .map(|line| {
            let units: u32 = line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum();
            // Round up; an empty line still takes one line.
            (f64::from(units) / per_line).ceil().max(1.0) as u32
        })
        .sum()
}

/// East Asian wide characters (CJK ideographs, kana, hangul, full-width
/// forms and punctuation) — the ranges that matter for these forms.
fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    )
}

/// Number of table columns: the declared columns, widened for any longer
/// row so that no cell is silently dropped.
pub(super) fn table_width(ledger: &Ledger) -> usize {
    ledger
        .rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(ledger.columns.len())
}

/// `cells` padded with "" up to `width`.
pub(super) fn padded<'a>(
    cells: impl Iterator<Item = &'a str>,
    width: usize,
) -> impl Iterator<Item = &'a str> {
    cells.chain(std::iter::repeat("")).take(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_estimates_cjk_as_double_width() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghij", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghijk", 10.0), 2);
        assert_eq!(wrapped_lines("张三李四王五", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\n", 10.0), 3);
        assert_eq!(wrapped_lines("x", 0.0), 1);
    }
}
