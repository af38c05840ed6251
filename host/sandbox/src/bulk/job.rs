//! One Bulk API 2.0 ingest job: its settings, state, upload and per-record outcomes, and its
//! job info JSON (reference §5.3).

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::api_error::RecordError;
use crate::bulk::csv_input::CsvData;
use crate::bulk::job_spec::{JobSpec, Operation};
use crate::bulk::result_csv::{self, CsvFormat};
use crate::record_id::RecordId;

/// The key prefix of job ids.
pub(crate) const JOB_PREFIX: &str = "750";

/// A job's state (reference §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    /// The name in job info.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::UploadComplete => "UploadComplete",
            Self::InProgress => "InProgress",
            Self::JobComplete => "JobComplete",
            Self::Failed => "Failed",
            Self::Aborted => "Aborted",
        }
    }

    /// Whether the job is finished (and may be deleted).
    pub(crate) fn is_terminal(self) -> bool {
        matches!(self, Self::JobComplete | Self::Failed | Self::Aborted)
    }
}

/// What happened to one data row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowOutcome {
    Success {
        id: RecordId,
        created: bool,
    },
    Failure {
        id: Option<RecordId>,
        error: RecordError,
    },
}

/// The uploaded CSV: the bytes as sent, and what parsing them gave.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) raw: Vec<u8>,
    pub(crate) data: Result<CsvData, String>,
}

/// One job.
#[derive(Debug, Clone)]
pub(crate) struct BulkJob {
    pub(crate) id: RecordId,
    pub(crate) spec: JobSpec,
    /// The API version it was created with, e.g. `67.0`.
    pub(crate) api_version: String,
    pub(crate) created_by: String,
    pub(crate) created_date: String,
    pub(crate) system_modstamp: String,
    pub(crate) state: JobState,
    pub(crate) upload: Option<Upload>,
    /// The outcomes of the rows processed so far, in row order (rows are processed in order).
    pub(crate) outcomes: Vec<RowOutcome>,
    pub(crate) error_message: Option<String>,
    /// From `InProgress` to the end of processing.
    pub(crate) total_processing_time: Duration,
    /// Time spent writing records.
    pub(crate) active_processing_time: Duration,
    /// Every record fails with `UNABLE_TO_LOCK_ROW` (an injected fault on the close request).
    pub(crate) lock_rows: bool,
    /// The create request's `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub(crate) allow_duplicate_save: bool,
}

impl BulkJob {
    /// The rows of a successfully parsed upload (none otherwise).
    pub(crate) fn rows(&self) -> &[Vec<String>] {
        match &self.upload {
            Some(Upload { data: Ok(data), .. }) => &data.rows,
            _ => &[],
        }
    }

    /// The uploaded header, when the upload parsed.
    pub(crate) fn header(&self) -> &[String] {
        match &self.upload {
            Some(Upload { data: Ok(data), .. }) => &data.header,
            _ => &[],
        }
    }

    /// Records processed (failed ones included, reference §5.3).
    pub(crate) fn records_processed(&self) -> usize {
        self.outcomes.len()
    }

    /// Records that failed.
    pub(crate) fn records_failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|outcome| matches!(outcome, RowOutcome::Failure { .. }))
            .count()
    }

    /// The job info of create, close, abort and the job list; with `detailed`, that of
    /// Get Job Info, which adds the counts, times and `errorMessage`.
    pub(crate) fn info(&self, detailed: bool) -> Value {
        let mut info = Map::new();
        let mut put = |name: &str, value: Value| {
            info.insert(name.to_owned(), value);
        };
        put("id", Value::String(self.id.long()));
        put("operation", json!(self.spec.operation.name()));
        put("object", json!("Lead"));
        put("createdById", json!(self.created_by));
        put("createdDate", json!(self.created_date));
        put("systemModstamp", json!(self.system_modstamp));
        put("state", json!(self.state.name()));
        if self.spec.operation == Operation::Upsert
            && let Some(field) = &self.spec.external_id_field
        {
            put("externalIdFieldName", json!(field));
        }
        if let Some(rule) = &self.spec.assignment_rule_id {
            put("assignmentRuleId", json!(rule));
        }
        put("concurrencyMode", json!("Parallel"));
        put("contentType", json!("CSV"));
        // A JSON number in practice, though documented as a string (reference §5.3).
        put(
            "apiVersion",
            json!(self.api_version.parse::<f64>().unwrap_or_default()),
        );
        put("jobType", json!("V2Ingest"));
        if self.state == JobState::Open {
            // Relative to the instance URL, without a leading slash, as Salesforce gives it.
            put(
                "contentUrl",
                json!(format!(
                    "services/data/v{}/jobs/ingest/{}/batches",
                    self.api_version,
                    self.id.long()
                )),
            );
        }
        put("lineEnding", json!(self.spec.line_ending.name()));
        put("columnDelimiter", json!(self.spec.column_delimiter.name()));
        if detailed {
            put("numberRecordsProcessed", json!(self.records_processed()));
            put("numberRecordsFailed", json!(self.records_failed()));
            put("retries", json!(0));
            put("totalProcessingTime", json!(millis(self.total_processing_time)));
            put(
                "apiActiveProcessingTime",
                json!(millis(self.active_processing_time)),
            );
            put("apexProcessingTime", json!(0));
            if let Some(message) = &self.error_message {
                put("errorMessage", json!(message));
            }
        }
        Value::Object(info)
    }

    fn format(&self) -> CsvFormat {
        CsvFormat {
            delimiter: self.spec.column_delimiter,
            line_ending: self.spec.line_ending,
        }
    }

    /// `successfulResults/`.
    pub(crate) fn successful_results(&self) -> String {
        let rows = self
            .outcomes
            .iter()
            .zip(self.rows())
            .filter_map(|(outcome, row)| match outcome {
                RowOutcome::Success { id, created } => Some((id.long(), *created, row.as_slice())),
                RowOutcome::Failure { .. } => None,
            });
        result_csv::successful(&self.format(), self.header(), rows)
    }

    /// `failedResults/`.
    pub(crate) fn failed_results(&self) -> String {
        let rows = self
            .outcomes
            .iter()
            .zip(self.rows())
            .filter_map(|(outcome, row)| match outcome {
                RowOutcome::Failure { id, error } => {
                    Some((id.as_ref().map(RecordId::long), error, row.as_slice()))
                }
                RowOutcome::Success { .. } => None,
            });
        result_csv::failed(&self.format(), self.header(), rows)
    }

    /// `unprocessedrecords/`: the rows not processed; an upload that could not be parsed is
    /// returned as it was sent.
    pub(crate) fn unprocessed_records(&self) -> Vec<u8> {
        match &self.upload {
            None => Vec::new(),
            Some(Upload { raw, data: Err(_) }) => raw.clone(),
            Some(Upload { data: Ok(data), .. }) => {
                let rest = data.rows.iter().skip(self.outcomes.len()).map(Vec::as_slice);
                result_csv::unprocessed(&self.format(), &data.header, rest).into_bytes()
            }
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
