//! The REST error body: `[{"message","errorCode","fields", "duplicateResult"|"duplicateResut"}]`.
//!
//! Salesforce's serializer spells the duplicate details `duplicateResut` (sic) in production;
//! the documentation says `duplicateResult`. Both are accepted (reference §7.3).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error_code::ErrorCode;

/// One error of a REST error array.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The `errorCode`.
    pub code: ErrorCode,
    /// The message, as Salesforce wrote it.
    pub message: String,
    /// The fields concerned (empty when the body has none).
    pub fields: Vec<String>,
    /// The duplicate rule's findings, for `DUPLICATES_DETECTED`.
    pub duplicate_result: Option<DuplicateResult>,
}

/// What a duplicate rule found.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DuplicateResult {
    /// Whether the rule allows saving anyway (`Sforce-Duplicate-Rule-Header: allowSave=true`).
    pub allow_save: bool,
    /// The rule's developer name.
    pub duplicate_rule: String,
    /// The object the rule is on.
    pub duplicate_rule_entity_type: String,
    /// The rule's message.
    pub error_message: String,
    /// The matches, per matching rule.
    pub match_results: Vec<MatchResult>,
}

/// The matches of one matching rule.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchResult {
    /// The matched object.
    pub entity_type: String,
    /// `ExactMatchEngine` or `FuzzyMatchEngine`.
    pub match_engine: String,
    /// The matching rule's name.
    pub rule: String,
    /// How many records matched.
    pub size: u64,
    /// Whether matching ran.
    pub success: bool,
    /// The matching records.
    pub match_records: Vec<MatchRecord>,
}

/// One matching record.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchRecord {
    /// Confidence, 0 to 100.
    pub match_confidence: f64,
    /// The record (its `Id` and `attributes`, more with `includeRecordDetails=true`).
    pub record: Map<String, Value>,
}

impl MatchRecord {
    /// The matching record's id.
    pub fn id(&self) -> Option<&str> {
        self.record.get("Id").and_then(Value::as_str)
    }
}

/// The wire shape of one error, with both spellings of the duplicate details.
#[derive(Deserialize)]
struct WireError {
    #[serde(rename = "errorCode", alias = "statusCode")]
    code: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Option<Vec<String>>,
    #[serde(rename = "duplicateResult")]
    duplicate_result: Option<DuplicateResult>,
    #[serde(rename = "duplicateResut")]
    duplicate_resut: Option<DuplicateResult>,
}

impl From<WireError> for ApiError {
    fn from(wire: WireError) -> Self {
        Self {
            code: ErrorCode::parse(wire.code.as_deref().unwrap_or("UNKNOWN_EXCEPTION")),
            message: wire.message,
            fields: wire.fields.unwrap_or_default(),
            duplicate_result: wire.duplicate_result.or(wire.duplicate_resut),
        }
    }
}

impl ApiError {
    /// The errors of a REST error body: an array of errors, or a single error object. `None`
    /// when the body is not such JSON (an HTML page from a proxy, an empty body).
    pub fn parse_body(body: &[u8]) -> Option<Vec<Self>> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let wires: Vec<WireError> = match value {
            Value::Array(items) => items
                .into_iter()
                .map(serde_json::from_value)
                .collect::<Result<_, _>>()
                .ok()?,
            object @ Value::Object(_) => vec![serde_json::from_value(object).ok()?],
            _ => return None,
        };
        if wires.iter().any(|wire| wire.code.is_none()) {
            return None;
        }
        Some(wires.into_iter().map(Self::from).collect())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.code, self.message)?;
        if !self.fields.is_empty() {
            write!(formatter, " (fields: {})", self.fields.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_error_array_with_and_without_fields() {
        let body = br#"[{"message":"Required fields are missing: [LastName, Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName","Company"]},
                        {"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]"#;
        let errors = ApiError::parse_body(body).unwrap_or_default();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].code, ErrorCode::RequiredFieldMissing);
        assert_eq!(errors[0].fields, ["LastName", "Company"]);
        assert_eq!(errors[1].code, ErrorCode::InvalidSessionId);
        assert!(errors[1].fields.is_empty());
    }

    #[test]
    fn accepts_both_spellings_of_the_duplicate_result() {
        for key in ["duplicateResut", "duplicateResult"] {
            let body = format!(
                r#"[{{"{key}":{{"allowSave":true,"duplicateRule":"Standard_Lead_Duplicate_Rule","duplicateRuleEntityType":"Lead",
                    "errorMessage":"dup","matchResults":[{{"entityType":"Lead","errors":[],"matchEngine":"ExactMatchEngine",
                    "matchRecords":[{{"additionalInformation":[],"fieldDiffs":[],"matchConfidence":100.0,
                    "record":{{"attributes":{{"type":"Lead"}},"Id":"00Q5e0000000001AAA"}}}}],"rule":"r","size":1,"success":true}}]}},
                    "errorCode":"DUPLICATES_DETECTED","message":"dup"}}]"#
            );
            let errors = ApiError::parse_body(body.as_bytes()).unwrap_or_default();
            let duplicate = errors
                .first()
                .and_then(|error| error.duplicate_result.clone())
                .unwrap_or_default();
            assert_eq!(duplicate.duplicate_rule, "Standard_Lead_Duplicate_Rule", "{key}");
            assert_eq!(
                duplicate.match_results[0].match_records[0].id(),
                Some("00Q5e0000000001AAA")
            );
        }
    }

    #[test]
    fn html_and_empty_bodies_are_not_error_arrays() {
        assert_eq!(
            ApiError::parse_body(b"<html><body>Bad Gateway</body></html>"),
            None
        );
        assert_eq!(ApiError::parse_body(b""), None);
        assert_eq!(
            ApiError::parse_body(br#"["/services/data/v62.0/sobjects/Lead/1"]"#),
            None
        );
    }
}
