//! The registration form (also used for corrections) and its returning-
//! visitor suggestions.

use crate::domain::validate::IdType;
use crate::domain::visit::{Decision, VisitDetails, VisitForm, VisitorType, WatchHit};
use crate::store::Store;
use crate::store::visits::PersonSuggestion;
use crate::ui::form::{Field, Form};

pub const ID_TYPE_KEYS: [&str; 5] = [
    "id_type.resident_id",
    "id_type.passport",
    "id_type.hk_macao_permit",
    "id_type.taiwan_permit",
    "id_type.other",
];
pub const VISITOR_TYPE_KEYS: [&str; 5] = [
    "vtype.parent",
    "vtype.contractor",
    "vtype.delivery",
    "vtype.official",
    "vtype.other",
];

/// Fields whose typing offers returning visitors.
const SUGGEST_FROM: [&str; 3] = ["name", "phone", "id_no"];

pub struct RegisterState {
    pub form: Form,
    /// Set when correcting an existing visit.
    pub correcting: Option<String>,
    pub suggestions: Vec<PersonSuggestion>,
    pub sugg_sel: usize,
    /// Shown while the watchlist matched and the guard must decide.
    pub decision: Option<DecisionState>,
    /// A prefilled ID shown masked to non-admins: (shown, real). Saving an
    /// untouched field keeps the real number.
    pub hidden_id: Option<(String, String)>,
}

pub struct DecisionState {
    pub hits: Vec<WatchHit>,
    /// Each hit's watchlist note (what the guard must do), in hit order;
    /// empty where the entry has none.
    pub entry_notes: Vec<String>,
    pub choice: Decision,
    pub note: crate::ui::text_input::TextInput,
}

impl DecisionState {
    /// A match to decide, "deny" preselected, with each entry's note read
    /// from the watchlist as it is now.
    pub fn new(hits: Vec<WatchHit>, store: &Store) -> DecisionState {
        // The hit is already on screen; without its entry the note line is
        // left out rather than the decision blocked.
        let entries = store.watch_entries(false).unwrap_or_default();
        let entry_notes = hits
            .iter()
            .map(|h| {
                entries
                    .iter()
                    .find(|e| e.id == h.entry_id)
                    .map(|e| e.data.note.trim().to_string())
                    .unwrap_or_default()
            })
            .collect();
        DecisionState {
            hits,
            entry_notes,
            choice: Decision::Deny,
            note: crate::ui::text_input::TextInput::default(),
        }
    }
}

pub fn visit_form(correction: bool, special: bool) -> Form {
    let mut f = vec![];
    if correction {
        f.push(
            Field::text("reason", "visit.f.correction_reason")
                .required()
                .max(100),
        );
    }
    f.extend([
        Field::text("name", "visit.f.name")
            .required()
            .max(40)
            .hint("visit.hint.name"),
        Field::text("phone", "visit.f.phone")
            .max(20)
            .hint("visit.hint.phone"),
        Field::text("id_type", "visit.f.id_type").choice(ID_TYPE_KEYS.to_vec()),
        Field::text("id_no", "visit.f.id_no")
            .max(30)
            .hint("visit.hint.id_no"),
        Field::text("visitor_type", "visit.f.visitor_type").choice(VISITOR_TYPE_KEYS.to_vec()),
        Field::text("host", "visit.f.host")
            .max(40)
            .hint("visit.hint.host"),
        Field::text("relation", "visit.f.relation").max(20),
        Field::text("purpose", "visit.f.purpose")
            .required()
            .max(100),
        Field::text("party_size", "visit.f.party_size").max(3),
        Field::text("plate", "visit.f.plate")
            .max(12)
            .hint("visit.hint.plate"),
        Field::text("items", "visit.f.items").max(100),
        Field::text("expected", "visit.f.expected")
            .max(4)
            .hint("visit.hint.expected"),
        if special {
            Field::text("badge", "visit.f.badge")
                .max(20)
                .required()
                .hint("visit.hint.pass")
        } else {
            Field::text("badge", "visit.f.badge").max(20)
        },
        Field::text("org", "visit.f.org").max(60),
        Field::text("notes", "visit.f.notes").max(200),
    ]);
    if special || correction {
        // Corrections keep showing who authorised an exam-period entry.
        let idx = f
            .iter()
            .position(|x| x.id == "badge")
            .map_or(f.len(), |i| i + 1);
        let mut a = Field::text("authorised_by", "visit.f.authorised_by").max(20);
        if special {
            a = a.required().hint("visit.hint.authorised_by");
        }
        f.insert(idx, a);
    }
    if !correction {
        f.push(
            Field::text("time_in", "visit.f.time_in")
                .max(5)
                .hint("visit.hint.time_in"),
        );
        f.push(Field::text("time_in_reason", "visit.f.time_in_reason").max(100));
    }
    let mut form = Form::new(f);
    form.set("party_size", "1");
    form.focus_on(if correction { "reason" } else { "name" });
    form.mark_pristine();
    form
}

