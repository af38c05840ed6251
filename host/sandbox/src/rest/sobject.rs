//! sObject rows: create (`POST /sobjects/Lead`), retrieve, update and delete by id, and
//! retrieve, upsert and delete by an External ID or other lookup field.
//!
//! Each operation is a function over the org that answers an [`Answer`] or a [`RecordError`];
//! the HTTP handlers admit the call and lock the org around it, and composite subrequests
//! (`crate::composite`) call the same functions inside one lock.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::api_error::RecordError;
use crate::org::{Org, UpsertError, WriteContext};
use crate::record_id::{LEAD_PREFIX, RecordId};
use crate::rest::{Answer, is_lead, json_body, save_result};
use crate::state::{CallKind, Caller, SandboxState, lock};

/// The first API version whose upsert answers an update with 200 and a body (204 before).
const UPSERT_BODY_VERSION: f64 = 46.0;

/// The id in a record URL: longer than 18 characters is `MALFORMED_ID`; anything else that is
/// not a Lead id is simply not found (as Salesforce answers a 17-character id).
pub(crate) fn path_id(text: &str) -> Result<RecordId, RecordError> {
    if text.chars().count() > 18 {
        return Err(RecordError::malformed_id(text));
    }
    RecordId::parse(text)
        .ok()
        .filter(|id| id.prefix() == LEAD_PREFIX)
        .ok_or_else(RecordError::not_found)
}

/// The `fields` parameter checked against the schema.
fn selected_fields(
    org: &Org,
    parameters: &HashMap<String, String>,
) -> Result<Option<Vec<String>>, RecordError> {
    let Some(list) = parameters.get("fields") else {
        return Ok(None);
    };
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            org.schema()
                .field(name)
                .map(|field| field.name.clone())
                .ok_or_else(|| {
                    RecordError::bad_request(
                        "INVALID_FIELD",
                        format!("No such column '{name}' on sobject of type Lead"),
                        Vec::new(),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn outcome(result: Result<Answer, RecordError>) -> Response {
    result.map_or_else(IntoResponse::into_response, IntoResponse::into_response)
}

/// The parsed request body reaches the operations as a `Result` because a malformed body is
/// reported only after the path has been checked, in the order Salesforce reports them.
pub(crate) type Input = Result<Map<String, Value>, RecordError>;

/// `POST /sobjects/{object}`: 201 with a save result.
pub(crate) fn create_row(
    org: &mut Org,
    context: &WriteContext,
    object: &str,
    input: Input,
) -> Result<Answer, RecordError> {
    if !is_lead(object) {
        return Err(RecordError::not_found());
    }
    let id = org.create(&input?, context)?;
    Ok(Answer::json(StatusCode::CREATED, save_result(&id.long(), None)))
}

/// `GET /sobjects/{object}/{id}[?fields=…]`: the live record.
pub(crate) fn retrieve_row(
    org: &Org,
    version: &str,
    object: &str,
    id: &str,
    parameters: &HashMap<String, String>,
) -> Result<Answer, RecordError> {
    if !is_lead(object) {
        return Err(RecordError::not_found());
    }
    let id = path_id(id)?;
    let fields = selected_fields(org, parameters)?;
    let lead = org
        .lead(&id)
        .filter(|lead| !lead.is_deleted())
        .ok_or_else(RecordError::not_found)?;
    Ok(Answer::json(
        StatusCode::OK,
        lead.to_json(version, fields.as_deref()),
    ))
}

/// `PATCH /sobjects/{object}/{id}`: 204.
pub(crate) fn update_row(
    org: &mut Org,
    context: &WriteContext,
    object: &str,
    id: &str,
    input: Input,
) -> Result<Answer, RecordError> {
    if !is_lead(object) {
        return Err(RecordError::not_found());
    }
    let id = path_id(id)?;
    org.update(&id, &input?, context)?;
    Ok(Answer::no_content())
}

/// `DELETE /sobjects/{object}/{id}`: 204.
pub(crate) fn delete_row(
    org: &mut Org,
    context: &WriteContext,
    object: &str,
    id: &str,
) -> Result<Answer, RecordError> {
    if !is_lead(object) {
        return Err(RecordError::not_found());
    }
    let id = path_id(id)?;
    org.delete(&id, context)?;
    Ok(Answer::no_content())
}

/// `GET /sobjects/{object}/{field}/{key}`: the one match, or 300 with the matches' URLs.
pub(crate) fn retrieve_row_by_key(
    org: &Org,
    version: &str,
    object: &str,
    field: &str,
    key: &str,
    parameters: &HashMap<String, String>,
) -> Result<Answer, RecordError> {
    let field = lookup_field(org, object, field)?;
    let fields = selected_fields(org, parameters)?;
    match matching(org, &field, key).as_slice() {
        [] => Err(RecordError::not_found()),
        [id] => {
            let lead = org.lead(id).ok_or_else(RecordError::not_found)?;
            Ok(Answer::json(
                StatusCode::OK,
                lead.to_json(version, fields.as_deref()),
            ))
        }
        ids => Ok(multiple_choices(version, ids)),
    }
}

/// `PATCH /sobjects/{object}/{field}/{key}`: 201 when created; 200 with a body (or 204 before
/// v46.0) when updated; 300 when several records match.
pub(crate) fn upsert_row(
    org: &mut Org,
    context: &WriteContext,
    object: &str,
    field: &str,
    key: &str,
    input: Input,
) -> Result<Answer, RecordError> {
    let field = lookup_field(org, object, field)?;
    match org.upsert(&field, key, &input?, context) {
        Ok(done) if done.created => Ok(Answer::json(
            StatusCode::CREATED,
            save_result(&done.id.long(), Some(true)),
        )),
        Ok(done) => {
            let version: f64 = context.version.parse().unwrap_or(UPSERT_BODY_VERSION);
            if version >= UPSERT_BODY_VERSION {
                Ok(Answer::json(
                    StatusCode::OK,
                    save_result(&done.id.long(), Some(false)),
                ))
            } else {
                Ok(Answer::no_content())
            }
        }
        Err(UpsertError::MultipleMatches(ids)) => Ok(multiple_choices(&context.version, &ids)),
        Err(UpsertError::Record(error)) => Err(error),
    }
}

/// `DELETE /sobjects/{object}/{field}/{key}`: 204, or 300 when several records match.
pub(crate) fn delete_row_by_key(
    org: &mut Org,
    context: &WriteContext,
    object: &str,
    field: &str,
    key: &str,
) -> Result<Answer, RecordError> {
    let field = lookup_field(org, object, field)?;
    match matching(org, &field, key).as_slice() {
        [] => Err(RecordError::not_found()),
        [id] => {
            let id = id.clone();
            org.delete(&id, context)?;
            Ok(Answer::no_content())
        }
        ids => Ok(multiple_choices(&context.version, ids)),
    }
}

pub(super) async fn create(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object)): Path<(String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Create, |call| {
            let input = json_body(&method, &caller.headers, &body);
            outcome(create_row(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                input,
            ))
        })
        .await
}

pub(super) async fn retrieve(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, id)): Path<(String, String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Retrieve, |call| {
            outcome(retrieve_row(
                &lock(&state.org),
                &call.version,
                &object,
                &id,
                &parameters,
            ))
        })
        .await
}

