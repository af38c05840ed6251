//! `plugin inspect --json` and `plugin run --json`.

use std::collections::BTreeMap;

use leadgate_plugin_runtime::types::{Award, FieldValue, LeadField};
use leadgate_plugin_runtime::{CallStats, ContactFailure, PluginDetails};
use serde::Serialize;

use super::timestamp;

/// What a plugin file is: `plugin inspect --json`, and the `plugin` part of `plugin run --json`.
#[derive(Debug, Serialize)]
pub struct PluginDocument<'a> {
    contract: String,
    description: &'a str,
    exports: &'a [String],
    file: &'a str,
    imports: &'a [String],
    name: &'a str,
    role: String,
    sha256: &'a str,
    size_bytes: usize,
    version: &'a str,
}

impl<'a> From<&'a PluginDetails> for PluginDocument<'a> {
    fn from(details: &'a PluginDetails) -> Self {
        Self {
            contract: format!("leadgate:plugin@{}", details.contract_version),
            description: &details.description,
            exports: &details.exports,
            file: &details.source,
            imports: &details.imports,
            name: &details.name,
            role: details.role.to_string(),
            sha256: &details.sha256,
            size_bytes: details.size_bytes,
            version: &details.version,
        }
    }
}

/// `plugin run --json`: the plugin, the moment it ran at, each contact's result and the costs.
#[derive(Debug, Serialize)]
pub struct PluginRunDocument<'a> {
    contacts: Vec<ContactResultDocument<'a>>,
    now: i64,
    plugin: PluginDocument<'a>,
    stats: PluginRunStatsDocument,
}

impl<'a> PluginRunDocument<'a> {
    /// The document of a run of the plugin `details` at `now`.
    pub fn new(
        details: &'a PluginDetails,
        now: i64,
        contacts: Vec<ContactResultDocument<'a>>,
        stats: PluginRunStatsDocument,
    ) -> Self {
        Self {
            contacts,
            now,
            plugin: PluginDocument::from(details),
            stats,
        }
    }
}

/// One contact's result in a plugin run.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ContactResultDocument<'a> {
    /// The plugin answered for the contact.
    Ok {
        /// The contact's id.
        contact: &'a str,
        /// What the plugin answered.
        ok: PluginResultDocument,
    },
    /// The call failed for the contact.
    Err {
        /// The contact's id.
        contact: &'a str,
        /// How it failed.
        error: FailureDocument,
    },
}

/// A failed contact: the kind of failure (`plugin-error`, `trap`, …) and its message.
#[derive(Debug, Serialize)]
pub struct FailureDocument {
    kind: &'static str,
    message: String,
}

impl From<&ContactFailure> for FailureDocument {
    fn from(failure: &ContactFailure) -> Self {
        Self {
            kind: failure.kind_name(),
            message: failure.to_string(),
        }
    }
}

/// What a plugin answered for one contact: a scoring rule's awards, or a field mapping's Lead
/// fields by name.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PluginResultDocument {
    /// A scoring rule's answer.
    Awards(AwardsDocument),
    /// A field mapping's answer.
    Fields(BTreeMap<String, LeadFieldValueDocument>),
}

impl PluginResultDocument {
    /// A field mapping's fields; when a name repeats, the last value wins.
    pub fn fields(fields: &[LeadField]) -> Self {
        Self::Fields(
            fields
                .iter()
                .map(|field| (field.name.clone(), LeadFieldValueDocument::from(&field.value)))
                .collect(),
        )
    }
}

/// A scoring rule's awards for one contact, with their total.
#[derive(Debug, Clone, Serialize)]
pub struct AwardsDocument {
    awards: Vec<PluginAwardDocument>,
    total: i64,
}

impl From<&[Award]> for AwardsDocument {
    fn from(awards: &[Award]) -> Self {
        Self {
            awards: awards
                .iter()
                .map(|award| PluginAwardDocument {
                    expires_at: award.expires_at.map(timestamp),
                    points: award.points,
                    reason: award.reason.clone(),
                })
                .collect(),
            total: awards.iter().map(|award| award.points).sum(),
        }
    }
}

