//! Marking boarders present, absent, late or on leave in a round.

use crate::domain::event::{Event, RoundMarked};
use crate::domain::role::Actor;
use crate::domain::rollcall::{self, Mark};
use crate::domain::validate::normalize_input;
use crate::store::{Store, StoreError};

impl Store {
    pub fn mark(
        &mut self,
        actor: &Actor,
        round_id: &str,
        student_id: &str,
        mark: Mark,
        late_at_ms: Option<i64>,
        note: &str,
    ) -> Result<(), StoreError> {
        self.mark_many(
            actor,
            round_id,
            &[student_id.to_string()],
            mark,
            late_at_ms,
            note,
        )
    }

    /// The same mark for several boarders in one transaction ("everyone not
    /// yet marked in this room is present").
    pub fn mark_many(
        &mut self,
        actor: &Actor,
        round_id: &str,
        students: &[String],
        mark: Mark,
        late_at_ms: Option<i64>,
        note: &str,
    ) -> Result<(), StoreError> {
        let a = actor.clone();
        let note = normalize_input(note);
        self.write(actor, |s| {
            let r = s.open_round_checked(round_id)?;
            rollcall::decide_mark(&a, r.closed_ms.is_some(), mark, late_at_ms)?;
            if students.is_empty() {
                return Ok((vec![], ()));
            }
            Ok((
                vec![Event::RoundMarked(RoundMarked {
                    round_id: round_id.to_string(),
                    student_ids: students.to_vec(),
                    mark,
                    late_at_ms,
                    note: note.clone(),
                    fact: None,
                })],
                (),
            ))
        })
    }
}
