//! The open form or question of the station screen, and what saving it does.

use super::*;

impl StationScreen {
    /// One key or action: the open form or question first, then the
    /// section's own keys.
    pub fn handle(&mut self, input: Input, ctx: &mut PaneCtx) -> Handled {
        let mut edit = std::mem::replace(&mut self.edit, Edit::None);
        match (&mut edit, input) {
            (Edit::None, Input::Key(_)) => return Handled::No,
            (Edit::None, Input::Act(a)) => return self.section_action(a, ctx),
            (Edit::Code { .. }, Input::Act(Action::Back)) => return Handled::Yes,
            (Edit::Code { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            (Edit::ConfirmToggle { id }, Input::Act(Action::Confirm)) => {
                let id = id.clone();
                self.toggle_operator(&id, ctx);
                return Handled::Yes;
            }
            (Edit::ConfirmToggle { .. }, Input::Act(Action::Back)) => return Handled::Yes,
            (Edit::ConfirmPurge { .. }, Input::Act(Action::Confirm)) => {
                self.edit = Edit::Purging(crate::panes::purge_job::start(ctx));
                return Handled::Yes;
            }
            (Edit::ConfirmPurge { .. }, Input::Act(Action::Back)) => return Handled::Yes,
            (Edit::Purging(job), Input::Act(Action::Back)) => {
                job.cancel();
                self.edit = edit;
                return Handled::Yes;
            }
            (Edit::Purging(_) | Edit::ConfirmPurge { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            // Esc stops the invitation; its result (cancelled) still comes.
            (Edit::Inviting { job, .. }, Input::Act(Action::Back)) => {
                job.cancel();
                self.edit = edit;
                return Handled::Yes;
            }
            (Edit::Inviting { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            (Edit::ConfirmToggle { .. }, _) => {
                self.edit = edit;
                return Handled::No;
            }
            _ => {}
        }
        let Some(form) = Self::form_mut(&mut edit) else {
            return Handled::No;
        };
        let a = match input {
            Input::Key(k) => {
                let h = Handled::from(form_key(form, k));
                self.edit = edit;
                return h;
            }
            Input::Act(a) => a,
        };
        match form_step(form, a, ctx) {
            FormStep::Save => {
                if let Some(next) = self.save_edit(edit, ctx) {
                    self.edit = next;
                } else {
                    let _ = self.reload(ctx);
                }
                Handled::Yes
            }
            FormStep::Close => Handled::Yes,
            FormStep::Pass => {
                self.edit = edit;
                Handled::No
            }
            FormStep::Stay | FormStep::Armed => {
                self.edit = edit;
                Handled::Yes
            }
        }
    }

    /// Saves the open form. Returns what stays open: the same form with its
    /// errors, the join code to read out, or None when done.
    pub(super) fn save_edit(&mut self, mut edit: Edit, ctx: &mut PaneCtx) -> Option<Edit> {
        let saved = match &mut edit {
            Edit::AddOperator(f) => (|| {
                let pin = pins(f)?;
                let role = Role::ALL[f.choice("role").min(3)];
                match ctx
                    .store
                    .add_operator(ctx.actor, &f.value("name"), role, &pin)
                {
                    Ok(a) => {
                        let mut said = trf("station.added", &[("name", a.name)]);
                        weak_warning(&pin, &mut said);
                        ctx.ok(said);
                        Some(())
                    }
                    Err(e) => {
                        crate::panes::show_error(f, &e, ctx);
                        None
                    }
                }
            })(),
            Edit::ResetPin { id, form } => (|| {
                let pin = pins(form)?;
                match ctx.store.set_pin(ctx.actor, id, &pin) {
                    Ok(()) => {
                        let mut said = tr("station.pin_set");
                        weak_warning(&pin, &mut said);
                        ctx.ok(said);
                        Some(())
                    }
                    Err(e) => {
                        crate::panes::show_error(form, &e, ctx);
                        None
                    }
                }
            })(),
            Edit::Staff { id, form } => {
                let kind = StaffKind::ALL[form.choice("kind").min(2)];
                match ctx.store.set_staff(
                    ctx.actor,
                    id.as_deref(),
                    &form.value("name"),
                    kind,
                    &form.value("phone"),
                    true,
                ) {
                    Ok(_) => {
                        ctx.ok(tr("station.staff_saved"));
                        Some(())
                    }
                    Err(e) => {
                        crate::panes::show_error(form, &e, ctx);
                        None
                    }
                }
            }
            Edit::SyncConfig(f) => save_sync_config(f, ctx),
            Edit::Invite(f) => {
                // Written on the job runner; the code comes when it is done.
                let path = std::path::PathBuf::from(f.value("path").trim());
                let shown = path.display().to_string();
                let job = crate::panes::invite_job::start(ctx.store, path);
                return Some(Edit::Inviting { job, path: shown });
            }
            Edit::Recover(f) => {
                let folder = self.sync.folder.clone().unwrap_or_default();
                let files = crate::sync::recover::bundles_in_folder(std::path::Path::new(&folder));
                match crate::sync::recover::recover(ctx.store, ctx.actor, &files, &f.value("note"))
                {
                    Ok(done) => {
                        ctx.ok(trf(
                            "sync.recover.done",
                            &[
                                ("n", done.moved.events.to_string()),
                                ("split", done.split.to_string()),
                                ("new", done.moved.new_origin.chars().take(8).collect()),
                                ("old", done.moved.old_origin.chars().take(8).collect()),
                            ],
                        ));
                        Some(())
                    }
                    Err(crate::sync::recover::RecoverError::Store(e)) => {
                        crate::panes::show_error(f, &e, ctx);
                        None
                    }
                    Err(e) => {
                        ctx.err(e.text());
                        None
                    }
                }
            }
            Edit::Setting { key, form } => (|| {
                let Some(v) = settings::parse(key, &form.value("value")) else {
                    let e = if settings::is_time(key) {
                        FieldError::TimeFormat
                    } else {
                        FieldError::NotANumber
                    };
                    form.set_errors(&[("value", e)]);
                    return None;
                };
                match ctx.store.set_setting(ctx.actor, key, v) {
                    Ok(()) => {
                        ctx.ok(tr("station.setting_saved"));
                        Some(())
                    }
                    Err(e) => {
                        crate::panes::show_error(form, &e, ctx);
                        None
                    }
                }
            })(),
            Edit::None
            | Edit::Code { .. }
            | Edit::ConfirmToggle { .. }
            | Edit::Inviting { .. }
            | Edit::ConfirmPurge { .. }
            | Edit::Purging(_) => Some(()),
        };
        match saved {
            Some(()) => None,
            None => Some(edit),
        }
    }

    /// Deactivates or reactivates an operator (after the question), and
    /// keeps the selection on them.
    pub(super) fn toggle_operator(&mut self, id: &str, ctx: &mut PaneCtx) {
        let Some(op) = self.operators.iter().find(|o| o.id == id).cloned() else {
            return;
        };
        match ctx
            .store
            .change_operator(ctx.actor, &op.id, op.role, !op.active)
        {
            Ok(()) => ctx.ok(trf(
                if op.active {
                    "station.deactivated"
                } else {
                    "station.activated"
                },
                &[("name", op.name)],
            )),
            Err(e) => ctx.err(error_text(&e)),
        }
        let _ = self.reload(ctx);
    }
}

/// Appends the warning for a PIN anyone would guess first (a warning, not
/// a refusal: the school may have its reasons). Operators keep no phone
/// number, so only the pattern is checked.
fn weak_warning(pin: &str, said: &mut String) {
    if crate::domain::pin_guard::is_weak(pin, None) {
        said.push_str(&tr("auth.weak_pin"));
    }
}
