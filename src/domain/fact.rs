//! Notes and reasons the system writes on its own. They are kept in events
//! as a code with its parameters, never as text: events sync to stations
//! running the other language, and each must show them in its own.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Fact {
    /// A roster import no longer listed the student.
    NotInRoster { file: String },
    /// On approved leave when a round started.
    OnLeave {
        destination: String,
        approved_by: String,
        due_ms: i64,
    },
    /// Out through the gate and not back when a round started.
    OutThroughGate {
        with_name: String,
        relation: String,
        at_ms: i64,
    },
}

impl Fact {
    /// The projection column form (JSON).
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).expect("facts serialize")
    }

    /// Reads the projection column back. A code from a newer version reads
    /// as `None`, so its event shows only its text.
    pub fn from_column(col: Option<&str>) -> Option<Fact> {
        col.and_then(|s| serde_json::from_str(s).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_round_trip_and_unknown_codes_read_as_none() {
        let f = Fact::OnLeave {
            destination: "家".into(),
            approved_by: "王老师".into(),
            due_ms: 42,
        };
        let col = f.to_column();
        assert_eq!(
            col,
            r#"{"code":"on_leave","destination":"家","approved_by":"王老师","due_ms":42}"#
        );
        assert_eq!(Fact::from_column(Some(&col)), Some(f));
        assert_eq!(Fact::from_column(Some(r#"{"code":"later_kind"}"#)), None);
        assert_eq!(Fact::from_column(None), None);
    }
}
