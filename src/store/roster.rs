//! Roster commands: enrolling boarders, beds, moves and leavers, and
//! applying an import's diff as events.

use std::collections::HashSet;

use super::{Store, StoreError};
use crate::domain::error::DomainError;
use crate::domain::event::{
    BedAdded, Event, StudentEnrolled, StudentLeft, StudentMoved, StudentUpdated,
};
use crate::domain::fact::Fact;
use crate::domain::role::{Actor, Permission, require};
use crate::domain::roster::{BedRef, RosterRows, StudentData, Zone};

impl Store {
    fn bed_exists(&self, bed: &BedRef) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM beds WHERE key = ?1)",
            [bed.key()],
            |r| r.get(0),
        )?)
    }

    /// Events for a bed the roster has not seen yet (none if known).
    pub(crate) fn bed_events(
        &self,
        bed: &BedRef,
        zone: Zone,
        seen: &mut HashSet<String>,
    ) -> Result<Vec<Event>, StoreError> {
        // A set: an import adds thousands of beds at once.
        let key = bed.key();
        if seen.contains(&key) || self.bed_exists(bed)? {
            return Ok(vec![]);
        }
        seen.insert(key);
        Ok(vec![Event::BedAdded(BedAdded {
            bed: bed.clone(),
            zone,
        })])
    }

    /// Enrols one boarder (and their bed, if new). Admins only.
    pub fn enroll_student(
        &mut self,
        actor: &Actor,
        data: StudentData,
        bed: Option<BedRef>,
        zone: Option<Zone>,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            if data.name.trim().is_empty() {
                return Err(DomainError::Invalid(vec![(
                    "name",
                    crate::domain::validate::FieldError::Required,
                )])
                .into());
            }
            let too_long = data.too_long();
            if !too_long.is_empty() {
                return Err(DomainError::Invalid(too_long).into());
            }
            let id = s.new_id();
            let mut events = vec![];
            if let Some(b) = &bed {
                let zone = zone
                    .or(data.gender.map(Zone::for_gender))
                    .unwrap_or(Zone::Boys);
                events.extend(s.bed_events(b, zone, &mut HashSet::new())?);
            }
            events.push(Event::StudentEnrolled(StudentEnrolled {
                student_id: id.clone(),
                data,
                bed,
            }));
            Ok((events, id))
        })
    }

    pub fn move_student(
        &mut self,
        actor: &Actor,
        id: &str,
        bed: Option<BedRef>,
        zone: Zone,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            s.student(id)?.ok_or(DomainError::NotFound)?;
            let mut events = vec![];
            if let Some(b) = &bed {
                events.extend(s.bed_events(b, zone, &mut HashSet::new())?);
            }
            events.push(Event::StudentMoved(StudentMoved {
                student_id: id.to_string(),
                bed,
            }));
            Ok((events, ()))
        })
    }

    pub fn update_student(
        &mut self,
        actor: &Actor,
        id: &str,
        data: StudentData,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            let cur = s.student(id)?.ok_or(DomainError::NotFound)?;
            if cur.data == data {
                return Err(DomainError::NothingChanged.into());
            }
            let too_long = data.too_long();
            if !too_long.is_empty() {
                return Err(DomainError::Invalid(too_long).into());
            }
            Ok((
                vec![Event::StudentUpdated(StudentUpdated {
                    student_id: id.to_string(),
                    data,
                    based_on: s.student_version(id)?,
                })],
                (),
            ))
        })
    }

    /// The id of the student's latest enrolment or change here: the version
    /// a change is made to.
    pub fn student_version(&self, id: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM events WHERE entity = ?1 AND kind IN ('student.enrolled', 'student.updated')
                 ORDER BY hlc_ms DESC, hlc_c DESC, origin DESC, seq DESC LIMIT 1",
            )?
            .query_row([format!("student:{id}")], |r| r.get(0))
            .optional()?)
    }

    pub fn student_left(
        &mut self,
        actor: &Actor,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        let reason = crate::domain::validate::normalize_input(reason);
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            s.student(id)?.ok_or(DomainError::NotFound)?;
            if reason.is_empty() {
                return Err(DomainError::ReasonRequired.into());
            }
            Ok((
                vec![Event::StudentLeft(StudentLeft {
                    student_id: id.to_string(),
                    reason,
                    fact: None,
                })],
                (),
            ))
        })
    }
}

/// Events appended at a time by an import (all in one transaction).
const APPEND_CHUNK: usize = 1024;

/// What an import would do (dry run) or did.
#[derive(Debug)]
pub struct ImportOutcome {
    pub diff: crate::domain::roster_diff::RosterDiff,
    /// Events written (0 for a dry run, a refused file or no changes).
    pub events: usize,
}

