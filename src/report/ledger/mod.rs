//! Paper-form ledgers (visitor register, roll-call book, hazard ledger …)
//! exported as `.csv` or `.xlsx`.
//!
//! The caller has already translated and formatted every string; this module
//! only lays the cells out.
//!
//! The two formats have different jobs. The `.xlsx` is the printed form:
//! title, subtitle, a blank line, the header row, the data rows, a blank
//! line and the footer lines (totals, signature blanks), set up for A4.
//! Every cell is stored as text, so 18-digit ID numbers and phone numbers
//! keep all their digits. The `.csv` is a table for data exchange: the
//! header on row 1 and one row per record, nothing else; cells are written
//! as they are apart from the formula-injection guard and the tab that
//! keeps dates as text, described on [`csv_bytes`]. Excel may show long
//! digit strings from the CSV as `1.1E+17`; use the `.xlsx` for Excel.

mod atomic;
mod csv_writer;
mod layout;
mod xlsx_writer;

use std::path::Path;

pub use csv_writer::csv_bytes;
pub use xlsx_writer::xlsx_bytes;

/// Records produced on demand, for ledgers too long to hold in memory (a
/// year of visits): read once to measure the columns and once to write
/// them, so memory stays flat however long the ledger is.
pub trait RowStream {
    /// How many rows [`RowStream::each`] gives: the progress total.
    fn count(&self) -> usize;
    /// Calls `f` with every row in order, stopping at the first error.
    fn each(
        &self,
        f: &mut dyn FnMut(&[String]) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError>;
}

/// Hears how a long write is going, and may stop it.
pub trait Watch {
    fn progress(&self, done: u64, total: u64);
    /// True to stop: the write fails with [`LedgerError::Cancelled`] and
    /// leaves no file behind.
    fn cancelled(&self) -> bool {
        false
    }
}

/// For callers that show no progress and never cancel.
pub struct Unwatched;

impl Watch for Unwatched {
    fn progress(&self, _: u64, _: u64) {}
}

/// A ledger's heading and footer with its rows: the streamed records (if
/// any) followed by `ledger.rows`, whose last `summary_rows` are totals.
#[derive(Clone, Copy)]
pub(super) struct Table<'a> {
    pub ledger: &'a Ledger,
    pub stream: Option<&'a dyn RowStream>,
}

/// What a pass over a table's rows does with each: its index and cells.
pub(super) type RowVisit<'f> = dyn FnMut(usize, &[String]) -> Result<(), LedgerError> + 'f;

/// Rows between two progress reports (and cancel checks).
const REPORT_EVERY: usize = 512;

impl<'a> Table<'a> {
    pub fn of(ledger: &'a Ledger) -> Table<'a> {
        Table {
            ledger,
            stream: None,
        }
    }

    pub fn len(&self) -> usize {
        self.stream.map_or(0, |s| s.count()) + self.ledger.rows.len()
    }

    /// Rows that are records (not totals).
    pub fn records(&self) -> usize {
        self.stream.map_or(0, |s| s.count()) + self.ledger.records().len()
    }

    /// Every row in order with its index. Progress is reported as pass
    /// `pass` of `passes` over the rows; a cancel stops the walk.
    pub fn each(
        &self,
        (pass, passes): (u64, u64),
        watch: &dyn Watch,
        f: &mut RowVisit,
    ) -> Result<(), LedgerError> {
        let total = self.len() as u64 * passes;
        let mut i = 0;
        let mut step = |row: &[String]| {
            if i % REPORT_EVERY == 0 {
                if watch.cancelled() {
                    return Err(LedgerError::Cancelled);
                }
                watch.progress(pass * self.len() as u64 + i as u64, total);
            }
            f(i, row)?;
            i += 1;
            Ok(())
        };
        if let Some(s) = self.stream {
            s.each(&mut step)?;
        }
        for row in &self.ledger.rows {
            step(row)?;
        }
        Ok(())
    }
}

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
    /// How the form is printed: wide registers landscape, lists portrait.
    pub orientation: Orientation,
    /// How many of the last `rows` are totals or summaries rather than
    /// records: kept out of the autofilter and out of the CSV, which holds
    /// one row per record.
    pub summary_rows: usize,
    /// Records that start a new printed page (the handover record: one
    /// shift a page). Ignored by the CSV.
    pub page_breaks: Vec<usize>,
}

impl Ledger {
    /// The rows that are records, without the trailing summary rows.
    pub fn records(&self) -> &[Vec<String>] {
        &self.rows[..self.rows.len().saturating_sub(self.summary_rows)]
    }
}

/// Page orientation of the printed form (always A4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    #[default]
    Landscape,
    Portrait,
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Suggested xlsx width in characters. The .xlsx sizes columns to what
    /// they hold (see the print plan); this width is used only when the
    /// ledger has no rows to measure. Non-finite or non-positive: ignored.
    pub width: f64,
    /// Left blank for a signature by hand on the printout: kept wide
    /// enough to sign in, however empty.
    pub hand: bool,
}

impl Column {
    pub fn new(header: impl Into<String>, width: f64) -> Column {
        Column {
            header: header.into(),
            width,
            hand: false,
        }
    }

    /// A column signed by hand on the printout.
    pub fn signed(mut self) -> Column {
        self.hand = true;
        self
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
    /// Stopped by the user; nothing was written.
    #[error("cancelled")]
    Cancelled,
    /// Reading the records from the station failed.
    #[error("{0}")]
    Source(String),
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
    write_table(Table::of(ledger), path, &Unwatched)
}

/// Replaces `path` with `bytes` atomically (a file built whole elsewhere,
/// such as the checkpoint cards).
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    atomic::write_atomically_with(path, |file| std::io::Write::write_all(file, bytes))
}

