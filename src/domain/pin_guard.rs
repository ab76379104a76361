//! PIN throttling, shared by the TUI and the command line: after
//! `MAX_TRIES` wrong PINs in a row for one operator, a lockout whose wait
//! grows with each lockout (30 s, 1 min, 5 min, 15 min, then 1 h). The
//! state is folded from the operator's recorded events (wrong PINs are
//! events, so a brute force that starts a new process per try is counted
//! too); whether a try is allowed is a pure function of it and the clock.

/// Wrong PINs in a row that lock the operator out.
pub const MAX_TRIES: u32 = 5;

/// The wait of the first, second, … lockout in a row; the last repeats.
pub const WAITS_MS: [i64; 5] = [30_000, 60_000, 300_000, 900_000, 3_600_000];

/// One operator's record of wrong PINs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinGuard {
    /// Wrong PINs since the last lockout, correct PIN or unlock.
    pub failures: u32,
    /// Lockouts since the last correct PIN or unlock: the next wait grows.
    pub lockouts: u32,
    pub locked_until_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    LockedUntil(i64),
}

/// The wait of a lockout that follows `lockouts` others in a row.
pub fn wait_ms(lockouts: u32) -> i64 {
    WAITS_MS[(lockouts as usize).min(WAITS_MS.len() - 1)]
}

impl PinGuard {
    /// Whether a PIN may be tried at `now_ms` (while locked it is not even
    /// compared).
    pub fn check(&self, now_ms: i64) -> Verdict {
        match self.locked_until_ms {
            Some(until) if until > now_ms => Verdict::LockedUntil(until),
            _ => Verdict::Allowed,
        }
    }

    /// A wrong PIN at `now_ms`: the end of the lockout it starts, if it is
    /// the one that reaches `MAX_TRIES`.
    pub fn lock_after_wrong(&self, now_ms: i64) -> Option<i64> {
        (self.failures + 1 >= MAX_TRIES).then(|| now_ms + wait_ms(self.lockouts))
    }

    pub fn failed(&mut self) {
        self.failures += 1;
    }

    pub fn locked(&mut self, until_ms: i64) {
        self.failures = 0;
        self.lockouts += 1;
        self.locked_until_ms = Some(until_ms);
    }

    /// A correct PIN, or an admin's unlock: a clean slate.
    pub fn cleared(&mut self) {
        *self = PinGuard::default();
    }

    /// Whether a correct PIN has anything to clear (then it is recorded;
    /// otherwise a login writes nothing more than before).
    pub fn is_dirty(&self) -> bool {
        *self != PinGuard::default()
    }
}

/// PINs anyone would try first: one digit repeated (1111), a straight run
/// up or down (1234, 4321, 123456, 9876), or the operator's phone tail.
/// Only a warning: the school may have reasons.
pub fn is_weak(pin: &str, phone: Option<&str>) -> bool {
    let d: Vec<i32> = pin
        .chars()
        .filter_map(|c| c.to_digit(10).map(|v| v as i32))
        .collect();
    if d.len() != pin.chars().count() || d.len() < 2 {
        return false;
    }
    let steps: Vec<i32> = d.windows(2).map(|w| w[1] - w[0]).collect();
    let straight = [0, 1, -1].iter().any(|s| steps.iter().all(|x| x == s));
    let phone_tail = phone
        .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
        .is_some_and(|p| p.len() >= pin.len() && p.ends_with(pin));
    straight || phone_tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `n` wrong PINs at `now`, as the store does.
    fn wrong(g: &mut PinGuard, n: u32, now: i64) {
        for _ in 0..n {
            assert_eq!(g.check(now), Verdict::Allowed);
            match g.lock_after_wrong(now) {
                Some(until) => {
                    g.failed();
                    g.locked(until);
                }
                None => g.failed(),
            }
        }
    }

    #[test]
    fn five_wrong_pins_lock_for_a_growing_wait() {
        let mut g = PinGuard::default();
        let mut now = 1_000_000;
        wrong(&mut g, 4, now);
        assert_eq!(g.check(now), Verdict::Allowed);
        let mut waits = vec![];
        for _ in 0..6 {
            wrong(&mut g, 1, now);
            let Verdict::LockedUntil(until) = g.check(now) else {
                panic!("not locked after five wrong PINs");
            };
            waits.push(until - now);
            assert_eq!(g.check(until - 1), Verdict::LockedUntil(until));
            assert_eq!(g.check(until), Verdict::Allowed);
            now = until;
            wrong(&mut g, 4, now);
        }
        assert_eq!(
            waits,
            [30_000, 60_000, 300_000, 900_000, 3_600_000, 3_600_000]
        );
    }

    #[test]
    fn a_correct_pin_or_an_unlock_clears_the_count() {
        let mut g = PinGuard::default();
        wrong(&mut g, 4, 0);
        assert!(g.is_dirty());
        g.cleared();
        wrong(&mut g, 4, 0);
        assert_eq!(g.check(0), Verdict::Allowed, "the count started again");
        wrong(&mut g, 1, 0);
        assert_eq!(g.check(0), Verdict::LockedUntil(30_000));
        g.cleared();
        assert_eq!(g.check(0), Verdict::Allowed);
        assert!(!g.is_dirty());
        assert_eq!(g.lock_after_wrong(0), None);
    }

    #[test]
    fn weak_pins() {
        for p in ["1111", "000000", "1234", "4321", "123456", "98765", "3456"] {
            assert!(is_weak(p, None), "{p}");
        }
        for p in ["2580", "1357", "9931", "12345670", "0815"] {
            assert!(!is_weak(p, None), "{p}");
        }
        assert!(is_weak("5678", Some("138 1234 5678")));
        assert!(!is_weak("5679", Some("13812345678")));
    }
}
