//! Roster lines as a file gives them (值班表 .xlsx/.csv): names of people
//! and stations as typed, before they are matched to accounts and station
//! ids. The import reads cells into these; the store resolves them.

use super::validate::FieldError;
use chrono::NaiveDate;

/// One row of a roster file, read but not yet matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyLine {
    /// Spreadsheet row, 1-based.
    pub line: usize,
    pub date: NaiveDate,
    /// A shift key, or 白班/夜班 as offices write them.
    pub shift: String,
    /// The station's name (or id).
    pub station: String,
    pub people: Vec<String>,
    pub leader: Option<String>,
    /// (post, person).
    pub posts: Vec<(String, String)>,
    pub note: String,
}

/// What is wrong with a row, by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    Date,
    /// Not one of the station's shifts.
    Shift,
    /// No station of that name.
    Station,
    /// A post not written as "post:person".
    Posts(String),
    /// The same shift at the same station twice in the file.
    Duplicate,
    Field(FieldError),
}

impl LineProblem {
    pub fn key(&self) -> &'static str {
        match self {
            LineProblem::Date => "duty.err.date",
            LineProblem::Shift => "duty.err.shift",
            LineProblem::Station => "duty.err.station",
            LineProblem::Posts(_) => "duty.err.posts",
            LineProblem::Duplicate => "duty.err.duplicate",
            LineProblem::Field(e) => e.key(),
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            LineProblem::Posts(part) => vec![("part", part.clone())],
            LineProblem::Field(e) => e.args(),
            _ => vec![],
        }
    }
}

/// A row that could not be taken: its row, the column (`duty.col.<field>`)
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub field: &'static str,
    pub problem: LineProblem,
}

/// 白班/夜班 (and English words) to the default shift keys; anything else
/// is taken as a key as typed, lower-cased.
pub fn shift_key(s: &str) -> String {
    let t = s.trim();
    match t {
        "白班" | "日班" | "白天" | "day" | "Day" | "DAY" => "day".into(),
        "夜班" | "晚班" | "夜间" | "night" | "Night" | "NIGHT" => "night".into(),
        _ => t.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_words_as_offices_write_them() {
        assert_eq!(shift_key(" 白班 "), "day");
        assert_eq!(shift_key("夜班"), "night");
        assert_eq!(shift_key("Late"), "late");
        assert_eq!(LineProblem::Posts("周界".into()).args()[0].1, "周界");
    }
}
