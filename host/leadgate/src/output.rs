//! The documents `--json` prints, as typed [`serde::Serialize`] structs: the CLI prints them and
//! the HTTP API will serve the same ones.
//!
//! Fields are declared in alphabetical order, and must stay so: the documents were first
//! written as JSON maps, which serde_json keeps sorted, and scripts that read or diff the
//! output must see the same bytes. A test per document pins its keys.

mod auth_status_document;
mod contact_document;
mod import_document;
mod plugin_documents;
mod salesforce_documents;
mod score_documents;
mod timestamp;

pub use auth_status_document::{ApiUsageDocument, AuthStatusDocument, NotAuthorizedDocument};
pub use contact_document::{
    ActivityDocument, ContactDocument, ContactShowDocument, RecordedErrorDocument, ReplicationDocument,
};
pub use import_document::{ImportDocument, ImportIssueDocument};
pub use plugin_documents::{
    AwardsDocument, ContactResultDocument, FailureDocument, LeadFieldValueDocument, PluginAwardDocument,
    PluginDocument, PluginResultDocument, PluginRunDocument, PluginRunStatsDocument,
};
pub use salesforce_documents::{FieldDescribeDocument, ObjectDescribeDocument};
pub use score_documents::{
    AwardDocument, LastRunDocument, RuleDocument, RuleOutcomeDocument, ScoreContactDocument,
    ScoreListDocument, ScoreRunDocument, ScoreShowDocument,
};
pub use timestamp::timestamp;

#[cfg(test)]
pub(crate) mod test_support {
    /// The keys of a serialised document, in output order.
    pub(crate) fn keys<T: serde::Serialize>(document: &T) -> Vec<String> {
        match serde_json::to_value(document) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            other => vec![format!("not an object: {other:?}")],
        }
    }

    /// True when a struct's fields serialise in sorted order (what serde_json's own maps do).
    pub(crate) fn in_order<T: serde::Serialize>(document: &T) -> bool {
        let text = serde_json::to_string(document).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        serde_json::to_string(&value).is_ok_and(|sorted| sorted == text)
    }
}
