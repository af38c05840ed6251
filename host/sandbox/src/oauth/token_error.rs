//! The token endpoint's errors: `400 {"error": …, "error_description": …}`.
//!
//! The descriptions backed by real logs or official pages (reference §2.4) are used verbatim;
//! the others (marked "unverified" below) are plausible wordings, since Salesforce documents no
//! exact text for them. Every error is a 400, as the reference advises for a simulator.

use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// A refused token request; the message is the `error_description`.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub(super) enum TokenError {
    /// No `grant_type` (or not a form body at all).
    #[error("grant type is missing")]
    MissingGrantType,
    /// A request that is not an `application/x-www-form-urlencoded` form (unverified text).
    #[error("invalid request body")]
    MalformedBody,
    /// A required parameter is absent (unverified text).
    #[error("missing required {0} parameter")]
    MissingParameter(&'static str),
    /// A grant type the sandbox does not know (unverified text).
    #[error("grant type not supported")]
    UnsupportedGrantType,
    /// Unknown consumer key.
    #[error("client identifier invalid")]
    InvalidClientId,
    /// Wrong or missing client secret.
    #[error("invalid client credentials")]
    InvalidClientCredentials,
    /// A refresh token that is unknown, revoked, rotated out or another app's.
    #[error("expired access/refresh token")]
    ExpiredRefreshToken,
    /// Bad username, password or security token, or the password flow is off.
    #[error("authentication failure")]
    AuthenticationFailure,
    /// An authorization code that is unknown, used, expired or another app's (the reference
    /// also records the wording "authorization code expired").
    #[error("expired authorization code")]
    ExpiredAuthorizationCode,
    /// The `redirect_uri` differs from the one of the authorization request (unverified text).
    #[error("redirect_uri must match configuration")]
    RedirectUriMismatch,
    /// The PKCE verifier does not match the challenge (unverified text).
    #[error("invalid code verifier")]
    CodeVerifierMismatch,
    /// The code was bound to a PKCE challenge but no verifier came (unverified text).
    #[error("missing code verifier")]
    MissingCodeVerifier,
    /// A JWT assertion that is malformed, not RS256 or badly signed (unverified text).
    #[error("invalid assertion")]
    InvalidAssertion,
    /// A JWT assertion whose `exp` is out of bounds (unverified text).
    #[error("expired assertion")]
    ExpiredAssertion,
    /// A JWT assertion for another audience.
    #[error("Audience validation failed")]
    AudienceValidationFailed,
    /// A JWT assertion whose subject is not a user who may use the app.
    #[error("user hasn't approved this consumer")]
    UserNotApproved,
    /// Client credentials for an app without a run-as user.
    #[error("no client credentials user enabled")]
    NoClientCredentialsUser,
}

impl TokenError {
    /// The OAuth `error` code.
    pub(super) fn code(&self) -> &'static str {
        match self {
            Self::MissingGrantType
            | Self::MalformedBody
            | Self::MissingParameter(_)
            | Self::CodeVerifierMismatch => "invalid_request",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidClientId => "invalid_client_id",
            Self::InvalidClientCredentials => "invalid_client",
            Self::RedirectUriMismatch => "redirect_uri_mismatch",
            Self::ExpiredRefreshToken
            | Self::AuthenticationFailure
            | Self::ExpiredAuthorizationCode
            | Self::MissingCodeVerifier
            | Self::InvalidAssertion
            | Self::ExpiredAssertion
            | Self::AudienceValidationFailed
            | Self::UserNotApproved
            | Self::NoClientCredentialsUser => "invalid_grant",
        }
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code(),
            "error_description": self.to_string(),
        });
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
}
