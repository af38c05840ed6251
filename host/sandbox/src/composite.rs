//! Composite requests: `POST /services/data/vNN.0/composite` with up to 25 subrequests run in
//! order, later ones referring to earlier results with `@{referenceId.path}` (see
//! [`reference`]). The whole request is one API call.
//!
//! Subrequests reach Lead create, retrieve, update and delete by id, retrieve, upsert and delete
//! by a lookup field, query and queryAll, through the same functions as the standalone handlers
//! and inside one lock of the org, so no other request sees a half-done composite. Any other
//! URL (describe, sObject Collections, other objects …) gets 404 `NOT_FOUND` in its result.
//!
//! A well-formed request answers 200 with `{"compositeResponse":[{"body","httpHeaders",
//! "httpStatusCode","referenceId"}]}` in request order; a 201 carries a `Location` header.
//! - A subrequest referring to one that failed, or to a value its body does not have, fails
//!   with 400 `PROCESSING_HALTED` (before v52.0 a null value fails too).
//! - With `allOrNone: true` the first failure stops the request and rolls every write back; the
//!   failed subrequest keeps its own error and every other one, run or not, answers 400
//!   `PROCESSING_HALTED`.
//!
//! A malformed request fails as a whole with the REST error array: malformed JSON or wrong
//! types (400 `JSON_PARSER_ERROR`), more than 25 subrequests or more than 5 queries (400
//! `LIMIT_EXCEEDED`), and a missing field, a referenceId with other characters than letters,
//! digits and underscores, a duplicate referenceId, a forbidden header, or a reference to
//! anything but an earlier subrequest (400 `INVALID_INPUT`). Salesforce documents that these
//! requests fail but not all of their codes and messages; the ones here are assumptions.

mod reference;
mod subrequest;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api_error::{RecordError, json_response};
use crate::composite::reference::{
    Reference, SyntaxError, fill_json, fill_text, is_valid_reference_id, references_in_json,
    references_in_text,
};
use crate::composite::subrequest::{Done, Prepared, Undo, is_query_or_collection};
use crate::rest::json_value;
use crate::state::{Call, CallKind, Caller, SandboxState, allows_duplicate_save, assignment_rule, lock};

/// Subrequests one composite request may hold.
pub(crate) const MAX_SUBREQUESTS: usize = 25;

/// Query, queryAll and sObject Collections subrequests one composite request may hold.
pub(crate) const MAX_QUERY_SUBREQUESTS: usize = 5;

/// The message of the `PROCESSING_HALTED` that `allOrNone` gives the other subrequests.
pub(crate) const ROLLED_BACK_MESSAGE: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

/// The first version in which a reference to a null value resolves (to null) instead of failing.
const NULL_REFERENCE_VERSION: f64 = 52.0;

/// Headers a subrequest may not set: the composite request's own decide them.
const FORBIDDEN_HEADERS: [&str; 3] = ["accept", "authorization", "content-type"];

/// One subrequest as sent.
#[derive(Debug)]
struct Subrequest {
    method: String,
    url: String,
    reference_id: String,
    body: Option<Value>,
    headers: HeaderMap,
}

/// The request body.
#[derive(Debug)]
struct CompositeBody {
    all_or_none: bool,
    subrequests: Vec<Subrequest>,
}

/// One subrequest's result.
#[derive(Debug)]
struct Outcome {
    reference_id: String,
    status: StatusCode,
    headers: Map<String, Value>,
    body: Value,
}

impl Outcome {
    fn new(reference_id: String, result: Result<Done, RecordError>) -> Self {
        match result {
            Ok(done) => {
                let mut headers = Map::new();
                if let Some(location) = done.location {
                    headers.insert("Location".into(), Value::String(location));
                }
                Self {
                    reference_id,
                    status: done.answer.status,
                    headers,
                    body: done.answer.body.unwrap_or(Value::Null),
                }
            }
            Err(error) => Self {
                reference_id,
                status: error.status,
                headers: Map::new(),
                body: json!([error.rest_json()]),
            },
        }
    }

    /// The result of a subrequest that `allOrNone` rolled back or never ran.
    fn rolled_back(reference_id: String) -> Self {
        Self::new(
            reference_id,
            Err(RecordError::plain(
                StatusCode::BAD_REQUEST,
                "PROCESSING_HALTED",
                ROLLED_BACK_MESSAGE,
            )),
        )
    }

    fn is_success(&self) -> bool {
        self.status.is_success()
    }

    fn json(self) -> Value {
        json!({
            "body": self.body,
            "httpHeaders": self.headers,
            "httpStatusCode": self.status.as_u16(),
            "referenceId": self.reference_id,
        })
    }
}

