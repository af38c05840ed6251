//! One composite subrequest: which resource its URL names, and how it runs over the locked org
//! through the same functions as the standalone sObject and query handlers.

use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use crate::api_error::RecordError;
use crate::org::{Lead, Org, WriteContext};
use crate::record_id::RecordId;
use crate::rest::Answer;
use crate::rest::query::run_query;
use crate::rest::sobject::{
    Input, create_row, delete_row, delete_row_by_key, matching_rows, path_id, retrieve_row,
    retrieve_row_by_key, update_row, upsert_row,
};
use crate::state::SandboxState;

/// Where every subrequest URL starts.
pub(crate) const DATA_PREFIX: &str = "/services/data/";

/// What a Lead looked like before a subrequest wrote it (`None`: it did not exist), to put back
/// when an `allOrNone` request fails.
pub(crate) type Undo = Vec<(RecordId, Option<Lead>)>;

/// The resources a subrequest may name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    /// `sobjects/{object}`.
    Object { object: String },
    /// `sobjects/{object}/{id}`.
    Row { object: String, id: String },
    /// `sobjects/{object}/{field}/{key}`.
    RowByKey {
        object: String,
        field: String,
        key: String,
    },
    /// `query` or `queryAll`.
    Query { all_rows: bool },
}

/// A subrequest whose references have been filled in, ready to run.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// Upper case.
    pub(crate) method: String,
    /// The filled-in URL.
    pub(crate) url: String,
    /// Its `httpHeaders`.
    pub(crate) headers: HeaderMap,
    /// The filled-in body.
    pub(crate) body: Option<Value>,
}

/// What a subrequest URL names: the served version (e.g. `62.0`), the resource, and its query
/// parameters; `None` for anything a composite request cannot reach in the sandbox.
fn resolve_url(state: &SandboxState, url: &str) -> Option<(String, Resource, HashMap<String, String>)> {
    let rest = url.strip_prefix(DATA_PREFIX)?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut segments: Vec<String> = path.split('/').map(decode_segment).collect();
    if segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    let (version, segments) = segments.split_first()?;
    let version = state.version(version)?;
    let resource = match segments {
        [sobjects, object] if sobjects == "sobjects" => Resource::Object {
            object: object.clone(),
        },
        [sobjects, object, id] if sobjects == "sobjects" => Resource::Row {
            object: object.clone(),
            id: id.clone(),
        },
        [sobjects, object, field, key] if sobjects == "sobjects" => Resource::RowByKey {
            object: object.clone(),
            field: field.clone(),
            key: key.clone(),
        },
        [query] if query == "query" => Resource::Query { all_rows: false },
        [query] if query == "queryAll" => Resource::Query { all_rows: true },
        _ => return None,
    };
    let parameters = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Some((version, resource, parameters))
}

/// Whether a subrequest counts against the 5 query or collection subrequests a request may
/// hold (judged on the URL as written, before references are filled in).
pub(crate) fn is_query_or_collection(url: &str) -> bool {
    let Some(rest) = url.strip_prefix(DATA_PREFIX) else {
        return false;
    };
    let path = rest.split('?').next().unwrap_or_default();
    let mut segments = path.split('/').skip(1);
    match segments.next() {
        Some("query" | "queryAll") => true,
        Some("composite") => segments.next() == Some("sobjects"),
        _ => false,
    }
}

/// Decodes `%XX` escapes in a path segment (a `+` stays a `+` in a path).
fn decode_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| segment.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// A write's body: a JSON object; no body at all is an empty one.
fn input(body: Option<Value>) -> Input {
    match body {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(object)) => Ok(object),
        Some(other) => Err(RecordError::json_parser(format!(
            "Cannot deserialize instance of Lead from {} value",
            if other.is_array() {
                "START_ARRAY"
            } else {
                "VALUE_STRING"
            }
        ))),
    }
}

