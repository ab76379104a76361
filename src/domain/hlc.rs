//! Hybrid logical clock: wall-clock milliseconds plus a counter, so events
//! from one station are strictly ordered even if its clock steps backwards,
//! and events from several stations order sensibly after sync.

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    pub ms: i64,
    pub c: u32,
}

impl Hlc {
    /// The next timestamp for a local event.
    pub fn tick(self, wall_ms: i64) -> Hlc {
        if wall_ms > self.ms {
            Hlc { ms: wall_ms, c: 0 }
        } else {
            Hlc {
                ms: self.ms,
                c: self.c + 1,
            }
        }
    }

    /// Advance past a timestamp seen on another station's event.
    pub fn observe(self, remote: Hlc, wall_ms: i64) -> Hlc {
        let ms = self.ms.max(remote.ms).max(wall_ms);
        let c = if ms == self.ms && ms == remote.ms {
            self.c.max(remote.c) + 1
        } else if ms == self.ms {
            self.c + 1
        } else if ms == remote.ms {
            remote.c + 1
        } else {
            0
        };
        Hlc { ms, c }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_even_when_wall_clock_goes_back() {
        let a = Hlc::default().tick(1000);
        let b = a.tick(900);
        let c = b.tick(900);
        assert!(a < b && b < c);
        assert_eq!(b, Hlc { ms: 1000, c: 1 });
        assert_eq!(c.tick(2000), Hlc { ms: 2000, c: 0 });
    }

    #[test]
    fn observe_moves_past_remote() {
        let local = Hlc { ms: 1000, c: 3 };
        let remote = Hlc { ms: 5000, c: 7 };
        let n = local.observe(remote, 2000);
        assert!(n > remote && n > local);
    }
}
