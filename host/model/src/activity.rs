//! [`ActivityRecord`]: one thing a contact did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One thing a contact did, at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    /// The contact it belongs to.
    pub contact_id: String,
    /// The activity's id: from the source, or derived from its content when the source has
    /// none (so importing the same file twice stores it once).
    pub id: String,
    /// The kind by name: one of [`STANDARD_ACTIVITY_KINDS`](crate::STANDARD_ACTIVITY_KINDS),
    /// or a custom name.
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