fn invalid_input(message: impl Into<String>) -> RecordError {
    RecordError::plain(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
}

fn limit_exceeded(message: impl Into<String>) -> RecordError {
    RecordError::plain(StatusCode::BAD_REQUEST, "LIMIT_EXCEEDED", message)
}

fn syntax_error(error: SyntaxError) -> RecordError {
    invalid_input(error.to_string())
}

/// What a subrequest that refers to a missing value gets.
fn no_value(reference: &Reference) -> RecordError {
    let id = &reference.reference_id;
    RecordError::plain(
        StatusCode::BAD_REQUEST,
        "PROCESSING_HALTED",
        format!(
            "Invalid reference specified. No value for {} found in {id}. Provided referenceId \
             ('{id}') failed, or its result has no value at this path.",
            reference.expression
        ),
    )
}

/// A boolean member that may be absent or null.
fn flag(body: &mut Map<String, Value>, name: &str) -> Result<bool, RecordError> {
    match body.remove(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(flag)) => Ok(flag),
        Some(other) => Err(RecordError::json_parser(format!(
            "Cannot deserialize instance of boolean from {other} value for {name}"
        ))),
    }
}

/// A string member a subrequest must have.
fn text(subrequest: &mut Map<String, Value>, name: &str) -> Result<String, RecordError> {
    match subrequest.remove(name) {
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(invalid_input(format!(
            "The {name} field is required in every subrequest"
        ))),
        Some(other) => Err(RecordError::json_parser(format!(
            "Cannot deserialize instance of string from {other} value for {name}"
        ))),
    }
}

/// `httpHeaders`: an object of strings, none of them a header the composite request decides.
fn headers(subrequest: &mut Map<String, Value>) -> Result<HeaderMap, RecordError> {
    let mut headers = HeaderMap::new();
    let object = match subrequest.remove("httpHeaders") {
        None | Some(Value::Null) => return Ok(headers),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(RecordError::json_parser(format!(
                "Cannot deserialize instance of map from {other} value for httpHeaders"
            )));
        }
    };
    for (name, value) in object {
        if FORBIDDEN_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(invalid_input(format!(
                "The {name} header is not allowed in a subrequest's httpHeaders"
            )));
        }
        let Value::String(value) = value else {
            return Err(RecordError::json_parser(format!(
                "Cannot deserialize instance of string from {value} value for header {name}"
            )));
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid_input(format!("`{name}` is not a header name")))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| invalid_input(format!("`{value}` is not a header value")))?;
        headers.insert(name, value);
    }
    Ok(headers)
}

fn subrequest(value: Value) -> Result<Subrequest, RecordError> {
    let Value::Object(mut object) = value else {
        return Err(RecordError::json_parser(
            "Cannot deserialize instance of CompositeSubrequest from non-object value",
        ));
    };
    let method = text(&mut object, "method")?.to_ascii_uppercase();
    let url = text(&mut object, "url")?;
    let reference_id = text(&mut object, "referenceId")?;
    if !is_valid_reference_id(&reference_id) {
        return Err(invalid_input(format!(
            "Provided referenceId ('{reference_id}') must start with a letter or a number, and it \
             can contain only letters, numbers and underscores ('_')."
        )));
    }
    let headers = headers(&mut object)?;
    Ok(Subrequest {
        method,
        url,
        reference_id,
        body: object.remove("body"),
        headers,
    })
}

/// Parses and checks a composite request as a whole, references included, before anything runs.
fn parse(method: &Method, caller: &Caller, body: &[u8]) -> Result<CompositeBody, RecordError> {
    let Value::Object(mut body) = json_value(method, &caller.headers, body)? else {
        return Err(RecordError::json_parser(
            "Cannot deserialize instance of CompositeRequest from non-object value",
        ));
    };
    let all_or_none = flag(&mut body, "allOrNone")?;
    // Accepted and checked, but the sandbox always runs subrequests one after the other.
    flag(&mut body, "collateSubrequests")?;
    let items = match body.remove("compositeRequest") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        None | Some(Value::Null) | Some(Value::Array(_)) => {
            return Err(invalid_input(
                "The compositeRequest field needs at least one subrequest",
            ));
        }
        Some(other) => {
            return Err(RecordError::json_parser(format!(
                "Cannot deserialize instance of list from {other} value for compositeRequest"
            )));
        }
    };
    if items.len() > MAX_SUBREQUESTS {
        return Err(limit_exceeded(format!(
            "A composite request can contain at most {MAX_SUBREQUESTS} subrequests, not {}",
            items.len()
        )));
    }
    let subrequests = items.into_iter().map(subrequest).collect::<Result<Vec<_>, _>>()?;
    let queries = subrequests
        .iter()
        .filter(|subrequest| is_query_or_collection(&subrequest.url))
        .count();
    if queries > MAX_QUERY_SUBREQUESTS {
        return Err(limit_exceeded(format!(
            "A composite request can contain at most {MAX_QUERY_SUBREQUESTS} query and sObject \
             Collections subrequests, not {queries}"
        )));
    }
    let mut earlier = HashSet::new();
    for subrequest in &subrequests {
        let mut references = references_in_text(&subrequest.url).map_err(syntax_error)?;
        if let Some(body) = &subrequest.body {
            references.extend(references_in_json(body).map_err(syntax_error)?);
        }
        if let Some(unknown) = references
            .iter()
            .find(|reference| !earlier.contains(reference.reference_id.as_str()))
        {
            return Err(invalid_input(format!(
                "Invalid reference specified: @{{{}}} in subrequest '{}' refers to no earlier \
                 subrequest",
                unknown.expression, subrequest.reference_id
            )));
        }
        if !earlier.insert(subrequest.reference_id.as_str()) {
            return Err(invalid_input(format!(
                "Duplicate ReferenceId provided in the request: {}",
                subrequest.reference_id
            )));
        }
    }
    Ok(CompositeBody {
        all_or_none,
        subrequests,
    })
}

