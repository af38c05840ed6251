//! The global describe, the sObject's basic information and the Lead describe.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api_error::{RecordError, json_response};
use crate::lead_schema::object_urls;
use crate::rest::is_lead;
use crate::state::{CallKind, Caller, SandboxState};

/// Lead's entry in the global describe (and `objectDescribe` of the basic information).
fn lead_summary(version: &str) -> Value {
    json!({
        "activateable": false,
        "associateEntityType": null,
        "associateParentEntity": null,
        "createable": true,
        "custom": false,
        "customSetting": false,
        "deepCloneable": false,
        "deletable": true,
        "deprecatedAndHidden": false,
        "feedEnabled": true,
        "hasSubtypes": false,
        "isInterface": false,
        "isSubtype": false,
        "keyPrefix": "00Q",
        "label": "Lead",
        "labelPlural": "Leads",
        "layoutable": true,
        "mergeable": true,
        "mruEnabled": true,
        "name": "Lead",
        "queryable": true,
        "replicateable": true,
        "retrieveable": true,
        "searchable": true,
        "triggerable": true,
        "undeletable": true,
        "updateable": true,
        "urls": object_urls(version, false),
    })
}

pub(super) async fn global(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::GlobalDescribe, |call| {
            json_response(
                StatusCode::OK,
                &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [lead_summary(&call.version)]}),
            )
        })
        .await
}

pub(super) async fn object_info(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object)): Path<(String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::ObjectInfo, |call| {
            if !is_lead(&object) {
                return RecordError::not_found().into_response();
            }
            json_response(
                StatusCode::OK,
                &json!({"objectDescribe": lead_summary(&call.version), "recentItems": []}),
            )
        })
        .await
}

pub(super) async fn describe(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path((version, object)): Path<(String, String)>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Describe, |call| {
            if !is_lead(&object) {
                return RecordError::not_found().into_response();
            }
            json_response(StatusCode::OK, &state.schema.describe(&call.version))
        })
        .await
}
