//! Bytes to a grid of cells: the spreadsheet formats through calamine, text
//! through encoding detection and delimiter guessing.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};

use super::rows::parse_grid;
use super::{HEADER_SCAN_ROWS, ImportError, ParsedRoster, SourceKind};

/// Read a roster file, choosing the format by extension.
pub fn parse_file(path: &Path) -> Result<ParsedRoster, ImportError> {
    let kind = SourceKind::from_path(path)?;
    let bytes = std::fs::read(path)?;
    parse_bytes(&bytes, kind)
}

/// Parse a file's bytes. The content wins over the declared kind: school
/// systems often "export to Excel" as a tab-separated text file named .xls,
/// or an .xlsx renamed to .xls.
pub fn parse_bytes(bytes: &[u8], kind: SourceKind) -> Result<ParsedRoster, ImportError> {
    let content = if bytes.starts_with(b"PK\x03\x04") {
        SourceKind::Xlsx
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        SourceKind::Xls
    } else if kind != SourceKind::Csv && bytes.trim_ascii_start().starts_with(b"<") {
        // Some systems save an HTML table as .xls; Excel opens it, we cannot.
        return Err(ImportError::Spreadsheet(
            "an HTML page named as a spreadsheet: open it in Excel and save as .xlsx".into(),
        ));
    } else {
        SourceKind::Csv
    };
    match content {
        SourceKind::Csv => {
            let (text, encoding) = decode_text(bytes);
            let mut parsed = parse_grid(split_delimited(&text))?;
            parsed.encoding = encoding;
            Ok(parsed)
        }
        SourceKind::Xlsx => {
            let wb = calamine::Xlsx::new(Cursor::new(bytes))
                .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
            parse_workbook(wb, "xlsx")
        }
        SourceKind::Xls => {
            let wb = calamine::Xls::new(Cursor::new(bytes))
                .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
            parse_workbook(wb, "xls")
        }
    }
}

/// A file's cells as grids, one per worksheet (a text file is one), for
/// imports other than the roster (checkpoints) that read their own header.
pub fn grids(bytes: &[u8], kind: SourceKind) -> Result<Vec<Vec<Vec<String>>>, ImportError> {
    let spreadsheet = |e: &dyn std::fmt::Display| ImportError::Spreadsheet(e.to_string());
    if bytes.starts_with(b"PK\x03\x04") {
        let wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| spreadsheet(&e))?;
        sheet_grids(wb)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| spreadsheet(&e))?;
        sheet_grids(wb)
    } else if kind != SourceKind::Csv && bytes.trim_ascii_start().starts_with(b"<") {
        Err(ImportError::Spreadsheet(
            "an HTML page named as a spreadsheet: open it in Excel and save as .xlsx".into(),
        ))
    } else {
        Ok(vec![split_delimited(&decode_text(bytes).0)])
    }
}

fn sheet_grids<R, RS>(mut wb: R) -> Result<Vec<Vec<Vec<String>>>, ImportError>
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    wb.sheet_names()
        .iter()
        .map(|n| {
            wb.worksheet_range(n)
                .map(|r| range_to_grid(&r))
                .map_err(|e| ImportError::Spreadsheet(e.to_string()))
        })
        .collect()
}

/// The first worksheet that holds a roster; if none does, the most useful
/// error of the first sheets (naming columns beats "no header" beats
/// "empty", which an instructions sheet or a blank Sheet2 would give).
fn parse_workbook<R, RS>(mut wb: R, encoding: &'static str) -> Result<ParsedRoster, ImportError>
where
    R: Reader<RS>,
    RS: std::io::Read + std::io::Seek,
    R::Error: std::fmt::Display,
{
    let mut first_err: Option<ImportError> = None;
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
        match parse_grid(range_to_grid(&range)) {
            Ok(mut parsed) => {
                parsed.encoding = encoding;
                return Ok(parsed);
            }
            Err(e) => {
                if first_err.as_ref().is_none_or(|f| rank(&e) > rank(f)) {
                    first_err = Some(e);
                }
            }
        }
    }
    Err(first_err.unwrap_or(ImportError::Empty))
}

fn rank(e: &ImportError) -> u8 {
    match e {
        ImportError::UnknownColumns { .. } => 2,
        ImportError::NoHeader => 1,
        _ => 0,
    }
}

