//! [`ContactRecord`]: a person the website knows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A person the website knows, keyed by a stable external id: what imports and the HTTP API
/// produce and what the store keeps (postcard, in field order: the order is part of the stored
/// layout).
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
