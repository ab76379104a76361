//! Visits: the registration form's rules, sign-out, corrections, overstays.

use super::error::DomainError;
use super::event::{VisitCorrected, VisitDenied, VisitRegistered, VisitSignedOut};
use super::names::normalize_name;
use super::role::{Actor, Permission, require};
use super::validate::{self, FieldError, IdType, normalize_input};
use super::watch::MatchReason;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitorType {
    Parent,
    Contractor,
    Delivery,
    Official,
    Other,
}

impl VisitorType {
    pub const ALL: [VisitorType; 5] = [
        VisitorType::Parent,
        VisitorType::Contractor,
        VisitorType::Delivery,
        VisitorType::Official,
        VisitorType::Other,
    ];
    pub fn key(self) -> &'static str {
        match self {
            VisitorType::Parent => "parent",
            VisitorType::Contractor => "contractor",
            VisitorType::Delivery => "delivery",
            VisitorType::Official => "official",
            VisitorType::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<VisitorType> {
        VisitorType::ALL.into_iter().find(|t| t.key() == s)
    }
}

/// A validated visit record — what the log stores and corrections replace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitDetails {
    pub name: String,
    pub id_type: IdType,
    pub id_no: Option<String>,
    pub phone: Option<String>,
    pub visitor_type: VisitorType,
    pub org: String,
    /// Whom or which student was visited.
    pub host: String,
    pub relation: String,
    pub purpose: String,
    pub party_size: u32,
    pub plate: Option<String>,
    pub items: String,
    pub expected_minutes: i64,
    pub badge: String,
    pub notes: String,
    /// Who authorised entry during a special period (exam): the day's duty
    /// administrator. Empty outside special periods.
    #[serde(default)]
    pub authorised_by: String,
}

/// The fields of `VisitDetails` a retention purge erases: who the visitor
/// is. What the visit was (type, host, purpose, times) stays for the counts.
pub const PERSONAL_FIELDS: [&str; 5] = ["name", "id_no", "phone", "plate", "notes"];

impl VisitDetails {
    /// The details with `PERSONAL_FIELDS` erased — what every station shows
    /// of a purged visit.
    pub fn erased(&self) -> VisitDetails {
        VisitDetails {
            name: String::new(),
            id_no: None,
            phone: None,
            plate: None,
            notes: String::new(),
            ..self.clone()
        }
    }

    /// True once erased: a name is required on every registration.
    pub fn is_erased(&self) -> bool {
        self.name.is_empty()
    }
}

/// The form as typed. Everything is text until `validate` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitForm {
    pub name: String,
    pub id_type: IdType,
    pub id_no: String,
    pub phone: String,
    pub visitor_type: VisitorType,
    pub org: String,
    pub host: String,
    pub relation: String,
    pub purpose: String,
    pub party_size: String,
    pub plate: String,
    pub items: String,
    pub expected_minutes: String,
    pub badge: String,
    pub notes: String,
    pub authorised_by: String,
    /// Empty means "now".
    pub time_in: String,
    pub time_in_reason: String,
}

impl Default for VisitForm {
    fn default() -> Self {
        VisitForm {
            name: String::new(),
            id_type: IdType::ResidentId,
            id_no: String::new(),
            phone: String::new(),
            visitor_type: VisitorType::Parent,
            org: String::new(),
            host: String::new(),
            relation: String::new(),
            purpose: String::new(),
            party_size: "1".into(),
            plate: String::new(),
            items: String::new(),
            expected_minutes: String::new(),
            badge: String::new(),
            notes: String::new(),
            authorised_by: String::new(),
            time_in: String::new(),
            time_in_reason: String::new(),
        }
    }
}

