//! Safety hazards (安全隐患) and their closed loop 排查→登记→整改→复查→销号:
//! reported → assigned → rectified → verified → closed. A failed
//! verification sends the hazard back to assigned; a closed hazard is
//! read-only until someone reopens it with a reason. Overdue is derived
//! from the deadline and the clock, never stored, so every station agrees.

use super::error::DomainError;
use super::role::{Actor, Permission, require};
use super::validate::{FieldError, normalize_input};
use serde::{Deserialize, Serialize};

pub use super::hazard_fold::{Contested, HazardView, Step, fold};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Fire,
    Electrical,
    Gas,
    Water,
    Building,
    Food,
    DormAppliance,
    Security,
    Other,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Fire,
        Category::Electrical,
        Category::Gas,
        Category::Water,
        Category::Building,
        Category::Food,
        Category::DormAppliance,
        Category::Security,
        Category::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Category::Fire => "fire",
            Category::Electrical => "electrical",
            Category::Gas => "gas",
            Category::Water => "water",
            Category::Building => "building",
            Category::Food => "food",
            Category::DormAppliance => "dorm_appliance",
            Category::Security => "security",
            Category::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// 一般 / 较大 / 重大, in rising order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    General,
    Major,
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::General, Severity::Major, Severity::Serious];
    pub fn key(self) -> &'static str {
        match self {
            Severity::General => "general",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|c| c.key() == s)
    }
    /// Hours to fix it when the station has not set its own.
    pub fn default_deadline_hours(self) -> i64 {
        match self {
            Severity::Serious => 24,
            Severity::Major => 72,
            Severity::General => 168,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Reported,
    Assigned,
    Rectified,
    /// Passed verification; a duty leader or admin closes (销号).
    Verified,
    Closed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Reported,
        Status::Assigned,
        Status::Rectified,
        Status::Verified,
        Status::Closed,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Assigned => "assigned",
            Status::Rectified => "rectified",
            Status::Verified => "verified",
            Status::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// The patrol checkpoint where a hazard was found (set by the patrol pane).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolRef {
    pub round_id: String,
    pub checkpoint_id: String,
}

/// A photo copied into the station's attachment folder, named by its
/// blake3 hash; `station` holds the file until bundles carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub hash: String,
    pub name: String,
    pub size: u64,
    pub station: String,
}

/// What a report form holds before it is saved: the hazards pane opens its
/// form from one, so a patrol finding becomes a report in one key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HazardDraft {
    pub place: String,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub description: String,
    pub containment: String,
    pub responsible: String,
    /// `None`: the station's default for the severity.
    pub deadline_ms: Option<i64>,
    pub found_on_patrol: Option<PatrolRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardReported {
    pub hazard_id: String,
    pub place: String,
    pub category: Category,
    pub severity: Severity,
    pub description: String,
    /// When it was found (排查日期); the reporter is the event's actor.
    pub found_ms: i64,
    /// 临时措施 taken at once.
    #[serde(default)]
    pub containment: String,
    #[serde(default)]
    pub responsible: String,
    pub deadline_ms: i64,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub found_on_patrol: Option<PatrolRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardAssigned {
    pub hazard_id: String,
    pub responsible: String,
    pub deadline_ms: i64,
    #[serde(default)]
    pub note: String,
}

/// 整改: what was done and by whom (a worker may have no operator account:
/// `done_by` is the name as typed; the event's actor entered it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardRectified {
    pub hazard_id: String,
    pub measures: String,
    pub done_by: String,
    pub done_ms: i64,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// 复查: pass, or fail with the reason (back to assigned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardVerified {
    pub hazard_id: String,
    pub passed: bool,
    #[serde(default)]
    pub note: String,
}

/// 销号.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardClosed {
    pub hazard_id: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardReopened {
    pub hazard_id: String,
    pub reason: String,
}

/// Overdue: not closed (nor passed and awaiting 销号) and past its deadline.
pub fn is_overdue(status: Status, deadline_ms: i64, now_ms: i64) -> bool {
    matches!(
        status,
        Status::Reported | Status::Assigned | Status::Rectified
    ) && now_ms > deadline_ms
}