impl RegisterState {
    pub fn new(special: bool) -> RegisterState {
        RegisterState {
            form: visit_form(false, special),
            correcting: None,
            suggestions: vec![],
            sugg_sel: 0,
            decision: None,
            hidden_id: None,
        }
    }

    pub fn correcting(visit_id: String, d: &VisitDetails, full_ids: bool) -> RegisterState {
        let mut s = RegisterState {
            form: visit_form(true, false),
            correcting: Some(visit_id),
            suggestions: vec![],
            sugg_sel: 0,
            decision: None,
            hidden_id: None,
        };
        s.fill(d, false, full_ids);
        s.form.mark_pristine();
        s
    }

    /// Fills every field from an earlier visit.
    pub fn fill(&mut self, d: &VisitDetails, returning: bool, full_ids: bool) {
        let mut v = VisitForm::from_details(d);
        self.hidden_id = None;
        if !full_ids && !v.id_no.is_empty() {
            let shown = crate::domain::validate::mask_id(&v.id_no);
            self.hidden_id = Some((shown.clone(), v.id_no.clone()));
            v.id_no = shown;
        }
        let f = &mut self.form;
        f.set("name", &v.name);
        f.set("phone", &v.phone);
        f.set_choice(
            "id_type",
            IdType::ALL
                .iter()
                .position(|t| *t == v.id_type)
                .unwrap_or(0),
        );
        f.set("id_no", &v.id_no);
        f.set_choice(
            "visitor_type",
            VisitorType::ALL
                .iter()
                .position(|t| *t == v.visitor_type)
                .unwrap_or(0),
        );
        f.set("host", &v.host);
        f.set("relation", &v.relation);
        f.set("purpose", &v.purpose);
        f.set("party_size", &v.party_size);
        f.set("plate", &v.plate);
        f.set("items", &v.items);
        f.set("expected", &v.expected_minutes);
        f.set("badge", if returning { "" } else { &v.badge });
        f.set("org", &v.org);
        f.set("notes", if returning { "" } else { &v.notes });
        f.set(
            "authorised_by",
            if returning { "" } else { &v.authorised_by },
        );
        f.clear_errors();
        self.suggestions.clear();
        if returning {
            // The purpose is what most often differs from last time.
            f.focus_on("purpose");
        }
    }

    pub fn to_visit_form(&self) -> VisitForm {
        let f = &self.form;
        VisitForm {
            name: f.value("name"),
            id_type: IdType::ALL[f.choice("id_type").min(4)],
            id_no: match &self.hidden_id {
                Some((shown, real)) if *shown == f.value("id_no") => real.clone(),
                _ => f.value("id_no"),
            },
            phone: f.value("phone"),
            visitor_type: VisitorType::ALL[f.choice("visitor_type").min(4)],
            org: f.value("org"),
            host: f.value("host"),
            relation: f.value("relation"),
            purpose: f.value("purpose"),
            party_size: f.value("party_size"),
            plate: f.value("plate"),
            items: f.value("items"),
            expected_minutes: f.value("expected"),
            badge: f.value("badge"),
            notes: f.value("notes"),
            authorised_by: f.value("authorised_by"),
            time_in: f.value("time_in"),
            time_in_reason: f.value("time_in_reason"),
        }
    }

    /// The query for suggestions if the focused field offers them.
    pub fn suggest_query(&self) -> Option<String> {
        if self.correcting.is_some() {
            return None;
        }
        let id = self.form.focused_id();
        SUGGEST_FROM
            .contains(&id)
            .then(|| self.form.value(id))
            .filter(|q| !q.trim().is_empty())
    }
}

impl Default for RegisterState {
    fn default() -> Self {
        RegisterState::new(false)
    }
}
