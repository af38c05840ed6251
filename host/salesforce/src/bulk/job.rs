//! A Bulk API 2.0 ingest job: what to create it with ([`IngestJobRequest`]) and what Salesforce
//! says about it ([`JobInfo`], [`JobState`]).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// What an ingest job does with its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Operation {
    /// Create records.
    Insert,
    /// Update records by `Id`.
    Update,
    /// Create or update records by an External ID.
    Upsert,
    /// Delete records by `Id` (to the Recycle Bin).
    Delete,
    /// Delete records by `Id` for good.
    HardDelete,
}

/// The CSV's column delimiter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ColumnDelimiter {
    /// `` ` ``
    Backquote,
    /// `^`
    Caret,
    /// `,` (the default)
    #[default]
    Comma,
    /// `|`
    Pipe,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
}

impl ColumnDelimiter {
    /// The delimiter character.
    pub fn character(self) -> char {
        match self {
            Self::Backquote => '`',
            Self::Caret => '^',
            Self::Comma => ',',
            Self::Pipe => '|',
            Self::Semicolon => ';',
            Self::Tab => '\t',
        }
    }
}

/// The CSV's line ending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LineEnding {
    /// `\n` (the default).
    #[default]
    Lf,
    /// `\r\n`.
    Crlf,
}

impl LineEnding {
    /// The line ending's text.
    pub fn text(self) -> &'static str {
        match self {
            Self::Lf => "\n",
            Self::Crlf => "\r\n",
        }
    }
}

/// The body of `POST /jobs/ingest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestJobRequest {
    /// The object, e.g. `Lead` (one per job).
    pub object: String,
    /// What to do.
    pub operation: Operation,
    /// Upserts: the External ID field (a column of the CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id_field_name: Option<String>,
    /// Always `CSV`.
    pub content_type: &'static str,
    /// The column delimiter.
    pub column_delimiter: ColumnDelimiter,
    /// The line ending.
    pub line_ending: LineEnding,
    /// Leads and Cases: the assignment rule to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment_rule_id: Option<String>,
}

impl IngestJobRequest {
    /// A job of `operation` on `object`, comma-separated with LF line endings.
    pub fn new(object: impl Into<String>, operation: Operation) -> Self {
        Self {
            object: object.into(),
            operation,
            external_id_field_name: None,
            content_type: "CSV",
            column_delimiter: ColumnDelimiter::default(),
            line_ending: LineEnding::default(),
            assignment_rule_id: None,
        }
    }

    /// An upsert job on `object` keyed by the External ID `field`.
    pub fn upsert(object: impl Into<String>, field: impl Into<String>) -> Self {
        Self {
            external_id_field_name: Some(field.into()),
            ..Self::new(object, Operation::Upsert)
        }
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// Waiting for its CSV.
    Open,
    /// Closed by the client, queued.
    UploadComplete,
    /// Being processed.
    InProgress,
    /// Processed (individual records may still have failed).
    JobComplete,
    /// Failed as a whole; records processed before stay saved.
    Failed,
    /// Aborted by a client.
    Aborted,
    /// A state this client does not know.
    Other(String),
}

impl JobState {
    /// The state as Salesforce spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Open => "Open",
            Self::UploadComplete => "UploadComplete",
            Self::InProgress => "InProgress",
            Self::JobComplete => "JobComplete",
            Self::Failed => "Failed",
            Self::Aborted => "Aborted",
            Self::Other(text) => text,
        }
    }

    /// True once the job will not change any more.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::JobComplete | Self::Failed | Self::Aborted)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JobState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(match text.as_str() {
            "Open" => Self::Open,
            "UploadComplete" => Self::UploadComplete,
            "InProgress" => Self::InProgress,
            "JobComplete" => Self::JobComplete,
            "Failed" => Self::Failed,
            "Aborted" => Self::Aborted,
            _ => Self::Other(text),
        })
    }
}

/// A job's information.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    /// The job id (prefix `750`).
    pub id: String,
    /// The operation.
    #[serde(default)]
    pub operation: String,
    /// The object.
    #[serde(default)]
    pub object: String,
    /// The state.
    pub state: JobState,
    /// The column delimiter.
    #[serde(default)]
    pub column_delimiter: ColumnDelimiter,
    /// The line ending.
    #[serde(default)]
    pub line_ending: LineEnding,
    /// The upload path, while the job is Open.
    #[serde(default)]
    pub content_url: Option<String>,
    /// The API version (documented as a string, sent as a number).
    #[serde(default, deserialize_with = "number_or_string")]
    pub api_version: Option<f64>,
    /// Records processed so far (failed ones included).
    #[serde(default)]
    pub number_records_processed: u64,
    /// Records that failed so far.
    #[serde(default)]
    pub number_records_failed: u64,
    /// Why the job failed.
    #[serde(default)]
    pub error_message: Option<String>,
    /// Every other key, as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn number_or_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Number(number)) => number.as_f64(),
        Some(Value::String(text)) => text.parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_info_accepts_a_numeric_or_textual_api_version() {
        for version in [json!(59.0), json!("59.0")] {
            let info: Result<JobInfo, _> = serde_json::from_value(json!({
                "id": "7506g00000DhRA2AAN", "operation": "upsert", "object": "Lead", "state": "JobComplete",
                "apiVersion": version, "numberRecordsProcessed": 3, "numberRecordsFailed": 1, "lineEnding": "LF",
                "columnDelimiter": "COMMA", "concurrencyMode": "Parallel"
            }));
            let info = info.map_err(|error| error.to_string());
            assert!(info.is_ok(), "{info:?}");
            let Ok(info) = info else { return };
            assert_eq!(info.api_version, Some(59.0));
            assert_eq!(info.state, JobState::JobComplete);
            assert!(info.state.is_final());
            assert_eq!(info.other.get("concurrencyMode"), Some(&json!("Parallel")));
        }
    }

    #[test]
    fn the_job_request_serializes_as_documented() {
        let value =
            serde_json::to_value(IngestJobRequest::upsert("Lead", "LeadgateId__c")).unwrap_or_default();
        assert_eq!(
            value,
            json!({"object": "Lead", "operation": "upsert", "externalIdFieldName": "LeadgateId__c",
                   "contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"})
        );
    }
}
