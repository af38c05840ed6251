//! An activity from its fields, with an id derived from its content when it has none.

use std::collections::BTreeMap;

use leadgate_model::ActivityRecord;

use super::activity_id::derived_activity_id_with;
use super::activity_values::{kind, occurred_at, quantity, value};
use super::column_names::{ActivityField, Header, KnownField};
use super::field_rules::{id, text};
use super::record_builder::RecordBuilder;

/// Builds [`ActivityRecord`]s. `contact_id`, `kind` and `occurred_at` are required; an empty
/// or absent `id` is derived from the content (see [`super::derived_activity_id`]).
#[derive(Debug, Default)]
pub(crate) struct ActivityBuilder {
    contact_id: Option<String>,
    id: Option<String>,
    kind: Option<String>,
    occurred_at: Option<i64>,
    subject: Option<String>,
    quantity: Option<u32>,
    value: Option<f64>,
    attributes: BTreeMap<String, String>,
    /// Scratch space for hashing a derived id.
    hash_input: Vec<u8>,
}

/// The columns an activity file must have.
const REQUIRED: [ActivityField; 3] = [
    ActivityField::ContactId,
    ActivityField::Kind,
    ActivityField::OccurredAt,
];

impl RecordBuilder for ActivityBuilder {
    type Field = ActivityField;
    type Record = ActivityRecord;

    fn missing_columns(header: &Header<ActivityField>) -> Option<String> {
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|field| !header.has(**field))
            .map(|field| format!("`{}`", field.name()))
            .collect();
        (!missing.is_empty()).then(|| missing.join(" or "))
    }

    fn start(&mut self) {
        self.contact_id = None;
        self.id = None;
        self.kind = None;
        self.occurred_at = None;
        self.subject = None;
        self.quantity = None;
        self.value = None;
        self.attributes.clear();
    }

    fn set(&mut self, field: ActivityField, raw: &str) -> Result<(), String> {
        match field {
            ActivityField::ContactId => self.contact_id = Some(id(raw)?),
            ActivityField::Id => {
                self.id = if raw.trim().is_empty() {
                    None
                } else {
                    Some(id(raw)?)
                }
            }
            ActivityField::Kind => self.kind = Some(kind(raw)?),
            ActivityField::OccurredAt => self.occurred_at = Some(occurred_at(raw)?),
            ActivityField::Subject => self.subject = text(raw)?,
            ActivityField::Quantity => self.quantity = quantity(raw)?,
            ActivityField::Value => self.value = value(raw)?,
        }
        Ok(())
    }

    fn attributes(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.attributes
    }

    fn finish(&mut self) -> Result<ActivityRecord, (Option<ActivityField>, String)> {
        let missing = |field| (Some(field), "is missing".to_owned());
        let contact_id = self
            .contact_id
            .take()
            .ok_or_else(|| missing(ActivityField::ContactId))?;
        let kind = self.kind.take().ok_or_else(|| missing(ActivityField::Kind))?;
        let occurred_at = self
            .occurred_at
            .take()
            .ok_or_else(|| missing(ActivityField::OccurredAt))?;
        let mut record = ActivityRecord {
            contact_id,
            id: String::new(),
            kind,
            occurred_at,
            subject: self.subject.take(),
            quantity: self.quantity.take(),
            value: self.value.take(),
            attributes: std::mem::take(&mut self.attributes),
        };
        record.id = match self.id.take() {
            Some(given) => given,
            None => derived_activity_id_with(&record, &mut self.hash_input),
        };
        Ok(record)
    }
}
