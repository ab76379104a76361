//! Incremental bundles: each bundle states what its station holds (its
//! heads, per origin) and what it has heard each other station holds. An
//! export carries, per origin, only the events above the lowest head any
//! peer that counts is known to hold; a peer never heard of means the whole
//! log. Statements are lower bounds (a log only grows), so trusting one
//! never skips an event a peer lacks — at worst it sends some twice.

use crate::store::peers::PeerView;
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What one station stated it held, at `at` on its own clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub at: i64,
    pub heads: BTreeMap<String, i64>,
}

/// The part of a bundle's header that says who knows what.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Knowledge {
    /// The sending station's heads: origin → [last seq, its hash in hex].
    pub heads: BTreeMap<String, (i64, String)>,
    /// What the sender heard each other station holds.
    #[serde(default)]
    pub peers: BTreeMap<String, Statement>,
}

/// The lowest sequence number, per origin, that every peer in `peers` is
/// known to hold — `None` when one of them has never been heard of (or
/// there is nobody to send to yet): then a bundle carries everything. An
/// origin a peer has not stated counts as 0.
pub fn floors(
    peers: &BTreeSet<String>,
    views: &BTreeMap<String, PeerView>,
    own: &BTreeMap<String, i64>,
) -> Option<BTreeMap<String, i64>> {
    if peers.is_empty() {
        return None;
    }
    let mut out: BTreeMap<String, i64> = own.clone();
    for p in peers {
        let view = views.get(p).filter(|v| v.at_ms >= 0)?;
        for (origin, floor) in out.iter_mut() {
            *floor = (*floor).min(view.heads.get(origin).copied().unwrap_or(0));
        }
    }
    Some(out)
}

/// The peers a bundle must serve: every station this one has met in the
/// log or heard of, but itself and those `out_of_service` (retired, and not
/// heard from since this station knew it).
pub fn peers_that_count(
    me: &str,
    stations: &[String],
    views: &BTreeMap<String, PeerView>,
    out_of_service: &BTreeSet<String>,
) -> BTreeSet<String> {
    stations
        .iter()
        .chain(views.keys())
        .filter(|p| *p != me && !out_of_service.contains(*p))
        .cloned()
        .collect()
}

/// What an export starts from: this station's statement and, unless `full`,
/// the floor of each origin (events at or below it are not sent).
pub struct Plan {
    pub knowledge: Knowledge,
    /// Origin → (floor, head): the bundle holds seq floor+1 ..= head.
    pub ranges: BTreeMap<String, (i64, i64)>,
}

impl Plan {
    pub fn events(&self) -> u64 {
        self.ranges.values().map(|(f, h)| (h - f) as u64).sum()
    }
    pub fn is_full(&self) -> bool {
        self.ranges.values().all(|(f, _)| *f == 0)
    }
}

pub fn plan(store: &Store, full: bool) -> Result<Plan, StoreError> {
    let me = store.require_station()?.id.clone();
    let own = store.own_heads()?;
    let views = store.peer_views()?;
    store.note_retirements_seen()?;
    let retired = store.out_of_service()?;
    let seqs: BTreeMap<String, i64> = own.iter().map(|(o, (s, _))| (o.clone(), *s)).collect();
    let floor = if full {
        None
    } else {
        let peers = peers_that_count(&me, &store.school_station_ids()?, &views, &retired);
        floors(&peers, &views, &seqs)
    };
    let ranges = seqs
        .iter()
        .map(|(o, &head)| {
            let f = floor.as_ref().and_then(|f| f.get(o)).copied().unwrap_or(0);
            (o.clone(), (f.clamp(0, head), head))
        })
        .collect();
    let knowledge = Knowledge {
        heads: own
            .iter()
            .map(|(o, (s, h))| (o.clone(), (*s, hex(h))))
            .collect(),
        peers: views
            .into_iter()
            .filter(|(p, v)| *p != me && v.at_ms >= 0)
            .map(|(p, v)| {
                (
                    p,
                    Statement {
                        at: v.at_ms,
                        heads: v.heads,
                    },
                )
            })
            .collect(),
    };
    Ok(Plan { knowledge, ranges })
}

/// Takes in what a verified bundle from `sender` (made at `made_ms` on its
/// clock) states: the sender's own heads, heard directly now, and what it
/// heard of others. Statements about this station are ignored: it knows.
/// Once the bundle's events are in, this station may hold all the sender
/// held: then the bundle (and any older one of the sender's) is noted as
/// taken, and a sync folder skips it from then on.
pub fn record(store: &Store, sender: &str, made_ms: i64, k: &Knowledge) -> Result<(), StoreError> {
    let me = store.require_station()?.id.clone();
    if sender == me {
        return Ok(());
    }
    // A retirement in this very bundle was known to its sender: noted
    // first, so a retired sender speaking now is back in service.
    store.note_retirements_seen()?;
    let own = PeerView {
        at_ms: made_ms,
        heads: k.heads.iter().map(|(o, (s, _))| (o.clone(), *s)).collect(),
    };
    store.record_peer_view(sender, &own, Some(store.now_ms()))?;
    let held = store.own_heads()?;
    let whole = own
        .heads
        .iter()
        .all(|(o, &seq)| held.get(o).is_some_and(|(h, _)| *h >= seq));
    if whole {
        store.note_bundle_taken(sender, made_ms)?;
    }
    for (p, st) in &k.peers {
        if *p != me && p != sender {
            let view = PeerView {
                at_ms: st.at,
                heads: st.heads.clone(),
            };
            store.record_peer_view(p, &view, None)?;
        }
    }
    Ok(())
}