/// Cells as displayed strings, padded so grid indices are sheet positions
/// (line numbers must match what Excel shows).
fn range_to_grid(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    let Some((row0, col0)) = range.start() else {
        return Vec::new();
    };
    let mut grid = vec![Vec::new(); row0 as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); col0 as usize];
        cells.extend(row.iter().map(cell_text));
        grid.push(cells);
    }
    grid
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_f64(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
            if (h, mi) == (0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
            }
        }
        Data::DateTime(d) => format_f64(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// Integral floats print without ".0": Excel keeps phones and 学号 as
/// numbers, and 13800138000 must not become "13800138000.0" or "1.38e10".
pub(super) fn format_f64(f: f64) -> String {
    // Below 2^53 every integer is exact, so the cast loses nothing.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Decode CSV bytes and name the encoding found.
fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    use encoding_rs::{BIG5, GB18030, UTF_8, UTF_16BE, UTF_16LE};
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (
            UTF_8.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-8 BOM",
        );
    }
    // Excel's "Unicode text" export.
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16LE",
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16BE",
        );
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "UTF-8");
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // No TLD hint: with ".cn" a Big5 file reads as GBK, and GBK is found
    // without it, even in a one-row file.
    let guess = detector.guess(None, false);
    if guess == BIG5 {
        return (
            BIG5.decode_without_bom_handling(bytes).0.into_owned(),
            "Big5",
        );
    }
    if guess.name() == "GBK" || guess == GB18030 {
        let text = GB18030.decode_without_bom_handling(bytes).0.into_owned();
        return (text, gb_name(bytes));
    }
    // A short file can fool the detector; a clean GB18030 decode is the
    // better bet for a Chinese roster.
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return (text.into_owned(), gb_name(bytes));
    }
    (
        guess.decode_without_bom_handling(bytes).0.into_owned(),
        guess.name(),
    )
}

/// "GB18030" when the bytes use its four-byte sequences (characters outside
/// GBK, such as rare name characters), else "GBK".
fn gb_name(bytes: &[u8]) -> &'static str {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit()) {
            return "GB18030";
        } else {
            i += 2;
        }
    }
    "GBK"
}

/// Split text into rows of cells (RFC 4180 quoting). The delimiter is a
/// comma unless tabs or semicolons dominate the busiest early line, which
/// finds the header line even below a title.
pub(super) fn split_delimited(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut best = (0, ',');
    for line in text.lines().take(HEADER_SCAN_ROWS) {
        for d in [',', '\t', ';'] {
            let n = line.matches(d).count();
            if n > best.0 {
                best = (n, d);
            }
        }
    }
    let delim = best.1;

    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() => quoted = true,
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ if c == delim => row.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::roster::tests::{fixture, grid};

    #[test]
    fn file_level_errors() {
        assert!(matches!(
            parse_file(Path::new("roster.pdf")),
            Err(ImportError::Unsupported(ref e)) if e == "pdf"
        ));
        assert!(matches!(
            parse_file(&fixture("no_such_file.CSV")),
            Err(ImportError::Io(_))
        ));
        assert!(matches!(
            parse_bytes(b"", SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes(b",,\r\n,,\r\n", SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes("姓名,寝室,床号\r\n".as_bytes(), SourceKind::Csv),
            Err(ImportError::Empty)
        ));
        assert!(matches!(
            parse_bytes(b"only a title\r\n", SourceKind::Csv),
            Err(ImportError::NoHeader)
        ));
        assert!(matches!(
            parse_bytes(b"PK\x03\x04garbage", SourceKind::Xlsx),
            Err(ImportError::Spreadsheet(_))
        ));
        assert_eq!(ImportError::Empty.key(), "import.err.empty");
    }

    #[test]
    fn text_named_xls_is_read_as_text() {
        // "Export to Excel" in many school systems writes tab-separated GBK.
        let (text, _, _) = encoding_rs::GBK.encode("姓名\t寝室\t床号\r\n张三\t101\t1\r\n");
        let p = parse_bytes(&text, SourceKind::Xls).unwrap();
        assert_eq!(p.encoding, "GBK");
        assert_eq!(p.rows[0].data.name, "张三");
        assert_eq!((p.rows[0].bed.floor, p.rows[0].bed.bed.as_str()), (1, "1"));
    }

    #[test]
    fn big5_and_utf16_text() {
        let text = "Name,Room,Bed,Notes\r\n陳大文,101,1,對花生過敏，請留意\r\n黃小明,101,2,晚上需要服藥\r\n";
        let (bytes, _, _) = encoding_rs::BIG5.encode(text);
        let p = parse_bytes(&bytes, SourceKind::Csv).unwrap();
        assert_eq!(p.encoding, "Big5");
        assert_eq!(p.rows[0].data.name, "陳大文");
        // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
        let mut bytes = vec![0xFF, 0xFE];
        for u in "姓名\t寝室\t床号\r\n张三\t101\t1\r\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let p = parse_bytes(&bytes, SourceKind::Csv).unwrap();
        assert_eq!(p.encoding, "UTF-16LE");
        assert_eq!(p.rows[0].data.name, "张三");
    }

    #[test]
    fn delimiters_and_quoting() {
        let p = parse_bytes(
            "花名册;;\n姓名;寝室;床号;备注\n张三;305;2;\"说\"\"梦话\"\";\n夜里\"\n".as_bytes(),
            SourceKind::Csv,
        )
        .unwrap();
        assert_eq!(p.header_line, 2);
        assert_eq!(p.rows[0].data.care_notes, "说\"梦话\"; 夜里");
        let rows = split_delimited("a,\"b,c\",d\r\n\r\ne");
        assert_eq!(rows, grid(&[&["a", "b,c", "d"], &[""], &["e"]]));
    }

    #[test]
    fn excel_numbers() {
        assert_eq!(format_f64(13800138000.0), "13800138000");
        assert_eq!(format_f64(2024010101.0), "2024010101");
        assert_eq!(format_f64(3.0), "3");
        assert_eq!(format_f64(-2.0), "-2");
        assert_eq!(format_f64(2.5), "2.5");
    }
}