impl VisitForm {
    /// The form filled from an earlier visit (returning visitor, correction).
    pub fn from_details(d: &VisitDetails) -> VisitForm {
        VisitForm {
            name: d.name.clone(),
            id_type: d.id_type,
            id_no: d.id_no.clone().unwrap_or_default(),
            phone: d.phone.clone().unwrap_or_default(),
            visitor_type: d.visitor_type,
            org: d.org.clone(),
            host: d.host.clone(),
            relation: d.relation.clone(),
            purpose: d.purpose.clone(),
            party_size: d.party_size.to_string(),
            plate: d.plate.clone().unwrap_or_default(),
            items: d.items.clone(),
            expected_minutes: d.expected_minutes.to_string(),
            badge: d.badge.clone(),
            notes: d.notes.clone(),
            authorised_by: d.authorised_by.clone(),
            time_in: String::new(),
            time_in_reason: String::new(),
        }
    }
}

fn text(
    errs: &mut Vec<(&'static str, FieldError)>,
    field: &'static str,
    v: &str,
    required: bool,
    max: usize,
) -> String {
    let v = normalize_input(v);
    if required && v.is_empty() {
        errs.push((field, FieldError::Required));
    } else if v.chars().count() > max {
        errs.push((field, FieldError::TooLong { max }));
    }
    v
}

fn number(
    errs: &mut Vec<(&'static str, FieldError)>,
    field: &'static str,
    v: &str,
    default: i64,
    (min, max): (i64, i64),
) -> i64 {
    let v = normalize_input(v);
    if v.is_empty() {
        return default;
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => n,
        Ok(_) => {
            errs.push((field, FieldError::OutOfRange { min, max }));
            default
        }
        Err(_) => {
            errs.push((field, FieldError::NotANumber));
            default
        }
    }
}

fn optional<F>(
    errs: &mut Vec<(&'static str, FieldError)>,
    field: &'static str,
    v: &str,
    check: F,
) -> Option<String>
where
    F: Fn(&str) -> Result<String, FieldError>,
{
    let v = normalize_input(v);
    if v.is_empty() {
        return None;
    }
    match check(&v) {
        Ok(ok) => Some(ok),
        Err(e) => {
            errs.push((field, e));
            None
        }
    }
}

/// Field name → what is wrong with it, for every failing field.
pub type FieldErrors = Vec<(&'static str, FieldError)>;

/// Checks every field at once so the form can show all errors together.
/// `default_expected` is the station's setting for the chosen visitor type;
/// in a special period (exams) only pass holders enter, on someone's authority.
pub fn validate(
    f: &VisitForm,
    default_expected: i64,
    special: bool,
) -> Result<VisitDetails, FieldErrors> {
    let mut errs = Vec::new();
    let name = normalize_name(&text(&mut errs, "name", &f.name, true, 40));
    let id_type = f.id_type;
    let id_no = optional(&mut errs, "id_no", &f.id_no, |s| {
        validate::check_document(id_type, s)
    });
    let phone = optional(&mut errs, "phone", &f.phone, validate::check_mobile);
    let org = text(&mut errs, "org", &f.org, false, 60);
    let host = text(&mut errs, "host", &f.host, false, 40);
    let relation = text(&mut errs, "relation", &f.relation, false, 20);
    let purpose = text(&mut errs, "purpose", &f.purpose, true, 100);
    let party_size = number(&mut errs, "party_size", &f.party_size, 1, (1, 50)) as u32;
    let plate = optional(&mut errs, "plate", &f.plate, validate::check_plate);
    let items = text(&mut errs, "items", &f.items, false, 100);
    let expected_minutes = number(
        &mut errs,
        "expected",
        &f.expected_minutes,
        default_expected,
        (5, 24 * 60),
    );
    let badge = text(&mut errs, "badge", &f.badge, special, 20);
    let notes = text(&mut errs, "notes", &f.notes, false, 200);
    let authorised_by = text(&mut errs, "authorised_by", &f.authorised_by, special, 20);
    if errs.is_empty() {
        Ok(VisitDetails {
            name,
            id_type,
            id_no,
            phone,
            visitor_type: f.visitor_type,
            org,
            host,
            relation,
            purpose,
            party_size,
            plate,
            items,
            expected_minutes,
            badge,
            notes,
            authorised_by,
        })
    } else {
        Err(errs)
    }
}

/// Resolves the "time in" field: empty is now; HH:MM is today (local) and
/// must not lie in the future, and any time other than now needs a reason.
pub fn resolve_time_in(
    f: &VisitForm,
    now_ms: i64,
    offset_min: i32,
) -> Result<(i64, Option<String>), FieldErrors> {
    let t = normalize_input(&f.time_in);
    if t.is_empty() {
        return Ok((now_ms, None));
    }
    let Some(min) = super::time::parse_hhmm(&t) else {
        return Err(vec![("time_in", FieldError::TimeFormat)]);
    };
    let at = super::time::today_at(now_ms, offset_min, min);
    if at > now_ms + 60_000 {
        return Err(vec![("time_in", FieldError::FutureTime)]);
    }
    let reason = normalize_input(&f.time_in_reason);
    if reason.is_empty() {
        return Err(vec![("time_in_reason", FieldError::Required)]);
    }
    Ok((at, Some(reason)))
}

/// A guard's answer when the watchlist matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Admit,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchHit {
    pub entry_id: String,
    pub entry_name: String,
    /// Why the person is on the list (custody order, ban, …).
    pub listed_for: String,
    pub reasons: Vec<MatchReason>,
}

/// The watchlist result recorded with the visit: what matched, why, and
/// what the guard decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchCheck {
    pub hits: Vec<WatchHit>,
    pub decision: Decision,
    pub note: String,
}

pub enum Registration {
    /// The watchlist matched and nobody has decided yet: ask the guard.
    NeedsDecision(Vec<WatchHit>),
    Admitted(VisitRegistered),
    Denied(VisitDenied),
}

pub struct RegisterInput<'a> {
    pub visit_id: String,
    pub form: &'a VisitForm,
    pub default_expected: i64,
    pub now_ms: i64,
    pub offset_min: i32,
    pub hits: Vec<WatchHit>,
    pub decision: Option<(Decision, String)>,
    /// Special period (exam) rules in force.
    pub special: bool,
}

pub fn decide_register(actor: &Actor, input: RegisterInput) -> Result<Registration, DomainError> {
    require(actor.role, Permission::RegisterVisit)?;
    let details = validate(input.form, input.default_expected, input.special);
    let time = resolve_time_in(input.form, input.now_ms, input.offset_min);
    let (details, (time_in_ms, time_in_reason)) = match (details, time) {
        (Ok(d), Ok(t)) => (d, t),
        (d, t) => {
            let mut errs = d.err().unwrap_or_default();
            errs.extend(t.err().unwrap_or_default());
            return Err(DomainError::Invalid(errs));
        }
    };
    if input.hits.is_empty() {
        return Ok(Registration::Admitted(VisitRegistered {
            visit_id: input.visit_id,
            details,
            time_in_ms,
            time_in_reason,
            watch: None,
        }));
    }
    let Some((decision, note)) = input.decision else {
        return Ok(Registration::NeedsDecision(input.hits));
    };
    let watch = WatchCheck {
        hits: input.hits,
        decision,
        note: normalize_input(&note),
    };
    Ok(match decision {
        Decision::Admit => Registration::Admitted(VisitRegistered {
            visit_id: input.visit_id,
            details,
            time_in_ms,
            time_in_reason,
            watch: Some(watch),
        }),
        Decision::Deny => Registration::Denied(VisitDenied {
            visit_id: input.visit_id,
            details,
            at_ms: input.now_ms,
            watch,
        }),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitStatus {
    OnSite,
    Out,
    Denied,
}

impl VisitStatus {
    pub fn key(self) -> &'static str {
        match self {
            VisitStatus::OnSite => "on_site",
            VisitStatus::Out => "out",
            VisitStatus::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<VisitStatus> {
        [VisitStatus::OnSite, VisitStatus::Out, VisitStatus::Denied]
            .into_iter()
            .find(|v| v.key() == s)
    }
}

/// Signs a visitor out. A visit leaves once: a second sign-out is refused
/// rather than silently moving the time.
pub fn decide_sign_out(
    actor: &Actor,
    visit_id: &str,
    status: VisitStatus,
    time_in_ms: i64,
    now_ms: i64,
) -> Result<VisitSignedOut, DomainError> {
    require(actor.role, Permission::SignOutVisit)?;
    match status {
        VisitStatus::Out => Err(DomainError::AlreadySignedOut),
        VisitStatus::Denied => Err(DomainError::NotOnSite),
        VisitStatus::OnSite => Ok(VisitSignedOut {
            visit_id: visit_id.to_string(),
            at_ms: now_ms.max(time_in_ms),
        }),
    }
}

/// A correction replaces the record's fields with a reason; the earlier
/// version stays in the log and in the visit's history.
pub fn decide_correct(
    actor: &Actor,
    visit_id: &str,
    current: &VisitDetails,
    form: &VisitForm,
    reason: &str,
) -> Result<VisitCorrected, DomainError> {
    require(actor.role, Permission::CorrectVisit)?;
    let details = validate(form, current.expected_minutes, false).map_err(DomainError::Invalid)?;
    let reason = normalize_input(reason);
    if reason.is_empty() {
        return Err(DomainError::ReasonRequired);
    }
    if &details == current {
        return Err(DomainError::NothingChanged);
    }
    Ok(VisitCorrected {
        visit_id: visit_id.to_string(),
        details,
        reason,
    })
}

/// A visit is overstaying once it has lasted longer than expected.
pub fn is_overstay(time_in_ms: i64, expected_minutes: i64, now_ms: i64) -> bool {
    now_ms - time_in_ms > expected_minutes * 60_000
}

/// Identifies a returning person: ID number first, then phone, then name.
pub fn person_key(d: &VisitDetails) -> String {
    if let Some(id) = &d.id_no {
        format!("id:{id}")
    } else if let Some(p) = &d.phone {
        format!("tel:{p}")
    } else {
        format!("name:{}", d.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn guard() -> Actor {
        Actor {
            id: "g".into(),
            name: "门卫".into(),
            role: Role::Guard,
        }
    }

    fn form() -> VisitForm {
        VisitForm {
            name: " 张三 ".into(),
            id_no: "11010519491231002x".into(),
            phone: "138 0013 8000".into(),
            purpose: "送衣物".into(),
            ..VisitForm::default()
        }
    }

    fn input(f: &VisitForm) -> RegisterInput<'_> {
        RegisterInput {
            visit_id: "v1".into(),
            form: f,
            default_expected: 60,
            now_ms: 1_700_000_000_000,
            offset_min: 480,
            hits: vec![],
            decision: None,
            special: false,
        }
    }

    #[test]
    fn valid_form_registers_with_normalised_fields() {
        let f = form();
        let Registration::Admitted(r) = decide_register(&guard(), input(&f)).unwrap() else {
            panic!("expected admitted")
        };
        assert_eq!(r.details.name, "张三");
        assert_eq!(r.details.id_no.as_deref(), Some("11010519491231002X"));
        assert_eq!(r.details.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.details.expected_minutes, 60);
        assert_eq!(r.time_in_ms, 1_700_000_000_000);
    }

    #[test]
    fn all_errors_reported_together_and_nothing_built() {
        let f = VisitForm {
            name: "".into(),
            id_no: "110105194912310021".into(),
            phone: "12345".into(),
            plate: "XA12345".into(),
            party_size: "0".into(),
            ..VisitForm::default()
        };
        let Err(DomainError::Invalid(errs)) = decide_register(&guard(), input(&f)) else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errs.iter().map(|(f, _)| *f).collect();
        for want in ["name", "id_no", "phone", "purpose", "party_size", "plate"] {
            assert!(fields.contains(&want), "{want} missing in {fields:?}");
        }
    }

    #[test]
    fn other_time_in_needs_reason_and_not_future() {
        let mut f = form();
        f.time_in = "23:59".into();
        // 1_700_000_000_000 is 2023-11-15 06:13 at +08:00, so 23:59 is future.
        let Err(DomainError::Invalid(e)) = decide_register(&guard(), input(&f)) else {
            panic!()
        };
        assert_eq!(e, vec![("time_in", FieldError::FutureTime)]);
        f.time_in = "06:00".into();
        let Err(DomainError::Invalid(e)) = decide_register(&guard(), input(&f)) else {
            panic!()
        };
        assert_eq!(e, vec![("time_in_reason", FieldError::Required)]);
        f.time_in_reason = "补登".into();
        let Registration::Admitted(r) = decide_register(&guard(), input(&f)).unwrap() else {
            panic!()
        };
        assert_eq!(r.time_in_reason.as_deref(), Some("补登"));
        assert!(r.time_in_ms < 1_700_000_000_000);
    }

    #[test]
    fn watch_hit_needs_a_decision_and_deny_is_recorded() {
        let f = form();
        let hit = WatchHit {
            entry_id: "w1".into(),
            entry_name: "张三".into(),
            listed_for: "禁止令".into(),
            reasons: vec![MatchReason::IdNumber],
        };
        let mut i = input(&f);
        i.hits = vec![hit.clone()];
        assert!(matches!(
            decide_register(&guard(), i).unwrap(),
            Registration::NeedsDecision(_)
        ));
        let mut i = input(&f);
        i.hits = vec![hit];
        i.decision = Some((Decision::Deny, "已劝离".into()));
        let Registration::Denied(d) = decide_register(&guard(), i).unwrap() else {
            panic!()
        };
        assert_eq!(d.watch.decision, Decision::Deny);
        assert_eq!(d.watch.hits[0].reasons, vec![MatchReason::IdNumber]);
    }

    #[test]
    fn special_period_needs_pass_and_authoriser() {
        let mut f = form();
        let mut i = input(&f);
        i.special = true;
        let Err(DomainError::Invalid(e)) = decide_register(&guard(), i) else {
            panic!("expected invalid")
        };
        assert_eq!(
            e,
            vec![
                ("badge", FieldError::Required),
                ("authorised_by", FieldError::Required)
            ]
        );
        f.badge = "T-017".into();
        f.authorised_by = "刘主任".into();
        let mut i = input(&f);
        i.special = true;
        let Registration::Admitted(r) = decide_register(&guard(), i).unwrap() else {
            panic!()
        };
        assert_eq!(r.details.authorised_by, "刘主任");
    }

    #[test]
    fn cannot_sign_out_twice() {
        let g = guard();
        assert!(decide_sign_out(&g, "v", VisitStatus::OnSite, 10, 20).is_ok());
        assert_eq!(
            decide_sign_out(&g, "v", VisitStatus::Out, 10, 20),
            Err(DomainError::AlreadySignedOut)
        );
        assert_eq!(
            decide_sign_out(&g, "v", VisitStatus::Denied, 10, 20),
            Err(DomainError::NotOnSite)
        );
        // A clock behind the sign-in never produces a negative stay.
        assert_eq!(
            decide_sign_out(&g, "v", VisitStatus::OnSite, 50, 20)
                .unwrap()
                .at_ms,
            50
        );
    }

    #[test]
    fn correction_needs_reason_and_a_change() {
        let f = form();
        let d = validate(&f, 60, false).unwrap();
        let mut changed = VisitForm::from_details(&d);
        assert_eq!(
            decide_correct(&guard(), "v", &d, &changed, "x"),
            Err(DomainError::NothingChanged)
        );
        changed.purpose = "接孩子".into();
        assert_eq!(
            decide_correct(&guard(), "v", &d, &changed, "  "),
            Err(DomainError::ReasonRequired)
        );
        let c = decide_correct(&guard(), "v", &d, &changed, "事由写错").unwrap();
        assert_eq!(c.details.purpose, "接孩子");
        assert_eq!(c.reason, "事由写错");
    }

    #[test]
    fn overstay_and_person_key() {
        assert!(!is_overstay(0, 60, 60 * 60_000));
        assert!(is_overstay(0, 60, 60 * 60_000 + 1));
        let d = validate(&form(), 60, false).unwrap();
        assert_eq!(person_key(&d), "id:11010519491231002X");
    }
}
