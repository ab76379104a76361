//! Sizes shared by both writers: the table's width in columns, and the
//! print plan of the .xlsx (font size, column widths, row heights) chosen so
//! the table fits one A4 page wide at a readable size.

use super::{LedgerError, Orientation, Table, Watch};

/// Estimated number of lines `text` wraps to in a column `width` characters
/// wide, where a CJK character takes the room of two digits.
pub(super) fn wrapped_lines(text: &str, width: f64) -> u32 {
    let per_line = width.max(1.0);
    text.split('\n')
        .map(|line| {
            let units = f64::from(display_width(line));
            if units <= per_line {
                // An empty line still takes one line.
                1
            } else {
                // Word wrap leaves part of each line empty: count a unit
                // less per line so the row is never too short to show all.
                (units / (per_line - 1.0).max(1.0)).ceil() as u32
            }
        })
        .sum()
}

/// Width of one line of text in half-width units (a CJK character is 2).
pub(super) fn display_width(line: &str) -> u32 {
    line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Room a cell needs beside its text (padding and border), in points.
const CELL_PAD_PT: f64 = 5.0;
/// Page margins in inches: left/right, top/bottom, header/footer.
pub(super) const MARGIN_SIDE_IN: f64 = 0.4;
pub(super) const MARGIN_TOP_IN: f64 = 0.75;
pub(super) const MARGIN_BOTTOM_IN: f64 = 0.9;
pub(super) const MARGIN_HEADER_IN: f64 = 0.3;
/// Widest a column grows before its text wraps, in half-width units.
const MAX_COLUMN_UNITS: u32 = 40;
/// Narrowest a text column is made for a long word, in half-width units.
const MAX_TEXT_FLOOR: u32 = 8;
/// Narrowest any column is made, in half-width units.
const MIN_COLUMN_UNITS: u32 = 2;

/// How the table is printed: one font size for header and data, and each
/// column's width in Excel characters.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PrintPlan {
    pub font_pt: f64,
    /// Excel column widths (characters of the workbook's default font).
    pub widths: Vec<f64>,
    /// Text units (half-width characters) that fit on one line of each
    /// column at `font_pt`, for row-height estimates.
    pub line_units: Vec<f64>,
    /// Short values (numbers, dates, times, one-character marks) are centred.
    pub centred: Vec<bool>,
}

impl PrintPlan {
    /// Height in points of a row whose tallest cell has `lines` lines,
    /// with padding above and below so the printout is not cramped.
    pub fn row_height(&self, lines: u32) -> f64 {
        f64::from(lines.clamp(1, 30)) * self.font_pt * 1.25 + 5.0
    }

    /// Lines the tallest cell of a row wraps to.
    pub fn row_lines<'a>(&self, cells: impl Iterator<Item = &'a str>) -> u32 {
        cells
            .zip(&self.line_units)
            .map(|(cell, units)| wrapped_lines(cell, *units))
            .max()
            .unwrap_or(1)
    }
}

/// Printable width of A4 in points, between the side margins.
fn printable_width_pt(orientation: Orientation) -> f64 {
    let paper_in = match orientation {
        Orientation::Landscape => 297.0 / 25.4,
        Orientation::Portrait => 210.0 / 25.4,
    };
    // A little slack: Excel and LibreOffice round column pixels differently.
    (paper_in - 2.0 * MARGIN_SIDE_IN) * 72.0 * 0.97
}

/// Width in points of a column holding `units` half-width characters.
fn column_pt(units: f64, font_pt: f64) -> f64 {
    units * font_pt / 2.0 + CELL_PAD_PT
}

/// Excel width (characters) of a column `pt` points wide. The workbook's
/// default font (宋体 11) has an 8 px maximum digit width and Excel adds
/// 5 px of padding; 0.75 pt per pixel at 96 dpi.
fn excel_width(pt: f64) -> f64 {
    ((pt / 0.75 - 5.0) / 8.0).max(1.0)
}

