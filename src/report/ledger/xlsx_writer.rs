//! The .xlsx writer: the sheet laid out and set up for printing like the
//! paper form.

use rust_xlsxwriter::{
    ColNum, DocProperties, Format as CellFormat, FormatAlign, FormatBorder, RowNum, Workbook,
    Worksheet, XlsxError,
};

use super::layout::{
    MARGIN_BOTTOM_IN, MARGIN_HEADER_IN, MARGIN_SIDE_IN, MARGIN_TOP_IN, PrintPlan, padded,
    print_plan, table_width, wrapped_lines,
};
use super::{Ledger, LedgerError, Orientation, Table, Unwatched, Watch};
use crate::i18n::tr;

/// The ledger as an .xlsx workbook laid out like the printed form.
///
/// Row 1 holds the title (merged, bold), row 2 the subtitle (merged), row 4
/// the header (bold, bordered, grey, frozen, with an autofilter over the
/// record rows only), then the data rows as bordered text cells and, after
/// one empty row, the footer lines.
///
/// Printing: A4 in the ledger's orientation, one page wide at 9 pt or more
/// (see [`print_plan`]), the title, subtitle and header rows repeated on
/// every page, page numbers in the page header and the signature and date
/// blanks in the page footer, so every sheet of a long register is signed.
pub fn xlsx_bytes(ledger: &Ledger) -> Result<Vec<u8>, LedgerError> {
    let mut out = std::io::Cursor::new(vec![]);
    write_xlsx(Table::of(ledger), &mut out, &Unwatched)?;
    Ok(out.into_inner())
}

/// Writes the table as [`xlsx_bytes`] describes. The sheet is written in
/// rust_xlsxwriter's constant-memory mode: each row goes to a temporary
/// file as soon as it is complete, so a year of visits takes no more
/// memory than a day.
pub(super) fn write_xlsx<W>(table: Table, out: W, watch: &dyn Watch) -> Result<(), LedgerError>
where
    W: std::io::Write + std::io::Seek + Send,
{
    let mut workbook = Workbook::new();
    // 宋体 is what the paper forms use; making it the workbook default also
    // covers empty cells. 72 px columns and 18 px rows are Excel's default
    // metrics for 宋体 11, which the column widths of the plan assume.
    workbook
        .set_default_format(&base_format().set_font_size(11), 18, 72)
        .map_err(xlsx_err)?;
    workbook.set_properties(&DocProperties::new().set_title(table.ledger.title.as_str()));

    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_err)?;
    sheet
        .set_name(sheet_name(&table.ledger.title))
        .map_err(xlsx_err)?;
    lay_out_sheet(sheet, table, watch)?;

    workbook.save_to_writer(out).map_err(xlsx_err)
}

/// 0-based rows of the fixed part of the sheet.
const TITLE_ROW: RowNum = 0;
const SUBTITLE_ROW: RowNum = 1;
const HEADER_ROW: RowNum = 3;

