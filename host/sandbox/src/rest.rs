//! The REST data API under `/services/data`: versions, resources, describe, sObject rows and
//! upserts, query and queryAll, `/limits`, (in [`crate::collections`]) sObject
//! Collections and (in [`crate::composite`]) composite requests. Every route but the
//! versions list goes through [`SandboxState::handle`].

mod describe;
mod org_limits;
pub(crate) mod query;
pub(crate) mod sobject;
mod versions;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, patch, post};
use serde_json::{Map, Value, json};

use crate::api_error::{RecordError, json_response};
use crate::state::SandboxState;
use crate::{collections, composite};

/// The data API's routes.
pub(crate) fn router(state: Arc<SandboxState>) -> Router {
    let data = "/services/data/{version}";
    Router::new()
        .route("/services/data", only("GET", get(versions::versions)))
        .route("/services/data/", only("GET", get(versions::versions)))
        .route(data, only("GET", get(versions::resources)))
        .route(&format!("{data}/"), only("GET", get(versions::resources)))
        .route(&format!("{data}/sobjects"), only("GET", get(describe::global)))
        .route(&format!("{data}/sobjects/"), only("GET", get(describe::global)))
        .route(
            &format!("{data}/sobjects/{{object}}"),
            only("GET, POST", get(describe::object_info).post(sobject::create)),
        )
        .route(
            &format!("{data}/sobjects/{{object}}/"),
            only("GET, POST", get(describe::object_info).post(sobject::create)),
        )
        .route(
            &format!("{data}/sobjects/{{object}}/describe"),
            only("GET", get(describe::describe)),
        )
        .route(
            &format!("{data}/sobjects/{{object}}/describe/"),
            only("GET", get(describe::describe)),
        )
        .route(
            &format!("{data}/sobjects/{{object}}/{{id}}"),
            only(
                "GET, PATCH, DELETE",
                get(sobject::retrieve)
                    .patch(sobject::update)
                    .delete(sobject::delete)
                    .post(sobject::post_override),
            ),
        )
        .route(
            &format!("{data}/sobjects/{{object}}/{{field}}/{{value}}"),
            only(
                "GET, PATCH, DELETE",
                get(sobject::retrieve_by_key)
                    .patch(sobject::upsert)
                    .delete(sobject::delete_by_key),
            ),
        )
        .route(&format!("{data}/query"), only("GET", get(query::query)))
        .route(&format!("{data}/query/"), only("GET", get(query::query)))
        .route(
            &format!("{data}/query/{{locator}}"),
            only("GET", get(query::more)),
        )
        .route(&format!("{data}/queryAll"), only("GET", get(query::query_all)))
        .route(&format!("{data}/queryAll/"), only("GET", get(query::query_all)))
        .route(
            &format!("{data}/queryAll/{{locator}}"),
            only("GET", get(query::more)),
        )
        .route(
            &format!("{data}/composite"),
            only("POST", post(composite::composite)),
        )
        .route(
            &format!("{data}/composite/"),
            only("POST", post(composite::composite)),
        )
        .route(
            &format!("{data}/composite/sobjects"),
            only(
                "POST, PATCH, DELETE",
                post(collections::create)
                    .patch(collections::update)
                    .delete(collections::delete),
            ),
        )
        .route(
            &format!("{data}/composite/sobjects/{{object}}"),
            only(
                "GET, POST",
                get(collections::retrieve).post(collections::retrieve_by_body),
            ),
        )
        .route(
            &format!("{data}/composite/sobjects/{{object}}/{{field}}"),
            only("PATCH", patch(collections::upsert)),
        )
        .route(&format!("{data}/limits"), only("GET", get(org_limits::limits)))
        .route(&format!("{data}/limits/"), only("GET", get(org_limits::limits)))
        .with_state(state)
}

