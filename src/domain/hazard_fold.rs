//! One hazard's state from its events in log order. The same fold serves
//! the projection and the commands, so what a command checks is what the
//! ledger shows. A step that arrives (from another station) where the loop
//! no longer allows it — a second verification, a second fix, a close after
//! a reopen — is contested: kept in the log, not applied, listed for review.

use super::event::Event;
use super::hazard::{Attachment, Category, PatrolRef, Severity, Status};
use std::collections::HashMap;

/// The steps of the loop after the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Assign,
    Rectify,
    Verify,
    Close,
    Reopen,
}

/// One event as the fold needs it.
pub struct StepIn<'a> {
    pub id: &'a str,
    pub origin: &'a str,
    pub actor: &'a str,
    pub at_ms: i64,
    pub ev: &'a Event,
}

/// Two events that both claimed the same place in the loop: the one
/// applied (`applied`) and the one refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contested {
    /// "hazard:<id>/<event the two both followed>".
    pub key: String,
    pub events: Vec<String>,
    pub applied: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct HazardView {
    pub id: String,
    pub origin: String,
    pub status: Status,
    pub place: String,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub description: String,
    pub found_ms: i64,
    pub reported_by: String,
    pub containment: String,
    pub responsible: String,
    pub deadline_ms: i64,
    pub attachments: Vec<Attachment>,
    pub found_on_patrol: Option<PatrolRef>,
    pub measures: Option<String>,
    /// Name of whoever did the fix, and the operator who entered it.
    pub rectifier: Option<String>,
    pub rectified_by: Option<String>,
    pub rectified_ms: Option<i64>,
    pub verified_by: Option<String>,
    pub verified_ms: Option<i64>,
    pub verify_passed: Option<bool>,
    pub verify_note: Option<String>,
    pub fails: i64,
    pub closed_by: Option<String>,
    pub closed_ms: Option<i64>,
    pub reopens: i64,
}

fn step_of(ev: &Event) -> Option<Step> {
    Some(match ev {
        Event::HazardAssigned(_) => Step::Assign,
        Event::HazardRectified(_) => Step::Rectify,
        Event::HazardVerified(_) => Step::Verify,
        Event::HazardClosed(_) => Step::Close,
        Event::HazardReopened(_) => Step::Reopen,
        _ => return None,
    })
}

fn fits(step: Step, s: Status) -> bool {
    match step {
        Step::Assign => matches!(s, Status::Reported | Status::Assigned),
        Step::Rectify => s == Status::Assigned,
        Step::Verify => s == Status::Rectified,
        Step::Close => s == Status::Verified,
        Step::Reopen => s == Status::Closed,
    }
}

/// Folds a hazard's events (log order). `chosen`: a duty leader's decisions
/// by conflict key — at a decided place only the chosen event may step in.
/// `None` when the report itself is not among the events.
pub fn fold(
    events: &[StepIn],
    chosen: &HashMap<String, String>,
) -> Option<(HazardView, Vec<Contested>)> {
    let (first, rep) = events.iter().find_map(|e| match e.ev {
        Event::HazardReported(r) => Some((e, r)),
        _ => None,
    })?;
    let mut v = HazardView {
        id: rep.hazard_id.clone(),
        origin: first.origin.to_string(),
        status: Status::Reported,
        place: rep.place.clone(),
        category: Some(rep.category),
        severity: Some(rep.severity),
        description: rep.description.clone(),
        found_ms: rep.found_ms,
        reported_by: first.actor.to_string(),
        containment: rep.containment.clone(),
        responsible: rep.responsible.clone(),
        deadline_ms: rep.deadline_ms,
        attachments: rep.attachments.clone(),
        found_on_patrol: rep.found_on_patrol.clone(),
        ..HazardView::default()
    };
    if !v.responsible.is_empty() {
        v.status = Status::Assigned;
    }
    // The event that last moved the state: the place the next step takes.
    let mut last = first.id.to_string();
    // Per place: the event applied there and those refused there.
    let mut places: Vec<Place> = vec![];
    for e in events {
        let Some(step) = step_of(e.ev) else { continue };
        let key = format!("hazard:{}/{}", v.id, last);
        let decided = chosen
            .get(&key)
            .filter(|c| events.iter().any(|x| x.id == c.as_str()));
        if decided.is_some_and(|c| c != e.id) {
            place(&mut places, &key).2.push(e.id.to_string());
            continue;
        }
        if !fits(step, v.status) {
            // It competed with the event that moved the state last.
            let at = places
                .iter()
                .position(|p| p.1.as_deref() == Some(last.as_str()));
            match at {
                Some(i) => places[i].2.push(e.id.to_string()),
                None => places.push((key, Some(last.clone()), vec![e.id.to_string()])),
            }
            continue;
        }
        place(&mut places, &key).1 = Some(e.id.to_string());
        apply(&mut v, e);
        last = e.id.to_string();
    }
    let contested = places
        .into_iter()
        .filter(|p| !p.2.is_empty())
        .map(|(key, applied, refused)| Contested {
            key,
            events: applied.iter().cloned().chain(refused).collect(),
            applied: applied.unwrap_or_default(),
        })
        .collect();
    Some((v, contested))
}

type Place = (String, Option<String>, Vec<String>);

fn place<'a>(places: &'a mut Vec<Place>, key: &str) -> &'a mut Place {
    let i = match places.iter().position(|p| p.0 == key) {
        Some(i) => i,
        None => {
            places.push((key.to_string(), None, vec![]));
            places.len() - 1
        }
    };
    &mut places[i]
}

fn apply(v: &mut HazardView, e: &StepIn) {
    match e.ev {
        Event::HazardAssigned(a) => {
            v.status = Status::Assigned;
            v.responsible = a.responsible.clone();
            v.deadline_ms = a.deadline_ms;
        }
        Event::HazardRectified(r) => {
            v.status = Status::Rectified;
            v.measures = Some(r.measures.clone());
            v.rectifier = Some(r.done_by.clone());
            v.rectified_by = Some(e.actor.to_string());
            v.rectified_ms = Some(r.done_ms);
            v.attachments.extend(r.attachments.iter().cloned());
        }
        Event::HazardVerified(x) => {
            v.verified_by = Some(e.actor.to_string());
            v.verified_ms = Some(e.at_ms);
            v.verify_passed = Some(x.passed);
            v.verify_note = Some(x.note.clone());
            if x.passed {
                v.status = Status::Verified;
            } else {
                v.status = Status::Assigned;
                v.fails += 1;
            }
        }
        Event::HazardClosed(_) => {
            v.status = Status::Closed;
            v.closed_by = Some(e.actor.to_string());
            v.closed_ms = Some(e.at_ms);
        }
        Event::HazardReopened(_) => {
            v.status = Status::Assigned;
            v.closed_by = None;
            v.closed_ms = None;
            v.reopens += 1;
        }
        _ => {}
    }
}
