//! Processing a closed job in a task of its own, as Salesforce does asynchronously:
//! `UploadComplete`, then `InProgress`, each for at least the configured delay so that a polling
//! client sees both, then the rows in chunks of 200 (each chunk one transaction under the org's
//! lock, reference §5.7), then `JobComplete`, or `Failed` when the upload cannot be processed.
//!
//! Each row goes through the same [`Org`] writes as the REST API and collections, so it gets the
//! same validation. Aborting or deleting the job stops processing before the next chunk; the
//! records already written stay written, as in Salesforce.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::api_error::RecordError;
use crate::bulk::job::{BulkJob, JobState, RowOutcome, Upload};
use crate::bulk::job_spec::Operation;
use crate::lead_schema::LeadSchema;
use crate::org::{Org, UpsertError, WriteContext};
use crate::record_id::{LEAD_PREFIX, RecordId};
use crate::state::{SandboxState, lock};
use crate::validation::format_datetime;

/// Rows written in one transaction.
const CHUNK: usize = 200;

/// The value of a cell that sets a field to null (an empty cell leaves it unchanged).
const NULL_VALUE: &str = "#N/A";

/// How a job's rows are written, worked out once from its header.
struct Plan {
    operation: Operation,
    /// The API name of each column's field.
    columns: Vec<String>,
    /// The column of the record's key: `Id`, or the External ID field of an upsert.
    key: Option<usize>,
    key_field: String,
    lock_rows: bool,
    user_id: String,
    allow_duplicate_save: bool,
    version: String,
    /// The job's `assignmentRuleId`: a Bulk API job runs an assignment rule only when it names one.
    assignment_rule: Option<String>,
}

fn now() -> String {
    format_datetime(jiff::Timestamp::now())
}

/// Processes the job `job_id` once it has been closed.
pub(crate) async fn run(state: Arc<SandboxState>, job_id: String) {
    let delay = state.config.bulk_processing_delay;
    tokio::time::sleep(delay).await;
    {
        let mut jobs = lock(&state.bulk_jobs);
        let Some(job) = jobs.get_mut(&job_id) else { return };
        if job.state != JobState::UploadComplete {
            return;
        }
        job.state = JobState::InProgress;
        job.system_modstamp = now();
    }
    tokio::time::sleep(delay).await;
    let started = Instant::now();
    let plan = {
        let jobs = lock(&state.bulk_jobs);
        let Some(job) = jobs.get(&job_id) else { return };
        if job.state != JobState::InProgress {
            return;
        }
        plan_for(job, &state.schema)
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(message) => {
            finish(&state, &job_id, Some(message), started);
            return;
        }
    };
    let mut active = Duration::ZERO;
    let mut offset = 0;
    loop {
        let chunk: Vec<Vec<String>> = {
            let jobs = lock(&state.bulk_jobs);
            let Some(job) = jobs.get(&job_id).filter(|job| job.state == JobState::InProgress) else {
                return;
            };
            job.rows().iter().skip(offset).take(CHUNK).cloned().collect()
        };
        if chunk.is_empty() {
            break;
        }
        let begun = Instant::now();
        let outcomes: Vec<RowOutcome> = {
            let mut org = lock(&state.org);
            let context = WriteContext {
                user_id: plan.user_id.clone(),
                allow_duplicate_save: plan.allow_duplicate_save,
                now: now(),
                version: plan.version.clone(),
                assignment_rule: plan.assignment_rule.clone(),
            };
            chunk
                .iter()
                .map(|row| write_row(&mut org, &plan, row, &context))
                .collect()
        };
        active += begun.elapsed();
        offset += chunk.len();
        {
            let mut jobs = lock(&state.bulk_jobs);
            let Some(job) = jobs.get_mut(&job_id) else { return };
            job.outcomes.extend(outcomes);
            job.active_processing_time = active;
            job.total_processing_time = started.elapsed();
        }
        tokio::task::yield_now().await;
    }
    finish(&state, &job_id, None, started);
}

/// Ends processing: `JobComplete`, or `Failed` with `error_message`, unless the job was aborted
/// meanwhile.
fn finish(state: &SandboxState, job_id: &str, error_message: Option<String>, started: Instant) {
    let mut jobs = lock(&state.bulk_jobs);
    let Some(job) = jobs.get_mut(job_id) else { return };
    if job.state != JobState::InProgress {
        return;
    }
    job.state = if error_message.is_some() {
        JobState::Failed
    } else {
        JobState::JobComplete
    };
    job.error_message = error_message;
    job.total_processing_time = started.elapsed();
    job.system_modstamp = now();
}

