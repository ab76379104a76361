//! What each section's keys do when no form is open.

use super::*;

impl StationScreen {
    pub(super) fn section_action(&mut self, a: Action, ctx: &mut PaneCtx) -> Handled {
        let nav = |l: &mut ListState, len: usize| Handled::from(l.navigate(a, len));
        match (a, self.section) {
            (Action::Back, _) => self.done = true,
            (Action::NextView, s) => {
                self.section = match s {
                    Section::Operators => Section::Staff,
                    Section::Staff => Section::Settings,
                    Section::Settings => Section::Sync,
                    Section::Sync => Section::Operators,
                }
            }
            (Action::Up | Action::Down, Section::Staff) => {
                return nav(&mut self.staff_list, self.staff.len());
            }
            (Action::Up | Action::Down, Section::Operators) => {
                return nav(&mut self.op_list, self.operators.len());
            }
            (Action::Up | Action::Down, Section::Settings) => {
                return nav(&mut self.set_list, self.settings.len());
            }
            (Action::Up | Action::Down, Section::Sync) => {
                return nav(&mut self.log_list, self.sync.log.len());
            }
            (Action::Open, Section::Sync) => {
                let mut f = Form::new(vec![
                    Field::text("folder", "station.f.sync_folder")
                        .max(200)
                        .hint("station.hint.sync_folder"),
                    Field::text("every", "station.f.sync_every")
                        .max(4)
                        .hint("station.hint.sync_every"),
                ]);
                f.set("folder", self.sync.folder.as_deref().unwrap_or(""));
                f.set("every", &self.sync.every.to_string());
                f.mark_pristine();
                self.edit = Edit::SyncConfig(f);
            }
            // While this station's own chain is forked, a sync would only be
            // refused again: the key opens the recovery instead.
            (Action::SyncNow, Section::Sync) if self.sync.fork.is_some() => {
                match &self.sync.folder {
                    Some(f) if !f.is_empty() => {
                        self.edit = Edit::Recover(Form::new(vec![
                            Field::text("note", "station.f.recover_note")
                                .required()
                                .max(100)
                                .hint("station.hint.recover_note"),
                        ]))
                    }
                    _ => ctx.err(tr("station.no_folder")),
                }
            }
            (Action::SyncNow, Section::Sync) => match &self.sync.folder {
                Some(f) if !f.is_empty() => self.sync_request = Some(std::path::PathBuf::from(f)),
                _ => ctx.err(tr("station.no_folder")),
            },
            (Action::Invite, Section::Sync) => {
                let mut f = Form::new(vec![
                    Field::text("path", "station.f.join_path")
                        .required()
                        .max(200),
                ]);
                let dir = self
                    .sync
                    .folder
                    .clone()
                    .filter(|d| !d.is_empty())
                    .map(std::path::PathBuf::from)
                    .unwrap_or_else(crate::panes::export::default_dir);
                f.set(
                    "path",
                    &dir.join(format!("join.{}", crate::sync::JOIN_EXT))
                        .to_string_lossy(),
                );
                f.mark_pristine();
                self.edit = Edit::Invite(f);
            }
            (Action::New, Section::Staff) => {
                self.edit = Edit::Staff {
                    id: None,
                    form: staff_form(None),
                }
            }
            (Action::Open, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_list.sel) {
                    self.edit = Edit::Staff {
                        id: Some(id.clone()),
                        form: staff_form(Some(m)),
                    };
                }
            }
            (Action::ToggleActive, Section::Staff) => {
                if let Some((id, m)) = self.staff.get(self.staff_list.sel).cloned() {
                    let phone = m.phone.clone().unwrap_or_default();
                    match ctx.store.set_staff(
                        ctx.actor,
                        Some(&id),
                        &m.name,
                        m.kind,
                        &phone,
                        !m.active,
                    ) {
                        Ok(_) => ctx.ok(tr("station.staff_saved")),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            (Action::New, Section::Operators) => {
                let mut fields = vec![
                    Field::text("name", "station.f.name").required().max(20),
                    Field::text("role", "station.f.role").choice(ROLE_KEYS.to_vec()),
                ];
                fields.extend(pin_fields());
                self.edit = Edit::AddOperator(Form::new(fields));
            }
            (Action::ResetPin, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel) {
                    self.edit = Edit::ResetPin {
                        id: op.id.clone(),
                        form: Form::new(pin_fields()),
                    };
                }
            }
            (Action::ToggleActive, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel) {
                    if op.active {
                        // Taking someone's access away is asked first.
                        self.edit = Edit::ConfirmToggle { id: op.id.clone() };
                    } else {
                        let id = op.id.clone();
                        self.toggle_operator(&id, ctx);
                    }
                }
            }
            (Action::Unlock, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel).cloned() {
                    if op.locked_until_ms.is_none() {
                        ctx.err(trf("station.not_locked", &[("name", op.name)]));
                    } else {
                        match ctx.store.unlock_operator(ctx.actor, &op.id) {
                            Ok(()) => ctx.ok(trf("station.unlocked", &[("name", op.name)])),
                            Err(e) => ctx.err(error_text(&e)),
                        }
                        let _ = self.reload(ctx);
                    }
                }
            }
            (Action::ChangeRole, Section::Operators) => {
                if let Some(op) = self.operators.get(self.op_list.sel).cloned() {
                    let i = Role::ALL.iter().position(|r| *r == op.role).unwrap_or(0);
                    let role = Role::ALL[(i + 1) % Role::ALL.len()];
                    match ctx
                        .store
                        .change_operator(ctx.actor, &op.id, role, op.active)
                    {
                        Ok(()) => ctx.ok(trf(
                            "station.role_changed",
                            &[
                                ("name", op.name),
                                ("role", tr(&format!("role.{}", role.key()))),
                            ],
                        )),
                        Err(e) => ctx.err(error_text(&e)),
                    }
                    let _ = self.reload(ctx);
                }
            }
            // Counted when asked, not on every reload: on a year-old
            // station the count reads every visit that ended long ago.
            (Action::Purge, Section::Settings) => match ctx.store.purge_due(ctx.now_ms) {
                Ok(due) if due.is_empty() => ctx.ok(trf(
                    "purge.none",
                    &[(
                        "days",
                        ctx.store.setting(settings::RETENTION_DAYS).to_string(),
                    )],
                )),
                Ok(due) => self.edit = Edit::ConfirmPurge { due: due.len() },
                Err(e) => ctx.err(error_text(&e)),
            },
            (Action::Open, Section::Settings) => {
                if let Some((k, v)) = self.settings.get(self.set_list.sel) {
                    let mut f = Form::new(vec![
                        Field::text("value", "station.f.value").required().max(5),
                    ]);
                    f.set("value", &settings::show(k, *v));
                    f.mark_pristine();
                    self.edit = Edit::Setting {
                        key: k.clone(),
                        form: f,
                    };
                }
            }
            _ => return Handled::No,
        }
        Handled::Yes
    }
}
