//! `contacts show --json` and `contacts list --json`.

use std::collections::BTreeMap;

use leadgate_model::{ActivityRecord, ContactRecord};
use serde::Serialize;

use super::timestamp;
use crate::store::{RecordedError, ReplicationRecord};

/// A contact: its standard fields that have a value, and its attributes.
#[derive(Debug, Serialize)]
pub struct ContactDocument<'a> {
    attributes: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    street: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
}

impl<'a> From<&'a ContactRecord> for ContactDocument<'a> {
    fn from(contact: &'a ContactRecord) -> Self {
        Self {
            attributes: &contact.attributes,
            city: contact.city.as_deref(),
            company: contact.company.as_deref(),
            country: contact.country.as_deref(),
            email: contact.email.as_deref(),
            first_name: contact.first_name.as_deref(),
            id: &contact.id,
            last_name: contact.last_name.as_deref(),
            phone: contact.phone.as_deref(),
            postal_code: contact.postal_code.as_deref(),
            state: contact.state.as_deref(),
            street: contact.street.as_deref(),
            title: contact.title.as_deref(),
        }
    }
}

/// One activity of a contact, its moment as RFC 3339 text.
#[derive(Debug, Serialize)]
pub struct ActivityDocument<'a> {
    attributes: &'a BTreeMap<String, String>,
    id: &'a str,
    kind: &'a str,
    occurred_at: String,
    quantity: Option<u32>,
    subject: Option<&'a str>,
    value: Option<f64>,
}

impl<'a> From<&'a ActivityRecord> for ActivityDocument<'a> {
    fn from(activity: &'a ActivityRecord) -> Self {
        Self {
            attributes: &activity.attributes,
            id: &activity.id,
            kind: &activity.kind,
            occurred_at: timestamp(activity.occurred_at),
            quantity: activity.quantity,
            subject: activity.subject.as_deref(),
            value: activity.value,
        }
    }
}

/// A score the contact has points in.
#[derive(Debug, Serialize)]
struct ContactScoreDocument<'a> {
    points: i64,
    score: &'a str,
}

/// `contacts show --json`: the contact, its activities, its current scores and its
/// replication state (`null` when it was never replicated or refused).
#[derive(Debug, Serialize)]
pub struct ContactShowDocument<'a> {
    activities: Vec<ActivityDocument<'a>>,
    contact: ContactDocument<'a>,
    replication: Option<ReplicationDocument<'a>>,
    scores: Vec<ContactScoreDocument<'a>>,
}

impl<'a> ContactShowDocument<'a> {
    /// The document for `contact`, its `activities`, its points per score and its replication
    /// record.
    pub fn new(
        contact: &'a ContactRecord,
        activities: &'a [ActivityRecord],
        scores: &'a [(String, i64)],
        replication: Option<&'a ReplicationRecord>,
    ) -> Self {
        Self {
            activities: activities.iter().map(ActivityDocument::from).collect(),
            contact: ContactDocument::from(contact),
            replication: replication.map(ReplicationDocument::from),
            scores: scores
                .iter()
                .map(|(score, points)| ContactScoreDocument {
                    points: *points,
                    score,
                })
                .collect(),
        }
    }
}

/// A contact's replication state: its Lead, when it was written, and the last refusal.
#[derive(Debug, Serialize)]
pub struct ReplicationDocument<'a> {
    attempts: u32,
    last_error: Option<RecordedErrorDocument<'a>>,
    lead_id: Option<&'a str>,
    notes: &'a [String],
    replicated_at: Option<String>,
    retry_at: Option<String>,
    state: &'static str,
}

impl<'a> From<&'a ReplicationRecord> for ReplicationDocument<'a> {
    fn from(record: &'a ReplicationRecord) -> Self {
        Self {
            attempts: record.attempts,
            last_error: record.last_error.as_ref().map(RecordedErrorDocument::from),
            lead_id: record.lead_id.as_deref(),
            notes: &record.notes,
            replicated_at: record.replicated_at.map(timestamp),
            retry_at: record.retry_at.map(timestamp),
            state: record.state.name(),
        }
    }
}

/// A refusal as Salesforce (or preflight) worded it.
#[derive(Debug, Serialize)]
pub struct RecordedErrorDocument<'a> {
    at: String,
    code: &'a str,
    message: &'a str,
}

impl<'a> From<&'a RecordedError> for RecordedErrorDocument<'a> {
    fn from(error: &'a RecordedError) -> Self {
        Self {
            at: timestamp(error.at),
            code: &error.code,
            message: &error.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn contacts_show_only_the_fields_they_have_in_sorted_order() {
        let contact = ContactRecord {
            id: "c-1".into(),
            email: Some("ada@example.com".into()),
            city: Some("London".into()),
            ..ContactRecord::default()
        };
        let document = ContactDocument::from(&contact);
        assert_eq!(keys(&document), ["attributes", "city", "email", "id"]);
        assert!(in_order(&document));
        let full = ContactRecord {
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            company: Some("Engines".into()),
            title: Some("Analyst".into()),
            phone: Some("1".into()),
            street: Some("1 St".into()),
            state: Some("LDN".into()),
            postal_code: Some("N1".into()),
            country: Some("UK".into()),
            ..contact
        };
        assert!(in_order(&ContactDocument::from(&full)));
    }

    #[test]
    fn activities_print_their_moment_as_text() {
        let activity = ActivityRecord {
            contact_id: "c-1".into(),
            id: "a-1".into(),
            kind: "purchase".into(),
            occurred_at: 0,
            subject: Some("Office".into()),
            quantity: Some(3),
            value: None,
            attributes: BTreeMap::new(),
        };
        let document = ActivityDocument::from(&activity);
        assert!(in_order(&document));
        assert_eq!(
            serde_json::to_value(&document).unwrap()["occurred_at"],
            "1970-01-01T00:00:00Z"
        );
        let contact = ContactRecord::default();
        let activities = [activity.clone()];
        let scores = [("s".to_owned(), 1)];
        let show = ContactShowDocument::new(&contact, &activities, &scores, None);
        assert_eq!(keys(&show), ["activities", "contact", "replication", "scores"]);
        assert!(in_order(&show));
        let record = ReplicationRecord {
            lead_id: Some("00Q1".into()),
            last_error: Some(RecordedError {
                code: "INVALID_EMAIL_ADDRESS".into(),
                message: "Email: invalid email address: x".into(),
                at: 0,
            }),
            ..ReplicationRecord::with_state(crate::store::ReplicationState::Suspended)
        };
        let document = ReplicationDocument::from(&record);
        assert!(in_order(&document));
        let value = serde_json::to_value(&document).unwrap();
        assert_eq!(value["state"], "suspended");
        assert_eq!(value["last_error"]["code"], "INVALID_EMAIL_ADDRESS");
    }
}
