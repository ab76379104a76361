//! The events of the log. Each kind has a body stored as JSON verbatim; the
//! envelope (origin, seq, hlc, hash) is the store's business.

use super::role::Role;
use super::visit::{VisitDetails, WatchCheck};
use super::watchlist::WatchEntryData;
use serde::{Deserialize, Serialize};

/// Bumped when a body's shape changes incompatibly; readers keep old shapes.
pub const SCHEMA_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StationKind {
    Gate,
    Dorm,
    Office,
}

impl StationKind {
    pub const ALL: [StationKind; 3] = [StationKind::Gate, StationKind::Dorm, StationKind::Office];
    pub fn key(&self) -> &'static str {
        match self {
            StationKind::Gate => "gate",
            StationKind::Dorm => "dorm",
            StationKind::Office => "office",
        }
    }
    pub fn parse(s: &str) -> Option<StationKind> {
        StationKind::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationCreated {
    pub station_id: String,
    pub school: String,
    pub name: String,
    pub kind: StationKind,
    pub utc_offset_min: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorAdded {
    pub operator_id: String,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorChanged {
    pub operator_id: String,
    pub role: Role,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorPinSet {
    pub operator_id: String,
    pub pin_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorLoggedIn {
    pub operator_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingChanged {
    pub key: String,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRegistered {
    pub visit_id: String,
    pub details: VisitDetails,
    pub time_in_ms: i64,
    /// Set when the guard entered a time other than "now".
    pub time_in_reason: Option<String>,
    pub watch: Option<WatchCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitDenied {
    pub visit_id: String,
    pub details: VisitDetails,
    pub at_ms: i64,
    pub watch: WatchCheck,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitSignedOut {
    pub visit_id: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitCorrected {
    pub visit_id: String,
    /// The whole corrected record; the previous version stays in the log.
    pub details: VisitDetails,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchlistAdded {
    pub entry_id: String,
    pub entry: WatchEntryData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchlistRemoved {
    pub entry_id: String,
    pub reason: String,
}

/// Every kind this version understands. Kinds from newer versions are kept
/// in the log as raw JSON and simply not projected.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    StationCreated(StationCreated),
    OperatorAdded(OperatorAdded),
    OperatorChanged(OperatorChanged),
    OperatorPinSet(OperatorPinSet),
    OperatorLoggedIn(OperatorLoggedIn),
    SettingChanged(SettingChanged),
    VisitRegistered(VisitRegistered),
    VisitDenied(VisitDenied),
    VisitSignedOut(VisitSignedOut),
    VisitCorrected(VisitCorrected),
    WatchlistAdded(WatchlistAdded),
    WatchlistRemoved(WatchlistRemoved),
}

macro_rules! kinds {
    ($($variant:ident => $kind:literal, $entity:ident, $prefix:literal;)*) => {
        impl Event {
            pub fn kind(&self) -> &'static str {
                match self { $(Event::$variant(_) => $kind,)* }
            }
            /// The record this event is about, e.g. "visit:0193…".
            pub fn entity(&self) -> String {
                match self { $(Event::$variant(b) => format!("{}:{}", $prefix, b.$entity),)* }
            }
            pub fn body_json(&self) -> String {
                match self { $(Event::$variant(b) => serde_json::to_string(b).expect("event bodies serialize"),)* }
            }
            /// `None` for a kind this version does not know.
            pub fn parse(kind: &str, body: &str) -> Option<Result<Event, serde_json::Error>> {
                match kind {
                    $($kind => Some(serde_json::from_str(body).map(Event::$variant)),)*
                    _ => None,
                }
            }
            pub const KINDS: &'static [&'static str] = &[$($kind),*];
        }
    };
}

kinds! {
    StationCreated => "station.created", station_id, "station";
    OperatorAdded => "operator.added", operator_id, "operator";
    OperatorChanged => "operator.changed", operator_id, "operator";
    OperatorPinSet => "operator.pin_set", operator_id, "operator";
    OperatorLoggedIn => "operator.logged_in", operator_id, "operator";
    SettingChanged => "setting.changed", key, "setting";
    VisitRegistered => "visit.registered", visit_id, "visit";
    VisitDenied => "visit.denied", visit_id, "visit";
    VisitSignedOut => "visit.signed_out", visit_id, "visit";
    VisitCorrected => "visit.corrected", visit_id, "visit";
    WatchlistAdded => "watchlist.added", entry_id, "watch";
    WatchlistRemoved => "watchlist.removed", entry_id, "watch";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_unknown_kinds_are_none() {
        let e = Event::SettingChanged(SettingChanged {
            key: "lock_minutes".into(),
            value: 5,
        });
        let back = Event::parse(e.kind(), &e.body_json()).unwrap().unwrap();
        assert_eq!(back, e);
        assert_eq!(e.entity(), "setting:lock_minutes");
        assert!(Event::parse("patrol.future_kind", "{}").is_none());
        assert!(
            Event::parse("visit.signed_out", "{\"bad\":1}")
                .unwrap()
                .is_err()
        );
    }
}
