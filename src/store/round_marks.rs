//! A round's marks, kept as one row per round (`round_marks`, schema 21):
//! a JSON object from boarder id to that boarder's mark. A school year holds
//! over two million marks; as one row each they were ~390 MB of a 1.7 GB
//! station, and SQLite's own work per row was most of what they cost a full
//! import. Readers see the `marks` view, one row per boarder as before.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One boarder's mark, in the order of the `marks` view's columns after
/// the keys: mark, late_at, note, at_ms, by, changes, fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry(
    pub String,
    pub Option<i64>,
    pub String,
    pub i64,
    pub String,
    pub i64,
    pub Option<String>,
);

impl Entry {
    pub fn mark(&self) -> &str {
        &self.0
    }
}

/// A round's marks by boarder id, in id order: the same marks always make
/// the same row, however they were written.
pub type Sheet = BTreeMap<String, Entry>;

/// The round's marks; empty when none is held.
pub fn read(conn: &Connection, round_id: &str) -> Result<Sheet, StoreError> {
    let text: Option<String> = conn
        .prepare_cached("SELECT marks FROM round_marks WHERE round_id = ?1")?
        .query_row([round_id], |r| r.get(0))
        .optional()?;
    match text {
        None => Ok(Sheet::new()),
        Some(t) => serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string())),
    }
}

/// Replaces the round's marks; a round with none keeps no row.
pub fn write(conn: &Connection, round_id: &str, sheet: &Sheet) -> Result<(), StoreError> {
    if sheet.is_empty() {
        return delete(conn, round_id);
    }
    let text = serde_json::to_string(sheet).expect("marks serialize");
    conn.prepare_cached("INSERT OR REPLACE INTO round_marks (round_id, marks) VALUES (?1, ?2)")?
        .execute(rusqlite::params![round_id, text])?;
    Ok(())
}

pub fn delete(conn: &Connection, round_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM round_marks WHERE round_id = ?1")?
        .execute([round_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_the_views_columns_in_order() {
        let e = Entry(
            "late".into(),
            Some(5),
            "路上".into(),
            7,
            "op".into(),
            1,
            None,
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"["late",5,"路上",7,"op",1,null]"#
        );
    }
}
