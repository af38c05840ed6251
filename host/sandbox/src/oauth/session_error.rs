//! The 401 responses of a data request whose session is not valid (reference §2.7).

use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::response::{IntoResponse, Response};

/// The body of an expired, revoked or unknown session, as recorded from a real org.
pub(super) const INVALID_SESSION_BODY: &str =
    r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;

/// The body of an `Authorization` header that is not `Bearer`/`OAuth` with a token.
pub(super) const INVALID_AUTH_HEADER_BODY: &str =
    r#"[{"message":"INVALID_HEADER_TYPE","errorCode":"INVALID_AUTH_HEADER"}]"#;

fn unauthorized(body: &'static str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (WWW_AUTHENTICATE, "Token"),
            (CONTENT_TYPE, "application/json;charset=UTF-8"),
        ],
        body,
    )
        .into_response()
}

/// `401 INVALID_SESSION_ID`: the answer that tells a client to refresh its token.
pub(super) fn invalid_session() -> Response {
    unauthorized(INVALID_SESSION_BODY)
}

/// `401 INVALID_AUTH_HEADER`.
pub(super) fn invalid_auth_header() -> Response {
    unauthorized(INVALID_AUTH_HEADER_BODY)
}
