//! `/services/oauth2/revoke` (reference §2.6): `token=…` by form (`POST`) or query (`GET`).
//! Revoking an access token revokes only it; revoking a refresh token revokes it and every
//! access token descended from the same authorization.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::registry::secret_key;
use super::{OAuthServer, REVOKE_COUNTER};

type Parameters = HashMap<String, String>;

/// `POST` with a form body.
pub(super) async fn revoke_form(
    State(server): State<Arc<OAuthServer>>,
    form: Result<Form<Parameters>, FormRejection>,
) -> Response {
    let parameters = form.map(|Form(parameters)| parameters).unwrap_or_default();
    server.revoke(parameters.get("token").map(String::as_str))
}

/// `GET` with a query string.
pub(super) async fn revoke_query(
    State(server): State<Arc<OAuthServer>>,
    query: Result<Query<Parameters>, QueryRejection>,
) -> Response {
    let parameters = query.map(|Query(parameters)| parameters).unwrap_or_default();
    server.revoke(parameters.get("token").map(String::as_str))
}

/// A 400 with an OAuth error body. The two codes are the ones Salesforce documents for
/// revocation; their descriptions are unverified.
fn refused(error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    (
        StatusCode::BAD_REQUEST,
        [
            (CONTENT_TYPE, "application/json;charset=UTF-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

impl OAuthServer {
    fn revoke(&self, token: Option<&str>) -> Response {
        let mut registry = self.lock();
        registry.count(REVOKE_COUNTER);
        let Some(token) = token.filter(|token| !token.is_empty()) else {
            return refused("unsupported_token_type", "missing token");
        };
        let key = secret_key(token);
        if let Some(refresh_token) = registry.refresh_tokens.get(&key) {
            let family = refresh_token.family;
            registry.revoke_family(family);
            tracing::debug!("refresh token revoked with its access tokens");
        } else if registry.access_tokens.remove(&key).is_some() {
            tracing::debug!("access token revoked");
        } else {
            return refused("invalid_token", "invalid token");
        }
        // Success is a 200 with an empty body.
        StatusCode::OK.into_response()
    }
}
