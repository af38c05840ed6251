//! sObject Collections under `/composite/sobjects`: create, update, upsert by an External ID,
//! delete and retrieve, up to 200 records a call, with `allOrNone`.
//!
//! A well-formed request always answers 200 with one result per record, in request order:
//! `{"id","success","errors"}` (plus `created` for upserts), each error as
//! `{"statusCode","message","fields"}`. With `allOrNone: true`, one failure rolls back every
//! record: the others then fail with `ALL_OR_NONE_OPERATION_ROLLED_BACK`, and keep their `id`
//! when they had one before the call (updates, upserts that matched, deletes).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api_error::{RecordError, json_response};
use crate::org::{Lead, Org, UpsertError, WriteContext};
use crate::record_id::{LEAD_PREFIX, RecordId};
use crate::rest::{is_lead, json_value, save_result};
use crate::state::{Call, CallKind, Caller, SandboxState, lock};

/// Records (or ids) one call may carry.
pub(crate) const MAX_RECORDS: usize = 200;

const ROLLED_BACK_MESSAGE: &str =
    "Record rolled back because not all records were valid and the request was using AllOrNone header";

/// One record's outcome.
struct Outcome {
    /// The id to report: on success always; on failure only when the record existed before.
    id: Option<RecordId>,
    created: Option<bool>,
    error: Option<RecordError>,
}

impl Outcome {
    fn success(id: RecordId, created: Option<bool>) -> Self {
        Self {
            id: Some(id),
            created,
            error: None,
        }
    }

    fn failure(error: RecordError) -> Self {
        Self {
            id: None,
            created: None,
            error: Some(error),
        }
    }

    fn json(&self) -> Value {
        match &self.error {
            None => save_result(
                &self.id.as_ref().map(RecordId::long).unwrap_or_default(),
                self.created,
            ),
            Some(error) => {
                let mut result = Map::new();
                if let Some(id) = &self.id {
                    result.insert("id".into(), Value::String(id.long()));
                }
                result.insert("success".into(), Value::Bool(false));
                result.insert("errors".into(), json!([error.record_json()]));
                Value::Object(result)
            }
        }
    }
}

/// The body of create, update and upsert: `{"allOrNone": bool, "records": [{…}, …]}`.
struct Batch {
    all_or_none: bool,
    records: Vec<Map<String, Value>>,
}

fn batch(method: &Method, caller: &Caller, body: &[u8]) -> Result<Batch, RecordError> {
    let value = json_value(method, &caller.headers, body)?;
    let Value::Object(mut body) = value else {
        return Err(RecordError::json_parser(
            "Cannot deserialize instance of SObjectCollection from START_ARRAY value",
        ));
    };
    let all_or_none = match body.remove("allOrNone") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(flag)) => flag,
        Some(other) => {
            return Err(RecordError::json_parser(format!(
                "Cannot deserialize instance of boolean from value {other}"
            )));
        }
    };
    let records = match body.remove("records") {
        Some(Value::Array(records)) => records,
        None | Some(Value::Null) => {
            return Err(RecordError::plain(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                "The records field is required.",
            ));
        }
        Some(_) => {
            return Err(RecordError::json_parser(
                "Cannot deserialize instance of list from value",
            ));
        }
    };
    if records.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let mut objects = Vec::with_capacity(records.len());
    for record in records {
        let Value::Object(record) = record else {
            return Err(RecordError::json_parser(
                "Cannot deserialize instance of SObject from value",
            ));
        };
        let object_type = record
            .get("attributes")
            .and_then(|attributes| attributes.get("type"))
            .and_then(Value::as_str);
        match object_type {
            Some(name) if is_lead(name) => objects.push(record),
            Some(name) => {
                return Err(RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    "INVALID_TYPE",
                    format!("sObject type '{name}' is not supported."),
                ));
            }
            None => {
                return Err(RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    "INVALID_TYPE",
                    "Must send a concrete entity type.",
                ));
            }
        }
    }
    Ok(Batch {
        all_or_none,
        records: objects,
    })
}

fn too_many() -> RecordError {
    RecordError::plain(
        StatusCode::BAD_REQUEST,
        "EXCEEDED_ID_LIMIT",
        format!("record limit reached. cannot submit more than {MAX_RECORDS} records into this call"),
    )
}

fn lock_error() -> RecordError {
    RecordError::bad_request(
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record",
        Vec::new(),
    )
}