fn lay_out_sheet(
    sheet: &mut Worksheet,
    table: Table,
    watch: &dyn Watch,
) -> Result<(), LedgerError> {
    let ledger = table.ledger;
    let width = table_width(table).max(1);
    let last_col =
        ColNum::try_from(width - 1).map_err(|_| xlsx_err(XlsxError::RowColumnLimitError))?;
    let plan = print_plan(table, width, watch)?;
    let size = plan.font_pt;
    let thin = |f: CellFormat| f.set_border(FormatBorder::Thin);
    let title_fmt = base_format()
        .set_bold()
        .set_font_size(size + 5.0)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let subtitle_fmt = base_format()
        .set_font_size(size)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let header_fmt = thin(base_format())
        .set_font_size(size)
        .set_bold()
        .set_background_color(0xD9D9D9)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    // "@" (text) so Excel keeps digit strings as typed even after editing;
    // wrapping lets long notes grow the row instead of being cut off.
    let data_fmt = thin(base_format())
        .set_font_size(size)
        .set_num_format("@")
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let centred_fmt = data_fmt.clone().set_align(FormatAlign::Center);
    let formats: Vec<&CellFormat> = plan
        .centred
        .iter()
        .map(|c| if *c { &centred_fmt } else { &data_fmt })
        .collect();
    let footer_fmt = base_format().set_font_size(size);

    let fixed = |sheet: &mut Worksheet| -> Result<(), XlsxError> {
        write_banner(sheet, TITLE_ROW, last_col, &ledger.title, &title_fmt)?;
        sheet.set_row_height(TITLE_ROW, (size + 5.0) * 1.25 + 8.0)?;
        write_banner(
            sheet,
            SUBTITLE_ROW,
            last_col,
            &ledger.subtitle,
            &subtitle_fmt,
        )?;
        let all_units: f64 = plan.line_units.iter().sum();
        sheet.set_row_height(
            SUBTITLE_ROW,
            plan.row_height(wrapped_lines(&ledger.subtitle, all_units)),
        )?;
        for (col, w) in (0..=last_col).zip(&plan.widths) {
            sheet.set_column_width(col, *w)?;
        }
        let header = padded(ledger.columns.iter().map(|c| c.header.as_str()), width);
        let header_fmts = vec![&header_fmt; width];
        write_table_row(sheet, HEADER_ROW, header, &plan, &header_fmts, None)
    };
    fixed(sheet).map_err(xlsx_err)?;

    // The second pass: how tall the rows are, to choose the sheet's default
    // height (see `RowHeights`).
    let mut lines_seen = std::collections::BTreeMap::<u32, usize>::new();
    table.each((1, 3), watch, &mut |_, row| {
        let lines = plan.row_lines(padded(row.iter().map(String::as_str), width));
        *lines_seen.entry(lines).or_default() += 1;
        Ok(())
    })?;
    let usual = RowHeights::choose(&lines_seen, OWN_HEIGHTS_MAX);
    sheet.set_default_row_height(plan.row_height(usual.default_lines));

    // The third pass: writing, in order, as constant-memory mode requires.
    let mut row_num = HEADER_ROW;
    let mut last_record_row = HEADER_ROW;
    let records = table.records();
    let mut breaks: Vec<RowNum> = vec![];
    table.each((2, 3), watch, &mut |i, row| {
        row_num = next_row(row_num).map_err(xlsx_err)?;
        if i > 0 && ledger.page_breaks.contains(&i) {
            breaks.push(row_num);
        }
        let cells = padded(row.iter().map(String::as_str), width);
        write_table_row(sheet, row_num, cells, &plan, &formats, Some(usual)).map_err(xlsx_err)?;
        if i < records {
            last_record_row = row_num;
        }
        Ok(())
    })?;
    let last_table_row = row_num;
    if !breaks.is_empty() {
        sheet.set_page_breaks(&breaks).map_err(xlsx_err)?;
    }
    finish_sheet(
        sheet,
        ledger,
        (last_table_row, last_record_row, last_col),
        &footer_fmt,
    )
    .map_err(xlsx_err)
}

/// Footer lines, frozen header, autofilter and the page setup.
fn finish_sheet(
    sheet: &mut Worksheet,
    ledger: &Ledger,
    (last_table_row, last_record_row, last_col): (RowNum, RowNum, ColNum),
    footer_fmt: &CellFormat,
) -> Result<(), XlsxError> {
    // One empty row between the table and the footer, as on paper.
    let mut row_num = next_row(last_table_row)?;
    for line in &ledger.footer {
        row_num = next_row(row_num)?;
        sheet.write_string_with_format(row_num, 0, line, footer_fmt)?;
    }

    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    // Totals and summaries under the records must not be sorted or
    // filtered in among them.
    sheet.autofilter(HEADER_ROW, 0, last_record_row, last_col)?;

    sheet.set_paper_size(9); // A4
    match ledger.orientation {
        Orientation::Landscape => sheet.set_landscape(),
        Orientation::Portrait => sheet.set_portrait(),
    };
    sheet.set_margins(
        MARGIN_SIDE_IN,
        MARGIN_SIDE_IN,
        MARGIN_TOP_IN,
        MARGIN_BOTTOM_IN,
        MARGIN_HEADER_IN,
        MARGIN_HEADER_IN,
    );
    // One page wide, as many tall as needed; the plan keeps the scale at
    // 100 % for every ledger the app makes.
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    // Title, date range and header on every page.
    sheet.set_repeat_rows(TITLE_ROW, HEADER_ROW)?;
    sheet.set_header(page_header());
    sheet.set_footer(page_footer());
    Ok(())
}

/// Base cell format: every cell uses the paper form's font.
fn base_format() -> CellFormat {
    // Charset 134 (GB2312) is what Excel itself records for 宋体.
    CellFormat::new()
        .set_font_name("宋体")
        .set_font_charset(134)
}

