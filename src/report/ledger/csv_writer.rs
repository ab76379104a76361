//! The CSV writer: UTF-8 with BOM, CRLF, RFC 4180 quoting and a guard
//! against formula injection.

use std::borrow::Cow;
use std::io::Write;

use super::layout::{padded, table_width};
use super::{Ledger, LedgerError, Table, Unwatched, Watch};

/// UTF-8 BOM: without it Excel on Chinese Windows decodes the file as GBK.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The ledger as CSV: UTF-8 with BOM, CRLF line endings, RFC 4180 quoting.
///
/// A plain table: the header on row 1, then one row per record. Title,
/// subtitle, summary rows and footer lines (totals, signature blanks) are
/// left out; they belong to the printed form, and any program reading the
/// file expects a header and records only.
///
/// Every cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
/// gets a leading apostrophe, as OWASP recommends against CSV formula
/// injection. This also marks phone numbers written as "+86…" and negative
/// numbers; that is the accepted price, and spreadsheet users see the
/// apostrophe-prefixed text as text.
///
/// Dates and times are kept as text, see [`keep_as_text`]. Long digit
/// strings (ID cards, phone numbers) are left as they are: the `.xlsx` is
/// the file for Excel.
pub fn csv_bytes(ledger: &Ledger) -> Result<Vec<u8>, LedgerError> {
    let mut out = vec![];
    write_csv(Table::of(ledger), &mut out, &Unwatched)?;
    Ok(out)
}

/// Writes the table as [`csv_bytes`] describes, one row at a time.
pub(super) fn write_csv(
    table: Table,
    out: impl Write,
    watch: &dyn Watch,
) -> Result<(), LedgerError> {
    let width = table_width(table);
    let csv_err = |e: csv::Error| LedgerError::Csv(e.to_string());
    let mut out = std::io::BufWriter::new(out);
    out.write_all(BOM)?;
    // Flexible: extra cells of over-long rows are kept, see `table_width`.
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    let mut record = |cells: &mut dyn Iterator<Item = &str>| -> Result<(), LedgerError> {
        for cell in cells {
            w.write_field(keep_as_text(&guard_formula(cell)).as_bytes())
                .map_err(csv_err)?;
        }
        w.write_record(std::iter::empty::<&[u8]>()).map_err(csv_err)
    };
    record(&mut padded(
        table.ledger.columns.iter().map(|c| c.header.as_str()),
        width,
    ))?;
    let records = table.records();
    table.each((0, 1), watch, &mut |i, row| {
        // Totals belong to the printed form, not to the table.
        if i < records {
            record(&mut padded(row.iter().map(String::as_str), width))?;
        }
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}

/// Dates and times ("2026-11-22", "21:30", "11-22 21:30", "3-5") get a
/// leading tab, so Excel and LibreOffice open them as the text written
/// rather than turning them into date serials shown in the PC's own format
/// (or "3月5日" for a bed "3-5"). A tab is invisible in the cell, and a
/// program reading the table gets the value back by trimming whitespace.
/// `="2026-11-22"` would show the same, but it is a formula: LibreOffice
/// shows it raw unless formulas are evaluated on import, and every other
/// reader gets the `="…"` as data.
fn keep_as_text(cell: &str) -> Cow<'_, str> {
    let date_like = cell.len() <= 19
        && cell.starts_with(|c: char| c.is_ascii_digit())
        && cell.contains(['-', ':', '/'])
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '/' | ' '));
    if date_like {
        Cow::Owned(format!("\t{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// OWASP CSV-injection guard: neutralise cells a spreadsheet would evaluate.
fn guard_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::ledger::tests::{ID_NUMBER, visitor_ledger};

    fn csv_text(ledger: &Ledger) -> String {
        let bytes = csv_bytes(ledger).unwrap();
        assert!(bytes.starts_with(BOM), "missing BOM");
        String::from_utf8(bytes[BOM.len()..].to_vec()).unwrap()
    }

    #[test]
    fn csv_is_header_and_records_only() {
        let mut ledger = visitor_ledger();
        ledger.rows.push(vec!["合计".to_string(), "2".to_string()]);
        ledger.summary_rows = 1;
        let text = csv_text(&ledger);
        assert!(!text.replace("\r\n", "").contains('\n'), "bare LF found");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "日期,姓名,身份证号,事由");
        assert_eq!(
            lines[1],
            format!("\t2026-11-01,张三,{ID_NUMBER},\"接孩子, 看病\"")
        );
        // Short row padded to the column count.
        assert_eq!(lines[2], "\t2026-11-02,李四,13800138000,");
        // No summary row, no title or footer lines.
        assert_eq!(lines[3], "", "file ends with CRLF");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn dates_and_times_stay_text_other_cells_untouched() {
        for (cell, kept) in [
            ("2026-11-22", "\t2026-11-22"),
            ("21:30", "\t21:30"),
            ("11-22 21:30", "\t11-22 21:30"),
            ("2026/11/22", "\t2026/11/22"),
            ("3-5", "\t3-5"),
            ("12", "12"),
            ("13800138000", "13800138000"),
            ("305-2 张三", "305-2 张三"),
            ("", ""),
            ("'-5", "'-5"),
        ] {
            assert_eq!(keep_as_text(cell), kept, "{cell}");
        }
        // Read back, the value is the date once whitespace is trimmed.
        let text = csv_text(&visitor_ledger());
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[0], "2026-11-01");
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
        let row = &records[1];
        assert_eq!(&row[0], "a,b");
        assert_eq!(&row[1], "say \"hi\"");
        assert_eq!(&row[2], "line1\nline2");
    }

    #[test]
    fn csv_guards_formula_injection() {
        let mut ledger = visitor_ledger();
        ledger.columns[0].header = "=HYPERLINK(\"x\")".to_string();
        ledger.rows = vec![
            vec![
                "=1+1".to_string(),
                "+8613800138000".to_string(),
                "-5".to_string(),
                "@SUM(A1)".to_string(),
            ],
            vec!["\tcmd".to_string(), "a=b".to_string()],
        ];
        let text = csv_text(&ledger);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "\"'=HYPERLINK(\"\"x\"\")\",姓名,身份证号,事由");
        assert_eq!(lines[1], "'=1+1,'+8613800138000,'-5,'@SUM(A1)");
        // Only a leading trigger character counts.
        assert_eq!(lines[2], "'\tcmd,a=b,,");
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
        assert_eq!(lines[0], "日期,姓名,身份证号,事由,");
        assert_eq!(lines[1], "1,2,3,4,5");
    }
}
