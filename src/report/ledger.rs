//! Paper-form ledgers (visitor register, roll-call book, hazard ledger …)
//! exported as `.csv` or `.xlsx`.
//!
//! The caller has already translated and formatted every string; this module
//! only lays the cells out the way the paper form does: title, subtitle, a
//! blank line, the header row, the data rows, a blank line and the footer
//! lines (totals, signature blanks).
//!
//! The two formats have different jobs. The `.xlsx` is the one meant for
//! Excel and for printing: every cell is stored as text, so 18-digit ID
//! numbers and phone numbers keep all their digits. The `.csv` is for data
//! exchange, so cell values are written as they are (no `="..."` or tab
//! tricks that other tools would read as part of the data), apart from the
//! formula-injection guard described on [`csv_bytes`]. Excel may show long
//! digit strings from the CSV as `1.1E+17`; use the `.xlsx` for Excel.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rust_xlsxwriter::{
    ColNum, DocProperties, Format as CellFormat, FormatAlign, FormatBorder, RowNum, Workbook,
    Worksheet, XlsxError,
};

/// One paper-form ledger, ready to be laid out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ledger {
    /// e.g. "某某中学 家长来访登记表"
    pub title: String,
    /// e.g. "2026-11-01 — 2026-11-22 · 门卫室 · 导出 2026-11-22 23:10 由 王老师"
    pub subtitle: String,
    pub columns: Vec<Column>,
    /// Each row should have `columns.len()` cells; shorter rows are padded
    /// with empty cells. Longer rows are written in full rather than losing
    /// data, under blank headers.
    pub rows: Vec<Vec<String>>,
    /// Lines under the table, e.g. "共 132 条", "值班人签字：________".
    pub footer: Vec<String>,
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// xlsx column width in characters; non-finite or non-positive widths
    /// leave Excel's default width.
    pub width: f64,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64) -> Column {
        Column {
            header: header.into(),
            width,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("unsupported extension")]
    UnsupportedExtension,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("xlsx: {0}")]
    Xlsx(String),
    #[error("csv: {0}")]
    Csv(String),
}

/// Output format, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `.csv` or `.xlsx`, case-insensitive; anything else is
    /// [`LedgerError::UnsupportedExtension`].
    pub fn from_path(p: &Path) -> Result<Format, LedgerError> {
        let ext = p
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            _ => Err(LedgerError::UnsupportedExtension),
        }
    }
}

/// Writes the ledger to `path` in the format its extension names.
///
/// The file is replaced atomically: the bytes go to a hidden temporary file
/// in the same directory, which is synced and then renamed over `path`, so a
/// crash or a full disk never leaves a half-written ledger behind. Missing
/// directories are not created; they give [`LedgerError::Io`].
pub fn write_ledger(ledger: &Ledger, path: &Path) -> Result<(), LedgerError> {
    // Build everything in memory first so a layout error touches no file.
    let bytes = match Format::from_path(path)? {
        Format::Csv => csv_bytes(ledger)?,
        Format::Xlsx => xlsx_bytes(ledger)?,
    };
    write_atomically(path, &bytes)?;
    Ok(())
}

/// UTF-8 BOM: without it Excel on Chinese Windows decodes the file as GBK.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The ledger as CSV: UTF-8 with BOM, CRLF line endings, RFC 4180 quoting.
///
/// Layout: title, subtitle, empty line, header row, data rows, empty line,
/// one line per footer entry.
///
/// Every cell (title and footer included, since any of them can carry
/// user-typed text) that starts with `=`, `+`, `-`, `@`, tab or carriage
/// return gets a leading apostrophe, as OWASP recommends against CSV formula
/// injection. This also marks phone numbers written as "+86…" and negative
/// numbers; that is the accepted price, and spreadsheet users see the
/// apostrophe-prefixed text as text.
///
/// Long digit strings (ID cards, phone numbers) are deliberately left as
/// they are: the CSV is for data exchange, the `.xlsx` is the file for Excel.
pub fn csv_bytes(ledger: &Ledger) -> Result<Vec<u8>, LedgerError> {
    let width = table_width(ledger);
    let mut out = BOM.to_vec();
    write_csv_line(&mut out, &ledger.title)?;
    write_csv_line(&mut out, &ledger.subtitle)?;
    out.extend_from_slice(CRLF);
    let header = padded(ledger.columns.iter().map(|c| c.header.as_str()), width);
    let rows = ledger
        .rows
        .iter()
        .map(|row| padded(row.iter().map(String::as_str), width));
    write_csv_records(&mut out, [header])?;
    write_csv_records(&mut out, rows)?;
    out.extend_from_slice(CRLF);
    for line in &ledger.footer {
        write_csv_line(&mut out, line)?;
    }
    Ok(out)
}