/// Applies `write` to each record in order; with allOrNone, undoes everything when one failed.
fn apply<T>(
    org: &mut Org,
    call: &Call,
    items: Vec<T>,
    all_or_none: bool,
    mut write: impl FnMut(&mut Org, &WriteContext, T, &mut Vec<(RecordId, Option<Lead>)>) -> Outcome,
) -> Vec<Outcome> {
    let context = call.write_context();
    let mut undo = Vec::new();
    let mut outcomes: Vec<Outcome> = items
        .into_iter()
        .map(|item| {
            if call.lock_rows {
                Outcome::failure(lock_error())
            } else {
                write(org, &context, item, &mut undo)
            }
        })
        .collect();
    if all_or_none && outcomes.iter().any(|outcome| outcome.error.is_some()) {
        for (id, previous) in undo.into_iter().rev() {
            org.restore(&id, previous);
        }
        for outcome in &mut outcomes {
            if outcome.error.is_none() {
                let existed = outcome.created != Some(true);
                let rolled_back = RecordError::bad_request(
                    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    ROLLED_BACK_MESSAGE,
                    Vec::new(),
                );
                outcome.id = if existed { outcome.id.take() } else { None };
                outcome.error = Some(rolled_back);
            }
        }
    }
    outcomes
}

fn respond(outcomes: &[Outcome]) -> Response {
    json_response(
        StatusCode::OK,
        &Value::Array(outcomes.iter().map(Outcome::json).collect()),
    )
}

/// The record's id for update: `id` or `Id`, which must be a Lead id.
fn record_id(record: &mut Map<String, Value>) -> Result<RecordId, RecordError> {
    let key = record.keys().find(|key| key.eq_ignore_ascii_case("id")).cloned();
    let Some(value) = key.and_then(|key| record.remove(&key)) else {
        return Err(RecordError::bad_request(
            "MISSING_ARGUMENT",
            "Id not specified in an update call",
            vec!["Id".into()],
        ));
    };
    let text = value.as_str().unwrap_or_default();
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

/// `POST /composite/sobjects`.
pub(crate) async fn create(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsCreate, |call| {
            let batch = match batch(&method, &caller, &body) {
                Ok(batch) => batch,
                Err(error) => return error.into_response(),
            };
            let mut org = lock(&state.org);
            let outcomes = apply(
                &mut org,
                call,
                batch.records,
                batch.all_or_none,
                |org, context, record, undo| match org.create(&record, context) {
                    Ok(id) => {
                        undo.push((id.clone(), None));
                        Outcome::success(id, None)
                    }
                    Err(error) => Outcome::failure(error),
                },
            );
            // A created record that was rolled back never existed: report it without an id.
            let outcomes: Vec<Outcome> = outcomes
                .into_iter()
                .map(|mut outcome| {
                    if outcome
                        .error
                        .as_ref()
                        .is_some_and(|error| error.code == "ALL_OR_NONE_OPERATION_ROLLED_BACK")
                    {
                        outcome.id = None;
                    }
                    outcome
                })
                .collect();
            respond(&outcomes)
        })
        .await
}

/// `PATCH /composite/sobjects`.
pub(crate) async fn update(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsUpdate, |call| {
            let batch = match batch(&method, &caller, &body) {
                Ok(batch) => batch,
                Err(error) => return error.into_response(),
            };
            let mut org = lock(&state.org);
            let outcomes = apply(
                &mut org,
                call,
                batch.records,
                batch.all_or_none,
                |org, context, mut record, undo| {
                    let id = match record_id(&mut record) {
                        Ok(id) => id,
                        Err(error) => return Outcome::failure(error),
                    };
                    let before = org.snapshot(&id);
                    match org.update(&id, &record, context) {
                        Ok(()) => {
                            undo.push((id.clone(), before));
                            Outcome::success(id, None)
                        }
                        Err(error) => Outcome {
                            id: Some(id),
                            created: None,
                            error: Some(error),
                        },
                    }
                },
            );
            respond(&outcomes)
        })
        .await
}

/// `PATCH /composite/sobjects/Lead/{ExternalIdField}`.
pub(crate) async fn upsert(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object, field)): Path<(String, String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsUpsert, |call| {
            let key_field = state
                .schema
                .field(&field)
                .filter(|definition| is_lead(&object) && definition.id_lookup && definition.name != "Id")
                .map(|definition| definition.name.clone());
            let Some(key_field) = key_field else {
                return RecordError::plain(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    format!("Provided external ID field does not exist or is not accessible: {field}"),
                )
                .into_response();
            };
            let batch = match batch(&method, &caller, &body) {
                Ok(batch) => batch,
                Err(error) => return error.into_response(),
            };
            let mut org = lock(&state.org);
            let outcomes = apply(
                &mut org,
                call,
                batch.records,
                batch.all_or_none,
                |org, context, mut record, undo| {
                    if record.keys().any(|key| key.eq_ignore_ascii_case("id")) {
                        return Outcome::failure(RecordError::bad_request(
                            "INVALID_FIELD",
                            "Only external ids are supported. Don't use record ids.",
                            vec!["Id".into()],
                        ));
                    }
                    let name = record
                        .keys()
                        .find(|key| key.eq_ignore_ascii_case(&key_field))
                        .cloned();
                    let key = name
                        .and_then(|name| record.remove(&name))
                        .and_then(|value| match value {
                            Value::String(text) if !text.is_empty() => Some(text),
                            Value::Number(number) => Some(number.to_string()),
                            _ => None,
                        });
                    let Some(key) = key else {
                        return Outcome::failure(RecordError::bad_request(
                            "MISSING_ARGUMENT",
                            format!("{key_field} not specified"),
                            vec![key_field.clone()],
                        ));
                    };
                    let existing = org.find_by(&key_field, &key);
                    let before = existing.first().and_then(|id| org.snapshot(id));
                    match org.upsert(&key_field, &key, &record, context) {
                        Ok(done) => {
                            undo.push((done.id.clone(), if done.created { None } else { before }));
                            Outcome::success(done.id, Some(done.created))
                        }
                        Err(UpsertError::MultipleMatches(ids)) => {
                            let listed: Vec<String> = ids.iter().map(RecordId::long).collect();
                            Outcome::failure(RecordError::bad_request(
                                "DUPLICATE_EXTERNAL_ID",
                                format!(
                                    "{key_field}: more than one record found for external id field: [{}]",
                                    listed.join(", ")
                                ),
                                vec![key_field.clone()],
                            ))
                        }
                        Err(UpsertError::Record(error)) => Outcome {
                            id: existing.first().cloned(),
                            created: None,
                            error: Some(error),
                        },
                    }
                },
            );
            respond(&outcomes)
        })
        .await
}

