//! Pieces every ledger builder shares: translated columns, the bed label,
//! the export time, and writing with the file named in any error.

use std::path::Path;

use crate::domain::role::Actor;
use crate::domain::roster::BedRef;
use crate::domain::time;
use crate::i18n::{tr, trf};
use crate::report::ledger::{Column, Ledger, LedgerError, RowStream, Watch, write_streamed};
use crate::store::{Store, StoreError};

/// Columns from (catalog key, width) pairs, headers in the caller's
/// language. A key ending in `_sign` is a column signed by hand.
pub(crate) fn columns(spec: &[(&str, f64)]) -> Vec<Column> {
    spec.iter()
        .map(|(k, w)| {
            let c = Column::new(tr(k), *w);
            if k.ends_with("_sign") { c.signed() } else { c }
        })
        .collect()
}

/// "1号楼 305-2", "—" without a bed, marked when the boarder has left: a
/// row for someone who may no longer be in the building the ledger covers.
pub(crate) fn bed_with_building(bed: &Option<BedRef>, active: bool) -> String {
    let label = match bed {
        Some(b) => format!("{} {}-{}", b.building, b.room, b.bed),
        None => "—".to_string(),
    };
    if active {
        label
    } else {
        trf("report.boarder_left", &[("bed", label)])
    }
}

/// Id of the actor for exports from the command line without `--as`: no
/// operator's id has this form (they are generated ids).
const COMMAND_LINE_ID: &str = "command-line";

/// The unnamed command-line exporter of earlier versions. The command
/// line now always names the operator (`--as`); kept for the tests that
/// show such a ledger never borrows an operator's name.
#[cfg(test)]
pub(crate) fn command_line_actor() -> Actor {
    Actor {
        id: COMMAND_LINE_ID.to_string(),
        name: tr("report.exported_cli"),
        role: crate::domain::role::Role::DutyLeader,
    }
}

/// The subtitle's "exported by …" words: the operator who exported (the
/// one logged in, or named and PIN-checked with `--as`), or "exported
/// from the command line".
pub(crate) fn exported_by(actor: &Actor) -> String {
    if actor.id == COMMAND_LINE_ID {
        tr("report.exported_cli")
    } else {
        trf("report.exported_by", &[("name", actor.name.clone())])
    }
}

/// When the ledger was made, in the station's time, for its subtitle.
pub(crate) fn exported_at(store: &Store, utc_offset_min: i32) -> String {
    time::fmt_local(store.now_ms(), utc_offset_min, "%Y-%m-%d %H:%M")
}

/// Writes a ledger, naming the file in any error so the CLI and the TUI can
/// show it as one line. `watch` hears the progress and may cancel.
pub(crate) fn write_report(
    ledger: &Ledger,
    path: &Path,
    watch: &dyn Watch,
) -> Result<(), StoreError> {
    write_report_streamed(ledger, &NoRows, path, watch)
}

/// Writes a ledger built whole; returns how many records (not totals) it
/// holds.
pub(crate) fn write_built(
    ledger: Result<Ledger, StoreError>,
    path: &Path,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    let ledger = ledger?;
    write_report(&ledger, path, watch)?;
    Ok(ledger.records().len())
}

/// [`write_report`] for a ledger whose records are read as they are
/// written (`records`), followed by `ledger.rows` (its totals).
pub(crate) fn write_report_streamed(
    ledger: &Ledger,
    records: &dyn RowStream,
    path: &Path,
    watch: &dyn Watch,
) -> Result<(), StoreError> {
    write_streamed(ledger, records, path, watch).map_err(|e| {
        // The kind survives, so the command line can say why in words.
        let (kind, detail) = match e {
            LedgerError::Io(io) => (io.kind(), io.to_string()),
            LedgerError::Cancelled => (std::io::ErrorKind::Interrupted, e.to_string()),
            other => (std::io::ErrorKind::Other, other.to_string()),
        };
        StoreError::Io(std::io::Error::new(
            kind,
            format!("{}: {detail}", path.display()),
        ))
    })
}

/// What a streamed ledger reads: the station's cursor over its entries,
/// each given to the callback in order.
pub(crate) type Walk<'a, T> =
    Box<dyn Fn(&mut dyn FnMut(T) -> Result<(), StoreError>) -> Result<(), StoreError> + 'a>;

