//! Sizes shared by both writers: the table's width in columns, and the
//! print plan of the .xlsx (font size, column widths, row heights) chosen so
//! the table fits one A4 page wide at a readable size.

use super::{LedgerError, Orientation, Table, Watch};

/// Estimated number of lines `text` wraps to in a column `width` characters
/// wide, where a CJK character takes the room of two digits.
pub(super) fn wrapped_lines(text: &str, width: f64) -> u32 {
    text.split('\n')
        .map(|line| line_count(f64::from(display_width(line)), width, line.contains(' ')))
        .sum()
}

/// Lines a line of `units` takes in a column `width` units wide. CJK text
/// (and a word with no space) breaks anywhere, a character (two units) at a
/// time; word wrap at spaces leaves part of each line empty, so a unit less
/// per line is counted and the row is never too short to show all.
fn line_count(units: f64, width: f64, spaced: bool) -> u32 {
    let per_line = width.max(1.0);
    if units <= per_line {
        // An empty line still takes one line.
        return 1;
    }
    let usable = if spaced {
        per_line - 1.0
    } else {
        per_line - per_line % 2.0
    };
    (units / usable.max(1.0)).ceil() as u32
}

/// Width of one line of text in half-width units (a CJK character is 2).
pub(super) fn display_width(line: &str) -> u32 {
    line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Room a cell needs beside its text (padding and border), in points.
const CELL_PAD_PT: f64 = 4.0;
/// Page margins in inches: left/right, top/bottom, header/footer.
pub(super) const MARGIN_SIDE_IN: f64 = 0.3;
pub(super) const MARGIN_TOP_IN: f64 = 0.75;
pub(super) const MARGIN_BOTTOM_IN: f64 = 0.9;
pub(super) const MARGIN_HEADER_IN: f64 = 0.3;
/// Widest a column grows before its text wraps, in half-width units.
const MAX_COLUMN_UNITS: u32 = 40;
/// Narrowest a text column is made for a long word, in half-width units.
const MAX_TEXT_FLOOR: u32 = 8;
/// Width of a column signed by hand, in half-width units (about 2 cm).
const SIGN_UNITS: u32 = 10;
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

/// Widths above this share one histogram bucket: they wrap at any width
/// the plan gives.
const HIST_MAX: usize = MAX_COLUMN_UNITS as usize + 1;

/// Measures every cell and picks the largest font at which the table fits
/// one page wide with few wrapped lines: columns are narrowed one unit at a
/// time where that wraps the fewest cells (an empty or short column before
/// a full one), and a point of font size is given up when more than one
/// row in twenty would wrap. Only if even the narrowest columns do not fit
/// at 9 pt is the page scaled below that, by fit-to-width.
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
    // Per column: how many cells are how wide (their widest line).
    let mut hist = vec![[0u64; HIST_MAX + 1]; width];
    for (i, col) in ledger.columns.iter().enumerate() {
        for line in col.header.split('\n') {
            // A header may take two lines: it is printed once a page.
            desired[i] = desired[i].max(display_width(line).div_ceil(2));
            unbreakable[i] = unbreakable[i].max(longest_unbreakable(line).min(8));
        }
    }
    let records = table.records();
    // The first of the three passes over the rows: measuring.
    table.each((0, 3), watch, &mut |r, row| {
        // Totals under the table (a roll-call book's callers per night)
        // wrap rather than widen every column for one row.
        if r >= records {
            return Ok(());
        }
        for (i, cell) in row.iter().enumerate().take(width) {
            let mut widest = 0;
            for line in cell.split('\n') {
                widest = widest.max(display_width(line));
                unbreakable[i] = unbreakable[i].max(longest_unbreakable(line));
            }
            desired[i] = desired[i].max(widest);
            hist[i][(widest as usize).min(HIST_MAX)] += 1;
            if !cell.is_empty() {
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
    // Latin letters and digits (dates, phones, IDs, plates) get one unit of
    // slack: a printer without 宋体 substitutes a font whose digits are a
    // little wider, and a phone number must not lose its last digit to the
    // next line.
    for i in 0..width {
        if unbreakable[i] > 2 {
            desired[i] += 1;
            unbreakable[i] += 1;
        }
    }
    // The header on at most two lines (a CJK character is two units).
    let header_floor: Vec<u32> = (0..width)
        .map(|i| {
            let w = ledger.columns.get(i).map_or(0, |c| {
                c.header.split('\n').map(display_width).max().unwrap_or(0)
            });
            w.div_ceil(2).next_multiple_of(2)
        })
        .collect();
    for (i, col) in ledger.columns.iter().enumerate() {
        // Room to sign in, however empty the column is.
        if col.hand {
            desired[i] = desired[i].max(SIGN_UNITS);
            unbreakable[i] = unbreakable[i].max(SIGN_UNITS);
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
        .zip(&header_floor)
        .map(|(((d, u), short), h)| {
            let u = if *short == Some(true) {
                *u
            } else {
                (*u).min(MAX_TEXT_FLOOR)
            };
            u.max(*h).clamp(MIN_COLUMN_UNITS, *d)
        })
        .collect();

    let avail = printable_width_pt(ledger.orientation);
    // One row in twenty may wrap before the font gets smaller.
    let allowed = table.len() as u64 / 20;
    let mut chosen = None;
    for f in [11.0, 10.0, 9.0] {
        if let Some((units, extra)) = narrow_to_fit(&desired, &floor, &hist, avail, f)
            && (extra <= allowed || f <= 9.0)
        {
            chosen = Some((f, units));
            break;
        }
    }
    let (font_pt, units) = chosen.unwrap_or((9.0, floor));
    let units: Vec<f64> = units.iter().map(|u| f64::from(*u)).collect();
    Ok(PrintPlan {
        font_pt,
        widths: units
            .iter()
            .map(|u| excel_width(column_pt(*u, font_pt)).min(255.0))
            .collect(),
        line_units: units,
        centred: short.into_iter().map(|s| s.unwrap_or(false)).collect(),
    })
}

/// Column widths between `floor` and `desired` whose total fits `avail` at
/// `font_pt`, with the extra lines the narrowing costs; None if even the
/// floors do not fit. Greedy: each step takes one unit from the column
/// where that adds the fewest wrapped lines (the widest on a tie).
fn narrow_to_fit(
    desired: &[u32],
    floor: &[u32],
    hist: &[[u64; HIST_MAX + 1]],
    avail: f64,
    font_pt: f64,
) -> Option<(Vec<u32>, u64)> {
    let total = |units: &[u32]| {
        units
            .iter()
            .map(|u| column_pt(f64::from(*u), font_pt))
            .sum::<f64>()
    };
    if total(floor) > avail {
        return None;
    }
    // Lines all cells of column `i` take at `w` units.
    let lines = |i: usize, w: u32| -> u64 {
        hist[i]
            .iter()
            .enumerate()
            .map(|(units, n)| u64::from(line_count(units as f64, f64::from(w), false)) * n)
            .sum()
    };
    let mut units = desired.to_vec();
    let mut extra = 0;
    while total(&units) > avail {
        let (i, cost) = (0..units.len())
            .filter(|i| units[*i] > floor[*i])
            .map(|i| (i, lines(i, units[i] - 1) - lines(i, units[i])))
            .min_by_key(|(i, cost)| (*cost, std::cmp::Reverse(units[*i])))?;
        units[i] -= 1;
        extra += cost;
    }
    Some((units, extra))
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
        // Words wrap at spaces: a unit of slack per line.
        assert_eq!(wrapped_lines(&"ab ".repeat(6)[..17], 10.0), 2);
        assert_eq!(wrapped_lines(&"ab ".repeat(7)[..20], 10.0), 3);
        // Without spaces the text breaks anywhere: 20 units fill 2 lines;
        // CJK breaks a character at a time, so 9 units hold 4 characters.
        assert_eq!(wrapped_lines(&"a".repeat(20), 10.0), 2);
        assert_eq!(wrapped_lines("与班主任面谈", 9.0), 2);
        assert_eq!(wrapped_lines("与班主任面谈好不好", 9.0), 3);
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
        // Marks are centred, names are not; the bed label does not wrap
        // (11 units and one of slack for a substituted font's digits).
        assert!(plan.centred[5] && !plan.centred[1]);
        assert_eq!(plan.line_units[0], 12.0, "{plan:?}");
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
