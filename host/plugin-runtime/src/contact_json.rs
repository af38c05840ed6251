//! Contacts with their activities as JSON Lines: the input of `leadgate plugin run`, and a
//! handy way to write plugin test data.
//!
//! One contact per line:
//!
//! ```json
//! {"id":"c-1","email":"ada@example.com","last_name":"Lovelace","company":"Engines Ltd",
//!  "attributes":{"industry":"Software","employees":250},
//!  "activities":[{"kind":"purchase","occurred_at":"2026-03-01T10:00:00Z",
//!                 "subject":"Microsoft Office","quantity":3000}],
//!  "scores":{"Office buyers":3000}}
//! ```
//!
//! Contact fields: `id` (required), `email`, `first_name`, `last_name`, `company`, `title`,
//! `phone`, `street`, `city`, `state`, `postal_code`, `country`, `attributes` (an object of
//! text, number or boolean values), `activities`, `scores` (score name → points, for field
//! mappings). Activity fields: `kind` (required: `purchase`, `page-visit`, `form-submission`,
//! `email-open`, `email-click`, `event-attendance`, or any other name for a custom kind),
//! `occurred_at` (required: a number of milliseconds since the Unix epoch, or text in any form
//! [`leadgate_model::parse_timestamp`] takes: RFC 3339, milliseconds, a date), `id`
//! (defaults to `a<position>`), `subject`, `quantity`, `value`, `attributes`. Unknown fields are
//! rejected, so a typo never goes unnoticed.

use std::collections::BTreeMap;
use std::io::BufRead;

use leadgate_model::{ActivityRecord, ContactRecord, TimestampError, parse_timestamp};
use serde::Deserialize;

use super::types::{Activity, Contact, ContactActivities, MappingInput, ScoreTotal, Timestamp};

/// One contact line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactJson {
    /// The contact's stable id.
    pub id: String,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Street.
    #[serde(default)]
    pub street: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State or region.
    #[serde(default)]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Country.
    #[serde(default)]
    pub country: Option<String>,
    /// Custom attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Activities, in any order.
    #[serde(default)]
    pub activities: Vec<ActivityJson>,
    /// Score totals by score name, for field mappings.
    #[serde(default)]
    pub scores: BTreeMap<String, i64>,
}

/// One activity of a contact line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityJson {
    /// The activity's id; defaults to `a<position>`.
    #[serde(default)]
    pub id: Option<String>,
    /// The kind, e.g. `purchase`.
    pub kind: String,
    /// When it happened.
    pub occurred_at: TimeJson,
    /// Product, URL, form or campaign.
    #[serde(default)]
    pub subject: Option<String>,
    /// Units.
    #[serde(default)]
    pub quantity: Option<u32>,
    /// Amount.
    #[serde(default)]
    pub value: Option<f64>,
    /// Custom attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// A moment as milliseconds since the Unix epoch, or as text (RFC 3339, milliseconds, a date).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum TimeJson {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    Milliseconds(i64),
    /// Text, e.g. `2026-03-01T10:00:00Z`; see [`parse_timestamp`].
    Text(String),
}

/// An attribute value: text, a number or a boolean, all handed to plugins as text.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// Text.
    Text(String),
    /// A boolean.
    Boolean(bool),
    /// A number.
    Number(serde_json::Number),
}

impl AttributeValue {
    fn to_text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Boolean(value) => value.to_string(),
            Self::Number(value) => value.to_string(),
        }
    }
}

/// Why a well-formed contact line is still not a contact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactLineError {
    /// The contact's `id` is empty or spaces.
    #[error("`id` is empty")]
    EmptyId,
    /// An activity's `kind` is empty.
    #[error("activity {position}: `kind` is empty")]
    EmptyKind {
        /// The activity's 1-based position in `activities`.
        position: usize,
    },
    /// An activity's `occurred_at` is not a moment.
    #[error("activity {position}: `occurred_at`: `{text}` {problem}")]
    OccurredAt {
        /// The activity's 1-based position in `activities`.
        position: usize,
        /// The text as given.
        text: String,
        /// What is wrong with it.
        problem: TimestampError,
    },
}

/// A line that is not a valid contact.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct ContactJsonError {
    /// The file (or other source) name.
    pub source_name: String,
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong, naming the field.
    pub message: String,
}