/// Rows given a height of their own, at most: rust_xlsxwriter keeps each
/// such row (about 470 bytes) in memory to the end, even in constant-memory
/// mode, so 20,000 of them cost about 9 MB however long the ledger is.
const OWN_HEIGHTS_MAX: usize = 20_000;

/// Which rows take the sheet's default height and which get their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowHeights {
    /// Lines the default height holds.
    default_lines: u32,
    /// Rows of fewer lines also take the default (a little taller than they
    /// need), so that only rows taller than it get a height of their own.
    shorter_take_default: bool,
}

impl RowHeights {
    /// The most common height is the default and every other row gets its
    /// own, the densest print. When that would be more than `max` rows (a
    /// year's register), the default grows to the fewest lines that leave at
    /// most `max` rows taller than it, and shorter rows take it too.
    fn choose(lines_seen: &std::collections::BTreeMap<u32, usize>, max: usize) -> RowHeights {
        let usual = lines_seen
            .iter()
            .max_by_key(|(lines, n)| (**n, std::cmp::Reverse(**lines)))
            .map_or(1, |(lines, _)| *lines);
        let others: usize = lines_seen
            .iter()
            .filter(|(l, _)| **l != usual)
            .map(|(_, n)| n)
            .sum();
        if others <= max {
            return RowHeights {
                default_lines: usual,
                shorter_take_default: false,
            };
        }
        let taller = |l: u32| -> usize { lines_seen.range(l + 1..).map(|(_, n)| n).sum() };
        let default_lines = lines_seen
            .keys()
            .copied()
            .filter(|l| *l >= usual)
            .find(|l| taller(*l) <= max)
            .unwrap_or(usual);
        RowHeights {
            default_lines,
            shorter_take_default: true,
        }
    }

    /// Whether a row of `lines` needs a height of its own.
    fn own(&self, lines: u32) -> bool {
        lines > self.default_lines || (lines < self.default_lines && !self.shorter_take_default)
    }
}

/// One bordered table row. Neither Excel nor LibreOffice grows a row for
/// wrapped text in a generated file, and overlapping text is unreadable on
/// the printout, so every row is at least as tall as its tallest cell, with
/// padding: the sheet's default height or, when `heights` says so, its own.
fn write_table_row<'a>(
    sheet: &mut Worksheet,
    row: RowNum,
    cells: impl Iterator<Item = &'a str> + Clone,
    plan: &PrintPlan,
    formats: &[&CellFormat],
    heights: Option<RowHeights>,
) -> Result<(), XlsxError> {
    for ((col, cell), format) in (0..).zip(cells.clone()).zip(formats) {
        write_text(sheet, row, col, cell, format)?;
    }
    let lines = plan.row_lines(cells);
    if heights.is_none_or(|h| h.own(lines)) {
        sheet.set_row_height(row, plan.row_height(lines))?;
    }
    Ok(())
}

/// A line of text spanning the whole table width.
fn write_banner(
    sheet: &mut Worksheet,
    row: RowNum,
    last_col: ColNum,
    text: &str,
    format: &CellFormat,
) -> Result<(), XlsxError> {
    // rust_xlsxwriter rejects a merge of a single cell.
    if last_col == 0 {
        write_text(sheet, row, 0, text, format)
    } else {
        sheet
            .merge_range(row, 0, row, last_col, text, format)
            .map(|_| ())
    }
}