/// Writes `records` then `ledger.rows` (its summary rows) to `path` as
/// [`write_ledger`] does, reading the records as they are written: memory
/// does not grow with the ledger's length. `watch` hears the progress.
pub fn write_streamed(
    ledger: &Ledger,
    records: &dyn RowStream,
    path: &Path,
    watch: &dyn Watch,
) -> Result<(), LedgerError> {
    let table = Table {
        ledger,
        stream: Some(records),
    };
    write_table(table, path, watch)
}

fn write_table(table: Table, path: &Path, watch: &dyn Watch) -> Result<(), LedgerError> {
    let format = Format::from_path(path)?;
    // Into a temporary file renamed into place only when complete: an
    // error, a cancel or a crash half-way leaves no ledger behind.
    atomic::write_atomically_with(path, |file| match format {
        Format::Csv => csv_writer::write_csv(table, file, watch),
        Format::Xlsx => xlsx_writer::write_xlsx(table, file, watch),
    })?;
    watch.progress(1, 1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;

    pub(super) const ID_NUMBER: &str = "110105200801011234";

    pub(super) fn visitor_ledger() -> Ledger {
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
            ..Ledger::default()
        }
    }

    pub(super) fn dir_entries(dir: &Path) -> Vec<PathBuf> {
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

    /// The visitor ledger's rows, given one at a time.
    struct Streamed(Vec<Vec<String>>);

    impl RowStream for Streamed {
        fn count(&self) -> usize {
            self.0.len()
        }
        fn each(
            &self,
            f: &mut dyn FnMut(&[String]) -> Result<(), LedgerError>,
        ) -> Result<(), LedgerError> {
            self.0.iter().try_for_each(|r| f(r))
        }
    }

    /// Records progress; cancels once `stop_at` rows have gone by.
    struct Recorder {
        seen: std::cell::RefCell<Vec<(u64, u64)>>,
        stop_at: Option<u64>,
    }

    impl Watch for Recorder {
        fn progress(&self, done: u64, total: u64) {
            self.seen.borrow_mut().push((done, total));
        }
        fn cancelled(&self) -> bool {
            let last = self.seen.borrow().last().map_or(0, |p| p.0);
            self.stop_at.is_some_and(|s| last >= s)
        }
    }

    /// Many rows, so the walk reports progress (and checks for a cancel)
    /// more than once.
    fn long_ledger() -> (Ledger, Vec<Vec<String>>) {
        let rows: Vec<Vec<String>> = (0..2_000)
            .map(|i| {
                vec![
                    format!("2026-11-{:02}", i % 28 + 1),
                    format!("访客{i}"),
                    ID_NUMBER.to_string(),
                    "接孩子".repeat(i % 4 + 1),
                ]
            })
            .collect();
        let mut head = visitor_ledger();
        head.rows = vec![vec!["合计".to_string(), "2000".to_string()]];
        head.summary_rows = 1;
        (head, rows)
    }

    #[test]
    fn streamed_rows_write_the_same_file_as_rows_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let (head, rows) = long_ledger();
        let mut whole = head.clone();
        whole.rows = rows.iter().cloned().chain(head.rows.clone()).collect();
        for ext in ["csv", "xlsx"] {
            let streamed = dir.path().join(format!("s.{ext}"));
            let held = dir.path().join(format!("m.{ext}"));
            let watch = Recorder {
                seen: Default::default(),
                stop_at: None,
            };
            write_streamed(&head, &Streamed(rows.clone()), &streamed, &watch).unwrap();
            write_ledger(&whole, &held).unwrap();
            if ext == "csv" {
                assert_eq!(fs::read(&streamed).unwrap(), fs::read(&held).unwrap());
            } else {
                use calamine::Reader;
                let grid = |p: &Path| {
                    let mut wb = calamine::open_workbook_auto(p).unwrap();
                    let name = wb.sheet_names()[0].clone();
                    wb.worksheet_range(&name).unwrap()
                };
                assert_eq!(grid(&streamed), grid(&held));
            }
            // Progress climbs to the end and never past it.
            let seen = watch.seen.borrow();
            assert!(seen.len() > 3, "{ext}: {seen:?}");
            let ratio = |(d, t): (u64, u64)| d as f64 / t as f64;
            assert!(
                seen.windows(2).all(|w| ratio(w[0]) <= ratio(w[1])),
                "{ext}: {seen:?}"
            );
            assert!(seen.iter().all(|(d, t)| d <= t), "{ext}");
            assert_eq!(seen.last(), Some(&(1, 1)), "{ext}");
        }
    }

    #[test]
    fn a_cancelled_write_leaves_no_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let (head, rows) = long_ledger();
        for ext in ["csv", "xlsx"] {
            let path = dir.path().join(format!("out.{ext}"));
            fs::write(&path, "last month's ledger").unwrap();
            let watch = Recorder {
                seen: Default::default(),
                stop_at: Some(1_000),
            };
            let err = write_streamed(&head, &Streamed(rows.clone()), &path, &watch).unwrap_err();
            assert!(matches!(err, LedgerError::Cancelled), "{ext}: {err:?}");
            assert_eq!(fs::read_to_string(&path).unwrap(), "last month's ledger");
            assert_eq!(dir_entries(dir.path()).len(), 1, "{ext}: temp file left");
            fs::remove_file(&path).unwrap();
        }
    }
}
