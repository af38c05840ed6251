//! A contact from its fields, keyed by its id or, without one, by its e-mail address.

use std::collections::BTreeMap;

use leadgate_model::ContactRecord;

use super::column_names::{ContactField, Header};
use super::field_rules::{email, id, text};
use super::record_builder::RecordBuilder;

/// Builds [`ContactRecord`]s. A contact given an `id` (a CSV `id` column, a JSON `id` key that
/// is not `null`) is keyed by it, and an empty one rejects the row; otherwise its `email`,
/// trimmed and lowercased, is its id.
#[derive(Debug, Default)]
pub(crate) struct ContactBuilder {
    record: ContactRecord,
    id_given: bool,
    email_given: bool,
}

impl RecordBuilder for ContactBuilder {
    type Field = ContactField;
    type Record = ContactRecord;

    fn missing_columns(header: &Header<ContactField>) -> Option<String> {
        (!header.has(ContactField::Id) && !header.has(ContactField::Email))
            .then(|| "`id` or `email`".to_owned())
    }

    fn start(&mut self) {
        self.record = ContactRecord::default();
        self.id_given = false;
        self.email_given = false;
    }

    fn set(&mut self, field: ContactField, value: &str) -> Result<(), String> {
        let record = &mut self.record;
        let slot = match field {
            ContactField::Id => {
                record.id = id(value)?;
                self.id_given = true;
                return Ok(());
            }
            ContactField::Email => {
                record.email = email(value)?;
                self.email_given = true;
                return Ok(());
            }
            ContactField::FirstName => &mut record.first_name,
            ContactField::LastName => &mut record.last_name,
            ContactField::Company => &mut record.company,
            ContactField::Title => &mut record.title,
            ContactField::Phone => &mut record.phone,
            ContactField::Street => &mut record.street,
            ContactField::City => &mut record.city,
            ContactField::State => &mut record.state,
            ContactField::PostalCode => &mut record.postal_code,
            ContactField::Country => &mut record.country,
        };
        *slot = text(value)?;
        Ok(())
    }

    fn attributes(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.record.attributes
    }

    fn finish(&mut self) -> Result<ContactRecord, (Option<ContactField>, String)> {
        if !self.id_given {
            match &self.record.email {
                Some(address) => self.record.id = address.to_lowercase(),
                None if self.email_given => {
                    return Err((
                        Some(ContactField::Email),
                        "is empty, and the contact has no `id` to key it by".to_owned(),
                    ));
                }
                None => {
                    return Err((
                        None,
                        "has neither an `id` nor an `email`; a contact needs one of them as its key"
                            .to_owned(),
                    ));
                }
            }
        }
        Ok(std::mem::take(&mut self.record))
    }
}
