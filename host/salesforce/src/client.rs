//! [`Client`]: the connection pool, the session (with its single-flight refresh), usage
//! tracking, and the one place requests are sent from.

use std::sync::{Arc, Mutex};

use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::api_error::ApiError;
use crate::api_usage::{ApiUsage, CallCounts, LIMIT_INFO_HEADER, UsageTracker};
use crate::client_builder::ClientBuilder;
use crate::describe::DescribeCache;
use crate::error::SalesforceError;
use crate::error_code::ErrorCode;
use crate::lock::lock;
use crate::request::{ApiRequest, ApiResponse, Body, Target};
use crate::retry::{self, RetryPolicy};
use crate::secure_url;
use crate::session::{AuthError, Session, SessionProvider};

/// Headers that may carry an id for the request, to quote to Salesforce support.
const REQUEST_ID_HEADERS: &[&str] = &["sforce-request-id", "x-request-id", "x-sfdc-request-id"];

/// How much of a non-JSON error body an error keeps.
const ERROR_BODY_LIMIT: usize = 500;

/// A Salesforce REST client. Cheap to clone: clones share the connection pool, the session,
/// the describe cache and the usage counters.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// `Sforce-Auto-Assign` on every write, when set (see [`Client::with_auto_assign`]).
    auto_assign: Option<Arc<str>>,
}

struct Inner {
    http: reqwest::Client,
    api_version: String,
    provider: Arc<dyn SessionProvider>,
    session: Mutex<SessionState>,
    /// Held while a session is fetched or refreshed, so that concurrent requests that saw the
    /// same stale token cause one refresh between them.
    refresh_gate: tokio::sync::Mutex<()>,
    usage: UsageTracker,
    describe: DescribeCache,
    retry: RetryPolicy,
}

#[derive(Default)]
struct SessionState {
    current: Option<Session>,
    /// The last refresh that failed for good, and for which stale token: requests that waited
    /// for it get its outcome instead of asking the provider again.
    failed_refresh: Option<(SecretString, String)>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Client")
            .field("api_version", &self.inner.api_version)
            .field("api_usage", &self.inner.usage.latest())
            .finish_non_exhaustive()
    }
}

fn same_token(left: &SecretString, right: &SecretString) -> bool {
    bool::from(
        left.expose_secret()
            .as_bytes()
            .ct_eq(right.expose_secret().as_bytes()),
    )
}

impl Client {
    /// A client with the default settings (see [`ClientBuilder::new`]).
    pub fn new(provider: impl SessionProvider) -> Result<Self, SalesforceError> {
        ClientBuilder::new().build(provider)
    }