/// Measures every cell and picks the largest font at which the table fits
/// one page wide, narrowing the widest columns (their text wraps) before
/// giving up a point of font size. Only if even the narrowest columns do
/// not fit at 9 pt is the page scaled below that, by fit-to-width.
pub(super) fn print_plan(
    table: Table,
    width: usize,
    watch: &dyn Watch,
) -> Result<PrintPlan, LedgerError> {
    let ledger = table.ledger;
    let mut desired = vec![0u32; width];
    // The longest piece that cannot wrap (a date, an ID number, a word).
    let mut unbreakable = vec![0u32; width];
    let mut short = vec![None::<bool>; width];
    for (i, col) in ledger.columns.iter().enumerate() {
        for line in col.header.split('\n') {
            desired[i] = desired[i].max(display_width(line));
            unbreakable[i] = unbreakable[i].max(longest_unbreakable(line).min(8));
        }
    }
    let records = table.records();
    // The first of the two passes over the rows: measuring.
    table.each((0, 2), watch, &mut |r, row| {
        let is_record = r < records;
        for (i, cell) in row.iter().enumerate().take(width) {
            for line in cell.split('\n') {
                desired[i] = desired[i].max(display_width(line));
                unbreakable[i] = unbreakable[i].max(longest_unbreakable(line));
            }
            if is_record && !cell.is_empty() {
                let s = short[i].get_or_insert(true);
                *s = *s && is_compact(cell);
            }
        }
        Ok(())
    })?;
    // Without data the declared widths (in Excel characters) stand in.
    for (i, col) in ledger.columns.iter().enumerate() {
        if table.len() == 0 && col.width.is_finite() && col.width > 0.0 {
            desired[i] = desired[i].max((col.width.min(255.0) * 1.2) as u32);
        }
    }
    let desired: Vec<u32> = desired
        .iter()
        .map(|d| (*d).clamp(MIN_COLUMN_UNITS, MAX_COLUMN_UNITS))
        .collect();
    // Dates, times and ID numbers must not break; in text columns Excel
    // breaks an over-long word anywhere, so a long word does not hold a
    // column wide.
    let floor: Vec<u32> = desired
        .iter()
        .zip(&unbreakable)
        .zip(&short)
        .map(|((d, u), short)| {
            let u = if *short == Some(true) {
                *u
            } else {
                (*u).min(MAX_TEXT_FLOOR)
            };
            u.clamp(MIN_COLUMN_UNITS, *d)
        })
        .collect();

    let avail = printable_width_pt(ledger.orientation);
    let total = |units: &[f64], f: f64| units.iter().map(|u| column_pt(*u, f)).sum::<f64>();
    let as_f64 = |v: &[u32]| v.iter().map(|u| f64::from(*u)).collect::<Vec<f64>>();
    let (desired, floor) = (as_f64(&desired), as_f64(&floor));

    // Prefer no wrapping at 11 or 10 pt, then wrapping at 10, then 9 pt:
    // the smallest size an inspector reads comfortably on paper.
    let mut chosen = None;
    for f in [11.0, 10.0] {
        if total(&desired, f) <= avail {
            chosen = Some((f, desired.clone()));
            break;
        }
    }
    if chosen.is_none() {
        for f in [10.0, 9.0] {
            if total(&floor, f) <= avail {
                chosen = Some((f, fill_to(&desired, &floor, avail, f)));
                break;
            }
        }
    }
    let (font_pt, units) = chosen.unwrap_or((9.0, floor));
    Ok(PrintPlan {
        font_pt,
        widths: units
            .iter()
            .map(|u| excel_width(column_pt(*u, font_pt)).min(255.0))
            .collect(),
        line_units: units.clone(),
        centred: short.into_iter().map(|s| s.unwrap_or(false)).collect(),
    })
}

/// Column widths between `floor` and `desired` whose total fits `avail`:
/// every column gets up to a common cap, found by bisection, so the widest
/// columns give up room first.
fn fill_to(desired: &[f64], floor: &[f64], avail: f64, font_pt: f64) -> Vec<f64> {
    let widths = |cap: f64| -> Vec<f64> {
        desired
            .iter()
            .zip(floor)
            .map(|(d, f)| cap.clamp(*f, *d))
            .collect()
    };
    let fits = |cap: f64| {
        widths(cap)
            .iter()
            .map(|u| column_pt(*u, font_pt))
            .sum::<f64>()
            <= avail
    };
    let (mut lo, mut hi) = (0.0, f64::from(MAX_COLUMN_UNITS));
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if fits(mid) { lo = mid } else { hi = mid }
    }
    widths(lo.floor())
}

/// Longest run of characters a line cannot wrap inside: Excel breaks at
/// spaces and around CJK characters, not inside "2026-11-01" or an ID number.
fn longest_unbreakable(line: &str) -> u32 {
    let (mut best, mut run) = (0, 0);
    for c in line.chars() {
        if c.is_whitespace() {
            run = 0;
        } else if is_wide(c) {
            run = 0;
            best = best.max(2);
        } else {
            run += 1;
            best = best.max(run);
        }
    }
    best
}

/// Numbers, dates, times, masked IDs and one-character marks (√ × 病 假).
fn is_compact(cell: &str) -> bool {
    display_width(cell) <= 2
        || cell.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '-' | ':' | '.' | '/' | '*' | '+' | 'X' | 'x' | '%' | ' ')
        })
}

/// East Asian wide characters (CJK ideographs, kana, hangul, full-width
/// forms and punctuation) — the ranges that matter for these forms — and
/// the marks and punctuation 宋体 draws full width (√ × ○ — “” …).
fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00B7
            | 0x00D7
            | 0x2010..=0x2027
            | 0x2190..=0x22FF
            | 0x2460..=0x24FF
            | 0x25A0..=0x26FF
            | 0x1100..=0x115F
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
/// row held in memory so that no cell is silently dropped. Streamed rows
/// are built to the declared columns.
pub(super) fn table_width(table: Table) -> usize {
    table
        .ledger
        .rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(table.ledger.columns.len())
}