impl Store {
    /// Compares a parsed roster with the current one and, unless `dry_run`,
    /// records the differences as events in one transaction: new boarders
    /// (and their beds), moves, leavers, changed details. Rows in error are
    /// never applied; the caller decides whether the rest may be.
    pub fn import_roster<'a>(
        &mut self,
        actor: &Actor,
        file: &str,
        parsed: impl Into<RosterRows<'a>>,
        skip_invalid: bool,
        dry_run: bool,
    ) -> Result<ImportOutcome, StoreError> {
        use crate::domain::event::RosterImported;
        use crate::domain::roster_diff;
        require(actor.role, Permission::ManageRoster)?;
        let parsed: RosterRows = parsed.into();
        let file = file.to_string();
        self.batch(|s| {
            let current = s.students(None)?;
            let mut diff = roster_diff::diff_carried(&current, parsed.rows, parsed.carried);
            if skip_invalid {
                diff.keep_rejected(parsed.rejected, parsed.carried);
            }
            let refused = parsed.has_errors && !skip_invalid;
            if dry_run || refused || diff.is_empty() {
                return Ok(ImportOutcome { diff, events: 0 });
            }
            let mut events = vec![];
            let mut seen = HashSet::new();
            for row in &diff.new {
                let zone = row
                    .zone
                    .or(row.data.gender.map(Zone::for_gender))
                    .unwrap_or(Zone::Boys);
                events.extend(s.bed_events(&row.bed, zone, &mut seen)?);
                events.push(Event::StudentEnrolled(StudentEnrolled {
                    student_id: s.new_id(),
                    data: row.data.clone(),
                    bed: Some(row.bed.clone()),
                }));
            }
            for (st, bed) in &diff.moved {
                let zone = st.data.gender.map(Zone::for_gender).unwrap_or(Zone::Boys);
                events.extend(s.bed_events(bed, zone, &mut seen)?);
                events.push(Event::StudentMoved(StudentMoved {
                    student_id: st.id.clone(),
                    bed: Some(bed.clone()),
                }));
            }
            // One update per student carrying the whole new record.
            let mut updates: Vec<(String, StudentData)> = diff
                .changed
                .iter()
                .map(|(st, d)| (st.id.clone(), d.clone()))
                .collect();
            let updated: HashSet<&str> =
                diff.changed.iter().map(|(st, _)| st.id.as_str()).collect();
            for (st, guardians) in &diff.guardians_changed {
                if !updated.contains(st.id.as_str()) {
                    let mut d = st.data.clone();
                    d.guardians = guardians.clone();
                    updates.push((st.id.clone(), d));
                }
            }
            for (id, data) in updates {
                events.push(Event::StudentUpdated(StudentUpdated {
                    based_on: s.student_version(&id)?,
                    student_id: id,
                    data,
                }));
            }
            for st in &diff.left {
                events.push(Event::StudentLeft(StudentLeft {
                    student_id: st.id.clone(),
                    reason: String::new(),
                    fact: Some(Fact::NotInRoster { file: file.clone() }),
                }));
            }
            // Head teachers named in the file join the staff list, so the
            // duty room can find whom to call.
            let mut known: HashSet<String> = s.staff()?.into_iter().map(|(_, m)| m.name).collect();
            for row in parsed.rows {
                let name = row.data.head_teacher.trim();
                if !name.is_empty() && !known.contains(name) {
                    known.insert(name.to_string());
                    events.push(Event::StaffSet(crate::domain::event::StaffSet {
                        staff_id: s.new_id(),
                        staff: crate::domain::roster::StaffMember {
                            name: name.to_string(),
                            kind: crate::domain::roster::StaffKind::HeadTeacher,
                            phone: None,
                            active: true,
                        },
                    }));
                }
            }
            events.push(Event::RosterImported(RosterImported {
                import_id: s.new_id(),
                file: file.clone(),
                new: diff.new.len(),
                moved: diff.moved.len(),
                left: diff.left.len(),
                changed: diff.changed.len() + diff.guardians_changed.len(),
            }));
            // Appended in slices, in the one transaction: the log's records
            // for a whole school would otherwise be held until the end.
            for chunk in events.chunks(APPEND_CHUNK) {
                s.append(actor, chunk)?;
            }
            Ok(ImportOutcome {
                diff,
                events: events.len(),
            })
        })
    }
}

impl Store {
    /// The staff list, active first, by name.
    pub fn staff(&self) -> Result<Vec<(String, crate::domain::roster::StaffMember)>, StoreError> {
        use crate::domain::roster::{StaffKind, StaffMember};
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, kind, phone, active FROM staff ORDER BY active DESC, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                StaffMember {
                    name: r.get(1)?,
                    kind: StaffKind::parse(&r.get::<_, String>(2)?).unwrap_or(StaffKind::Other),
                    phone: r.get(3)?,
                    active: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds (id None) or changes a staff member. Admins only.
    pub fn set_staff(
        &mut self,
        actor: &Actor,
        id: Option<&str>,
        name: &str,
        kind: crate::domain::roster::StaffKind,
        phone: &str,
        active: bool,
    ) -> Result<String, StoreError> {
        use crate::domain::validate::{FieldError, check_mobile, normalize_input};
        let a = actor.clone();
        let name = crate::domain::names::normalize_name(&normalize_input(name));
        let phone = normalize_input(phone);
        self.write(actor, |s| {
            require(a.role, Permission::ManageRoster)?;
            let mut errs = vec![];
            if name.is_empty() {
                errs.push(("name", FieldError::Required));
            }
            let phone = match phone.as_str() {
                "" => None,
                p => match check_mobile(p) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errs.push(("phone", e));
                        None
                    }
                },
            };
            if !errs.is_empty() {
                return Err(DomainError::Invalid(errs).into());
            }
            let id = id.map(str::to_string).unwrap_or_else(|| s.new_id());
            Ok((
                vec![Event::StaffSet(crate::domain::event::StaffSet {
                    staff_id: id.clone(),
                    staff: crate::domain::roster::StaffMember {
                        name,
                        kind,
                        phone,
                        active,
                    },
                })],
                id,
            ))
        })
    }

    /// A head teacher's phone from the staff list, by name.
    pub fn staff_phone(&self, name: &str) -> Option<String> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT phone FROM staff WHERE name = ?1 AND active = 1 AND phone IS NOT NULL LIMIT 1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .ok()
            .flatten()
    }
}