/// Checks the header against the schema and the operation, or says why the job fails.
fn plan_for(job: &BulkJob, schema: &LeadSchema) -> Result<Plan, String> {
    let header = match &job.upload {
        None => return Err("InvalidBatch : No data was uploaded for this job".to_owned()),
        Some(Upload {
            data: Err(message), ..
        }) => return Err(message.clone()),
        Some(Upload { data: Ok(data), .. }) => &data.header,
    };
    let mut columns: Vec<String> = Vec::with_capacity(header.len());
    for name in header {
        let field = schema
            .field(name)
            .ok_or_else(|| format!("InvalidBatch : Field name not found : {name}"))?;
        if columns.contains(&field.name) {
            return Err(format!("InvalidBatch : Duplicate field name found : {name}"));
        }
        columns.push(field.name.clone());
    }
    let operation = job.spec.operation;
    let key_field = match operation {
        Operation::Insert => String::new(),
        Operation::Upsert => job.spec.external_id_field.clone().unwrap_or_default(),
        Operation::Update | Operation::Delete | Operation::HardDelete => "Id".to_owned(),
    };
    let key = columns.iter().position(|name| *name == key_field);
    if operation != Operation::Insert && key.is_none() {
        return Err(format!(
            "InvalidBatch : The {key_field} column is required for {}",
            operation.name()
        ));
    }
    Ok(Plan {
        operation,
        columns,
        key,
        key_field,
        lock_rows: job.lock_rows,
        user_id: job.created_by.clone(),
        allow_duplicate_save: job.allow_duplicate_save,
        version: job.api_version.clone(),
        assignment_rule: job.spec.assignment_rule_id.clone(),
    })
}

fn failure(id: Option<RecordId>, error: RecordError) -> RowOutcome {
    // A missing record is a bad reference inside a job, not a missing resource.
    let error = if error.code == "NOT_FOUND" {
        RecordError::bad_request(
            "INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id",
            Vec::new(),
        )
    } else {
        error
    };
    RowOutcome::Failure { id, error }
}

fn missing_key(field: &str, operation: Operation) -> RecordError {
    let message = match operation {
        Operation::Upsert => format!("{field} not specified"),
        Operation::Update => "Id not specified in an update call".to_owned(),
        _ => "Id not specified in a delete call".to_owned(),
    };
    RecordError::bad_request("MISSING_ARGUMENT", message, vec![field.to_owned()])
}

fn lead_id(text: &str) -> Result<RecordId, RecordError> {
    RecordId::parse(text)
        .ok()
        .filter(|id| id.prefix() == LEAD_PREFIX)
        .ok_or_else(|| {
            RecordError::bad_request(
                "MALFORMED_ID",
                format!("Lead ID: id value of incorrect type: {text}"),
                vec!["Id".into()],
            )
        })
}

/// Writes one row and tells what happened.
fn write_row(org: &mut Org, plan: &Plan, row: &[String], context: &WriteContext) -> RowOutcome {
    let key = plan
        .key
        .and_then(|index| row.get(index))
        .map(String::as_str)
        .unwrap_or_default();
    if plan.lock_rows {
        return failure(
            lead_id(key).ok(),
            RecordError::bad_request(
                "UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record",
                Vec::new(),
            ),
        );
    }
    // Empty cells leave fields as they are; `#N/A` clears them (reference §5.6).
    let mut input = Map::new();
    for (index, (name, value)) in plan.columns.iter().zip(row).enumerate() {
        if Some(index) == plan.key || value.is_empty() {
            continue;
        }
        let value = if value == NULL_VALUE {
            Value::Null
        } else {
            Value::String(value.clone())
        };
        input.insert(name.clone(), value);
    }
    match plan.operation {
        Operation::Insert => match org.create(&input, context) {
            Ok(id) => RowOutcome::Success { id, created: true },
            Err(error) => failure(None, error),
        },
        Operation::Update => {
            if key.is_empty() {
                return failure(None, missing_key("Id", plan.operation));
            }
            let id = match lead_id(key) {
                Ok(id) => id,
                Err(error) => return failure(None, error),
            };
            match org.update(&id, &input, context) {
                Ok(()) => RowOutcome::Success { id, created: false },
                Err(error) => failure(Some(id), error),
            }
        }
        Operation::Upsert => upsert(org, plan, key, &input, context),
        Operation::Delete | Operation::HardDelete => {
            if key.is_empty() {
                return failure(None, missing_key("Id", plan.operation));
            }
            let id = match lead_id(key) {
                Ok(id) => id,
                Err(error) => return failure(None, error),
            };
            match org.delete(&id, context) {
                Ok(()) => {
                    if plan.operation == Operation::HardDelete {
                        // Skips the recycle bin: the Lead is gone, even for queryAll.
                        org.restore(&id, None);
                    }
                    RowOutcome::Success { id, created: false }
                }
                Err(error) => failure(Some(id), error),
            }
        }
    }
}

fn upsert(
    org: &mut Org,
    plan: &Plan,
    key: &str,
    input: &Map<String, Value>,
    context: &WriteContext,
) -> RowOutcome {
    if plan.key_field == "Id" && key.is_empty() {
        return match org.create(input, context) {
            Ok(id) => RowOutcome::Success { id, created: true },
            Err(error) => failure(None, error),
        };
    }
    if key.is_empty() {
        return failure(None, missing_key(&plan.key_field, plan.operation));
    }
    let existing = org.find_by(&plan.key_field, key).into_iter().next();
    match org.upsert(&plan.key_field, key, input, context) {
        Ok(done) => RowOutcome::Success {
            id: done.id,
            created: done.created,
        },
        Err(UpsertError::MultipleMatches(ids)) => {
            let listed: Vec<String> = ids.iter().map(RecordId::long).collect();
            failure(
                None,
                RecordError::with_fields(
                    StatusCode::BAD_REQUEST,
                    "DUPLICATE_EXTERNAL_ID",
                    format!(
                        "{}: more than one record found for external id field: [{}]",
                        plan.key_field,
                        listed.join(", ")
                    ),
                    vec![plan.key_field.clone()],
                ),
            )
        }
        Err(UpsertError::Record(error)) => failure(existing, error),
    }
}