/// `cells` padded with "" up to `width`.
pub(super) fn padded<'a>(
    cells: impl Iterator<Item = &'a str> + Clone,
    width: usize,
) -> impl Iterator<Item = &'a str> + Clone {
    cells.chain(std::iter::repeat("")).take(width)
}

#[cfg(test)]
mod tests {
    use super::super::Ledger;
    use super::*;

    #[test]
    fn wrapped_lines_estimates_cjk_as_double_width() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghij", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghijk", 10.0), 2);
        assert_eq!(wrapped_lines("张三李四王五", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\n", 10.0), 3);
        assert_eq!(wrapped_lines("x", 0.0), 1);
        // 20 units in 10 per line: a third line for word-wrap slack.
        assert_eq!(wrapped_lines(&"ab ".repeat(6)[..17], 10.0), 2);
        assert_eq!(wrapped_lines(&"a".repeat(20), 10.0), 3);
    }

    fn ledger(orientation: Orientation, columns: usize, cell: &str) -> Ledger {
        Ledger {
            columns: (0..columns)
                .map(|i| super::super::Column::new(format!("列{i}"), 8.0))
                .collect(),
            rows: vec![vec![cell.to_string(); columns]; 3],
            orientation,
            ..Ledger::default()
        }
    }

    fn print_plan(ledger: &Ledger, width: usize) -> PrintPlan {
        super::print_plan(Table::of(ledger), width, &super::super::Unwatched).unwrap()
    }

    fn printed_pt(plan: &PrintPlan) -> f64 {
        plan.widths.iter().map(|w| (w * 8.0 + 5.0) * 0.75).sum()
    }

    #[test]
    fn narrow_table_keeps_11pt_and_measures_cjk_double() {
        let plan = print_plan(&ledger(Orientation::Portrait, 3, "张三李四"), 3);
        assert_eq!(plan.font_pt, 11.0);
        // 8 units of 11 pt text plus padding: wider than 8 ASCII digits.
        let ascii = print_plan(&ledger(Orientation::Portrait, 3, "1234"), 3);
        assert!(plan.widths[0] > ascii.widths[0] * 1.5, "{plan:?} {ascii:?}");
        assert!(ascii.centred[0] && !plan.centred[0]);
    }

    #[test]
    fn wide_table_shrinks_font_but_not_below_9pt_and_fits_the_page() {
        for cols in [12, 20, 30] {
            let l = ledger(Orientation::Landscape, cols, &"某".repeat(15));
            let plan = print_plan(&l, cols);
            assert!(plan.font_pt >= 9.0, "{cols}: {plan:?}");
            assert!(
                printed_pt(&plan) <= printable_width_pt(Orientation::Landscape) + 1.0,
                "{cols}: {} pt",
                printed_pt(&plan)
            );
        }
        // Landscape fits more than portrait at the same size.
        let l = ledger(Orientation::Portrait, 12, &"某".repeat(15));
        let portrait = print_plan(&l, 12);
        let mut l = l;
        l.orientation = Orientation::Landscape;
        let landscape = print_plan(&l, 12);
        assert!(landscape.line_units[0] > portrait.line_units[0]);
    }

    #[test]
    fn a_month_grid_fits_at_9pt_or_more() {
        // 点名册: bed, name, class, 31 nights of marks, 5 totals.
        let mut l = ledger(Orientation::Landscape, 39, "√");
        let headers = ["床位", "姓名", "班级"]
            .into_iter()
            .map(String::from)
            .chain((1..=31).map(|d| d.to_string()))
            .chain(["出勤", "缺勤", "病假", "事假", "晚归"].map(String::from));
        for (col, h) in l.columns.iter_mut().zip(headers) {
            col.header = h;
        }
        for row in &mut l.rows {
            row[0] = "1号楼 305-2".into();
            row[1] = "欧阳晓明".into();
            row[2] = "初二(3)班".into();
        }
        let plan = print_plan(&l, 39);
        assert!(plan.font_pt >= 10.0, "{plan:?}");
        assert!(printed_pt(&plan) <= printable_width_pt(Orientation::Landscape) + 1.0);
        // Marks are centred, names are not; the bed label does not wrap.
        assert!(plan.centred[5] && !plan.centred[1]);
        assert_eq!(plan.line_units[0], 11.0, "{plan:?}");
    }

    #[test]
    fn unbreakable_runs() {
        assert_eq!(longest_unbreakable("2026-11-01 张三"), 10);
        assert_eq!(longest_unbreakable("张三"), 2);
        assert_eq!(longest_unbreakable(""), 0);
        assert!(is_compact("2026-11-01") && is_compact("08:30") && is_compact("√"));
        assert!(!is_compact("张三丰") && !is_compact("abc"));
    }
}
