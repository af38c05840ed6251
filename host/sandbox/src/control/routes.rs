//! The control API over HTTP (listed in the module docs of `control`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use crate::api_error::json_response;
use crate::control::{ControlError, SandboxControl};
use crate::faults::{Fault, FaultSettings};
use crate::org::AdminError;

/// The `/_sandbox/…` routes.
pub(crate) fn router(control: SandboxControl) -> Router {
    Router::new()
        .route("/_sandbox/leads", get(leads))
        .route("/_sandbox/leads/{id}", get(lead))
        .route("/_sandbox/leads/{id}/convert", post(convert))
        .route("/_sandbox/leads/{id}/delete", post(delete))
        .route("/_sandbox/leads/{id}/merge-into/{master}", post(merge))
        .route("/_sandbox/api-calls", get(api_calls))
        .route("/_sandbox/limits", put(set_limits))
        .route("/_sandbox/faults", get(faults).put(set_faults))
        .route("/_sandbox/faults/queue", post(queue_fault))
        .route("/_sandbox/bulk-jobs", get(bulk_jobs))
        .route("/_sandbox/expire-tokens", post(expire_tokens))
        .route("/_sandbox/reset", post(reset))
        .with_state(control)
}

fn problem(status: StatusCode, message: impl std::fmt::Display) -> Response {
    json_response(status, &json!({"error": message.to_string()}))
}

fn control_error(error: &ControlError) -> Response {
    let status = match error {
        ControlError::InvalidId(_) => StatusCode::BAD_REQUEST,
        ControlError::Admin(AdminError::NotFound(_)) => StatusCode::NOT_FOUND,
        ControlError::Admin(_) => StatusCode::CONFLICT,
    };
    problem(status, error)
}

/// The JSON body, or the message of the 400 that answers it.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|error| format!("invalid JSON body: {error}"))
}

async fn leads(State(control): State<SandboxControl>) -> Response {
    let leads: Vec<Value> = control
        .leads()
        .iter()
        .map(|lead| lead.to_json("67.0", None))
        .collect();
    json_response(StatusCode::OK, &json!({"totalSize": leads.len(), "leads": leads}))
}

async fn lead(State(control): State<SandboxControl>, Path(id): Path<String>) -> Response {
    match control.lead(&id) {
        Some(lead) => json_response(StatusCode::OK, &lead.to_json("67.0", None)),
        None => problem(StatusCode::NOT_FOUND, format!("no lead has the id `{id}`")),
    }
}

async fn convert(State(control): State<SandboxControl>, Path(id): Path<String>) -> Response {
    match control.convert_lead(&id) {
        Ok(conversion) => json_response(StatusCode::OK, &json!(conversion)),
        Err(error) => control_error(&error),
    }
}

async fn delete(State(control): State<SandboxControl>, Path(id): Path<String>) -> Response {
    match control.delete_lead(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => control_error(&error),
    }
}

async fn merge(
    State(control): State<SandboxControl>,
    Path((id, master)): Path<(String, String)>,
) -> Response {
    match control.merge_leads(&master, &id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => control_error(&error),
    }
}

async fn api_calls(State(control): State<SandboxControl>) -> Response {
    json_response(StatusCode::OK, &json!(control.api_calls()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsBody {
    max: Option<u64>,
    used: Option<u64>,
}

async fn set_limits(State(control): State<SandboxControl>, bytes: Bytes) -> Response {
    match body::<LimitsBody>(&bytes) {
        Ok(limits) => {
            control.set_api_limit(limits.max, limits.used);
            json_response(StatusCode::OK, &json!(control.api_usage()))
        }
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

async fn faults(State(control): State<SandboxControl>) -> Response {
    json_response(StatusCode::OK, &json!(control.faults()))
}

async fn set_faults(State(control): State<SandboxControl>, bytes: Bytes) -> Response {
    match body::<FaultSettings>(&bytes) {
        Ok(settings) => {
            control.set_faults(settings);
            json_response(StatusCode::OK, &json!(control.faults()))
        }
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueBody {
    fault: Fault,
}

async fn queue_fault(State(control): State<SandboxControl>, bytes: Bytes) -> Response {
    match body::<QueueBody>(&bytes) {
        Ok(queued) => {
            control.queue_fault(queued.fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => problem(StatusCode::BAD_REQUEST, message),
    }
}

async fn bulk_jobs(State(control): State<SandboxControl>) -> Response {
    json_response(StatusCode::OK, &json!({"jobs": control.bulk_jobs()}))
}

async fn expire_tokens(State(control): State<SandboxControl>) -> Response {
    control.expire_access_tokens();
    StatusCode::NO_CONTENT.into_response()
}

async fn reset(State(control): State<SandboxControl>) -> Response {
    control.reset();
    StatusCode::NO_CONTENT.into_response()
}