/// Writes a cell as a string (never a number) so IDs keep their digits;
/// empty cells still get the format so the borders stay unbroken.
fn write_text(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    text: &str,
    format: &CellFormat,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        sheet.write_blank(row, col, format)?;
    } else {
        sheet.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

fn next_row(row: RowNum) -> Result<RowNum, XlsxError> {
    row.checked_add(1).ok_or(XlsxError::RowColumnLimitError)
}

/// Excel's page-header limit is 255 UTF-16 units; rust_xlsxwriter silently
/// drops (and prints to stderr) a longer one, which would garble the TUI.
const PAGE_HEADER_LIMIT: usize = 255;

/// Font of the page header and footer: rust_xlsxwriter's `&"font,style"`.
const PAGE_FONT: &str = "&\"宋体,Regular\"&10";

/// Page numbers at the right of the page header.
fn page_header() -> String {
    let text = escape_page_text(&tr("ledger.page_no"))
        .replace("{page}", "&P")
        .replace("{pages}", "&N");
    fit_page_text(format!("&R{PAGE_FONT}"), &text)
}

/// The signature and date blanks, on every printed page.
fn page_footer() -> String {
    fit_page_text(
        format!("&C{PAGE_FONT}"),
        &escape_page_text(&tr("ledger.page_sign")),
    )
}

/// `&` is the control character of page headers and footers.
fn escape_page_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if c == '&' {
                "&&".to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `prefix` then as much of `text` as Excel's limit allows, never splitting
/// an `&&` pair (which would leave a stray control `&`).
fn fit_page_text(prefix: String, text: &str) -> String {
    let mut out = prefix;
    let mut units = out.encode_utf16().count();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let mut piece = c.to_string();
        if c == '&' && chars.peek() == Some(&'&') {
            chars.next();
            piece.push('&');
        }
        let piece_units = piece.encode_utf16().count();
        if units + piece_units > PAGE_HEADER_LIMIT {
            break;
        }
        units += piece_units;
        out.push_str(&piece);
    }
    out
}

/// Excel sheet-name rules: at most 31 UTF-16 units, none of `[]:*?/\`, no
/// leading or trailing apostrophe, not blank, not the reserved "History".
fn sheet_name(title: &str) -> String {
    const MAX_UNITS: usize = 31;
    let cleaned: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let mut name = String::new();
    let mut units = 0;
    for c in cleaned.trim().trim_matches('\'').chars() {
        units += c.len_utf16();
        if units > MAX_UNITS {
            break;
        }
        name.push(c);
    }
    // Truncation can expose a new trailing apostrophe or space.
    let name = name.trim_end().trim_end_matches('\'');
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        "Sheet1".to_string()
    } else {
        name.to_string()
    }
}

