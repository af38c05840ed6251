//! The org's Bulk API 2.0 ingest jobs, by id.

use std::collections::BTreeMap;

use crate::bulk::job::{BulkJob, JOB_PREFIX};
use crate::record_id::RecordId;

/// A job as the control API lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkJobSummary {
    /// The job's 18-character id.
    pub id: String,
    /// `insert`, `update`, `upsert`, `delete` or `hardDelete`.
    pub operation: String,
    /// `Open`, `UploadComplete`, `InProgress`, `JobComplete`, `Failed` or `Aborted`.
    pub state: String,
    /// Data rows uploaded.
    pub records: usize,
    /// Rows processed, failed ones included.
    pub processed: usize,
    /// Rows that failed.
    pub failed: usize,
    /// Why the job failed, when it did.
    pub error_message: Option<String>,
}

/// Every job, in creation order.
#[derive(Debug, Default)]
pub(crate) struct BulkJobs {
    jobs: BTreeMap<RecordId, BulkJob>,
    next: u64,
}

impl BulkJobs {
    /// An id for a new job.
    pub(crate) fn mint_id(&mut self) -> RecordId {
        self.next += 1;
        RecordId::mint(JOB_PREFIX, self.next)
    }

    pub(crate) fn insert(&mut self, job: BulkJob) {
        self.jobs.insert(job.id.clone(), job);
    }

    /// The job with this id (15 or 18 characters), if it exists.
    pub(crate) fn get(&self, id: &str) -> Option<&BulkJob> {
        self.jobs.get(&job_id(id)?)
    }

    /// The job with this id, to change it.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut BulkJob> {
        self.jobs.get_mut(&job_id(id)?)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<BulkJob> {
        self.jobs.remove(&job_id(id)?)
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &BulkJob> {
        self.jobs.values()
    }

    pub(crate) fn summaries(&self) -> Vec<BulkJobSummary> {
        self.jobs
            .values()
            .map(|job| BulkJobSummary {
                id: job.id.long(),
                operation: job.spec.operation.name().to_owned(),
                state: job.state.name().to_owned(),
                records: job.rows().len(),
                processed: job.records_processed(),
                failed: job.records_failed(),
                error_message: job.error_message.clone(),
            })
            .collect()
    }

    /// Forgets every job (running processing stops when it finds its job gone). Ids keep
    /// counting, so that a processing task of a forgotten job never takes a new one for its own.
    pub(crate) fn clear(&mut self) {
        self.jobs.clear();
    }
}

fn job_id(text: &str) -> Option<RecordId> {
    RecordId::parse(text).ok().filter(|id| id.prefix() == JOB_PREFIX)
}
