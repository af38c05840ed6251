//! `GET /limits`: the org's limits as `{"Name": {"Max": …, "Remaining": …}}`; only
//! `DailyApiRequests` moves, the others are a Developer Edition's fixed allocations.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::api_error::json_response;
use crate::state::{CallKind, Caller, SandboxState};

pub(super) async fn limits(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Limits, |call| {
            let usage = call.usage;
            let fixed = |max: u64| json!({"Max": max, "Remaining": max});
            json_response(
                StatusCode::OK,
                &json!({
                    "DailyApiRequests": {"Max": usage.max, "Remaining": usage.max.saturating_sub(usage.used)},
                    "DailyBulkApiBatches": fixed(15_000),
                    "DailyBulkV2QueryFileStorageMB": fixed(976_562),
                    "DailyBulkV2QueryJobs": fixed(10_000),
                    "DataStorageMB": fixed(5),
                    "FileStorageMB": fixed(20),
                    "ConcurrentAsyncGetReportInstances": fixed(200),
                    "HourlyTimeBasedWorkflow": fixed(1_000),
                }),
            )
        })
        .await
}
