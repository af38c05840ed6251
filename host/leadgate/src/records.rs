//! The contacts and activities leadgate keeps: what imports and the HTTP API produce, what the
//! store saves, and what the scoring engine turns into plugin input.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plugin::types::{Activity, ActivityKind, Address, Attribute, Contact};

/// A person the website knows, keyed by a stable external id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// The stable external id (or the normalized e-mail address, for sources without ids).
    pub id: String,
    /// E-mail address (validated on import).
    pub email: Option<String>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Street and house number.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Every other field of the source, by name.
    pub attributes: BTreeMap<String, String>,
}

/// One thing a contact did, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    /// The contact it belongs to.
    pub contact_id: String,
    /// The activity's id: from the source, or derived from its content when the source has
    /// none (so importing the same file twice stores it once).
    pub id: String,
    /// The kind by name: `purchase`, `page-visit`, `form-submission`, `email-open`,
    /// `email-click`, `event-attendance`, or a custom name.
    pub kind: String,
    /// When it happened, in milliseconds since the Unix epoch (UTC).
    pub occurred_at: i64,
    /// Product, URL, form or campaign.
    pub subject: Option<String>,
    /// Units, e.g. licenses bought.
    pub quantity: Option<u32>,
    /// An amount, e.g. the price paid.
    pub value: Option<f64>,
    /// Every other field of the source, by name.
    pub attributes: BTreeMap<String, String>,
}

/// The activity kinds with a name of their own in the plugin contract.
pub const STANDARD_ACTIVITY_KINDS: [&str; 6] = [
    "purchase",
    "page-visit",
    "form-submission",
    "email-open",
    "email-click",
    "event-attendance",
];

/// The plugin contract's activity kind for a kind name.
pub fn activity_kind(name: &str) -> ActivityKind {
    match name {
        "purchase" => ActivityKind::Purchase,
        "page-visit" => ActivityKind::PageVisit,
        "form-submission" => ActivityKind::FormSubmission,
        "email-open" => ActivityKind::EmailOpen,
        "email-click" => ActivityKind::EmailClick,
        "event-attendance" => ActivityKind::EventAttendance,
        custom => ActivityKind::Custom(custom.to_owned()),
    }
}

/// The name of a plugin contract activity kind.
pub fn activity_kind_name(kind: &ActivityKind) -> &str {
    match kind {
        ActivityKind::Purchase => "purchase",
        ActivityKind::PageVisit => "page-visit",
        ActivityKind::FormSubmission => "form-submission",
        ActivityKind::EmailOpen => "email-open",
        ActivityKind::EmailClick => "email-click",
        ActivityKind::EventAttendance => "event-attendance",
        ActivityKind::Custom(name) => name,
    }
}

impl ContactRecord {
    /// The contact as plugins see it, by move. (Scoring does not come this way: it lowers
    /// borrowed views of the stored bytes, see [`crate::store::StoredHistory`].)
    pub fn into_plugin_contact(self) -> Contact {
        Contact {
            id: self.id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            company: self.company,
            title: self.title,
            phone: self.phone,
            address: Address {
                street: self.street,
                city: self.city,
                state: self.state,
                postal_code: self.postal_code,
                country: self.country,
            },
            attributes: into_plugin_attributes(self.attributes),
        }
    }
}

impl ActivityRecord {
    /// The activity as plugins see it, by move (the contact id is not part of it).
    pub fn into_plugin_activity(self) -> Activity {
        Activity {
            id: self.id,
            kind: activity_kind(&self.kind),
            occurred_at: self.occurred_at,
            subject: self.subject,
            quantity: self.quantity,
            value: self.value,
            attributes: into_plugin_attributes(self.attributes),
        }
    }
}

/// Attributes as plugins see them, by move.
fn into_plugin_attributes(attributes: BTreeMap<String, String>) -> Vec<Attribute> {
    attributes
        .into_iter()
        .map(|(name, value)| Attribute { name, value })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for name in STANDARD_ACTIVITY_KINDS.into_iter().chain(["webinar-replay"]) {
            assert_eq!(activity_kind_name(&activity_kind(name)), name);
        }
        assert_eq!(activity_kind("webinar"), ActivityKind::Custom("webinar".into()));
    }
}