pub(super) async fn update(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, id)): Path<(String, String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Update, |call| {
            let input = json_body(&method, &caller.headers, &body);
            outcome(update_row(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                &id,
                input,
            ))
        })
        .await
}

/// `POST …/sobjects/Lead/{id}?_HttpMethod=PATCH`, for clients that cannot send PATCH.
pub(super) async fn post_override(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, id)): Path<(String, String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if parameters
        .get("_HttpMethod")
        .is_none_or(|method| !method.eq_ignore_ascii_case("PATCH"))
    {
        return RecordError::plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "HTTP Method 'POST' not allowed. Allowed are GET,PATCH,DELETE",
        )
        .into_response();
    }
    state
        .handle(&caller, &version, CallKind::Update, |call| {
            let input = json_body(&Method::PATCH, &caller.headers, &body);
            outcome(update_row(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                &id,
                input,
            ))
        })
        .await
}

pub(super) async fn delete(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, id)): Path<(String, String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Delete, |call| {
            outcome(delete_row(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                &id,
            ))
        })
        .await
}

/// The lookup field of an upsert URL: `Id`, or a field with `idLookup` (Email, External IDs).
fn lookup_field(org: &Org, object: &str, name: &str) -> Result<String, RecordError> {
    let field = org
        .schema()
        .field(name)
        .filter(|field| is_lead(object) && field.id_lookup);
    field.map(|field| field.name.clone()).ok_or_else(|| {
        RecordError::plain(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {name}"),
        )
    })
}

/// 300 Multiple Choices with the matching records' URLs.
fn multiple_choices(version: &str, ids: &[RecordId]) -> Answer {
    let urls: Vec<Value> = ids
        .iter()
        .map(|id| Value::String(format!("/services/data/v{version}/sobjects/Lead/{}", id.long())))
        .collect();
    Answer::json(StatusCode::MULTIPLE_CHOICES, Value::Array(urls))
}

/// The live Leads with this key, when `field` is a lookup field of `object` (for a composite
/// subrequest to know which records an upsert or delete may touch before it runs).
pub(crate) fn matching_rows(org: &Org, object: &str, field: &str, key: &str) -> Vec<RecordId> {
    lookup_field(org, object, field)
        .map(|field| matching(org, &field, key))
        .unwrap_or_default()
}

/// The live Leads with this key.
fn matching(org: &Org, field: &str, key: &str) -> Vec<RecordId> {
    if field == "Id" {
        return path_id(key)
            .ok()
            .filter(|id| org.lead(id).is_some_and(|lead| !lead.is_deleted()))
            .into_iter()
            .collect();
    }
    org.find_by(field, key)
}

pub(super) async fn retrieve_by_key(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, field, key)): Path<(String, String, String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Retrieve, |call| {
            outcome(retrieve_row_by_key(
                &lock(&state.org),
                &call.version,
                &object,
                &field,
                &key,
                &parameters,
            ))
        })
        .await
}

pub(super) async fn upsert(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, field, key)): Path<(String, String, String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Upsert, |call| {
            let input = json_body(&method, &caller.headers, &body);
            outcome(upsert_row(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                &field,
                &key,
                input,
            ))
        })
        .await
}

pub(super) async fn delete_by_key(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, field, key)): Path<(String, String, String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Delete, |call| {
            outcome(delete_row_by_key(
                &mut lock(&state.org),
                &call.write_context(),
                &object,
                &field,
                &key,
            ))
        })
        .await
}