/// Days without a bundle after which a station is shown as silent, unless
/// asked otherwise (`sync status --silent-days`).
pub const SILENT_DAYS: i64 = 3;

/// Another station as this one sees it: when it was last heard from
/// directly (this station's clock), how many events held here it is not
/// known to hold (`None`: it never stated what it holds, so it gets whole
/// bundles), and whether it was retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatus {
    pub id: String,
    pub name: String,
    pub heard_ms: Option<i64>,
    pub lacks: Option<u64>,
    pub retired: Option<crate::store::peers::Retired>,
}

impl PeerStatus {
    /// Not heard from for `days` days (or never) and not retired: it holds
    /// the others' bundles back to what it last stated.
    pub fn silent(&self, now_ms: i64, days: i64) -> bool {
        self.retired.is_none()
            && self
                .heard_ms
                .is_none_or(|h| now_ms - h >= days * 86_400_000)
    }
}

/// Every other station this one has met or heard of, by name.
pub fn peer_status(store: &Store) -> Result<Vec<PeerStatus>, StoreError> {
    let me = store.require_station()?.id.clone();
    let own = store.own_heads()?;
    let views = store.peer_views()?;
    let heard = store.peers_heard()?;
    let mut retired = store.retired_stations()?;
    let ids: BTreeSet<String> = store
        .school_station_ids()?
        .into_iter()
        .chain(views.keys().cloned())
        .filter(|p| *p != me)
        .collect();
    let mut out: Vec<PeerStatus> = ids
        .into_iter()
        .map(|id| {
            let lacks = views.get(&id).filter(|v| v.at_ms >= 0).map(|v| {
                own.iter()
                    .map(|(o, (h, _))| (h - v.heads.get(o).copied().unwrap_or(0)).max(0) as u64)
                    .sum()
            });
            PeerStatus {
                name: store.station_name(&id),
                heard_ms: heard.get(&id).copied(),
                lacks,
                retired: retired.remove(&id),
                id,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(out)
}

fn hex(b: &[u8; 32]) -> String {
    let mut out = [0u8; 64];
    super::hex_into(b, &mut out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(at_ms: i64, heads: &[(&str, i64)]) -> PeerView {
        PeerView {
            at_ms,
            heads: heads.iter().map(|(o, s)| (o.to_string(), *s)).collect(),
        }
    }
    fn map(v: &[(&str, i64)]) -> BTreeMap<String, i64> {
        v.iter().map(|(o, s)| (o.to_string(), *s)).collect()
    }
    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_floor_is_the_lowest_head_any_peer_holds() {
        let own = map(&[("a", 10), ("b", 5), ("c", 3)]);
        let views: BTreeMap<String, PeerView> = [
            ("b".to_string(), view(1, &[("a", 7), ("b", 5), ("c", 3)])),
            ("c".to_string(), view(1, &[("a", 9), ("b", 2)])),
        ]
        .into();
        // c never stated origin c's events beyond none: 0.
        assert_eq!(
            floors(&set(&["b", "c"]), &views, &own),
            Some(map(&[("a", 7), ("b", 2), ("c", 0)]))
        );
        // Only b counts (c retired): b's heads.
        assert_eq!(
            floors(&set(&["b"]), &views, &own),
            Some(map(&[("a", 7), ("b", 5), ("c", 3)]))
        );
    }

    #[test]
    fn a_peer_never_heard_of_or_nobody_at_all_means_everything() {
        let own = map(&[("a", 10)]);
        let views: BTreeMap<String, PeerView> = [("b".to_string(), view(1, &[("a", 10)]))].into();
        assert_eq!(floors(&set(&["b", "d"]), &views, &own), None);
        assert_eq!(floors(&set(&[]), &views, &own), None);
        // Heard from, but before any statement was kept.
        let only_heard: BTreeMap<String, PeerView> = [("b".to_string(), view(-1, &[]))].into();
        assert_eq!(floors(&set(&["b"]), &only_heard, &own), None);
    }

    #[test]
    fn a_peer_ahead_of_this_station_never_raises_a_floor_above_its_head() {
        let own = map(&[("a", 4)]);
        let views: BTreeMap<String, PeerView> = [("b".to_string(), view(1, &[("a", 9)]))].into();
        assert_eq!(floors(&set(&["b"]), &views, &own), Some(map(&[("a", 4)])));
    }

    #[test]
    fn peers_that_count_leave_out_this_station_and_the_retired() {
        let views: BTreeMap<String, PeerView> = [("e".to_string(), view(1, &[]))].into();
        let stations = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(
            peers_that_count("a", &stations, &views, &set(&["c"])),
            set(&["b", "e"])
        );
    }
}