/// Reads every contact of a JSON Lines source; blank lines are skipped. Stops at the first bad
/// line, naming it, so nothing is run on half-understood input.
pub fn read_contacts_json_lines(
    reader: impl BufRead,
    source_name: &str,
) -> Result<Vec<(ContactJson, ContactActivities)>, ContactJsonError> {
    let mut contacts = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let error = |message: String| ContactJsonError {
            source_name: source_name.to_owned(),
            line: index + 1,
            message,
        };
        let line = line.map_err(|io| error(format!("cannot read: {io}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let contact: ContactJson = serde_json::from_str(&line).map_err(|json| error(json.to_string()))?;
        let converted = contact
            .to_contact_activities()
            .map_err(|invalid| error(invalid.to_string()))?;
        contacts.push((contact, converted));
    }
    Ok(contacts)
}

impl ContactJson {
    /// The contact as leadgate stores it.
    pub fn to_record(&self) -> Result<ContactRecord, ContactLineError> {
        if self.id.trim().is_empty() {
            return Err(ContactLineError::EmptyId);
        }
        Ok(ContactRecord {
            id: self.id.clone(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            title: self.title.clone(),
            phone: self.phone.clone(),
            street: self.street.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            attributes: attributes(&self.attributes),
        })
    }

    /// The contact as the plugin contract's type.
    pub fn to_contact(&self) -> Result<Contact, ContactLineError> {
        Ok(Contact::from(self.to_record()?))
    }

    /// The contact with its activities (oldest first), the input of a scoring rule.
    pub fn to_contact_activities(&self) -> Result<ContactActivities, ContactLineError> {
        let contact = self.to_contact()?;
        let mut activities = self
            .activities
            .iter()
            .enumerate()
            .map(|(position, activity)| activity.to_activity(position))
            .collect::<Result<Vec<_>, _>>()?;
        activities.sort_by_key(|activity| activity.occurred_at);
        Ok(ContactActivities { contact, activities })
    }

    /// The contact with its scores, the input of a field mapping.
    pub fn to_mapping_input(&self) -> Result<MappingInput, ContactLineError> {
        Ok(MappingInput {
            contact: self.to_contact()?,
            scores: self
                .scores
                .iter()
                .map(|(score, points)| ScoreTotal {
                    score: score.clone(),
                    points: *points,
                })
                .collect(),
        })
    }
}

impl ActivityJson {
    /// The activity at `position` (0-based) of its contact line.
    fn to_activity(&self, position: usize) -> Result<Activity, ContactLineError> {
        if self.kind.is_empty() {
            return Err(ContactLineError::EmptyKind {
                position: position + 1,
            });
        }
        let occurred_at = self
            .occurred_at
            .to_millis()
            .map_err(|problem| ContactLineError::OccurredAt {
                position: position + 1,
                text: match &self.occurred_at {
                    TimeJson::Text(text) => text.clone(),
                    TimeJson::Milliseconds(millis) => millis.to_string(),
                },
                problem,
            })?;
        let record = ActivityRecord {
            contact_id: String::new(),
            id: self.id.clone().unwrap_or_else(|| format!("a{}", position + 1)),
            kind: self.kind.clone(),
            occurred_at,
            subject: self.subject.clone(),
            quantity: self.quantity,
            value: self.value,
            attributes: attributes(&self.attributes),
        };
        Ok(Activity::from(record))
    }
}

impl TimeJson {
    /// Milliseconds since the Unix epoch.
    pub fn to_millis(&self) -> Result<Timestamp, TimestampError> {
        match self {
            Self::Milliseconds(millis) => Ok(*millis),
            Self::Text(text) => parse_timestamp(text),
        }
    }
}

fn attributes(values: &BTreeMap<String, AttributeValue>) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|(name, value)| (name.clone(), value.to_text()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ActivityKind;

    #[test]
    fn a_full_line_converts_with_sorted_activities() -> Result<(), ContactJsonError> {
        let input = r#"{"id":"c-1","last_name":"Lovelace","attributes":{"employees":250,"vip":true},
            "activities":[{"kind":"page-visit","occurred_at":"2026-03-02T00:00:00Z","subject":"/pricing"},
                          {"kind":"purchase","occurred_at":1772323200000,"subject":"Microsoft Office","quantity":3}]}"#
            .replace('\n', " ");
        let contacts = read_contacts_json_lines(input.as_bytes(), "test.jsonl")?;
        let (_, converted) = &contacts[0];
        assert_eq!(converted.contact.attributes[0].value, "250");
        assert_eq!(converted.contact.attributes[1].value, "true");
        assert_eq!(converted.activities[0].kind, ActivityKind::Purchase);
        assert_eq!(converted.activities[0].id, "a2");
        assert_eq!(converted.activities[1].occurred_at, 1_772_409_600_000);
        Ok(())
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let input = "\n{\"id\":\"c-1\"}\n{\"id\":\"c-2\",\"activities\":[{\"kind\":\"purchase\",\"occurred_at\":\"yesterday\"}]}\n";
        let error = read_contacts_json_lines(input.as_bytes(), "bad.jsonl").unwrap_err();
        assert_eq!(error.line, 3);
        assert!(
            error
                .to_string()
                .starts_with("bad.jsonl:3: activity 1: `occurred_at`: `yesterday`"),
            "{error}"
        );

        let error =
            read_contacts_json_lines("{\"id\":\"c\",\"emial\":\"x\"}".as_bytes(), "typo.jsonl").unwrap_err();
        assert!(error.message.contains("unknown field `emial`"), "{error}");
    }
}