    /// A builder for other settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub(crate) fn from_parts(
        http: reqwest::Client,
        api_version: String,
        provider: Arc<dyn SessionProvider>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                api_version,
                provider,
                session: Mutex::new(SessionState::default()),
                refresh_gate: tokio::sync::Mutex::new(()),
                usage: UsageTracker::default(),
                describe: DescribeCache::default(),
                retry,
            }),
            auto_assign: None,
        }
    }

    /// This client (sharing its connections, session, caches and counters) with
    /// `Sforce-Auto-Assign: value` on every write: `TRUE` runs the org's active Lead assignment
    /// rule (what Salesforce does when the header is absent), `FALSE` runs none, an
    /// AssignmentRule id (`01Q…`) runs that rule.
    pub fn with_auto_assign(&self, value: &str) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            auto_assign: Some(Arc::from(value)),
        }
    }

    /// The REST API version, e.g. `62.0`.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The org's API usage as the latest answer's `Sforce-Limit-Info` reported it; `None`
    /// before the first answer that carried one.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.inner.usage.latest()
    }

    /// The requests this client (and its clones) sent, by kind.
    pub fn call_counts(&self) -> CallCounts {
        self.inner.usage.counts()
    }

    /// `/services/data/vNN.0/{path}`: the form composite subrequests address resources with.
    pub fn data_path(&self, path: &str) -> String {
        format!(
            "/services/data/v{}/{}",
            self.inner.api_version,
            path.trim_start_matches('/')
        )
    }

    /// The instance URL of the current session (fetching one when there is none yet).
    pub async fn instance_url(&self) -> Result<String, SalesforceError> {
        Ok(self.current_session().await?.instance_url)
    }

    pub(crate) fn describe_cache(&self) -> &DescribeCache {
        &self.inner.describe
    }

    fn cached_session(&self) -> Option<Session> {
        lock(&self.inner.session).current.clone()
    }

    fn store_session(&self, session: &Session) {
        let mut state = lock(&self.inner.session);
        state.current = Some(session.clone());
        state.failed_refresh = None;
    }

    /// The cached session, or the provider's.
    async fn current_session(&self) -> Result<Session, SalesforceError> {
        if let Some(session) = self.cached_session() {
            return Ok(session);
        }
        let _gate = self.inner.refresh_gate.lock().await;
        if let Some(session) = self.cached_session() {
            return Ok(session);
        }
        let session = self
            .inner
            .provider
            .session()
            .await
            .map_err(SalesforceError::Auth)?;
        secure_url::check(&session.instance_url)?;
        self.store_session(&session);
        Ok(session)
    }

    /// A session to replace `stale`, which Salesforce refused: the one another request already
    /// got, or a new one from the provider (one refresh however many requests ask).
    async fn refreshed_session(&self, stale: &Session) -> Result<Session, SalesforceError> {
        let _gate = self.inner.refresh_gate.lock().await;
        {
            let state = lock(&self.inner.session);
            if let Some(current) = &state.current
                && !same_token(&current.access_token, &stale.access_token)
            {
                return Ok(current.clone());
            }
            if let Some((token, reason)) = &state.failed_refresh
                && same_token(token, &stale.access_token)
            {
                return Err(SalesforceError::Auth(AuthError::ReauthorizationNeeded {
                    reason: reason.clone(),
                }));
            }
        }
        tracing::debug!("the Salesforce session expired; refreshing it");
        match self.inner.provider.refresh(stale).await {
            Ok(session) => {
                secure_url::check(&session.instance_url)?;
                self.store_session(&session);
                Ok(session)
            }
            Err(error) => {
                if !error.is_retryable() {
                    let reason = match &error {
                        AuthError::ReauthorizationNeeded { reason } => reason.clone(),
                        other => other.to_string(),
                    };
                    lock(&self.inner.session).failed_refresh = Some((stale.access_token.clone(), reason));
                }
                Err(SalesforceError::Auth(error))
            }
        }
    }

    /// Sends a request: with the session, refreshing it once on 401 `INVALID_SESSION_ID`, and
    /// retrying idempotent requests after retryable failures. Answers with a 2xx status come
    /// back; every other answer becomes an error (300 with a list of URLs:
    /// [`SalesforceError::MultipleMatches`]).
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<ApiResponse, SalesforceError> {
        let operation = request.operation(&self.inner.api_version);
        let mut session = self.current_session().await?;
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let error = match self.send_once(request, &session, &operation).await {
                Ok(response)
                    if response.status == 401 && !refreshed && is_invalid_session(&response.body) =>
                {
                    // The request was refused before Salesforce looked at it, so even a create
                    // can be sent again.
                    refreshed = true;
                    session = self.refreshed_session(&session).await?;
                    continue;
                }
                Ok(response) if (200..300).contains(&response.status) => {
                    return Ok(response);
                }
                Ok(response) => error_of(response),
                Err(error) => error,
            };
            if request.idempotent && retries < self.inner.retry.max_retries && error.is_retryable() {
                // The server's own estimate beats ours, within the policy's longest wait.
                let delay = self.inner.retry.delay_after(retries, error.retry_after());
                retries += 1;
                tracing::debug!(%operation, retries, ?delay, %error, "retrying a Salesforce request");
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(error);
        }
    }

    async fn send_once(
        &self,
        request: &ApiRequest,
        session: &Session,
        operation: &str,
    ) -> Result<ApiResponse, SalesforceError> {
        let url = self.url_for(session, request)?;
        self.inner.usage.count(request.kind);
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .bearer_auth(session.access_token.expose_secret())
            .header(
                reqwest::header::ACCEPT,
                if request.accept_csv {
                    "text/csv"
                } else {
                    "application/json"
                },
            );
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(value) = &self.auto_assign
            && matches!(request.method, Method::POST | Method::PATCH | Method::PUT)
        {
            builder = builder.header("Sforce-Auto-Assign", value.as_ref());
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Csv(text) => builder
                .header(reqwest::header::CONTENT_TYPE, "text/csv")
                .body(text.clone()),
        };
        let response = builder
            .send()
            .await
            .map_err(|error| SalesforceError::transport(operation, error))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        self.inner.usage.record(
            headers
                .get(LIMIT_INFO_HEADER)
                .and_then(|value| value.to_str().ok()),
        );
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| {
            headers
                .get(*name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        });
        let retry_after = if matches!(status, 429 | 503) {
            headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(retry::parse_retry_after)
        } else {
            None
        };
        let body = response
            .bytes()
            .await
            .map_err(|error| SalesforceError::transport(operation, error))?;
        tracing::trace!(%operation, status, "Salesforce answered");
        Ok(ApiResponse {
            status,
            body: body.to_vec(),
            operation: operation.to_owned(),
            request_id,
            retry_after,
        })
    }

    fn url_for(&self, session: &Session, request: &ApiRequest) -> Result<Url, SalesforceError> {
        let instance = secure_url::check(&session.instance_url)?;
        let mut url = match &request.target {
            Target::Data(segments) => {
                if segments.iter().any(|segment| segment == "." || segment == "..") {
                    return Err(SalesforceError::InvalidRequest(
                        "a path segment cannot be `.` or `..`".to_owned(),
                    ));
                }
                let mut url = instance;
                let version = format!("v{}", self.inner.api_version);
                url.path_segments_mut()
                    .map_err(|()| {
                        SalesforceError::InvalidRequest("the instance URL cannot have paths".to_owned())
                    })?
                    .pop_if_empty()
                    .extend(["services", "data", version.as_str()])
                    .extend(segments);
                url
            }
            Target::Instance(path) => {
                // Paths from Salesforce's answers (nextRecordsUrl, contentUrl) are followed only
                // on the same instance: an absolute or protocol-relative URL is refused.
                if !path.starts_with("/services/") || path.contains("/../") {
                    return Err(SalesforceError::InvalidRequest(format!(
                        "`{path}` is not a path on the instance"
                    )));
                }
                let url = instance
                    .join(path)
                    .map_err(|_| SalesforceError::InvalidRequest(format!("`{path}` is not a valid path")))?;
                if url.origin() != instance.origin() {
                    return Err(SalesforceError::InvalidRequest(format!(
                        "`{path}` leaves the instance"
                    )));
                }
                url
            }
        };
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }
}

/// True for the body of a 401 that a refresh can cure (not `INVALID_AUTH_HEADER`).
fn is_invalid_session(body: &[u8]) -> bool {
    ApiError::parse_body(body).is_some_and(|errors| {
        errors
            .iter()
            .any(|error| error.code == ErrorCode::InvalidSessionId)
    })
}

/// The error for an answer with an unexpected status.
fn error_of(response: ApiResponse) -> SalesforceError {
    if response.status == 300
        && let Ok(matches) = serde_json::from_slice::<Vec<String>>(&response.body)
    {
        return SalesforceError::MultipleMatches {
            operation: response.operation,
            matches,
        };
    }
    match ApiError::parse_body(&response.body) {
        Some(errors) if !errors.is_empty() => SalesforceError::Api {
            operation: response.operation,
            status: response.status,
            request_id: response.request_id,
            retry_after: response.retry_after,
            errors,
        },
        _ => {
            let text = String::from_utf8_lossy(&response.body);
            let body: String = text.chars().take(ERROR_BODY_LIMIT).collect();
            SalesforceError::Http {
                operation: response.operation,
                status: response.status,
                request_id: response.request_id,
                retry_after: response.retry_after,
                body,
            }
        }
    }
}
