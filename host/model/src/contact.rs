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

/// The documented (snake_case) names of a contact's standard fields, in documentation order:
/// what imports read, `--filter` and mappings name, and [`ContactRecord::standard_fields`] lists.
pub const STANDARD_CONTACT_FIELDS: &[&str] = &[
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "title",
    "phone",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
];

impl ContactRecord {
    /// The standard fields that have a value, by their documented (snake_case) names, in
    /// documentation order; `id` always comes first.
    pub fn standard_fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("id", Some(self.id.as_str())),
            ("email", self.email.as_deref()),
            ("first_name", self.first_name.as_deref()),
            ("last_name", self.last_name.as_deref()),
            ("company", self.company.as_deref()),
            ("title", self.title.as_deref()),
            ("phone", self.phone.as_deref()),
            ("street", self.street.as_deref()),
            ("city", self.city.as_deref()),
            ("state", self.state.as_deref()),
            ("postal_code", self.postal_code.as_deref()),
            ("country", self.country.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
    }

    /// The value of the standard field `name` (snake_case), if it has one.
    pub fn standard_field(&self, name: &str) -> Option<&str> {
        self.standard_fields()
            .into_iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value)
    }

    /// The value of the standard field `name` (snake_case) or, when no standard field has that
    /// name or it has no value, of the attribute `name`.
    pub fn field_or_attribute(&self, name: &str) -> Option<&str> {
        self.standard_field(name)
            .or_else(|| self.attributes.get(name).map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_a_value_are_listed_and_attributes_fill_in() {
        let contact = ContactRecord {
            id: "c-1".into(),
            city: Some("Paris".into()),
            attributes: BTreeMap::from([
                ("plan".to_owned(), "pro".to_owned()),
                ("email".to_owned(), "shadowed@example.com".to_owned()),
            ]),
            ..ContactRecord::default()
        };
        assert_eq!(contact.standard_fields(), [("id", "c-1"), ("city", "Paris")]);
        assert_eq!(contact.field_or_attribute("city"), Some("Paris"));
        assert_eq!(contact.field_or_attribute("plan"), Some("pro"));
        // A standard field without a value gives way to an attribute of the same name.
        assert_eq!(contact.field_or_attribute("email"), Some("shadowed@example.com"));
        assert_eq!(contact.field_or_attribute("phone"), None);
        let full = ContactRecord {
            email: Some("e".into()),
            first_name: Some("f".into()),
            last_name: Some("l".into()),
            company: Some("c".into()),
            title: Some("t".into()),
            phone: Some("p".into()),
            street: Some("s".into()),
            state: Some("st".into()),
            postal_code: Some("pc".into()),
            country: Some("co".into()),
            ..contact.clone()
        };
        let names: Vec<&str> = full.standard_fields().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, STANDARD_CONTACT_FIELDS);
    }
}