/// Fills a subrequest's references in from the bodies of the earlier ones (`None`: it failed).
fn prepare(
    subrequest: Subrequest,
    bodies: &HashMap<String, Option<Value>>,
    version: &str,
) -> Result<Prepared, RecordError> {
    let nulls_resolve = version.parse::<f64>().unwrap_or(NULL_REFERENCE_VERSION) >= NULL_REFERENCE_VERSION;
    let mut resolve = |reference: &Reference| -> Result<Value, RecordError> {
        let body = bodies
            .get(&reference.reference_id)
            .and_then(Option::as_ref)
            .ok_or_else(|| no_value(reference))?;
        match reference.lookup(body) {
            Some(Value::Null) if !nulls_resolve => Err(no_value(reference)),
            Some(value) => Ok(value.clone()),
            None => Err(no_value(reference)),
        }
    };
    let url = fill_text(&subrequest.url, &mut resolve, syntax_error)?;
    let body = subrequest
        .body
        .map(|body| fill_json(body, &mut resolve, &syntax_error))
        .transpose()?;
    Ok(Prepared {
        method: subrequest.method,
        url,
        headers: subrequest.headers,
        body,
    })
}

/// Runs the subrequests in order over the locked org and answers `compositeResponse`.
fn execute(state: &SandboxState, call: &Call, request: CompositeBody) -> Response {
    let reference_ids: Vec<String> = request
        .subrequests
        .iter()
        .map(|subrequest| subrequest.reference_id.clone())
        .collect();
    let base_context = call.write_context();
    let mut org = lock(&state.org);
    let mut undo = Undo::new();
    let mut bodies: HashMap<String, Option<Value>> = HashMap::new();
    let mut outcomes = Vec::with_capacity(reference_ids.len());
    let mut failure = None;
    for subrequest in request.subrequests {
        let reference_id = subrequest.reference_id.clone();
        let result = prepare(subrequest, &bodies, &call.version).and_then(|prepared| {
            let mut context = base_context.clone();
            context.allow_duplicate_save |= allows_duplicate_save(&prepared.headers);
            if prepared.headers.contains_key("sforce-auto-assign") {
                context.assignment_rule = assignment_rule(&prepared.headers);
            }
            subrequest::run(state, &mut org, &context, prepared, &mut undo)
        });
        let outcome = Outcome::new(reference_id.clone(), result);
        if !outcome.is_success() && request.all_or_none {
            failure = Some(outcome);
            break;
        }
        bodies.insert(reference_id, outcome.is_success().then(|| outcome.body.clone()));
        outcomes.push(outcome);
    }
    if let Some(failure) = failure {
        for (id, previous) in undo.into_iter().rev() {
            org.restore(&id, previous);
        }
        // The failed subrequest is the one after the last that ran to completion.
        let failed_at = outcomes.len();
        outcomes = reference_ids.into_iter().map(Outcome::rolled_back).collect();
        if let Some(slot) = outcomes.get_mut(failed_at) {
            *slot = failure;
        }
    }
    drop(org);
    let results: Vec<Value> = outcomes.into_iter().map(Outcome::json).collect();
    json_response(StatusCode::OK, &json!({ "compositeResponse": results }))
}

/// `POST /composite`.
pub(crate) async fn composite(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Composite, |call| {
            match parse(&method, &caller, &body) {
                Ok(request) => execute(&state, call, request),
                Err(error) => error.into_response(),
            }
        })
        .await
}
