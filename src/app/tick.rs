//! The once-a-second tick and the sync worker it starts and watches.

use super::*;

impl App {
    /// Starts a sync with `dir` on a worker thread (one at a time).
    pub fn start_sync(&mut self, dir: std::path::PathBuf) {
        if self.sync_job.is_some() {
            return;
        }
        let db = self.store.path().to_path_buf();
        if db.as_os_str() == ":memory:" {
            self.set_toast(tr("roster.import_needs_file"), true);
            return;
        }
        self.sync_job = Some(crate::panes::sync_job::start(db, self.store.clock(), dir));
        self.set_toast(tr("sync.started"), false);
    }

    /// The sync worker's news, and the timer that starts it.
    pub(super) fn tick_sync(&mut self, now: i64) -> bool {
        if let Some(job) = &mut self.sync_job {
            let (changed, done) = job.poll();
            if let Some(result) = done {
                self.sync_job = None;
                match result {
                    Ok((lines, refused)) => {
                        let text = lines.last().cloned().unwrap_or_default();
                        self.set_toast(trf("sync.done", &[("summary", text)]), refused);
                    }
                    Err(e) => self.set_toast(e, true),
                }
                // Other stations' records are in: show them.
                self.reload_all();
                return true;
            }
            return changed;
        }
        if self.actor.is_none() {
            return false;
        }
        let meta = |k: &str| self.store.meta(k).ok().flatten();
        let every: i64 = meta("sync_every").and_then(|v| v.parse().ok()).unwrap_or(0);
        let folder = meta("sync_folder").filter(|f| !f.is_empty());
        let last: i64 = meta("last_sync_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if let (true, Some(folder)) = (every > 0, folder)
            && now - last >= every * 60_000
        {
            // Mark the attempt now so a failing folder is not retried every second.
            let _ = self.store.set_meta("last_sync_ms", &now.to_string());
            self.start_sync(std::path::PathBuf::from(folder));
            return true;
        }
        false
    }

    /// What the status bar depends on besides input: minute and alerts.
    pub(super) fn status_key(&self) -> Status {
        let now = self.store.now_ms();
        if self.actor.is_none() {
            return Status {
                minute: now / 60_000,
                ..Status::default()
            };
        }
        let (on_site, overstay) = self.store.on_site_counts(now).unwrap_or((0, 0));
        let (absent, leave_overdue, not_back) = self.store.boarder_alerts(now).unwrap_or((0, 0, 0));
        let (hazard_overdue, hazard_serious) = self.store.hazard_alerts(now).unwrap_or((0, 0));
        Status {
            minute: now / 60_000,
            on_site,
            overstay,
            special: self.store.setting(crate::domain::settings::SPECIAL_PERIOD) == 1,
            absent,
            leave_overdue,
            not_back,
            conflicts: self.store.unresolved_conflicts().unwrap_or(0),
            hazard_overdue,
            hazard_serious,
            patrol: self.store.patrol_alerts(now).unwrap_or_default(),
            duty: self.store.duty_status(now).unwrap_or_default(),
            handover: self
                .store
                .handover_alert(now)
                .ok()
                .flatten()
                .map(|(_, stage)| stage),
            shift: self
                .store
                .current_shift(now)
                .ok()
                .flatten()
                .map(|s| s.shift),
            pin_locked: match self.actor.as_ref().map(|a| a.role) {
                Some(crate::domain::role::Role::DutyLeader | crate::domain::role::Role::Admin) => {
                    self.store
                        .locked_operators(now)
                        .map(|v| v.len())
                        .unwrap_or(0)
                }
                _ => 0,
            },
        }
    }

    /// The once-a-second tick: locks when idle, expires messages, and asks
    /// for a redraw only when something visible changed.
    pub fn tick(&mut self) -> bool {
        let now = self.store.now_ms();
        let mut dirty = false;
        if matches!(self.screen, Screen::Main) {
            let lock_ms = self.store.setting(LOCK_MINUTES) * 60_000;
            if now - self.last_input_ms >= lock_ms {
                self.lock();
                dirty = true;
            }
        }
        let mut panes = std::mem::take(&mut self.panes);
        if self.with_ctx(|ctx| panes.iter_mut().fold(false, |d, p| p.poll(ctx) | d)) == Some(true) {
            dirty = true;
        }
        self.panes = panes;
        // An overlay's own job (F9's invitation) reports the same way.
        if let Some(mut o) = self.overlay.take() {
            if self.with_ctx(|ctx| o.poll(ctx)) == Some(true) {
                dirty = true;
            }
            self.overlay = Some(o);
        }
        if self.tick_sync(now) {
            dirty = true;
        }
        if self.tick_outside_writes() {
            dirty = true;
        }
        if self.retry_wait() {
            dirty = true;
        }
        if self.toast.is_some() && now >= self.toast_until {
            self.toast = None;
            dirty = true;
        }
        let key = self.status_key();
        if key != self.shown {
            self.shown = key;
            dirty = true;
        }
        dirty
    }
}