const CRLF: &[u8] = b"\r\n";

/// A one-cell line (title, subtitle, footer).
fn write_csv_line(out: &mut Vec<u8>, text: &str) -> Result<(), LedgerError> {
    if text.is_empty() {
        // csv would write `""` for an empty record; the form wants a blank line.
        out.extend_from_slice(CRLF);
        Ok(())
    } else {
        write_csv_records(out, [[text]])
    }
}

/// CSV records with every cell passed through [`guard_formula`].
fn write_csv_records<'a>(
    out: &mut Vec<u8>,
    records: impl IntoIterator<Item = impl IntoIterator<Item = &'a str>>,
) -> Result<(), LedgerError> {
    let csv_err = |e: csv::Error| LedgerError::Csv(e.to_string());
    // Flexible: extra cells of over-long rows are kept, see `table_width`.
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    for record in records {
        for cell in record {
            w.write_field(guard_formula(cell).as_bytes())
                .map_err(csv_err)?;
        }
        w.write_record(std::iter::empty::<&[u8]>())
            .map_err(csv_err)?;
    }
    w.flush()?;
    Ok(())
}

/// The ledger as an .xlsx workbook laid out like the printed form.
///
/// Row 1 holds the title (merged, bold, 16pt), row 2 the subtitle (merged),
/// row 4 the header (bold, bordered, grey, frozen, with an autofilter), then
/// the data rows as bordered text cells and, after one empty row, the footer
/// lines. Printing is set to A4 landscape, one page wide, with the header
/// row repeated and the title in the page header of every page.
pub fn xlsx_bytes(ledger: &Ledger) -> Result<Vec<u8>, LedgerError> {
    let mut workbook = Workbook::new();
    // 宋体 is what the paper forms use; making it the workbook default also
    // covers empty cells and the print header. 72 px columns and 18 px rows
    // are Excel's default metrics for 宋体 11.
    workbook
        .set_default_format(&base_format().set_font_size(11), 18, 72)
        .map_err(xlsx_err)?;
    workbook.set_properties(&DocProperties::new().set_title(ledger.title.as_str()));

    let sheet = workbook.add_worksheet();
    sheet
        .set_name(sheet_name(&ledger.title))
        .map_err(xlsx_err)?;
    lay_out_sheet(sheet, ledger).map_err(xlsx_err)?;

    workbook.save_to_buffer().map_err(xlsx_err)
}

/// 0-based rows of the fixed part of the sheet.
const TITLE_ROW: RowNum = 0;
const SUBTITLE_ROW: RowNum = 1;
const HEADER_ROW: RowNum = 3;

