//! Bulk API 2.0 ingest under `/services/data/vNN.0/jobs/ingest` (reference §5): create a job,
//! upload its CSV, close or abort it, follow its state, read its result files, list and delete
//! jobs. Every request goes through [`SandboxState::handle`] like the rest of the data API, so
//! each one needs a session, may draw a fault, and counts as one API call (reference §5.7, §6.1).
//!
//! ```text
//! POST   jobs/ingest                         200 job info, state Open
//! PUT    jobs/ingest/{id}/batches            201, empty (text/csv, only while Open, once)
//! PATCH  jobs/ingest/{id}  {"state":…}       200 job info (UploadComplete or Aborted)
//! GET    jobs/ingest/{id}                    200 job info with counts and times
//! GET    jobs/ingest/{id}/successfulResults/ 200 text/csv ("sf__Id","sf__Created",…)
//! GET    jobs/ingest/{id}/failedResults/     200 text/csv ("sf__Id","sf__Error",…)
//! GET    jobs/ingest/{id}/unprocessedrecords/ 200 text/csv (also `unprocessedRecords`)
//! GET    jobs/ingest                         200 {"done","records","nextRecordsUrl"}
//! DELETE jobs/ingest/{id}                    204 (not while Open or InProgress)
//! ```
//!
//! Choices where the reference leaves the behaviour open (§12.1): job errors use upper-case
//! codes (`INVALIDJOB`, `INVALIDJOBSTATE`) with status 400; a job takes one upload; a PUT to a
//! job that is not Open is 400 `INVALIDJOBSTATE`; an upload that is not `text/csv` is 415
//! `UNSUPPORTED_MEDIA_TYPE`; one larger than [`SandboxConfig::bulk_upload_limit`] is 400
//! `CLIENTINPUTERROR`. A CSV that cannot be processed (bad header, unknown field, wrong line
//! ending, malformed quoting) is accepted on upload and fails the job with an `errorMessage`,
//! as Salesforce does. Not served: multipart job creation, gzip-compressed uploads and results,
//! result retention limits, the 24-hour limit on open jobs, Lead assignment rules.
//!
//! [`SandboxConfig::bulk_upload_limit`]: crate::SandboxConfig::bulk_upload_limit

mod csv_input;
mod job;
mod job_spec;
mod jobs;
mod processing;
mod result_csv;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, put};
use serde_json::{Value, json};

use crate::api_error::{RecordError, json_response};
use crate::bulk::job::{BulkJob, JobState, Upload};
use crate::bulk::job_spec::{INVALID_JOB, JobSpec};
use crate::rest::{json_body, only};
use crate::state::{CallKind, Caller, SandboxState, lock};
use crate::validation::format_datetime;

pub use jobs::BulkJobSummary;
pub(crate) use jobs::BulkJobs;

/// `errorCode` of a request that the job's state does not allow.
const INVALID_JOB_STATE: &str = "INVALIDJOBSTATE";

/// The content type of result files.
const CSV_CONTENT_TYPE: &str = "text/csv";

/// The Bulk API 2.0 ingest routes.
pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    let jobs = "/services/data/{version}/jobs/ingest".to_owned();
    let job = format!("{jobs}/{{job_id}}");
    let routes: Vec<(String, MethodRouter<Arc<SandboxState>>)> = vec![
        (jobs, only("GET, POST", get(list).post(create))),
        (
            job.clone(),
            only("GET, PATCH, DELETE", get(info).patch(set_state).delete(delete)),
        ),
        (
            format!("{job}/batches"),
            only("PUT", put(upload)).layer(DefaultBodyLimit::disable()),
        ),
        (
            format!("{job}/successfulResults"),
            only("GET", get(successful_results)),
        ),
        (format!("{job}/failedResults"), only("GET", get(failed_results))),
        (
            format!("{job}/unprocessedrecords"),
            only("GET", get(unprocessed_records)),
        ),
        // simple-salesforce spells it so; serving both is the safe guess (reference §5.5).
        (
            format!("{job}/unprocessedRecords"),
            only("GET", get(unprocessed_records)),
        ),
    ];
    let mut router = Router::new();
    for (path, route) in routes {
        router = router
            .route(&format!("{path}/"), route.clone())
            .route(&path, route);
    }
    router.with_state(state)
}