/// `DELETE /composite/sobjects?ids=…&allOrNone=…`.
pub(crate) async fn delete(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsDelete, |call| {
            let ids: Vec<String> = parameters
                .get("ids")
                .map(|ids| {
                    ids.split(',')
                        .map(str::trim)
                        .filter(|id| !id.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() {
                return RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    "MISSING_ARGUMENT",
                    "ids parameter is required",
                )
                .into_response();
            }
            if ids.len() > MAX_RECORDS {
                return too_many().into_response();
            }
            let all_or_none = parameters
                .get("allOrNone")
                .is_some_and(|flag| flag.eq_ignore_ascii_case("true"));
            let mut org = lock(&state.org);
            let outcomes = apply(&mut org, call, ids, all_or_none, |org, context, text, undo| {
                let Some(id) = RecordId::parse(&text)
                    .ok()
                    .filter(|id| id.prefix() == LEAD_PREFIX)
                else {
                    return Outcome::failure(RecordError::bad_request(
                        "MALFORMED_ID",
                        format!("malformed id {text}"),
                        Vec::new(),
                    ));
                };
                let before = org.snapshot(&id);
                match org.delete(&id, context) {
                    Ok(()) => {
                        undo.push((id.clone(), before));
                        Outcome::success(id, None)
                    }
                    Err(error) => Outcome {
                        id: Some(id),
                        created: None,
                        error: Some(error),
                    },
                }
            });
            respond(&outcomes)
        })
        .await
}

fn retrieve_records(
    state: &SandboxState,
    version: &str,
    object: &str,
    ids: &[String],
    fields: &[String],
) -> Response {
    if !is_lead(object) {
        return RecordError::not_found().into_response();
    }
    if ids.len() > 2000 {
        return too_many().into_response();
    }
    let org = lock(&state.org);
    let mut names = Vec::with_capacity(fields.len());
    for name in fields {
        match org.schema().field(name) {
            Some(field) => names.push(field.name.clone()),
            None => {
                return RecordError::bad_request(
                    "INVALID_FIELD",
                    format!("No such column '{name}' on sobject of type Lead"),
                    Vec::new(),
                )
                .into_response();
            }
        }
    }
    if names.is_empty() {
        return RecordError::plain(
            StatusCode::BAD_REQUEST,
            "MISSING_ARGUMENT",
            "fields parameter is required",
        )
        .into_response();
    }
    let records: Vec<Value> = ids
        .iter()
        .map(|text| {
            RecordId::parse(text)
                .ok()
                .and_then(|id| org.lead(&id))
                .filter(|lead| !lead.is_deleted())
                .map_or(Value::Null, |lead| lead.to_json(version, Some(&names)))
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(records))
}

fn split(list: Option<&String>) -> Vec<String> {
    list.map(|list| {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// `GET /composite/sobjects/Lead?ids=…&fields=…`.
pub(crate) async fn retrieve(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object)): Path<(String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsRetrieve, |call| {
            retrieve_records(
                &state,
                &call.version,
                &object,
                &split(parameters.get("ids")),
                &split(parameters.get("fields")),
            )
        })
        .await
}

/// `POST /composite/sobjects/Lead` with `{"ids":[…],"fields":[…]}`.
pub(crate) async fn retrieve_by_body(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object)): Path<(String, String)>,
    method: Method,
    body: Bytes,
) -> Response {
    state
        .handle(&caller, &version, CallKind::CollectionsRetrieve, |call| {
            let body = match json_value(&method, &caller.headers, &body) {
                Ok(body) => body,
                Err(error) => return error.into_response(),
            };
            let list = |name: &str| -> Vec<String> {
                body.get(name)
                    .and_then(Value::as_array)
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            retrieve_records(&state, &call.version, &object, &list("ids"), &list("fields"))
        })
        .await
}