/// The default deadline of a hazard found at `found_ms`, from the station's
/// hours for its severity.
pub fn default_deadline(found_ms: i64, hours: i64) -> i64 {
    found_ms + hours * 3_600_000
}

const MAX_TEXT: usize = 500;

fn text(
    errs: &mut Vec<(&'static str, FieldError)>,
    field: &'static str,
    s: &str,
    required: bool,
) -> String {
    let v = normalize_input(s);
    if required && v.is_empty() {
        errs.push((field, FieldError::Required));
    } else if v.chars().count() > MAX_TEXT {
        errs.push((field, FieldError::TooLong { max: MAX_TEXT }));
    }
    v
}

fn invalid<T>(errs: Vec<(&'static str, FieldError)>, ok: T) -> Result<T, DomainError> {
    if errs.is_empty() {
        Ok(ok)
    } else {
        Err(DomainError::Invalid(errs))
    }
}

/// A report: anyone on duty may make one. Place, category, severity and
/// description are required; the deadline defaults by severity and must
/// not lie before the finding.
pub fn decide_report(
    actor: &Actor,
    id: String,
    d: &HazardDraft,
    found_ms: i64,
    default_hours: impl Fn(Severity) -> i64,
    attachments: Vec<Attachment>,
) -> Result<HazardReported, DomainError> {
    require(actor.role, Permission::ReportHazard)?;
    let mut errs = vec![];
    let place = text(&mut errs, "place", &d.place, true);
    if d.category.is_none() {
        errs.push(("category", FieldError::Required));
    }
    if d.severity.is_none() {
        errs.push(("severity", FieldError::Required));
    }
    let description = text(&mut errs, "description", &d.description, true);
    let containment = text(&mut errs, "containment", &d.containment, false);
    let responsible = text(&mut errs, "responsible", &d.responsible, false);
    let severity = d.severity.unwrap_or(Severity::General);
    let deadline_ms = d
        .deadline_ms
        .unwrap_or_else(|| default_deadline(found_ms, default_hours(severity)));
    if deadline_ms <= found_ms {
        errs.push(("deadline", FieldError::DateOrder));
    }
    invalid(
        errs,
        HazardReported {
            hazard_id: id,
            place,
            category: d.category.unwrap_or(Category::Other),
            severity,
            description,
            found_ms,
            containment,
            responsible,
            deadline_ms,
            attachments,
            found_on_patrol: d.found_on_patrol.clone(),
        },
    )
}

fn not_closed(v: &HazardView) -> Result<(), DomainError> {
    if v.status == Status::Closed {
        Err(DomainError::HazardClosed)
    } else {
        Ok(())
    }
}

fn wrong_step() -> DomainError {
    DomainError::HazardStep
}

/// Assign (or re-assign) a responsible person and a deadline: duty leaders
/// and admins, before it is rectified.
pub fn decide_assign(
    actor: &Actor,
    v: &HazardView,
    responsible: &str,
    deadline_ms: i64,
    note: &str,
) -> Result<HazardAssigned, DomainError> {
    require(actor.role, Permission::ManageHazards)?;
    not_closed(v)?;
    if !matches!(v.status, Status::Reported | Status::Assigned) {
        return Err(wrong_step());
    }
    let mut errs = vec![];
    let responsible = text(&mut errs, "responsible", responsible, true);
    let note = text(&mut errs, "note", note, false);
    if deadline_ms <= v.found_ms {
        errs.push(("deadline", FieldError::DateOrder));
    }
    invalid(
        errs,
        HazardAssigned {
            hazard_id: v.id.clone(),
            responsible,
            deadline_ms,
            note,
        },
    )
}

/// Record the fix: anyone on duty, once the hazard is assigned. The fix
/// cannot be dated before the finding nor after now.
pub fn decide_rectify(
    actor: &Actor,
    v: &HazardView,
    measures: &str,
    done_by: &str,
    done_ms: i64,
    now_ms: i64,
) -> Result<HazardRectified, DomainError> {
    require(actor.role, Permission::ReportHazard)?;
    not_closed(v)?;
    if v.status != Status::Assigned {
        return Err(wrong_step());
    }
    let mut errs = vec![];
    let measures = text(&mut errs, "measures", measures, true);
    let mut done_by = text(&mut errs, "done_by", done_by, false);
    if done_by.is_empty() {
        done_by = actor.name.clone();
    }
    if done_ms < v.found_ms {
        errs.push(("done_at", FieldError::DateOrder));
    } else if done_ms > now_ms {
        errs.push(("done_at", FieldError::FutureTime));
    }
    invalid(
        errs,
        HazardRectified {
            hazard_id: v.id.clone(),
            measures,
            done_by,
            done_ms,
            attachments: vec![],
        },
    )
}

/// True when `actor` did (or entered) the fix being verified: checked by
/// operator id and by the name typed as who did it.
pub fn is_rectifier(actor: &Actor, v: &HazardView) -> bool {
    let name = super::names::normalize_name(&actor.name);
    v.rectified_by.as_deref() == Some(actor.id.as_str())
        || v.rectifier
            .as_deref()
            .is_some_and(|r| !name.is_empty() && super::names::normalize_name(r) == name)
}

/// 复查: duty leaders and admins, never whoever rectified. A failure needs
/// its reason.
pub fn decide_verify(
    actor: &Actor,
    v: &HazardView,
    passed: bool,
    note: &str,
) -> Result<HazardVerified, DomainError> {
    require(actor.role, Permission::VerifyHazards)?;
    not_closed(v)?;
    if v.status != Status::Rectified {
        return Err(wrong_step());
    }
    if is_rectifier(actor, v) {
        return Err(DomainError::OwnRectification);
    }
    let mut errs = vec![];
    let note = text(&mut errs, "reason", note, !passed);
    invalid(
        errs,
        HazardVerified {
            hazard_id: v.id.clone(),
            passed,
            note,
        },
    )
}

/// 销号: duty leaders and admins, only after a verification passed.
pub fn decide_close(
    actor: &Actor,
    v: &HazardView,
    note: &str,
) -> Result<HazardClosed, DomainError> {
    require(actor.role, Permission::ManageHazards)?;
    not_closed(v)?;
    if v.status != Status::Verified {
        return Err(wrong_step());
    }
    let mut errs = vec![];
    let note = text(&mut errs, "note", note, false);
    invalid(
        errs,
        HazardClosed {
            hazard_id: v.id.clone(),
            note,
        },
    )
}

/// Reopening a closed hazard: duty leaders and admins, with a reason on
/// record; it goes back to assigned.
pub fn decide_reopen(
    actor: &Actor,
    v: &HazardView,
    reason: &str,
) -> Result<HazardReopened, DomainError> {
    require(actor.role, Permission::ManageHazards)?;
    if v.status != Status::Closed {
        return Err(wrong_step());
    }
    let mut errs = vec![];
    let reason = text(&mut errs, "reason", reason, true);
    invalid(
        errs,
        HazardReopened {
            hazard_id: v.id.clone(),
            reason,
        },
    )
}

/// What a role may do to a hazard in this state: the pane offers only
/// these keys (the commands check again).
pub fn allowed_steps(actor: &Actor, v: &HazardView) -> Vec<Step> {
    use super::role::allows;
    let lead = allows(actor.role, Permission::ManageHazards);
    let mut out = vec![];
    match v.status {
        Status::Reported | Status::Assigned if lead => out.push(Step::Assign),
        _ => {}
    }
    if v.status == Status::Assigned && allows(actor.role, Permission::ReportHazard) {
        out.push(Step::Rectify);
    }
    if v.status == Status::Rectified
        && allows(actor.role, Permission::VerifyHazards)
        && !is_rectifier(actor, v)
    {
        out.push(Step::Verify);
    }
    if v.status == Status::Verified && lead {
        out.push(Step::Close);
    }
    if v.status == Status::Closed && lead {
        out.push(Step::Reopen);
    }
    out
}

#[cfg(test)]
#[path = "hazard_tests.rs"]
mod tests;