fn now() -> String {
    format_datetime(jiff::Timestamp::now())
}

fn invalid_job_state(message: impl Into<String>) -> RecordError {
    RecordError::plain(StatusCode::BAD_REQUEST, INVALID_JOB_STATE, message)
}

fn csv_response(body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CSV_CONTENT_TYPE));
    response
}

/// `POST /jobs/ingest`: creates a job in state `Open`.
async fn create(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::BulkCreateJob, |call| {
            let spec = match json_body(&method, &caller.headers, &body)
                .and_then(|body| JobSpec::parse(&body, &state.schema))
            {
                Ok(spec) => spec,
                Err(error) => return error.into_response(),
            };
            let created = now();
            let mut jobs = lock(&state.bulk_jobs);
            let job = BulkJob {
                id: jobs.mint_id(),
                spec,
                api_version: call.version.clone(),
                created_by: call.session.user_id.clone(),
                created_date: created.clone(),
                system_modstamp: created,
                state: JobState::Open,
                upload: None,
                outcomes: Vec::new(),
                error_message: None,
                total_processing_time: Duration::ZERO,
                active_processing_time: Duration::ZERO,
                lock_rows: false,
                allow_duplicate_save: call.write_context().allow_duplicate_save,
            };
            let info = job.info(false);
            jobs.insert(job);
            json_response(StatusCode::OK, &info)
        })
        .await
}

/// Whether the request's content type is `text/csv` (parameters such as `charset` allowed).
fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(CSV_CONTENT_TYPE))
}

/// `PUT /jobs/ingest/{id}/batches`: the job's CSV, once, while it is `Open`.
async fn upload(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
    body: Body,
) -> Response {
    let limit = state.config.bulk_upload_limit;
    let bytes = axum::body::to_bytes(body, limit).await;
    state
        .handle(&caller, &version, CallKind::BulkUpload, |_call| {
            let mut jobs = lock(&state.bulk_jobs);
            let Some(job) = jobs.get_mut(&job_id) else {
                return RecordError::not_found().into_response();
            };
            if !is_csv(&caller.headers) {
                let shown = caller
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                return RecordError::plain(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UNSUPPORTED_MEDIA_TYPE",
                    format!("Content type '{shown}' not supported; upload job data as text/csv"),
                )
                .into_response();
            }
            if let Some(encoding) = caller
                .headers
                .get(header::CONTENT_ENCODING)
                .and_then(|value| value.to_str().ok())
                .filter(|encoding| !encoding.eq_ignore_ascii_case("identity"))
            {
                return RecordError::plain(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UNSUPPORTED_MEDIA_TYPE",
                    format!("Content-Encoding '{encoding}' is not supported by the sandbox"),
                )
                .into_response();
            }
            if job.state != JobState::Open {
                return invalid_job_state(format!(
                    "Job {} is {}: data can be uploaded only while the job is Open",
                    job.id.long(),
                    job.state.name()
                ))
                .into_response();
            }
            if job.upload.is_some() {
                return invalid_job_state(format!(
                    "Job {} already has its data: a job takes one upload",
                    job.id.long()
                ))
                .into_response();
            }
            let Ok(bytes) = bytes else {
                return RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    "CLIENTINPUTERROR",
                    format!("The upload is larger than the limit of {limit} bytes"),
                )
                .into_response();
            };
            let data = csv_input::parse(&bytes, job.spec.column_delimiter.byte(), job.spec.line_ending);
            job.upload = Some(Upload {
                raw: bytes.to_vec(),
                data,
            });
            job.system_modstamp = now();
            StatusCode::CREATED.into_response()
        })
        .await
}