fn lay_out_sheet(sheet: &mut Worksheet, ledger: &Ledger) -> Result<(), XlsxError> {
    let width = table_width(ledger).max(1);
    let last_col = ColNum::try_from(width - 1).map_err(|_| XlsxError::RowColumnLimitError)?;

    let thin = |f: CellFormat| f.set_border(FormatBorder::Thin);
    let title_fmt = base_format()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let subtitle_fmt = base_format()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header_fmt = thin(base_format())
        .set_bold()
        .set_background_color(0xD9D9D9)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    // "@" (text) so Excel keeps digit strings as typed even after editing;
    // wrapping lets long notes grow the row instead of being cut off.
    let data_fmt = thin(base_format())
        .set_num_format("@")
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let footer_fmt = base_format();

    write_banner(sheet, TITLE_ROW, last_col, &ledger.title, &title_fmt)?;
    sheet.set_row_height(TITLE_ROW, 27)?;
    write_banner(
        sheet,
        SUBTITLE_ROW,
        last_col,
        &ledger.subtitle,
        &subtitle_fmt,
    )?;

    let widths: Vec<f64> = (0..width)
        .map(|i| {
            ledger
                .columns
                .get(i)
                .and_then(|c| column_width(c.width))
                .unwrap_or(DEFAULT_COLUMN_WIDTH)
        })
        .collect();
    for (col, column) in (0..=last_col).zip(&ledger.columns) {
        if let Some(w) = column_width(column.width) {
            sheet.set_column_width(col, w)?;
        }
    }

    let header = padded(ledger.columns.iter().map(|c| c.header.as_str()), width);
    write_table_row(sheet, HEADER_ROW, header, &widths, &header_fmt)?;
    let mut row_num = HEADER_ROW;
    for row in &ledger.rows {
        row_num = next_row(row_num)?;
        let cells = padded(row.iter().map(String::as_str), width);
        write_table_row(sheet, row_num, cells, &widths, &data_fmt)?;
    }
    let last_table_row = row_num;

    // One empty row between the table and the footer, as on paper.
    row_num = next_row(last_table_row)?;
    for line in &ledger.footer {
        row_num = next_row(row_num)?;
        sheet.write_string_with_format(row_num, 0, line, &footer_fmt)?;
    }

    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet.autofilter(HEADER_ROW, 0, last_table_row, last_col)?;

    sheet.set_paper_size(9); // A4
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0); // one page wide, as many tall as needed
    sheet.set_print_center_horizontally(true);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    sheet.set_header(page_header(&ledger.title));
    sheet.set_footer("&C&P / &N");
    Ok(())
}

/// Base cell format: every cell uses the paper form's font.
fn base_format() -> CellFormat {
    // Charset 134 (GB2312) is what Excel itself records for 宋体.
    CellFormat::new()
        .set_font_name("宋体")
        .set_font_charset(134)
}

/// Excel's default column width for 宋体 11, in characters.
const DEFAULT_COLUMN_WIDTH: f64 = 8.38;
/// Height in points of one line of 宋体 11, i.e. Excel's default row height.
const LINE_HEIGHT: f64 = 13.5;

/// The usable width of a column, or `None` to leave Excel's default.
fn column_width(width: f64) -> Option<f64> {
    // Excel's own limit is 255 characters.
    (width.is_finite() && width > 0.0).then_some(width.min(255.0))
}

/// One bordered table row. Neither Excel nor LibreOffice grows a row for
/// wrapped text in a generated file, and overlapping text is unreadable on
/// the printout, so rows that need several lines get an estimated height.
fn write_table_row<'a>(
    sheet: &mut Worksheet,
    row: RowNum,
    cells: impl Iterator<Item = &'a str>,
    widths: &[f64],
    format: &CellFormat,
) -> Result<(), XlsxError> {
    let mut lines = 1;
    for ((col, cell), width) in (0..).zip(cells).zip(widths) {
        write_text(sheet, row, col, cell, format)?;
        lines = lines.max(wrapped_lines(cell, *width));
    }
    if lines > 1 {
        sheet.set_row_height(row, LINE_HEIGHT * f64::from(lines.min(30)))?;
    }
    Ok(())
}

/// Estimated number of lines `text` wraps to in a column `width` characters
/// wide, where a CJK character takes the room of two digits.
fn wrapped_lines(text: &str, width: f64) -> u32 {
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

/// Page header with the title centred; `&` is the control character there.
fn page_header(title: &str) -> String {
    let mut header = String::from("&C");
    let mut units = header.encode_utf16().count();
    for c in title.chars().filter(|c| !c.is_control()) {
        let piece: &str = if c == '&' { "&&" } else { &c.to_string() };
        let piece_units = piece.encode_utf16().count();
        if units + piece_units > PAGE_HEADER_LIMIT {
            break;
        }
        units += piece_units;
        header.push_str(piece);
    }
    header
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

/// Number of table columns: the declared columns, widened for any longer
/// row so that no cell is silently dropped.
fn table_width(ledger: &Ledger) -> usize {
    ledger
        .rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(ledger.columns.len())
}

/// `cells` padded with "" up to `width`.
fn padded<'a>(cells: impl Iterator<Item = &'a str>, width: usize) -> impl Iterator<Item = &'a str> {
    cells.chain(std::iter::repeat("")).take(width)
}

