//! A roster file's lines matched to this school: stations by name, people
//! to operator accounts (then to staff) by exact name. A name neither knows
//! is kept as typed and counted, so the admin sees it before applying.

use super::{Store, StoreError};
use crate::domain::duty::{DutyPerson, DutyPlan, DutyPost, decide_plan};
use crate::domain::duty_lines::{DutyLine, LineError, LineProblem, shift_key};
use crate::domain::error::DomainError;
use crate::domain::role::Actor;
use crate::domain::shift::ShiftId;
use std::collections::{BTreeSet, HashMap};

/// What applying a roster file would do.
#[derive(Debug, Default, Clone)]
pub struct DutyImport {
    /// (spreadsheet row, the line as it will be stored).
    pub plans: Vec<(usize, DutyPlan)>,
    pub errors: Vec<LineError>,
    /// Names matched to no operator and no staff member, kept as text.
    pub unknown: BTreeSet<String>,
    pub added: usize,
    pub changed: usize,
    pub same: usize,
}

impl Store {
    /// Matches a file's lines; nothing is written.
    pub fn resolve_duty_lines(&self, lines: &[DutyLine]) -> Result<DutyImport, StoreError> {
        let stations = self.duty_stations()?;
        let operators: HashMap<String, String> = self
            .operators()?
            .into_iter()
            .map(|o| (o.name, o.id))
            .collect();
        let staff: BTreeSet<String> = self.staff()?.into_iter().map(|(_, s)| s.name).collect();
        let mut out = DutyImport::default();
        let person = |name: &str, unknown: &mut BTreeSet<String>| match operators.get(name) {
            Some(id) => DutyPerson::operator(id, name),
            None => {
                if !staff.contains(name) {
                    unknown.insert(name.to_string());
                }
                DutyPerson::named(name)
            }
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for l in lines {
            let err = |field, problem| LineError {
                line: l.line,
                field,
                problem,
            };
            let Some((st_id, _)) = stations
                .iter()
                .find(|(id, name)| *name == l.station || *id == l.station)
            else {
                out.errors.push(err("station", LineProblem::Station));
                continue;
            };
            let key = shift_key(&l.shift);
            let defs = self.shift_defs(st_id)?;
            if !defs.iter().any(|d| d.key == key) {
                out.errors.push(err("shift", LineProblem::Shift));
                continue;
            }
            let id = ShiftId::new(st_id, l.date, &key);
            if seen.insert(id.key(), l.line).is_some() {
                out.errors.push(err("shift", LineProblem::Duplicate));
                continue;
            }
            let mut unknown = BTreeSet::new();
            let plan = DutyPlan {
                shift: id,
                people: l.people.iter().map(|n| person(n, &mut unknown)).collect(),
                leader: l.leader.as_deref().map(|n| person(n, &mut unknown)),
                posts: l
                    .posts
                    .iter()
                    .map(|(post, who)| DutyPost {
                        post: post.clone(),
                        person: person(who, &mut unknown),
                    })
                    .collect(),
                note: l.note.clone(),
            };
            match decide_plan(&plan, &defs) {
                Ok(plan) => {
                    match self.duty_plan(&plan.shift)? {
                        None => out.added += 1,
                        Some(p) if p != plan => out.changed += 1,
                        Some(_) => out.same += 1,
                    }
                    out.unknown.extend(unknown);
                    out.plans.push((l.line, plan));
                }
                Err(DomainError::Invalid(errs)) => {
                    for (field, e) in errs {
                        out.errors.push(err(field, LineProblem::Field(e)));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// Applies a resolved file in one transaction; returns how many lines
    /// changed. Refused whole while any row is in error.
    pub fn import_duty(&mut self, actor: &Actor, import: &DutyImport) -> Result<usize, StoreError> {
        if !import.errors.is_empty() {
            return Err(DomainError::Invalid(vec![]).into());
        }
        let plans: Vec<DutyPlan> = import.plans.iter().map(|p| p.1.clone()).collect();
        self.plan_duties(actor, &plans)
    }
}