/// `PATCH /jobs/ingest/{id}` with `{"state":"UploadComplete"}` (which starts processing) or
/// `{"state":"Aborted"}`.
async fn set_state(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::BulkSetJobState, |call| {
            let mut jobs = lock(&state.bulk_jobs);
            let Some(job) = jobs.get_mut(&job_id) else {
                return RecordError::not_found().into_response();
            };
            let body = match json_body(&method, &caller.headers, &body) {
                Ok(body) => body,
                Err(error) => return error.into_response(),
            };
            if body.keys().any(|key| key != "state") {
                return RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    INVALID_JOB,
                    "Only the state of a job can be changed: the body may contain only state",
                )
                .into_response();
            }
            let current = job.state;
            match body.get("state").and_then(Value::as_str) {
                Some("UploadComplete") if current == JobState::Open => {
                    job.state = JobState::UploadComplete;
                    job.lock_rows = call.lock_rows;
                    tokio::spawn(processing::run(Arc::clone(&state), job.id.long()));
                }
                Some("Aborted") if !current.is_terminal() => job.state = JobState::Aborted,
                Some(requested @ ("UploadComplete" | "Aborted")) => {
                    return invalid_job_state(format!(
                        "Job {} is {}: it cannot be set to {requested}",
                        job.id.long(),
                        current.name()
                    ))
                    .into_response();
                }
                Some(requested) => {
                    return invalid_job_state(format!(
                        "Invalid state: {requested}. A job can be set to UploadComplete or Aborted"
                    ))
                    .into_response();
                }
                None => return invalid_job_state("The state is required").into_response(),
            }
            job.system_modstamp = now();
            json_response(StatusCode::OK, &job.info(false))
        })
        .await
}

/// `GET /jobs/ingest/{id}`: the job info with counts and times.
async fn info(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::BulkJobInfo, |_call| {
            match lock(&state.bulk_jobs).get(&job_id) {
                Some(job) => json_response(StatusCode::OK, &job.info(true)),
                None => RecordError::not_found().into_response(),
            }
        })
        .await
}

/// `GET /jobs/ingest[?jobType=&concurrencyMode=&isPkChunkingEnabled=]`: every job in one page.
async fn list(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::BulkJobList, |_call| {
            // Every job here is a parallel V2Ingest job without PK chunking.
            let matches = |name: &str, value: &str| parameters.get(name).is_none_or(|given| given == value);
            let any = matches("jobType", "V2Ingest")
                && matches("concurrencyMode", "Parallel")
                && matches("isPkChunkingEnabled", "false");
            let records: Vec<Value> = if any {
                lock(&state.bulk_jobs).all().map(|job| job.info(false)).collect()
            } else {
                Vec::new()
            };
            json_response(
                StatusCode::OK,
                &json!({"done": true, "records": records, "nextRecordsUrl": null}),
            )
        })
        .await
}

/// `DELETE /jobs/ingest/{id}`: only a job that is not Open or InProgress.
async fn delete(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::BulkDeleteJob, |_call| {
            let mut jobs = lock(&state.bulk_jobs);
            let Some(job) = jobs.get(&job_id) else {
                return RecordError::not_found().into_response();
            };
            if matches!(job.state, JobState::Open | JobState::InProgress) {
                return invalid_job_state(format!(
                    "Job {} is {}: only a job that is UploadComplete, JobComplete, Aborted or Failed can be deleted",
                    job.id.long(),
                    job.state.name()
                ))
                .into_response();
            }
            jobs.remove(&job_id);
            StatusCode::NO_CONTENT.into_response()
        })
        .await
}

/// Answers one of a job's result files.
async fn results(
    state: &SandboxState,
    caller: &Caller,
    version: &str,
    job_id: &str,
    file: fn(&BulkJob) -> Vec<u8>,
) -> Response {
    state
        .handle(caller, version, CallKind::BulkResults, |_call| {
            match lock(&state.bulk_jobs).get(job_id) {
                Some(job) => csv_response(file(job)),
                None => RecordError::not_found().into_response(),
            }
        })
        .await
}

/// `GET /jobs/ingest/{id}/successfulResults/`.
async fn successful_results(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
) -> Response {
    results(&state, &caller, &version, &job_id, |job| {
        job.successful_results().into_bytes()
    })
    .await
}

/// `GET /jobs/ingest/{id}/failedResults/`.
async fn failed_results(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
) -> Response {
    results(&state, &caller, &version, &job_id, |job| {
        job.failed_results().into_bytes()
    })
    .await
}

/// `GET /jobs/ingest/{id}/unprocessedrecords/`.
async fn unprocessed_records(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, job_id)): Path<(String, String)>,
) -> Response {
    results(&state, &caller, &version, &job_id, BulkJob::unprocessed_records).await
}
