//! `[replication.mapping]`: how a contact becomes Lead fields.

use std::path::PathBuf;

use leadgate_plugin_runtime::RuleConfig;

/// What is written into a Lead for a contact: a table of fields, or a `field-mapping` plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadMapping {
    /// `[replication.mapping.fields]`: one entry per Lead field. Without a `[replication.mapping]`
    /// table, [`LeadMapping::standard`].
    Fields(Vec<MappedField>),
    /// `plugin = "…"` with its `config`: a `field-mapping` component, given the contact, its
    /// score totals and the org's Lead field descriptions.
    Plugin {
        /// The component file.
        plugin: PathBuf,
        /// The plugin's configuration.
        config: RuleConfig,
    },
}

/// One Lead field of a declarative mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedField {
    /// The Lead field's API name, e.g. `LastName` or `Lead_Score__c`.
    pub lead_field: String,
    /// Where the value comes from.
    pub source: FieldSource,
    /// The value written when the source has none (e.g. `Company` for a contact without one:
    /// Salesforce requires it).
    pub default: Option<String>,
}

/// Where a mapped Lead field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSource {
    /// `field = "company"`: a standard contact field (see
    /// [`leadgate_model::STANDARD_CONTACT_FIELDS`]).
    Contact(&'static str),
    /// `attribute = "industry"`: a contact attribute.
    Attribute(String),
    /// `score = "Office buyers"`: a score's current total.
    ScoreTotal(String),
    /// `constant = "Web"`: the same text for every contact.
    Constant(String),
}

/// What `Company` and `LastName` get when a contact has none: both are required on a Lead.
pub const NOT_PROVIDED: &str = "[not provided]";

impl LeadMapping {
    /// The mapping used when the file has no `[replication.mapping]`: the contact's standard
    /// fields into the Lead's standard fields, with [`NOT_PROVIDED`] for the required
    /// `LastName` and `Company`.
    pub fn standard() -> Self {
        let field = |lead_field: &str, contact_field: &'static str, default: Option<&str>| MappedField {
            lead_field: lead_field.to_owned(),
            source: FieldSource::Contact(contact_field),
            default: default.map(str::to_owned),
        };
        Self::Fields(vec![
            field("FirstName", "first_name", None),
            field("LastName", "last_name", Some(NOT_PROVIDED)),
            field("Email", "email", None),
            field("Company", "company", Some(NOT_PROVIDED)),
            field("Title", "title", None),
            field("Phone", "phone", None),
            field("Street", "street", None),
            field("City", "city", None),
            field("State", "state", None),
            field("PostalCode", "postal_code", None),
            field("Country", "country", None),
        ])
    }
}

#[cfg(test)]
mod tests {
    use leadgate_model::STANDARD_CONTACT_FIELDS;

    use super::*;

    #[test]
    fn the_standard_mapping_covers_every_contact_field_but_the_id() {
        let LeadMapping::Fields(fields) = LeadMapping::standard() else {
            unreachable!("the standard mapping is a table");
        };
        let mut mapped: Vec<&str> = fields
            .iter()
            .filter_map(|field| match field.source {
                FieldSource::Contact(name) => Some(name),
                _ => None,
            })
            .collect();
        mapped.sort_unstable();
        let mut expected: Vec<&str> = STANDARD_CONTACT_FIELDS
            .iter()
            .copied()
            .filter(|name| *name != "id")
            .collect();
        expected.sort_unstable();
        assert_eq!(mapped, expected);
    }
}