fn xlsx_err(e: XlsxError) -> LedgerError {
    LedgerError::Xlsx(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ledger::tests::{ID_NUMBER, visitor_ledger};
    use crate::report::ledger::write_ledger;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::fs;
    use std::path::Path;

    fn read_sheet(path: &Path) -> (String, calamine::Range<Data>) {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&name).unwrap();
        (name, range)
    }

    fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
        match range.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => panic!("cell ({row}, {col}) is not a string: {other:?}"),
        }
    }

    #[test]
    fn xlsx_round_trip_through_calamine() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("来访登记表.xlsx");
        write_ledger(&visitor_ledger(), &path).unwrap();

        let (name, range) = read_sheet(&path);
        assert_eq!(name, "某某中学 家长来访登记表");
        assert_eq!(range.start(), Some((0, 0)));
        assert_eq!(cell(&range, 0, 0), "某某中学 家长来访登记表");
        assert!(cell(&range, 1, 0).contains("门卫室"));
        assert_eq!(cell(&range, 2, 0), "");
        let headers: Vec<String> = (0..4).map(|c| cell(&range, 3, c)).collect();
        assert_eq!(headers, ["日期", "姓名", "身份证号", "事由"]);
        assert_eq!(cell(&range, 4, 1), "张三");
        assert_eq!(cell(&range, 4, 2), ID_NUMBER);
        assert_eq!(cell(&range, 4, 3), "接孩子, 看病");
        // Digits stay a string, not a float.
        assert_eq!(cell(&range, 5, 2), "13800138000");
        // Padding of the short row leaves an empty cell.
        assert_eq!(cell(&range, 5, 3), "");
        assert_eq!(cell(&range, 6, 0), "");
        assert_eq!(cell(&range, 7, 0), "共 2 条");
        assert_eq!(cell(&range, 8, 0), "值班人签字：________");
        assert_eq!(range.end(), Some((8, 3)));
    }

    #[test]
    fn xlsx_sets_layout_and_print_options() {
        let bytes = xlsx_bytes(&visitor_ledger()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.xlsx");
        fs::write(&path, &bytes).unwrap();
        let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
        let names = wb.sheet_names();
        wb.load_merged_regions().unwrap();
        let merged: Vec<_> = wb
            .merged_regions_by_sheet(&names[0])
            .into_iter()
            .map(|(_, _, dims)| (dims.start, dims.end))
            .collect();
        assert!(merged.contains(&((0, 0), (0, 3))), "{merged:?}");
        assert!(merged.contains(&((1, 0), (1, 3))), "{merged:?}");
        // Repeated header row and autofilter become defined names.
        let defined: Vec<String> = wb.defined_names().iter().map(|(n, _)| n.clone()).collect();
        assert!(
            defined.iter().any(|n| n == "_xlnm.Print_Titles"),
            "{defined:?}"
        );
        assert!(
            defined.iter().any(|n| n == "_xlnm._FilterDatabase"),
            "{defined:?}"
        );
    }

    #[test]
    fn xlsx_single_column_and_empty_ledger() {
        let mut ledger = visitor_ledger();
        ledger.columns.truncate(1);
        ledger.rows = vec![vec![ID_NUMBER.to_string()]];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.xlsx");
        write_ledger(&ledger, &path).unwrap();
        let (_, range) = read_sheet(&path);
        assert_eq!(cell(&range, 0, 0), ledger.title);
        assert_eq!(cell(&range, 4, 0), ID_NUMBER);

        let path = dir.path().join("empty.xlsx");
        write_ledger(&Ledger::default(), &path).unwrap();
        let (name, _) = read_sheet(&path);
        assert_eq!(name, "Sheet1");
    }

    #[test]
    fn xlsx_pads_short_rows_with_bordered_blanks() {
        let mut ledger = visitor_ledger();
        ledger.rows = vec![vec!["only".to_string()], vec![]];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pad.xlsx");
        write_ledger(&ledger, &path).unwrap();
        let (_, range) = read_sheet(&path);
        assert_eq!(cell(&range, 4, 0), "only");
        for col in 1..4 {
            assert_eq!(cell(&range, 4, col), "");
        }
        // Footer still lands after one empty row below the last data row.
        assert_eq!(cell(&range, 7, 0), "共 2 条");
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(sheet_name("a[b]c:d*e?f/g\\h"), "abcdefgh");
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name("///"), "Sheet1");
        assert_eq!(sheet_name("History"), "Sheet1");
        let long = "某".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
        assert_eq!(sheet_name(&format!("{}'x", "a".repeat(30))), "a".repeat(30));
        // A supplementary-plane character counts as two UTF-16 units.
        let name = sheet_name(&"𠀀".repeat(20));
        assert_eq!(name.encode_utf16().count(), 30);
        // Every produced name is accepted by rust_xlsxwriter.
        for title in ["a[b]c", "'x'", "", "History", &long, "x\ny"] {
            let mut wb = Workbook::new();
            wb.add_worksheet().set_name(sheet_name(title)).unwrap();
        }
    }

    #[test]
    fn page_text_escapes_ampersand_and_respects_limit() {
        assert_eq!(escape_page_text("A&B\n中学"), "A&&B中学");
        let long = fit_page_text("&C".into(), &escape_page_text(&"&".repeat(300)));
        assert!(long.encode_utf16().count() <= PAGE_HEADER_LIMIT);
        // An escape pair is never split, which would leave a stray control `&`.
        assert_eq!((long.len() - "&C".len()) % 2, 0);
        assert!(page_header().contains("&P") && page_header().contains("&N"));
        // A title that long is still accepted.
        let mut ledger = visitor_ledger();
        ledger.title = "长".repeat(400);
        xlsx_bytes(&ledger).unwrap();
    }

    #[test]
    fn row_heights_keep_their_own_rows_bounded() {
        let seen = |v: &[(u32, usize)]| v.iter().copied().collect();
        // A month: the usual height is the default, every other row its own.
        let h = RowHeights::choose(&seen(&[(1, 900), (2, 300), (3, 20)]), 20_000);
        assert_eq!(h.default_lines, 1);
        assert!(h.own(2) && h.own(3) && !h.own(1));
        let h = RowHeights::choose(&seen(&[(1, 100), (2, 900)]), 20_000);
        assert_eq!(h.default_lines, 2);
        assert!(h.own(1), "a shorter row keeps its own, denser height");
        // A year: too many rows of their own, so the default grows until
        // at most `max` rows are taller, and shorter rows take it.
        let year = seen(&[(1, 90_000), (2, 50_000), (3, 12_000), (4, 3_000)]);
        let h = RowHeights::choose(&year, 20_000);
        assert_eq!(h.default_lines, 2);
        assert!(!h.own(1) && !h.own(2) && h.own(3) && h.own(4));
        let own: usize = year
            .iter()
            .filter(|(l, _)| h.own(**l))
            .map(|(_, n)| n)
            .sum();
        assert!(own <= 20_000, "{own}");
    }
}
