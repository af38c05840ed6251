//! One API request as the client's sender sees it: where it goes, what it carries, how it is
//! counted, and whether it may be repeated.

use reqwest::Method;

use crate::api_usage::CallKind;

/// Where a request goes on the instance.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Under `/services/data/vNN.0/`: these path segments (each percent-encoded).
    Data(Vec<String>),
    /// A path on the instance given by Salesforce (`nextRecordsUrl`, a job's `contentUrl`) or
    /// fixed (`/services/data/`); it must start with `/services/`.
    Instance(String),
}

/// A request.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) target: Target,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) kind: CallKind,
    /// Sending it twice has the same effect as once, so a retryable failure may be retried.
    pub(crate) idempotent: bool,
    /// The answer is not JSON (Bulk API result CSVs).
    pub(crate) accept_csv: bool,
}

impl ApiRequest {
    /// A request with no body, no query, not idempotent.
    pub(crate) fn new(method: Method, target: Target, kind: CallKind) -> Self {
        let idempotent = matches!(method, Method::GET | Method::DELETE);
        Self {
            method,
            target,
            query: Vec::new(),
            body: Body::Empty,
            headers: Vec::new(),
            kind,
            idempotent,
            accept_csv: false,
        }
    }

    /// A request under `/services/data/vNN.0/`.
    pub(crate) fn data<S: Into<String>>(
        method: Method,
        segments: impl IntoIterator<Item = S>,
        kind: CallKind,
    ) -> Self {
        Self::new(
            method,
            Target::Data(segments.into_iter().map(Into::into).collect()),
            kind,
        )
    }

    /// With a JSON body.
    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, serde_json::Error> {
        self.body = Body::Json(serde_json::to_vec(body)?);
        Ok(self)
    }

    /// With a CSV body.
    pub(crate) fn csv(mut self, body: String) -> Self {
        self.body = Body::Csv(body);
        self
    }

    /// With a query parameter.
    pub(crate) fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// With a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Marks it as safe (or not) to send twice.
    pub(crate) fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Expects CSV rather than JSON.
    pub(crate) fn expecting_csv(mut self) -> Self {
        self.accept_csv = true;
        self
    }

    /// `METHOD /path` for error messages: never the query string (SOQL can hold personal data)
    /// and never a header (the token).
    pub(crate) fn operation(&self, api_version: &str) -> String {
        let path = match &self.target {
            Target::Data(segments) => format!("/services/data/v{api_version}/{}", segments.join("/")),
            Target::Instance(path) => path.split('?').next().unwrap_or_default().to_owned(),
        };
        format!("{} {path}", self.method)
    }
}

/// An answer: status, the whole body, and what identifies the request.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    pub(crate) operation: String,
    pub(crate) request_id: Option<String>,
    /// `Retry-After` of a 429 or 503 answer.
    pub(crate) retry_after: Option<std::time::Duration>,
}

impl ApiResponse {
    /// The body as JSON of type `T`.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::SalesforceError> {
        serde_json::from_slice(&self.body)
            .map_err(|error| crate::SalesforceError::decode(&self.operation, error))
    }

    /// The body as UTF-8 text.
    pub(crate) fn text(&self) -> Result<String, crate::SalesforceError> {
        String::from_utf8(self.body.clone())
            .map_err(|error| crate::SalesforceError::decode(&self.operation, error))
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// None.
    Empty,
    /// JSON bytes.
    Json(Vec<u8>),
    /// CSV text.
    Csv(String),
}
