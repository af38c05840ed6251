//! sObject rows: create (`POST /sobjects/Lead`), retrieve, update and delete by id, and
//! retrieve, upsert and delete by an External ID or other lookup field.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::sandbox::api_error::{RecordError, json_response};
use crate::sandbox::org::{Org, UpsertError};
use crate::sandbox::record_id::{LEAD_PREFIX, RecordId};
use crate::sandbox::rest::{is_lead, json_body, json_ok, save_result};
use crate::sandbox::state::{Call, CallKind, Caller, SandboxState, lock};

/// The first API version whose upsert answers an update with 200 and a body (204 before).
const UPSERT_BODY_VERSION: f64 = 46.0;

/// The id in a record URL: longer than 18 characters is `MALFORMED_ID`; anything else that is
/// not a Lead id is simply not found (as Salesforce answers a 17-character id).
fn path_id(text: &str) -> Result<RecordId, RecordError> {
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

fn outcome(result: Result<Response, RecordError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
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
            outcome((|| {
                if !is_lead(&object) {
                    return Err(RecordError::not_found());
                }
                let input = json_body(&method, &caller.headers, &body)?;
                let id = lock(&state.org).create(&input, &call.write_context())?;
                Ok(json_ok(StatusCode::CREATED, &save_result(&id.long(), None)))
            })())
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
            outcome((|| {
                if !is_lead(&object) {
                    return Err(RecordError::not_found());
                }
                let id = path_id(&id)?;
                let org = lock(&state.org);
                let fields = selected_fields(&org, &parameters)?;
                let lead = org
                    .lead(&id)
                    .filter(|lead| !lead.is_deleted())
                    .ok_or_else(RecordError::not_found)?;
                Ok(json_response(
                    StatusCode::OK,
                    &lead.to_json(&call.version, fields.as_deref()),
                ))
            })())
        })
        .await
}

fn apply_update(
    state: &SandboxState,
    call: &Call,
    caller: &Caller,
    method: &Method,
    object: &str,
    id: &str,
    body: &[u8],
) -> Result<Response, RecordError> {
    if !is_lead(object) {
        return Err(RecordError::not_found());
    }
    let id = path_id(id)?;
    let input = json_body(method, &caller.headers, body)?;
    lock(&state.org).update(&id, &input, &call.write_context())?;
    Ok(StatusCode::NO_CONTENT.into_response())
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
            outcome(apply_update(&state, call, &caller, &method, &object, &id, &body))
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
            outcome(apply_update(
                &state,
                call,
                &caller,
                &Method::PATCH,
                &object,
                &id,
                &body,
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
            outcome((|| {
                if !is_lead(&object) {
                    return Err(RecordError::not_found());
                }
                let id = path_id(&id)?;
                lock(&state.org).delete(&id, &call.write_context())?;
                Ok(StatusCode::NO_CONTENT.into_response())
            })())
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
fn multiple_choices(version: &str, ids: &[RecordId]) -> Response {
    let urls: Vec<Value> = ids
        .iter()
        .map(|id| Value::String(format!("/services/data/v{version}/sobjects/Lead/{}", id.long())))
        .collect();
    json_response(StatusCode::MULTIPLE_CHOICES, &Value::Array(urls))
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
            outcome((|| {
                let org = lock(&state.org);
                let field = lookup_field(&org, &object, &field)?;
                let fields = selected_fields(&org, &parameters)?;
                match matching(&org, &field, &key).as_slice() {
                    [] => Err(RecordError::not_found()),
                    [id] => {
                        let lead = org.lead(id).ok_or_else(RecordError::not_found)?;
                        Ok(json_response(
                            StatusCode::OK,
                            &lead.to_json(&call.version, fields.as_deref()),
                        ))
                    }
                    ids => Ok(multiple_choices(&call.version, ids)),
                }
            })())
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
            outcome((|| {
                let mut org = lock(&state.org);
                let field = lookup_field(&org, &object, &field)?;
                let input = json_body(&method, &caller.headers, &body)?;
                match org.upsert(&field, &key, &input, &call.write_context()) {
                    Ok(done) if done.created => Ok(json_ok(
                        StatusCode::CREATED,
                        &save_result(&done.id.long(), Some(true)),
                    )),
                    Ok(done) => {
                        let version: f64 = call.version.parse().unwrap_or(UPSERT_BODY_VERSION);
                        if version >= UPSERT_BODY_VERSION {
                            Ok(json_ok(
                                StatusCode::OK,
                                &save_result(&done.id.long(), Some(false)),
                            ))
                        } else {
                            Ok(StatusCode::NO_CONTENT.into_response())
                        }
                    }
                    Err(UpsertError::MultipleMatches(ids)) => Ok(multiple_choices(&call.version, &ids)),
                    Err(UpsertError::Record(error)) => Err(error),
                }
            })())
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
            outcome((|| {
                let mut org = lock(&state.org);
                let field = lookup_field(&org, &object, &field)?;
                match matching(&org, &field, &key).as_slice() {
                    [] => Err(RecordError::not_found()),
                    [id] => {
                        let id = id.clone();
                        org.delete(&id, &call.write_context())?;
                        Ok(StatusCode::NO_CONTENT.into_response())
                    }
                    ids => Ok(multiple_choices(&call.version, ids)),
                }
            })())
        })
        .await
}
