//! `GET /services/data/` (the versions list, no session needed, not counted) and
//! `GET /services/data/vNN.0/` (the resources of a version).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::api_error::json_response;
use crate::state::{CallKind, Caller, SandboxState};

/// The release name of an API version: v53 = Winter '22, v54 = Spring '22, v55 = Summer '22 …
pub(crate) fn release_label(version: u32) -> String {
    let offset = i64::from(version) - 53;
    let season = ["Winter", "Spring", "Summer"][offset.rem_euclid(3) as usize];
    let year = 22 + offset.div_euclid(3);
    format!("{season} '{year:02}")
}

pub(super) async fn versions(State(state): State<Arc<SandboxState>>) -> Response {
    let (oldest, newest) = state.config.api_versions;
    let list: Vec<Value> = (oldest..=newest)
        .map(|version| {
            json!({
                "label": release_label(version),
                "url": format!("/services/data/v{version}.0"),
                "version": format!("{version}.0"),
            })
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

pub(super) async fn resources(
    State(state): State<Arc<SandboxState>>,
    caller: Caller,
    Path(version): Path<String>,
) -> Response {
    state
        .handle(&caller, &version, CallKind::Resources, |call| {
            let base = format!("/services/data/v{}", call.version);
            let mut resources = serde_json::Map::new();
            for name in ["composite", "jobs", "limits", "query", "queryAll", "sobjects"] {
                resources.insert(name.into(), Value::String(format!("{base}/{name}")));
            }
            json_response(StatusCode::OK, &Value::Object(resources))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::release_label;

    #[test]
    fn labels_follow_the_release_calendar() {
        assert_eq!(release_label(53), "Winter '22");
        assert_eq!(release_label(54), "Spring '22");
        assert_eq!(release_label(59), "Winter '24");
        assert_eq!(release_label(67), "Summer '26");
        assert_eq!(release_label(45), "Spring '19");
    }
}
