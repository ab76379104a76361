//! The sick log: a record per illness and notes through the night.

use super::rows::SickRow;
use crate::domain::boarding;
use crate::domain::error::DomainError;
use crate::domain::event::{Event, SickFollowup, SickRecorded};
use crate::domain::role::{Actor, Permission, require};
use crate::domain::validate::{FieldError, normalize_input};
use crate::store::{Store, StoreError};

impl Store {
    /// Open sick records (and those closed since `since_ms`) with their notes.
    /// Both parts read a partial index (open; closed since), never the year.
    pub fn sick_log(&self, since_ms: i64) -> Result<Vec<SickRow>, StoreError> {
        const SICK: &str = "SELECT k.id, k.student_id, COALESCE(s.name, ''), k.symptoms, k.temperature, k.medicine, k.water, k.clinic, k.guardian_told, k.at_ms, k.closed_ms
             FROM sick k LEFT JOIN students s ON s.id = k.student_id";
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM ({SICK} WHERE k.closed_ms IS NULL
             UNION ALL {SICK} WHERE k.closed_ms >= ?1)
             ORDER BY closed_ms IS NOT NULL, at_ms DESC"
        ))?;
        let rows = stmt.query_map([since_ms], |r| {
            Ok(SickRow {
                id: r.get(0)?,
                student_id: r.get(1)?,
                name: r.get(2)?,
                symptoms: r.get(3)?,
                temperature: r.get(4)?,
                medicine: r.get(5)?,
                water: r.get(6)?,
                clinic: r.get(7)?,
                guardian_told: r.get(8)?,
                at_ms: r.get(9)?,
                closed_ms: r.get(10)?,
                notes: vec![],
            })
        })?;
        let mut v: Vec<SickRow> = rows.collect::<Result<_, _>>()?;
        let mut notes = self
            .conn
            .prepare_cached("SELECT at_ms, note, temperature FROM sick_notes WHERE sick_id = ?1 ORDER BY at_ms, event_id")?;
        for s in &mut v {
            s.notes = notes
                .query_map([&s.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
        }
        Ok(v)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record_sick(
        &mut self,
        actor: &Actor,
        student_id: &str,
        symptoms: &str,
        temperature: &str,
        medicine: &str,
        water: &str,
        clinic: bool,
        guardian_told: bool,
    ) -> Result<String, StoreError> {
        let a = actor.clone();
        self.write(actor, |s| {
            require(a.role, Permission::RunRollCall)?;
            s.student(student_id)?.ok_or(DomainError::NotFound)?;
            let mut errs = vec![];
            let symptoms = normalize_input(symptoms);
            if symptoms.is_empty() {
                errs.push(("symptoms", FieldError::Required));
            }
            let temperature = match boarding::check_temperature(temperature) {
                Ok(t) => t,
                Err(e) => {
                    errs.push(("temperature", e));
                    None
                }
            };
            if !errs.is_empty() {
                return Err(DomainError::Invalid(errs).into());
            }
            let id = s.new_id();
            Ok((
                vec![Event::SickRecorded(SickRecorded {
                    sick_id: id.clone(),
                    student_id: student_id.to_string(),
                    symptoms,
                    temperature,
                    medicine: normalize_input(medicine),
                    water: normalize_input(water),
                    clinic,
                    guardian_told,
                })],
                id,
            ))
        })
    }

    pub fn sick_followup(
        &mut self,
        actor: &Actor,
        sick_id: &str,
        note: &str,
        temperature: &str,
        closed: bool,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        self.write(actor, |_| {
            require(a.role, Permission::RunRollCall)?;
            let temperature = boarding::check_temperature(temperature)
                .map_err(|e| DomainError::Invalid(vec![("temperature", e)]))?;
            let note = normalize_input(note);
            if note.is_empty() && temperature.is_none() && !closed {
                return Err(DomainError::Invalid(vec![("note", FieldError::Required)]).into());
            }
            Ok((
                vec![Event::SickFollowup(SickFollowup {
                    sick_id: sick_id.to_string(),
                    note,
                    temperature,
                    closed,
                })],
                (),
            ))
        })
    }
}