/// One award as a plugin gave it.
#[derive(Debug, Clone, Serialize)]
pub struct PluginAwardDocument {
    expires_at: Option<String>,
    points: i64,
    reason: String,
}

/// A Lead field's value as JSON: dates as `YYYY-MM-DD`, moments as RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum LeadFieldValueDocument {
    /// Text, dates and moments.
    Text(String),
    /// A number (a number that is not finite prints as `null`).
    Number(f64),
    /// A checkbox.
    Boolean(bool),
    /// No value: clears the field.
    Null,
}

impl From<&FieldValue> for LeadFieldValueDocument {
    fn from(value: &FieldValue) -> Self {
        match value {
            FieldValue::Text(text) => Self::Text(text.clone()),
            FieldValue::Number(number) => Self::Number(*number),
            FieldValue::Boolean(flag) => Self::Boolean(*flag),
            FieldValue::Date(date) => {
                Self::Text(format!("{:04}-{:02}-{:02}", date.year, date.month, date.day))
            }
            FieldValue::Datetime(millis) => Self::Text(timestamp(*millis)),
            FieldValue::Null => Self::Null,
        }
    }
}

impl std::fmt::Display for LeadFieldValueDocument {
    /// The value as JSON text, as the text output of `plugin run` shows it.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| std::fmt::Error)?;
        formatter.write_str(&text)
    }
}

/// What a plugin run cost.
#[derive(Debug, Serialize)]
pub struct PluginRunStatsDocument {
    calls: usize,
    contacts: usize,
    elapsed_ms: f64,
    failed: usize,
    fuel_used: u64,
    load_ms: f64,
    loaded_from_cache: bool,
    log_messages_dropped: usize,
}

impl PluginRunStatsDocument {
    /// The costs of running the plugin `details` on `contacts` contacts in `calls` calls.
    pub fn new(
        details: &PluginDetails,
        stats: &CallStats,
        contacts: usize,
        failed: usize,
        calls: usize,
    ) -> Self {
        Self {
            calls,
            contacts,
            elapsed_ms: stats.elapsed.as_secs_f64() * 1000.0,
            failed,
            fuel_used: stats.fuel_used,
            load_ms: details.load_time.as_secs_f64() * 1000.0,
            loaded_from_cache: details.loaded_from_cache,
            log_messages_dropped: stats.log_messages_dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use leadgate_plugin_runtime::types::Date;

    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn field_values_print_as_their_json() {
        let fields = [
            LeadField {
                name: "LastName".into(),
                value: FieldValue::Text("Doe".into()),
            },
            LeadField {
                name: "AnnualRevenue".into(),
                value: FieldValue::Number(f64::NAN),
            },
            LeadField {
                name: "Since__c".into(),
                value: FieldValue::Date(Date {
                    year: 2026,
                    month: 3,
                    day: 7,
                }),
            },
            LeadField {
                name: "Seen__c".into(),
                value: FieldValue::Datetime(0),
            },
            LeadField {
                name: "Opted__c".into(),
                value: FieldValue::Boolean(true),
            },
            LeadField {
                name: "Title".into(),
                value: FieldValue::Null,
            },
        ];
        assert_eq!(
            serde_json::to_string(&PluginResultDocument::fields(&fields)).unwrap(),
            r#"{"AnnualRevenue":null,"LastName":"Doe","Opted__c":true,"Seen__c":"1970-01-01T00:00:00Z","Since__c":"2026-03-07","Title":null}"#
        );
        assert_eq!(LeadFieldValueDocument::Number(2.5).to_string(), "2.5");
        assert_eq!(
            LeadFieldValueDocument::Text("a\"b".into()).to_string(),
            r#""a\"b""#
        );
    }

    #[test]
    fn awards_carry_their_total() {
        let awards = [
            Award {
                points: 5,
                reason: "a".into(),
                expires_at: Some(0),
            },
            Award {
                points: -2,
                reason: "b".into(),
                expires_at: None,
            },
        ];
        let document = AwardsDocument::from(&awards[..]);
        assert_eq!(keys(&document), ["awards", "total"]);
        assert!(in_order(&document));
        assert_eq!(serde_json::to_value(&document).unwrap()["total"], 3);
    }
}
