//! What the sandbox's handlers share, and how every data API request is admitted: version
//! check, session, fault injection, API usage; and finished: the `Sforce-Limit-Info` header and
//! the "committed, then dropped" fault.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api_error::RecordError;
use crate::bulk::BulkJobs;
use crate::config::SandboxConfig;
use crate::faults::{Fault, FaultInjector};
use crate::lead_schema::LeadSchema;
use crate::limits::{ApiUsage, Usage, limit_exceeded};
use crate::listener::ConnectionHandle;
use crate::oauth::{OAuthServer, Session};
use crate::org::{Org, WriteContext};
use crate::rest::query::QueryCursors;
use crate::validation::format_datetime;

/// The kinds of data API calls, as the control API counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    Resources,
    GlobalDescribe,
    ObjectInfo,
    Describe,
    Create,
    Retrieve,
    Update,
    Upsert,
    Delete,
    Query,
    QueryAll,
    QueryMore,
    CollectionsCreate,
    CollectionsUpdate,
    CollectionsUpsert,
    CollectionsDelete,
    CollectionsRetrieve,
    /// `POST /composite`: one call however many subrequests it carries.
    Composite,
    Limits,
    BulkCreateJob,
    BulkUpload,
    BulkSetJobState,
    BulkJobInfo,
    BulkJobList,
    BulkDeleteJob,
    BulkResults,
    Unknown,
}

impl CallKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Resources => "resources",
            Self::GlobalDescribe => "describeGlobal",
            Self::ObjectInfo => "sobjectInfo",
            Self::Describe => "describe",
            Self::Create => "create",
            Self::Retrieve => "retrieve",
            Self::Update => "update",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
            Self::Query => "query",
            Self::QueryAll => "queryAll",
            Self::QueryMore => "queryMore",
            Self::CollectionsCreate => "collectionsCreate",
            Self::CollectionsUpdate => "collectionsUpdate",
            Self::CollectionsUpsert => "collectionsUpsert",
            Self::CollectionsDelete => "collectionsDelete",
            Self::CollectionsRetrieve => "collectionsRetrieve",
            Self::Composite => "composite",
            Self::Limits => "limits",
            Self::BulkCreateJob => "bulkCreateJob",
            Self::BulkUpload => "bulkUpload",
            Self::BulkSetJobState => "bulkSetJobState",
            Self::BulkJobInfo => "bulkJobInfo",
            Self::BulkJobList => "bulkJobList",
            Self::BulkDeleteJob => "bulkDeleteJob",
            Self::BulkResults => "bulkResults",
            Self::Unknown => "other",
        }
    }

    fn is_write(self) -> bool {
        matches!(
            self,
            Self::Create
                | Self::Update
                | Self::Upsert
                | Self::Delete
                | Self::CollectionsCreate
                | Self::CollectionsUpdate
                | Self::CollectionsUpsert
                | Self::CollectionsDelete
                | Self::Composite
                | Self::BulkCreateJob
                | Self::BulkUpload
                | Self::BulkSetJobState
                | Self::BulkDeleteJob
        )
    }

    /// Calls whose records get results of their own, so that `UNABLE_TO_LOCK_ROW` fails the
    /// records rather than the request: collections, and closing a Bulk API job (whose records
    /// then fail in `failedResults`).
    fn is_collection(self) -> bool {
        matches!(
            self,
            Self::CollectionsCreate
                | Self::CollectionsUpdate
                | Self::CollectionsUpsert
                | Self::CollectionsDelete
                | Self::BulkSetJobState
        )
    }
}

/// Everything the handlers share.
pub(crate) struct SandboxState {
    pub(crate) config: SandboxConfig,
    pub(crate) schema: Arc<LeadSchema>,
    pub(crate) org: Mutex<Org>,
    pub(crate) usage: Mutex<ApiUsage>,
    pub(crate) faults: Mutex<FaultInjector>,
    pub(crate) cursors: Mutex<QueryCursors>,
    pub(crate) bulk_jobs: Mutex<BulkJobs>,
    pub(crate) oauth: Arc<OAuthServer>,
    pub(crate) instance_url: String,
}

/// Locks a mutex; a panic elsewhere while it was held leaves plain data that is still usable,
/// so a poisoned lock is taken over rather than failing every later request.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The request's headers and connection, as handlers need them for admission.
pub(crate) struct Caller {
    pub(crate) headers: HeaderMap,
    connection: Option<ConnectionHandle>,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            headers: parts.headers.clone(),
            connection: parts.extensions.get::<ConnectionHandle>().cloned(),
        })
    }
}

/// An admitted data API call.
pub(crate) struct Call {
    pub(crate) session: Session,
    pub(crate) usage: Usage,
    /// The version without its `v`, e.g. `59.0`.
    pub(crate) version: String,
    /// Collections and closed Bulk API jobs: every record fails with `UNABLE_TO_LOCK_ROW`.
    pub(crate) lock_rows: bool,
    commit_then_drop: bool,
    connection: Option<ConnectionHandle>,
    allow_duplicate_save: bool,
    assignment_rule: Option<String>,
}

