//! Boarders between roll-calls: sick log, leave register, the gate (离校/返校).

use super::error::DomainError;
use super::names::normalize_name;
use super::role::{Actor, Permission, require};
use super::roster::Guardian;
use super::validate::{FieldError, check_mobile, normalize_input};

/// A temperature as typed ("38.5", "38,5", "38.5℃"), checked to be a
/// body temperature.
pub fn check_temperature(s: &str) -> Result<Option<String>, FieldError> {
    let t = normalize_input(s)
        .replace(',', ".")
        .replace(['℃', 'C', 'c', '°'], "");
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if (34.0..=43.0).contains(&v) => Ok(Some(format!("{v:.1}"))),
        Ok(_) => Err(FieldError::OutOfRange { min: 34, max: 43 }),
        Err(_) => Err(FieldError::NotANumber),
    }
}

/// Leave needs a reason, an approver and a return after the start.
pub fn check_leave(
    from_ms: i64,
    due_ms: i64,
    reason: &str,
    approved_by: &str,
) -> Result<(), DomainError> {
    let mut errs = vec![];
    if normalize_input(reason).is_empty() {
        errs.push(("reason", FieldError::Required));
    }
    if normalize_input(approved_by).is_empty() {
        errs.push(("approved_by", FieldError::Required));
    }
    if due_ms <= from_ms {
        errs.push(("due", FieldError::DateOrder));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errs))
    }
}

/// Is the person taking the boarder out on the roster's pick-up list?
/// Matched by name (normalised) or by phone.
pub fn authorised_pickup(guardians: &[Guardian], name: &str, phone: Option<&str>) -> bool {
    let name = normalize_name(&normalize_input(name));
    let phone = phone.and_then(|p| check_mobile(p).ok());
    guardians.iter().filter(|g| g.may_pick_up).any(|g| {
        (!name.is_empty() && normalize_name(&g.name) == name)
            || (phone.is_some() && g.phone == phone)
    })
}

/// A boarder leaving with someone: allowed when on the list, otherwise only
/// with a duty leader's approval (who is recorded).
pub fn decide_departure(
    actor: &Actor,
    on_list: bool,
    approver: Option<&Actor>,
    with_name: &str,
) -> Result<Option<String>, DomainError> {
    require(actor.role, Permission::RegisterVisit)?;
    if normalize_input(with_name).is_empty() {
        return Err(DomainError::Invalid(vec![(
            "with_name",
            FieldError::Required,
        )]));
    }
    if on_list {
        return Ok(None);
    }
    match approver {
        None => Err(DomainError::NotAuthorisedPickup),
        Some(a) => {
            require(a.role, Permission::ApproveGateException)?;
            Ok(Some(a.id.clone()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn g(name: &str, phone: &str, may: bool) -> Guardian {
        Guardian {
            name: name.into(),
            relation: "母亲".into(),
            phone: Some(phone.into()),
            may_pick_up: may,
        }
    }

    fn a(role: Role) -> Actor {
        Actor {
            id: format!("{role:?}"),
            name: "x".into(),
            role,
        }
    }

    #[test]
    fn temperatures() {
        assert_eq!(check_temperature("38.5℃"), Ok(Some("38.5".into())));
        assert_eq!(check_temperature("38,5"), Ok(Some("38.5".into())));
        assert_eq!(check_temperature(""), Ok(None));
        assert!(check_temperature("385").is_err());
        assert!(check_temperature("高烧").is_err());
    }

    #[test]
    fn pickup_list_by_name_or_phone_only_when_allowed() {
        let gs = vec![
            g("王芳", "13800138000", true),
            g("王强", "13900139000", false),
        ];
        assert!(authorised_pickup(&gs, " 王芳 ", None));
        assert!(authorised_pickup(&gs, "陌生人", Some("138 0013 8000")));
        assert!(!authorised_pickup(&gs, "王强", None));
        assert!(!authorised_pickup(&gs, "李四", Some("13700000000")));
    }

    #[test]
    fn departure_off_list_needs_a_leader() {
        let guard = a(Role::Guard);
        assert_eq!(decide_departure(&guard, true, None, "王芳"), Ok(None));
        assert_eq!(
            decide_departure(&guard, false, None, "李四"),
            Err(DomainError::NotAuthorisedPickup)
        );
        assert_eq!(
            decide_departure(&guard, false, Some(&a(Role::DormTeacher)), "李四"),
            Err(DomainError::Forbidden(Permission::ApproveGateException))
        );
        assert_eq!(
            decide_departure(&guard, false, Some(&a(Role::DutyLeader)), "李四"),
            Ok(Some("DutyLeader".into()))
        );
    }

    #[test]
    fn leave_rules() {
        assert!(check_leave(0, 10, "回家", "班主任").is_ok());
        assert!(check_leave(10, 10, "回家", "班主任").is_err());
        assert!(check_leave(0, 10, "", "").is_err());
    }
}