/// The Leads a write may change, as they are now.
fn snapshots(org: &Org, ids: Vec<RecordId>) -> Undo {
    ids.into_iter()
        .map(|id| {
            let before = org.snapshot(&id);
            (id, before)
        })
        .collect()
}

/// A subrequest's answer, with the `Location` of a record it created.
#[derive(Debug)]
pub(crate) struct Done {
    pub(crate) answer: Answer,
    pub(crate) location: Option<String>,
}

/// Runs a prepared subrequest and records in `undo` what it changed. Anything the sandbox does
/// not serve through composite is 404 `NOT_FOUND`.
pub(crate) fn run(
    state: &SandboxState,
    org: &mut Org,
    context: &WriteContext,
    subrequest: Prepared,
    undo: &mut Undo,
) -> Result<Done, RecordError> {
    let Some((version, resource, parameters)) = resolve_url(state, &subrequest.url) else {
        return Err(RecordError::not_found());
    };
    let context = WriteContext {
        version: version.clone(),
        ..context.clone()
    };
    let method = subrequest.method.as_str();
    let before = match (method, &resource) {
        ("PATCH" | "DELETE", Resource::Row { id, .. }) => {
            snapshots(org, path_id(id).ok().into_iter().collect())
        }
        ("PATCH" | "DELETE", Resource::RowByKey { object, field, key }) => {
            snapshots(org, matching_rows(org, object, field, key))
        }
        _ => Undo::new(),
    };
    let answer = match (method, resource) {
        ("POST", Resource::Object { object }) => create_row(org, &context, &object, input(subrequest.body)),
        ("GET", Resource::Row { object, id }) => retrieve_row(org, &version, &object, &id, &parameters),
        ("PATCH", Resource::Row { object, id }) => {
            update_row(org, &context, &object, &id, input(subrequest.body))
        }
        ("DELETE", Resource::Row { object, id }) => delete_row(org, &context, &object, &id),
        ("GET", Resource::RowByKey { object, field, key }) => {
            retrieve_row_by_key(org, &version, &object, &field, &key, &parameters)
        }
        ("PATCH", Resource::RowByKey { object, field, key }) => {
            upsert_row(org, &context, &object, &field, &key, input(subrequest.body))
        }
        ("DELETE", Resource::RowByKey { object, field, key }) => {
            delete_row_by_key(org, &context, &object, &field, &key)
        }
        ("GET", Resource::Query { all_rows }) => run_query(
            state,
            org,
            &subrequest.headers,
            &version,
            all_rows,
            parameters.get("q").map(String::as_str),
        ),
        _ => Err(RecordError::not_found()),
    }?;
    undo.extend(before);
    let created = (answer.status == StatusCode::CREATED)
        .then(|| created_id(&answer))
        .flatten();
    let location = created
        .as_ref()
        .map(|id| format!("{DATA_PREFIX}v{version}/sobjects/Lead/{}", id.long()));
    if let Some(id) = created {
        undo.push((id, None));
    }
    Ok(Done { answer, location })
}

/// The id of the record a 201 answer created.
fn created_id(answer: &Answer) -> Option<RecordId> {
    let text = answer.body.as_ref()?.get("id")?.as_str()?;
    RecordId::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_in_path_segments() {
        assert_eq!(decode_segment("ada%40example.com"), "ada@example.com");
        assert_eq!(decode_segment("a+b%2"), "a+b%2");
        assert_eq!(decode_segment("%C3%A9t%C3%A9"), "été");
    }

    #[test]
    fn counts_queries_and_collections() {
        assert!(is_query_or_collection(
            "/services/data/v62.0/query?q=SELECT+Id+FROM+Lead"
        ));
        assert!(is_query_or_collection("/services/data/v62.0/queryAll/?q=x"));
        assert!(is_query_or_collection("/services/data/v62.0/composite/sobjects"));
        assert!(!is_query_or_collection("/services/data/v62.0/sobjects/Lead"));
        assert!(!is_query_or_collection("/services/data/v62.0/composite"));
    }
}