impl Call {
    /// Who writes and how, for the org.
    pub(crate) fn write_context(&self) -> WriteContext {
        WriteContext {
            user_id: self.session.user_id.clone(),
            allow_duplicate_save: self.allow_duplicate_save,
            now: format_datetime(jiff::Timestamp::now()),
            version: self.version.clone(),
            assignment_rule: self.assignment_rule.clone(),
        }
    }
}

impl SandboxState {
    /// Admits a data API request, runs `work` and finishes the response.
    pub(crate) async fn handle(
        &self,
        caller: &Caller,
        version: &str,
        kind: CallKind,
        work: impl FnOnce(&Call) -> Response,
    ) -> Response {
        let call = match self.admit(caller, version, kind).await {
            Ok(call) => call,
            Err(response) => return response,
        };
        let mut response = work(&call);
        call.usage.stamp(&mut response);
        if call.commit_then_drop {
            drop_connection(call.connection.as_ref()).await;
        }
        response
    }

    /// The version of a `vNN.0` path segment if the sandbox serves it.
    pub(crate) fn version(&self, segment: &str) -> Option<String> {
        let number = segment.strip_prefix('v')?.strip_suffix(".0")?;
        let number: u32 = number.parse().ok()?;
        let (oldest, newest) = self.config.api_versions;
        (oldest..=newest).contains(&number).then(|| format!("{number}.0"))
    }

    async fn admit(&self, caller: &Caller, version: &str, kind: CallKind) -> Result<Call, Response> {
        let Some(version) = self.version(version) else {
            return Err(RecordError::not_found().into_response());
        };
        let session = self.oauth.authenticate(&caller.headers)?;
        let decision = lock(&self.faults).decide(kind.is_write());
        if let Some(delay) = decision.delay {
            tokio::time::sleep(delay).await;
        }
        if decision.fault == Some(Fault::ExpireTokens) {
            self.oauth.expire_access_tokens();
            return Err(self.oauth.authenticate(&caller.headers).err().unwrap_or_else(|| {
                RecordError::plain(
                    StatusCode::UNAUTHORIZED,
                    "INVALID_SESSION_ID",
                    "Session expired or invalid",
                )
                .into_response()
            }));
        }
        if decision.fault == Some(Fault::DropConnection) {
            // Before the usage count: the request never got past the connection, so it used
            // nothing of the allocation, as `FaultSettings::drop_connection_rate` promises.
            drop_connection(caller.connection.as_ref()).await;
            return Err(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
        let usage = lock(&self.usage).admit(kind.name()).map_err(limit_exceeded)?;
        let stamped = |mut response: Response| {
            usage.stamp(&mut response);
            response
        };
        let mut call = Call {
            session,
            usage,
            version,
            lock_rows: false,
            commit_then_drop: false,
            connection: caller.connection.clone(),
            allow_duplicate_save: allows_duplicate_save(&caller.headers),
            assignment_rule: assignment_rule(&caller.headers),
        };
        match decision.fault {
            Some(Fault::ServerUnavailable) => {
                return Err(stamped(
                    RecordError::plain(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "SERVER_UNAVAILABLE",
                        "Server too busy",
                    )
                    .into_response(),
                ));
            }
            Some(Fault::HtmlError) => {
                let mut response = (
                    StatusCode::BAD_GATEWAY,
                    "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                return Err(response);
            }
            Some(Fault::UnableToLockRow) if kind.is_collection() => call.lock_rows = true,
            Some(Fault::UnableToLockRow) => {
                return Err(stamped(
                    RecordError::bad_request(
                        "UNABLE_TO_LOCK_ROW",
                        "unable to obtain exclusive access to this record",
                        Vec::new(),
                    )
                    .into_response(),
                ));
            }
            Some(Fault::CommitThenDrop) => call.commit_then_drop = true,
            Some(Fault::ExpireTokens | Fault::DropConnection) | None => {}
        }
        Ok(call)
    }
}

/// Closes the request's connection without an answer and never returns (the connection task
/// drops this future with the connection). Without a connection handle (a router used outside
/// the sandbox's listener) it returns, and the caller answers instead.
async fn drop_connection(connection: Option<&ConnectionHandle>) {
    if let Some(connection) = connection {
        connection.drop_connection();
        std::future::pending::<()>().await;
    }
}

/// `Sforce-Duplicate-Rule-Header: allowSave=true[; …]`.
/// The assignment rule `Sforce-Auto-Assign` asks for: `default` when the header is absent or
/// `TRUE` (Salesforce runs the active rule unless told not to), `None` for `FALSE`, else the rule
/// id it names.
pub(crate) fn assignment_rule(headers: &HeaderMap) -> Option<String> {
    match headers
        .get("sforce-auto-assign")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
    {
        None => Some("default".to_owned()),
        Some(value) if value.eq_ignore_ascii_case("true") => Some("default".to_owned()),
        Some(value) if value.eq_ignore_ascii_case("false") => None,
        Some(rule) => Some(rule.to_owned()),
    }
}

pub(crate) fn allows_duplicate_save(headers: &HeaderMap) -> bool {
    headers
        .get("sforce-duplicate-rule-header")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').any(|part| {
                part.split_once('=').is_some_and(|(name, flag)| {
                    name.trim().eq_ignore_ascii_case("allowSave") && flag.trim().eq_ignore_ascii_case("true")
                })
            })
        })
}