/// OWASP CSV-injection guard: neutralise cells a spreadsheet would evaluate.
fn guard_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn xlsx_err(e: XlsxError) -> LedgerError {
    LedgerError::Xlsx(e.to_string())
}

/// Distinguishes temp files of concurrent writes from the same process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to a temp file beside `path`, syncs it and renames it over
/// `path`; on failure the temp file is removed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    // Same directory as the target so the rename never crosses filesystems.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp_name = OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp_path = dir.join(tmp_name);

    // If even the create fails there is nothing of ours to clean up.
    let mut file = File::create(&tmp_path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    // Close first: Windows refuses to rename or remove an open file.
    drop(file);
    let result = written.and_then(|()| fs::rename(&tmp_path, path));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp_path);
        return Err(e);
    }
    sync_dir(dir);
    Ok(())
}

/// Makes the rename itself durable where the OS allows syncing a directory.
/// Best effort: the new file is already in place, so a failure here is not
/// worth reporting as a failed export.
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    use std::path::PathBuf;

    const ID_NUMBER: &str = "110105200801011234";

    fn visitor_ledger() -> Ledger {
        Ledger {
            title: "某某中学 家长来访登记表".to_string(),
            subtitle: "2026-11-01 — 2026-11-22 · 门卫室 · 导出 2026-11-22 23:10 由 王老师"
                .to_string(),
            columns: vec![
                Column::new("日期", 12.0),
                Column::new("姓名", 10.0),
                Column::new("身份证号", 22.0),
                Column::new("事由", 30.0),
            ],
            rows: vec![
                vec![
                    "2026-11-01".to_string(),
                    "张三".to_string(),
                    ID_NUMBER.to_string(),
                    "接孩子, 看病".to_string(),
                ],
                vec![
                    "2026-11-02".to_string(),
                    "李四".to_string(),
                    "13800138000".to_string(),
                ],
            ],
            footer: vec!["共 2 条".to_string(), "值班人签字：________".to_string()],
        }
    }

    fn csv_text(ledger: &Ledger) -> String {
        let bytes = csv_bytes(ledger).unwrap();
        assert!(bytes.starts_with(BOM), "missing BOM");
        String::from_utf8(bytes[BOM.len()..].to_vec()).unwrap()
    }

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

    fn dir_entries(dir: &Path) -> Vec<PathBuf> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    }

    #[test]
    fn format_from_extension_is_case_insensitive() {
        assert_eq!(Format::from_path(Path::new("a.csv")).unwrap(), Format::Csv);
        assert_eq!(Format::from_path(Path::new("a.CSV")).unwrap(), Format::Csv);
        assert_eq!(
            Format::from_path(Path::new("a.Xlsx")).unwrap(),
            Format::Xlsx
        );
        for bad in ["a.txt", "a", "a.xls", "csv", "dir/.."] {
            assert!(
                matches!(
                    Format::from_path(Path::new(bad)),
                    Err(LedgerError::UnsupportedExtension)
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn csv_layout_positions() {
        let text = csv_text(&visitor_ledger());
        assert!(!text.replace("\r\n", "").contains('\n'), "bare LF found");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "某某中学 家长来访登记表");
        assert!(lines[1].starts_with("2026-11-01 — 2026-11-22"));
        assert_eq!(lines[2], "");
        assert_eq!(lines[3], "日期,姓名,身份证号,事由");
        assert_eq!(
            lines[4],
            format!("2026-11-01,张三,{ID_NUMBER},\"接孩子, 看病\"")
        );
        // Short row padded to the column count.
        assert_eq!(lines[5], "2026-11-02,李四,13800138000,");
        assert_eq!(lines[6], "");
        assert_eq!(lines[7], "共 2 条");
        assert_eq!(lines[8], "值班人签字：________");
        assert_eq!(lines[9], "", "file ends with CRLF");
        assert_eq!(lines.len(), 10);
    }

    #[test]
    fn csv_quotes_commas_quotes_and_newlines() {
        let mut ledger = visitor_ledger();
        ledger.rows = vec![vec![
            "a,b".to_string(),
            "say \"hi\"".to_string(),
            "line1\nline2".to_string(),
            "plain".to_string(),
        ]];
        let text = csv_text(&ledger);
        assert!(text.contains("\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",plain\r\n"));

        // And a CSV reader gets the original values back.
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let row = &records[3];
        assert_eq!(&row[0], "a,b");
        assert_eq!(&row[1], "say \"hi\"");
        assert_eq!(&row[2], "line1\nline2");
    }

    #[test]
    fn csv_guards_formula_injection() {
        let mut ledger = visitor_ledger();
        ledger.title = "=HYPERLINK(\"x\")".to_string();
        ledger.rows = vec![vec![
            "=1+1".to_string(),
            "+8613800138000".to_string(),
            "-5".to_string(),
            "@SUM(A1)".to_string(),
        ]];
        ledger.footer = vec!["\tcmd".to_string(), "a=b".to_string()];
        let text = csv_text(&ledger);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(lines[4], "'=1+1,'+8613800138000,'-5,'@SUM(A1)");
        assert_eq!(lines[6], "'\tcmd");
        // Only a leading trigger character counts.
        assert_eq!(lines[7], "a=b");
    }

    #[test]
    fn csv_keeps_long_digit_strings_verbatim() {
        let text = csv_text(&visitor_ledger());
        assert!(text.contains(&format!(",{ID_NUMBER},")));
    }

    #[test]
    fn csv_keeps_extra_cells_of_long_rows() {
        let mut ledger = visitor_ledger();
        ledger.rows = vec![
            vec!["1", "2", "3", "4", "5"]
                .into_iter()
                .map(String::from)
                .collect(),
        ];
        let text = csv_text(&ledger);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[3], "日期,姓名,身份证号,事由,");
        assert_eq!(lines[4], "1,2,3,4,5");
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
    fn wrapped_lines_estimates_cjk_as_double_width() {
        assert_eq!(wrapped_lines("", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghij", 10.0), 1);
        assert_eq!(wrapped_lines("abcdefghijk", 10.0), 2);
        assert_eq!(wrapped_lines("张三李四王五", 10.0), 2);
        assert_eq!(wrapped_lines("a\nb\n", 10.0), 3);
        assert_eq!(wrapped_lines("x", 0.0), 1);
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
    fn page_header_escapes_ampersand_and_respects_limit() {
        assert_eq!(page_header("A&B 中学"), "&CA&&B 中学");
        let long = page_header(&"&".repeat(300));
        assert!(long.encode_utf16().count() <= PAGE_HEADER_LIMIT);
        // An escape pair is never split, which would leave a stray control `&`.
        assert_eq!((long.len() - "&C".len()) % 2, 0);
        // A header that long is still accepted, not silently dropped.
        let mut ledger = visitor_ledger();
        ledger.title = "长".repeat(400);
        xlsx_bytes(&ledger).unwrap();
    }

    #[test]
    fn write_csv_file_and_replace_existing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.CSV");
        fs::write(&path, "old contents").unwrap();
        write_ledger(&visitor_ledger(), &path).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert_eq!(bytes, csv_bytes(&visitor_ledger()).unwrap());
        assert_eq!(dir_entries(dir.path()), vec![path]);
    }

    #[test]
    fn missing_directory_is_io_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["out.csv", "out.xlsx"] {
            let path = dir.path().join("no_such_dir").join(name);
            let err = write_ledger(&visitor_ledger(), &path).unwrap_err();
            assert!(matches!(err, LedgerError::Io(_)), "{err:?}");
            assert!(!path.exists());
        }
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn failed_rename_removes_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory where the file should go makes rename fail.
        let path = dir.path().join("taken.csv");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), "x").unwrap();
        let err = write_ledger(&visitor_ledger(), &path).unwrap_err();
        assert!(matches!(err, LedgerError::Io(_)), "{err:?}");
        assert_eq!(dir_entries(dir.path()), vec![path]);
    }

    #[test]
    fn unsupported_extension_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let err = write_ledger(&visitor_ledger(), &path).unwrap_err();
        assert!(matches!(err, LedgerError::UnsupportedExtension));
        assert_eq!(err.to_string(), "unsupported extension");
        assert!(dir_entries(dir.path()).is_empty());
    }
}