/// How a streamed ledger lays out its n-th entry (from 1) as a line.
pub(crate) type Line<'a, T> = Box<dyn Fn(usize, &T) -> Result<Vec<String>, StoreError> + 'a>;

/// A ledger's records read from the station as they are written: `walk`
/// gives the entries, `row` lays each out.
pub(crate) struct Streamed<'a, T> {
    pub count: usize,
    pub walk: Walk<'a, T>,
    pub row: Line<'a, T>,
}

impl<T> RowStream for Streamed<'_, T> {
    fn count(&self) -> usize {
        self.count
    }

    fn each(
        &self,
        f: &mut dyn FnMut(&[String]) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        // A ledger error (a full disk, a cancel) is kept as it is while it
        // passes through the store's loop; a store error becomes a source
        // error.
        let mut failed = None;
        let mut n = 0;
        let walked = (self.walk)(&mut |entry| {
            n += 1;
            let row = (self.row)(n, &entry)?;
            f(&row).map_err(|e| {
                failed = Some(e);
                StoreError::Io(std::io::Error::other("stopped"))
            })
        });
        match (failed, walked) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(LedgerError::Source(e.to_string())),
            (None, Ok(())) => Ok(()),
        }
    }
}

impl<T> Streamed<'_, T> {
    /// Every row in memory: for checks and small ranges.
    pub fn collect(&self) -> Result<Vec<Vec<String>>, StoreError> {
        let mut rows = vec![];
        self.each(&mut |row| {
            rows.push(row.to_vec());
            Ok(())
        })
        .map_err(|e| StoreError::Io(std::io::Error::other(e.to_string())))?;
        Ok(rows)
    }
}

/// A streamed ledger made by `prepare` (heading, footer and records),
/// written to `path` inside one read snapshot, so the totals under the
/// table count the lines above it. Returns the number of records.
pub(crate) fn export_streamed<'a, T>(
    store: &'a Store,
    prepare: impl FnOnce() -> Result<(Ledger, Streamed<'a, T>), StoreError>,
    path: &Path,
    watch: &dyn Watch,
) -> Result<usize, StoreError> {
    store.read_snapshot(|| {
        let (head, rows) = prepare()?;
        write_report_streamed(&head, &rows, path, watch)?;
        Ok(rows.count)
    })
}

/// A streamed ledger made by `prepare`, whole in memory: for checks and
/// small ranges.
pub(crate) fn build_streamed<'a, T>(
    store: &'a Store,
    prepare: impl FnOnce() -> Result<(Ledger, Streamed<'a, T>), StoreError>,
) -> Result<Ledger, StoreError> {
    store.read_snapshot(|| {
        let (mut ledger, rows) = prepare()?;
        ledger.rows = rows.collect()?;
        Ok(ledger)
    })
}

/// No streamed records: the ledger's rows are all there is.
struct NoRows;

impl RowStream for NoRows {
    fn count(&self) -> usize {
        0
    }
    fn each(
        &self,
        _: &mut dyn FnMut(&[String]) -> Result<(), LedgerError>,
    ) -> Result<(), LedgerError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::report::ledger::Unwatched;

    #[test]
    fn write_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no_such_dir").join("out.csv");
        let err = write_report(&Ledger::default(), &path, &Unwatched).unwrap_err();
        assert!(err.to_string().contains("out.csv"), "{err}");
        let path = dir.path().join("out.pdf");
        let err = write_report(&Ledger::default(), &path, &Unwatched).unwrap_err();
        assert!(err.to_string().contains("out.pdf"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn exporter_words() {
        let op = Actor {
            id: "op-1".into(),
            name: "刘主任".into(),
            role: Role::DutyLeader,
        };
        assert_eq!(
            exported_by(&op),
            trf("report.exported_by", &[("name", "刘主任".to_string())])
        );
        assert!(exported_by(&op).contains("刘主任"));
        assert_eq!(
            exported_by(&command_line_actor()),
            tr("report.exported_cli")
        );
    }

    #[test]
    fn bed_labels() {
        let bed = Some(BedRef {
            building: "1号楼".into(),
            floor: 3,
            room: "305".into(),
            bed: "2".into(),
        });
        assert_eq!(bed_with_building(&bed, true), "1号楼 305-2");
        assert_eq!(bed_with_building(&None, true), "—");
        let left = bed_with_building(&bed, false);
        assert_ne!(left, "1号楼 305-2");
        assert!(left.contains("1号楼 305-2"), "{left}");
    }
}
