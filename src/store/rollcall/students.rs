//! Boarders as the roll-call reads them: buildings, students, search, and
//! how beds sort and show.

use crate::domain::roster::{BedRef, Student, StudentData};
use crate::domain::validate::normalize_input;
use crate::store::{Store, StoreError};
use rusqlite::{OptionalExtension, params};

pub const STUDENT_COLS: &str = "id, data, building, floor, room, bed";

pub fn read_student(r: &rusqlite::Row) -> rusqlite::Result<Student> {
    let data: String = r.get(1)?;
    let building: Option<String> = r.get(2)?;
    let floor: Option<i32> = r.get(3)?;
    let room: Option<String> = r.get(4)?;
    let bed: Option<String> = r.get(5)?;
    Ok(Student {
        id: r.get(0)?,
        data: serde_json::from_str::<StudentData>(&data).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?,
        bed: match (building, floor, room, bed) {
            (Some(building), Some(floor), Some(room), Some(bed)) => Some(BedRef {
                building,
                floor,
                room,
                bed,
            }),
            _ => None,
        },
    })
}

/// Beds sort as people read them: room 305 before 1204, bed 2 before 10.
pub(super) fn bed_order(b: &Option<BedRef>) -> (String, i32, i64, String, i64, String) {
    match b {
        Some(b) => (
            b.building.clone(),
            b.floor,
            b.room.parse::<i64>().unwrap_or(i64::MAX),
            b.room.clone(),
            b.bed.parse::<i64>().unwrap_or(i64::MAX),
            b.bed.clone(),
        ),
        None => (
            String::new(),
            i32::MAX,
            i64::MAX,
            String::new(),
            i64::MAX,
            String::new(),
        ),
    }
}

/// Where a bed shows up on the student (for lists).
pub fn bed_label(b: &Option<BedRef>) -> String {
    match b {
        Some(b) => format!("{}-{}", b.room, b.bed),
        None => "—".into(),
    }
}

impl Store {
    /// Buildings that have beds, in name order.
    pub fn buildings(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT building FROM beds UNION SELECT DISTINCT building FROM students WHERE active = 1 AND building IS NOT NULL ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Active boarders, in bed order; one building or all.
    pub fn students(&self, building: Option<&str>) -> Result<Vec<Student>, StoreError> {
        // One building reads its beds' index; an `OR` for "any building"
        // in the same statement would read every boarder who ever left.
        let mut v: Vec<Student> = match building {
            Some(b) => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {STUDENT_COLS} FROM students WHERE building = ?1 AND active = 1"
                ))?;
                let rows = stmt.query_map([b], read_student)?;
                rows.collect::<Result<_, _>>()?
            }
            None => {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {STUDENT_COLS} FROM students WHERE active = 1"
                ))?;
                let rows = stmt.query_map([], read_student)?;
                rows.collect::<Result<_, _>>()?
            }
        };
        v.sort_by_cached_key(|s| (bed_order(&s.bed), s.data.name.clone()));
        Ok(v)
    }

    pub fn student(&self, id: &str) -> Result<Option<Student>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {STUDENT_COLS} FROM students WHERE id = ?1"
            ))?
            .query_row([id], read_student)
            .optional()?)
    }

    /// Boarders whose name, pinyin, class, number or guardian match `q`.
    pub fn find_students(&self, q: &str, limit: usize) -> Result<Vec<Student>, StoreError> {
        let q = normalize_input(q).to_lowercase();
        if q.is_empty() {
            return Ok(vec![]);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STUDENT_COLS} FROM students WHERE active = 1 AND search LIKE ?1 ESCAPE '\\' ORDER BY name LIMIT ?2"
        ))?;
        let rows = stmt.query_map(
            params![crate::store::visits::like_pattern(&q), limit as i64],
            read_student,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beds_sort_numerically() {
        let b = |room: &str, bed: &str| {
            Some(BedRef {
                building: "1".into(),
                floor: 1,
                room: room.into(),
                bed: bed.into(),
            })
        };
        let mut v = [b("305", "10"), b("305", "2"), b("1204", "1"), b("99", "1")];
        v.sort_by_key(bed_order);
        let labels: Vec<_> = v.iter().map(bed_label).collect();
        assert_eq!(labels, vec!["99-1", "305-2", "305-10", "1204-1"]);
    }
}
