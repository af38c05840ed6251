//! Bulk API 2.0 ingest (reference §5): create a job, upload its CSV ([`CsvData`]), close it,
//! poll until it ends (with backoff), and read its successful, failed and unprocessed rows.
//! Each HTTP request counts as one API call. [`Client::ingest`] does all of it.
//!
//! ```no_run
//! # async fn example(client: leadgate_salesforce::Client) -> Result<(), leadgate_salesforce::SalesforceError> {
//! use leadgate_salesforce::bulk::{CsvData, IngestJobRequest, PollOptions};
//! let mut csv = CsvData::new(["LeadgateId__c", "LastName", "Company"]);
//! csv.push_row(["c-1", "Doe", "Acme"])?;
//! let outcome = client
//!     .ingest(&IngestJobRequest::upsert("Lead", "LeadgateId__c"), csv, PollOptions::default())
//!     .await?;
//! println!("{} saved, {} failed", outcome.successful.len(), outcome.failed.len());
//! # Ok(())
//! # }
//! ```

pub mod csv_data;
pub mod job;
pub mod results;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

pub use csv_data::{CsvData, CsvValue, NULL_VALUE};
pub use job::{ColumnDelimiter, IngestJobRequest, JobInfo, JobState, LineEnding, Operation};
pub use results::{BulkRecordError, FailedRecord, SuccessfulRecord, UnprocessedRecord};

use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::request::ApiRequest;
use crate::sobject::{check_object_name, check_record_id};

/// How to wait for a job: the first pause, its growth up to a maximum, and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollOptions {
    /// The pause before the first poll.
    pub initial_interval: Duration,
    /// The longest pause between polls (each pause is 1.5 times the previous one).
    pub max_interval: Duration,
    /// Give up after this long.
    pub timeout: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// A finished ingest job and its rows.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The job in its final state (`JobComplete`, `Failed` or `Aborted`).
    pub job: JobInfo,
    /// Rows saved.
    pub successful: Vec<SuccessfulRecord>,
    /// Rows that failed, with their errors.
    pub failed: Vec<FailedRecord>,
    /// Rows never processed (the job failed or was aborted).
    pub unprocessed: Vec<UnprocessedRecord>,
}

impl IngestOutcome {
    /// The outcome when the job completed; [`SalesforceError::BulkJobFailed`] when it failed or
    /// was aborted.
    pub fn ensure_complete(self) -> Result<Self, SalesforceError> {
        if self.job.state == JobState::JobComplete {
            Ok(self)
        } else {
            Err(SalesforceError::BulkJobFailed {
                job_id: self.job.id.clone(),
                state: self.job.state.to_string(),
                message: self.job.error_message.clone().unwrap_or_default(),
            })
        }
    }
}

