//! The Lead fields written for one contact, and their hash.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// The Lead fields for one contact, by API name, in sorted order: what is sent, and what its
/// [`PayloadHash`] is computed over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadPayload {
    fields: Map<String, Value>,
}

/// SHA-256 of a payload's canonical JSON: a replicated contact is written again only when this
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PayloadHash(pub [u8; 32]);

impl LeadPayload {
    /// An empty payload.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `field` to `value`, replacing what it had.
    pub fn set(&mut self, field: &str, value: Value) {
        self.fields.insert(field.to_owned(), value);
    }

    /// The value of `field`, if set.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    /// Every field and value, sorted by name.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields.iter().map(|(name, value)| (name.as_str(), value))
    }

    /// The payload as the JSON object a collection request carries.
    pub fn as_json(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The hash of the payload. Keys are sorted and serde_json writes numbers and strings one
    /// way only, so equal payloads hash equally in every process.
    pub fn hash(&self) -> PayloadHash {
        let mut hasher = Sha256::new();
        hasher.update(Value::Object(self.fields.clone()).to_string().as_bytes());
        PayloadHash(hasher.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn equal_fields_hash_equally_whatever_the_order_they_were_set_in() {
        let mut first = LeadPayload::new();
        first.set("LastName", json!("Doe"));
        first.set("Company", json!("Acme"));
        let mut second = LeadPayload::new();
        second.set("Company", json!("Acme"));
        second.set("LastName", json!("Doe"));
        assert_eq!(first.hash(), second.hash());
        second.set("LastName", json!("Roe"));
        assert_ne!(first.hash(), second.hash());
        let names: Vec<&str> = first.fields().map(|(name, _)| name).collect();
        assert_eq!(names, ["Company", "LastName"]);
    }
}
