//! The CSV writer: UTF-8 with BOM, CRLF, RFC 4180 quoting and a guard
//! against formula injection.

use std::borrow::Cow;

use super::layout::{padded, table_width};
use super::{Ledger, LedgerError};

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
}
