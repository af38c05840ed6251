//! [`SalesforceError`]: everything a client call can fail with.
//!
//! No variant holds an access token: requests carry it only in a header, and the session's
//! `Debug` redacts it, so neither `{}` nor `{:?}` of an error can show one.

use std::time::Duration;

use crate::api_error::ApiError;
use crate::error_code::ErrorCode;
use crate::secure_url::InsecureUrl;
use crate::session::AuthError;

/// How a request failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connect or overall timeout elapsed.
    Timeout,
    /// No connection could be made (refused, DNS, TLS handshake).
    Connect,
    /// The connection broke while sending or receiving.
    Interrupted,
    /// Anything else (e.g. a malformed request).
    Other,
}

/// A failed Salesforce call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SalesforceError {
    /// Salesforce answered an error status with a REST error array.
    #[error("{operation}: Salesforce answered {status}: {}", summary(errors))]
    Api {
        /// `METHOD /path` of the request (no query string).
        operation: String,
        /// The HTTP status.
        status: u16,
        /// A request id from the answer's headers, when one was given.
        request_id: Option<String>,
        /// The wait a 429 or 503 answer asked for with `Retry-After`.
        retry_after: Option<Duration>,
        /// The errors, in Salesforce's order (at least one).
        errors: Vec<ApiError>,
    },
    /// Salesforce (or something in front of it) answered an error status without an error
    /// array: an HTML page, an empty body.
    #[error("{operation}: HTTP {status}: {body}")]
    Http {
        /// `METHOD /path` of the request.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// A request id from the answer's headers, when one was given.
        request_id: Option<String>,
        /// The wait a 429 or 503 answer asked for with `Retry-After`.
        retry_after: Option<Duration>,
        /// The start of the body, as text.
        body: String,
    },
    /// An upsert or a retrieve by External ID matched several records (HTTP 300): nothing
    /// was written.
    #[error("{operation}: the External ID matches {} records", matches.len())]
    MultipleMatches {
        /// `METHOD /path` of the request.
        operation: String,
        /// The matching records' URLs.
        matches: Vec<String>,
    },
    /// The request did not get an answer.
    #[error("{operation}: {kind:?} error talking to Salesforce")]
    Transport {
        /// `METHOD /path` of the request.
        operation: String,
        /// What kind of failure.
        kind: TransportKind,
        /// The cause (its URL removed: query strings can hold personal data).
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API documents.
    #[error("{operation}: unexpected answer: {message}")]
    Decode {
        /// `METHOD /path` of the request.
        operation: String,
        /// What did not fit.
        message: String,
    },
    /// No session could be had or renewed.
    #[error("no Salesforce session")]
    Auth(#[source] AuthError),
    /// A URL was refused by the HTTPS rule, or is not a URL on the instance.
    #[error(transparent)]
    InsecureUrl(#[from] InsecureUrl),
    /// The call's arguments cannot make a valid request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be built (e.g. an unreadable root certificate).
    #[error("cannot build the HTTP client: {message}")]
    Build {
        /// What went wrong.
        message: String,
        /// The cause.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A Bulk API 2.0 job ended in `Failed` or `Aborted`.
    #[error("bulk job {job_id} ended in state {state}: {message}")]
    BulkJobFailed {
        /// The job.
        job_id: String,
        /// `Failed` or `Aborted`.
        state: String,
        /// The job's `errorMessage`.
        message: String,
    },
    /// A Bulk API 2.0 job did not finish within the polling timeout.
    #[error("bulk job {job_id} still {state} after {waited:?}")]
    BulkTimeout {
        /// The job.
        job_id: String,
        /// Its last state.
        state: String,
        /// How long the client waited.
        waited: Duration,
    },
}

fn summary(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl SalesforceError {
    /// The HTTP status of an error answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } => Some(*status),
            Self::MultipleMatches { .. } => Some(300),
            _ => None,
        }
    }

    /// The first error code of an error answer.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Api { errors, .. } => errors.first().map(|error| &error.code),
            _ => None,
        }
    }

    /// True when the answer carried `code`.
    pub fn has_code(&self, code: &ErrorCode) -> bool {
        matches!(self, Self::Api { errors, .. } if errors.iter().any(|error| error.code == *code))
    }

    /// The REST errors of an error answer (empty otherwise).
    pub fn api_errors(&self) -> &[ApiError] {
        match self {
            Self::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The request id of an error answer, when Salesforce gave one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. } | Self::Http { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// How long the answer asked the client to wait before trying again (`Retry-After` in
    /// seconds on a 429 or 503), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } | Self::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True when sending the same request again later may succeed (reference §7.4): row locks,
    /// 500 `UNKNOWN_EXCEPTION`, 429 and 502/503/504, timeouts and connection failures. Not
    /// `REQUEST_LIMIT_EXCEEDED` (the daily window does not recover quickly), not client errors,
    /// not authorization failures (the client already refreshed once).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, errors, .. } => {
                if errors
                    .iter()
                    .any(|error| error.code == ErrorCode::RequestLimitExceeded)
                {
                    return false;
                }
                matches!(status, 429 | 502..=504) || errors.iter().any(|error| error.code.is_retryable())
            }
            Self::Http { status, .. } => matches!(status, 429 | 500 | 502..=504),
            Self::Transport { kind, .. } => {
                matches!(
                    kind,
                    TransportKind::Timeout | TransportKind::Connect | TransportKind::Interrupted
                )
            }
            Self::Auth(error) => error.is_retryable(),
            _ => false,
        }
    }

    /// A transport error, classified, without the URL.
    pub(crate) fn transport(operation: &str, source: reqwest::Error) -> Self {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else if source.is_request() || source.is_body() || source.is_decode() {
            TransportKind::Interrupted
        } else {
            TransportKind::Other
        };
        Self::Transport {
            operation: operation.to_owned(),
            kind,
            source: source.without_url(),
        }
    }

    /// An answer whose body is not what was expected.
    pub(crate) fn decode(operation: &str, message: impl std::fmt::Display) -> Self {
        Self::Decode {
            operation: operation.to_owned(),
            message: message.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> SalesforceError {
        SalesforceError::Api {
            operation: "GET /services/data/v62.0/limits".to_owned(),
            status,
            request_id: None,
            retry_after: None,
            errors: vec![ApiError {
                code: ErrorCode::parse(code),
                message: "m".to_owned(),
                fields: Vec::new(),
                duplicate_result: None,
            }],
        }
    }

    #[test]
    fn classifies_retryable_answers() {
        assert!(api(400, "UNABLE_TO_LOCK_ROW").is_retryable());
        assert!(api(503, "SERVER_UNAVAILABLE").is_retryable());
        assert!(api(500, "UNKNOWN_EXCEPTION").is_retryable());
        assert!(!api(403, "REQUEST_LIMIT_EXCEEDED").is_retryable());
        assert!(!api(400, "STRING_TOO_LONG").is_retryable());
        assert!(!api(401, "INVALID_SESSION_ID").is_retryable());
        let html = SalesforceError::Http {
            operation: "GET /".to_owned(),
            status: 502,
            request_id: None,
            retry_after: None,
            body: "<html>".to_owned(),
        };
        assert!(html.is_retryable());
        let throttled = SalesforceError::Http {
            operation: "GET /".to_owned(),
            status: 429,
            request_id: None,
            retry_after: Some(Duration::from_secs(3)),
            body: String::new(),
        };
        assert!(throttled.is_retryable());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            api(403, "REQUEST_LIMIT_EXCEEDED").code(),
            Some(&ErrorCode::RequestLimitExceeded)
        );
    }
}