/// A route whose other methods get Salesforce's 405.
pub(crate) fn only(
    allowed: &'static str,
    route: MethodRouter<Arc<SandboxState>>,
) -> MethodRouter<Arc<SandboxState>> {
    route.fallback(move |method: Method| async move { method_not_allowed(&method, allowed) })
}

/// 405 `METHOD_NOT_ALLOWED` with an `Allow` header.
fn method_not_allowed(method: &Method, allowed: &str) -> Response {
    let mut response = RecordError::plain(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!(
            "HTTP Method '{method}' not allowed. Allowed are {}",
            allowed.replace(' ', "")
        ),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(allowed) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// Any other path: under a served version, authenticated and counted like a real call, then
/// 404 `NOT_FOUND`; elsewhere a plain 404 of the same shape.
pub(crate) async fn unknown_resource(
    axum::extract::State(state): axum::extract::State<Arc<SandboxState>>,
    caller: crate::state::Caller,
    uri: axum::http::Uri,
) -> Response {
    let version = uri
        .path()
        .strip_prefix("/services/data/")
        .and_then(|rest| rest.split('/').next());
    match version {
        Some(version) if state.version(version).is_some() => {
            state
                .handle(&caller, version, crate::state::CallKind::Unknown, |_| {
                    RecordError::not_found().into_response()
                })
                .await
        }
        _ => RecordError::not_found().into_response(),
    }
}

/// The only sObject the sandbox has.
pub(crate) fn is_lead(object: &str) -> bool {
    object.eq_ignore_ascii_case("Lead")
}

/// A JSON object from a request body, with Salesforce's errors for a missing content type
/// (415 on POST, 400 `INVALID_CONTENT_TYPE` otherwise), malformed JSON and non-objects.
pub(crate) fn json_body(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, RecordError> {
    match json_value(method, headers, body)? {
        Value::Object(object) => Ok(object),
        other => Err(RecordError::json_parser(format!(
            "Cannot deserialize instance of Lead from {} value",
            if other.is_array() {
                "START_ARRAY"
            } else {
                "VALUE_STRING"
            }
        ))),
    }
}

/// Any JSON value from a request body (see [`json_body`]).
pub(crate) fn json_value(method: &Method, headers: &HeaderMap, body: &[u8]) -> Result<Value, RecordError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let is_json = content_type.is_some_and(|value| {
        let essence = value.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        let shown = content_type.unwrap_or_default();
        return Err(if *method == Method::POST {
            RecordError::plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                format!("Content type '{shown}' not supported"),
            )
        } else {
            RecordError::plain(
                StatusCode::BAD_REQUEST,
                "INVALID_CONTENT_TYPE",
                "Content-Type header specified in HTTP request is not supported: ".to_owned() + shown,
            )
        });
    }
    serde_json::from_slice(body).map_err(|error| {
        RecordError::json_parser(format!(
            "{} at [line:{}, column:{}]",
            error.to_string().split(" at line ").next().unwrap_or_default(),
            error.line(),
            error.column()
        ))
    })
}

/// `{"id":…,"success":true,"errors":[]}`, with `created` for upserts.
pub(crate) fn save_result(id: &str, created: Option<bool>) -> Value {
    let mut result = json!({"id": id, "success": true, "errors": []});
    if let (Some(created), Some(object)) = (created, result.as_object_mut()) {
        object.insert("created".into(), Value::Bool(created));
    }
    result
}

/// A successful answer before it becomes an HTTP response: the sObject and query handlers
/// produce it so that a composite subrequest can embed the same status and body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    /// `None` for 204 No Content.
    pub(crate) body: Option<Value>,
}

impl Answer {
    /// A JSON answer.
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
        }
    }

    /// 204 No Content.
    pub(crate) fn no_content() -> Self {
        Self {
            status: StatusCode::NO_CONTENT,
            body: None,
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self.body {
            Some(body) => json_response(self.status, &body),
            None => self.status.into_response(),
        }
    }
}
