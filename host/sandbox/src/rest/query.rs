//! `GET /query?q=…`, `GET /queryAll?q=…` and the pages after the first
//! (`GET /query/{locator}-{offset}`), with Salesforce's batch sizes.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api_error::{RecordError, json_response};
use crate::org::Org;
use crate::record_id::{QUERY_LOCATOR_PREFIX, RecordId};
use crate::rest::Answer;
use crate::soql::{SoqlError, parse};
use crate::state::{CallKind, Caller, SandboxState, lock};

/// Query results kept for their next pages; the oldest are dropped beyond this many.
const MAX_CURSORS: usize = 1000;
/// The batch sizes `Sforce-Query-Options: batchSize=N` may ask for.
const BATCH_SIZES: std::ops::RangeInclusive<usize> = 200..=2000;

/// The rest of a query's results.
#[derive(Debug)]
struct Cursor {
    records: Arc<Vec<Value>>,
    batch_size: usize,
    resource: &'static str,
}

/// Open query locators.
#[derive(Debug, Default)]
pub(crate) struct QueryCursors {
    next: u64,
    cursors: HashMap<String, Cursor>,
    order: VecDeque<String>,
}

impl QueryCursors {
    fn open(&mut self, cursor: Cursor) -> String {
        self.next += 1;
        let locator = RecordId::mint(QUERY_LOCATOR_PREFIX, self.next).long();
        self.cursors.insert(locator.clone(), cursor);
        self.order.push_back(locator.clone());
        while self.order.len() > MAX_CURSORS {
            if let Some(oldest) = self.order.pop_front() {
                self.cursors.remove(&oldest);
            }
        }
        locator
    }

    /// Forgets every locator.
    pub(crate) fn clear(&mut self) {
        self.cursors.clear();
        self.order.clear();
    }
}

fn soql_error(error: SoqlError) -> RecordError {
    RecordError::plain(StatusCode::BAD_REQUEST, error.code, error.message)
}

/// The batch size of `Sforce-Query-Options: batchSize=N`, kept within 200 … 2000.
fn batch_size(headers: &HeaderMap, default: usize) -> usize {
    headers
        .get("sforce-query-options")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value.split(',').find_map(|option| {
                let (name, size) = option.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("batchSize")
                    .then(|| size.trim().parse::<usize>().ok())?
            })
        })
        .map_or(default, |size| {
            size.clamp(*BATCH_SIZES.start(), *BATCH_SIZES.end())
        })
}

/// One page: `totalSize`, `done`, `nextRecordsUrl` (only when not done) and `records`.
fn page(total: usize, records: &[Value], next: Option<String>) -> Value {
    let mut body = Map::new();
    body.insert("totalSize".into(), json!(total));
    body.insert("done".into(), json!(next.is_none()));
    if let Some(next) = next {
        body.insert("nextRecordsUrl".into(), Value::String(next));
    }
    body.insert("records".into(), Value::Array(records.to_vec()));
    Value::Object(body)
}

/// The first page of a query (`all_rows` for queryAll) over the locked org; a longer result
/// keeps the rest under a new query locator. `headers` may ask for a batch size.
pub(crate) fn run_query(
    state: &SandboxState,
    org: &Org,
    headers: &HeaderMap,
    version: &str,
    all_rows: bool,
    text: Option<&str>,
) -> Result<Answer, RecordError> {
    let text = text.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(RecordError::plain(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    }
    let query = parse(text, &state.schema).map_err(soql_error)?;
    let (total, records) = org.query(&query, all_rows, version);
    let batch = batch_size(headers, state.config.query_batch_size);
    if records.len() <= batch {
        return Ok(Answer::json(StatusCode::OK, page(total, &records, None)));
    }
    let records = Arc::new(records);
    let resource = if all_rows { "queryAll" } else { "query" };
    let locator = lock(&state.cursors).open(Cursor {
        records: Arc::clone(&records),
        batch_size: batch,
        resource,
    });
    let next = format!("/services/data/v{version}/{resource}/{locator}-{batch}");
    Ok(Answer::json(
        StatusCode::OK,
        page(total, &records[..batch], Some(next)),
    ))
}

fn run(
    state: &SandboxState,
    caller: &Caller,
    version: &str,
    all_rows: bool,
    parameters: &HashMap<String, String>,
) -> Response {
    let org = lock(&state.org);
    let text = parameters.get("q").map(String::as_str);
    run_query(state, &org, &caller.headers, version, all_rows, text)
        .map_or_else(IntoResponse::into_response, IntoResponse::into_response)
}

pub(super) async fn query(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Query, |call| {
            run(&state, &caller, &call.version, false, &parameters)
        })
        .await
}

pub(super) async fn query_all(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
    Query(parameters): Query<HashMap<String, String>>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::QueryAll, |call| {
            run(&state, &caller, &call.version, true, &parameters)
        })
        .await
}

/// `GET /query/{locator}-{offset}`.
pub(super) async fn more(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, locator)): Path<(String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::QueryMore, |call| {
            let invalid = || {
                RecordError::plain(
                    StatusCode::BAD_REQUEST,
                    "INVALID_QUERY_LOCATOR",
                    "invalid query locator",
                )
                .into_response()
            };
            let Some((locator, offset)) = locator.rsplit_once('-') else {
                return invalid();
            };
            let Ok(offset) = offset.parse::<usize>() else {
                return invalid();
            };
            let cursors = lock(&state.cursors);
            let Some(cursor) = cursors.cursors.get(locator) else {
                return invalid();
            };
            if offset > cursor.records.len() {
                return invalid();
            }
            let end = (offset + cursor.batch_size).min(cursor.records.len());
            let next = (end < cursor.records.len()).then(|| {
                format!(
                    "/services/data/v{}/{}/{locator}-{end}",
                    call.version, cursor.resource
                )
            });
            json_response(
                StatusCode::OK,
                &page(cursor.records.len(), &cursor.records[offset..end], next),
            )
        })
        .await
}