fn job_segments<'a>(job_id: &'a str, rest: &[&'a str]) -> Result<Vec<&'a str>, SalesforceError> {
    check_record_id(job_id)?;
    let mut segments = vec!["jobs", "ingest", job_id];
    segments.extend_from_slice(rest);
    Ok(segments)
}

fn csv_error(operation: &str, error: csv::Error) -> SalesforceError {
    SalesforceError::decode(operation, format!("the result CSV cannot be read: {error}"))
}

impl Client {
    /// Creates an ingest job (state `Open`).
    pub async fn create_ingest_job(&self, job: &IngestJobRequest) -> Result<JobInfo, SalesforceError> {
        check_object_name(&job.object)?;
        if let Some(field) = &job.external_id_field_name {
            check_object_name(field)?;
        }
        let request = ApiRequest::data(Method::POST, ["jobs", "ingest"], CallKind::Bulk)
            .json(job)
            .map_err(|error| SalesforceError::InvalidRequest(error.to_string()))?;
        self.send(&request).await?.json()
    }

    /// Uploads the job's CSV (201). A job takes one upload.
    pub async fn upload_job_data(&self, job_id: &str, csv: CsvData) -> Result<(), SalesforceError> {
        let request = ApiRequest::data(Method::PUT, job_segments(job_id, &["batches"])?, CallKind::Bulk)
            .csv(csv.into_string())
            .idempotent(false);
        self.send(&request).await?;
        Ok(())
    }

    /// Closes the job (`UploadComplete`): Salesforce queues it for processing.
    pub async fn close_ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        self.set_job_state(job_id, "UploadComplete").await
    }

    /// Aborts the job.
    pub async fn abort_ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        self.set_job_state(job_id, "Aborted").await
    }

    async fn set_job_state(&self, job_id: &str, state: &str) -> Result<JobInfo, SalesforceError> {
        let request = ApiRequest::data(Method::PATCH, job_segments(job_id, &[])?, CallKind::Bulk)
            .json(&json!({ "state": state }))
            .map_err(|error| SalesforceError::InvalidRequest(error.to_string()))?;
        self.send(&request).await?.json()
    }

    /// The job's information now.
    pub async fn ingest_job(&self, job_id: &str) -> Result<JobInfo, SalesforceError> {
        let request = ApiRequest::data(Method::GET, job_segments(job_id, &[])?, CallKind::Bulk);
        self.send(&request).await?.json()
    }

    /// Deletes the job and its results (not while it is Open or InProgress).
    pub async fn delete_ingest_job(&self, job_id: &str) -> Result<(), SalesforceError> {
        let request = ApiRequest::data(Method::DELETE, job_segments(job_id, &[])?, CallKind::Bulk);
        self.send(&request).await?;
        Ok(())
    }

    /// Polls the job, waiting longer between polls each time, until it reaches a final state;
    /// [`SalesforceError::BulkTimeout`] when that takes longer than `options.timeout`.
    ///
    /// A poll that fails in a retryable way (after the client's own retries) does not end the
    /// wait: the job goes on running on Salesforce's side. The next poll comes after the
    /// answer's `Retry-After`, when it gave one, capped at `options.max_interval`.
    pub async fn wait_for_ingest_job(
        &self,
        job_id: &str,
        options: PollOptions,
    ) -> Result<JobInfo, SalesforceError> {
        let started = Instant::now();
        let mut interval = options.initial_interval;
        let mut pause = interval;
        loop {
            tokio::time::sleep(pause).await;
            let (state, retry_after) = match self.ingest_job(job_id).await {
                Ok(job) if job.state.is_final() => return Ok(job),
                Ok(job) => (job.state.to_string(), None),
                Err(error) if error.is_retryable() => {
                    tracing::debug!(job_id, %error, "polling a bulk job failed; polling again");
                    ("unknown (the last poll failed)".to_owned(), error.retry_after())
                }
                Err(error) => return Err(error),
            };
            let waited = started.elapsed();
            if waited >= options.timeout {
                return Err(SalesforceError::BulkTimeout {
                    job_id: job_id.to_owned(),
                    state,
                    waited,
                });
            }
            interval = interval.mul_f64(1.5).min(options.max_interval);
            pause = retry_after.map_or(interval, |wait| wait.min(options.max_interval));
        }
    }

    async fn result_text(&self, job_id: &str, resource: &str) -> Result<(String, String), SalesforceError> {
        let request = ApiRequest::data(
            Method::GET,
            job_segments(job_id, &[resource, ""])?,
            CallKind::Bulk,
        )
        .expecting_csv();
        let response = self.send(&request).await?;
        Ok((response.text()?, response.operation))
    }

    /// The rows saved by the job (`delimiter` as in the job's CSV).
    pub async fn successful_results(
        &self,
        job_id: &str,
        delimiter: ColumnDelimiter,
    ) -> Result<Vec<SuccessfulRecord>, SalesforceError> {
        let (text, operation) = self.result_text(job_id, "successfulResults").await?;
        results::parse_successful(&text, delimiter.character()).map_err(|error| csv_error(&operation, error))
    }

    /// The rows that failed, with their errors.
    pub async fn failed_results(
        &self,
        job_id: &str,
        delimiter: ColumnDelimiter,
    ) -> Result<Vec<FailedRecord>, SalesforceError> {
        let (text, operation) = self.result_text(job_id, "failedResults").await?;
        results::parse_failed(&text, delimiter.character()).map_err(|error| csv_error(&operation, error))
    }

    /// The rows never processed.
    pub async fn unprocessed_records(
        &self,
        job_id: &str,
        delimiter: ColumnDelimiter,
    ) -> Result<Vec<UnprocessedRecord>, SalesforceError> {
        let (text, operation) = self.result_text(job_id, "unprocessedrecords").await?;
        results::parse_unprocessed(&text, delimiter.character()).map_err(|error| csv_error(&operation, error))
    }

    /// A whole ingest: create the job, upload `csv`, close, wait, and read every result file.
    /// The outcome is returned whatever the final state; see [`IngestOutcome::ensure_complete`].
    pub async fn ingest(
        &self,
        job: &IngestJobRequest,
        csv: CsvData,
        options: PollOptions,
    ) -> Result<IngestOutcome, SalesforceError> {
        let created = self.create_ingest_job(job).await?;
        if let Err(error) = self.upload_job_data(&created.id, csv).await {
            // Leave no open job behind; the upload's error is the one worth reporting.
            let _ = self.abort_ingest_job(&created.id).await;
            return Err(error);
        }
        self.close_ingest_job(&created.id).await?;
        let finished = self.wait_for_ingest_job(&created.id, options).await?;
        let delimiter = job.column_delimiter;
        let successful = self.successful_results(&finished.id, delimiter).await?;
        let failed = self.failed_results(&finished.id, delimiter).await?;
        let unprocessed = self.unprocessed_records(&finished.id, delimiter).await?;
        Ok(IngestOutcome {
            job: finished,
            successful,
            failed,
            unprocessed,
        })
    }
}
