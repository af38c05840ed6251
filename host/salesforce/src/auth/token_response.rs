//! What a successful token request yields, whichever the grant.

use oauth2::basic::BasicTokenType;
use oauth2::{ExtraTokenFields, StandardTokenResponse, TokenResponse as _};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::login_url::check_instance_url;
use crate::session::AuthError;

/// The fields Salesforce adds to RFC 6749's token response (reference §2.3). All optional for
/// parsing: JWT bearer and refresh answers leave some out, and `instance_url` is checked
/// afterwards so that its absence is a clear error rather than a parse failure.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub(super) struct SalesforceTokenFields {
    #[serde(default)]
    instance_url: Option<String>,
    #[serde(default)]
    id: Option<String>,
    /// Milliseconds since the epoch, as a string.
    #[serde(default)]
    issued_at: Option<String>,
}

impl ExtraTokenFields for SalesforceTokenFields {}

/// The `oauth2` crate's token response with Salesforce's fields.
pub(super) type SalesforceTokenResponse = StandardTokenResponse<SalesforceTokenFields, BasicTokenType>;

/// The tokens a grant issued, with the instance they are for.
pub struct IssuedTokens {
    /// The access token (the session id).
    pub access_token: SecretString,
    /// The refresh token: only from the web-server flow with the `refresh_token` scope, or a
    /// rotated one from a refresh.
    pub refresh_token: Option<SecretString>,
    /// The org's instance, checked: HTTPS, or HTTP on loopback. No trailing slash.
    pub instance_url: String,
    /// The identity URL (`…/id/{orgId}/{userId}`), when the server sent one.
    pub identity_url: Option<String>,
    /// When the token was issued (milliseconds since the epoch), when the server said.
    pub issued_at: Option<i64>,
    /// The granted scopes, space-separated, when the server said.
    pub scope: Option<String>,
}

impl std::fmt::Debug for IssuedTokens {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IssuedTokens")
            .field("instance_url", &self.instance_url)
            .field("identity_url", &self.identity_url)
            .field("issued_at", &self.issued_at)
            .field("scope", &self.scope)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl IssuedTokens {
    /// From the `oauth2` crate's response.
    pub(super) fn from_oauth(response: &SalesforceTokenResponse) -> Result<Self, AuthError> {
        let extra = response.extra_fields();
        Self::checked(
            SecretString::from(response.access_token().secret().as_str()),
            response
                .refresh_token()
                .map(|token| SecretString::from(token.secret().as_str())),
            extra.instance_url.as_deref(),
            extra.id.clone(),
            extra.issued_at.as_deref(),
            response.scopes().map(|scopes| {
                scopes
                    .iter()
                    .map(|scope| scope.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
        )
    }

    /// From a token response parsed by hand (the JWT bearer grant, which `oauth2` lacks).
    pub(super) fn from_raw(raw: RawTokenResponse) -> Result<Self, AuthError> {
        let RawTokenResponse {
            access_token,
            refresh_token,
            instance_url,
            id,
            issued_at,
            scope,
        } = raw;
        Self::checked(
            SecretString::from(access_token),
            refresh_token.map(SecretString::from),
            instance_url.as_deref(),
            id,
            issued_at.as_deref(),
            scope,
        )
    }

    fn checked(
        access_token: SecretString,
        refresh_token: Option<SecretString>,
        instance_url: Option<&str>,
        identity_url: Option<String>,
        issued_at: Option<&str>,
        scope: Option<String>,
    ) -> Result<Self, AuthError> {
        let instance_url = instance_url.ok_or_else(|| {
            AuthError::InvalidResponse("the token response has no `instance_url`".to_owned())
        })?;
        // Checked before anything else uses it: every data request would carry the token
        // there.
        let instance_url = check_instance_url(instance_url)?;
        Ok(Self {
            access_token,
            refresh_token,
            instance_url,
            identity_url,
            issued_at: issued_at.and_then(|text| text.trim().parse().ok()),
            scope,
        })
    }
}

/// A token response as JSON, for grants posted by hand. Not `Debug`: it holds tokens.
#[derive(Deserialize)]
pub(super) struct RawTokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    instance_url: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// An OAuth error body: `{"error": …, "error_description": …}`.
#[derive(Debug, Deserialize)]
pub(super) struct OAuthErrorBody {
    pub(super) error: String,
    #[serde(default)]
    pub(super) error_description: Option<String>,
}

impl OAuthErrorBody {
    /// As an [`AuthError::Oauth`].
    pub(super) fn into_error(self) -> AuthError {
        AuthError::Oauth {
            error: self.error,
            description: self.error_description.unwrap_or_default(),
        }
    }
}

/// Reads the answer of a token request posted by hand: 200 with tokens, or an OAuth error.
/// The body never reaches an error message: it may hold tokens.
pub(super) async fn read_token_answer(response: reqwest::Response) -> Result<IssuedTokens, AuthError> {
    let status = response.status();
    let body = response.bytes().await.map_err(AuthError::Http)?;
    if status == reqwest::StatusCode::OK {
        let raw: RawTokenResponse = serde_json::from_slice(&body).map_err(|_| {
            AuthError::InvalidResponse("the token response is not the expected JSON".to_owned())
        })?;
        return IssuedTokens::from_raw(raw);
    }
    Err(error_answer(status, &body))
}

/// The error for a refused request: a redirect as such, the OAuth error when the body is one,
/// else the status.
pub(super) fn error_answer(status: reqwest::StatusCode, body: &[u8]) -> AuthError {
    if status.is_redirection() {
        return AuthError::RedirectNotFollowed {
            status: status.as_u16(),
        };
    }
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(error) => error.into_error(),
        Err(_) => AuthError::InvalidResponse(format!("HTTP {status} without an OAuth error")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    fn raw(json: &str) -> Result<RawTokenResponse, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_jwt_style_response_without_optional_fields_is_accepted() -> Result<(), Box<dyn std::error::Error>> {
        let tokens = IssuedTokens::from_raw(raw(
            r#"{"access_token":"00Dx!abc","scope":"web api","instance_url":"https://na1.salesforce.com/","id":"https://login.salesforce.com/id/00D/005","token_type":"Bearer"}"#,
        )?)?;
        assert_eq!(tokens.instance_url, "https://na1.salesforce.com");
        assert_eq!(tokens.access_token.expose_secret(), "00Dx!abc");
        assert!(tokens.refresh_token.is_none());
        assert_eq!(tokens.issued_at, None);
        Ok(())
    }

    #[test]
    fn an_insecure_or_missing_instance_url_is_refused() -> Result<(), Box<dyn std::error::Error>> {
        let insecure = IssuedTokens::from_raw(raw(
            r#"{"access_token":"a","instance_url":"http://evil.example.com"}"#,
        )?);
        assert!(matches!(insecure, Err(AuthError::InsecureUrl { .. })));
        let missing = IssuedTokens::from_raw(raw(r#"{"access_token":"a"}"#)?);
        assert!(matches!(missing, Err(AuthError::InvalidResponse(_))));
        Ok(())
    }

    #[test]
    fn debug_output_shows_no_token() -> Result<(), Box<dyn std::error::Error>> {
        let tokens = IssuedTokens::from_raw(raw(
            r#"{"access_token":"canary-access","refresh_token":"canary-refresh","instance_url":"https://x.my.salesforce.com","issued_at":"1468448630767"}"#,
        )?)?;
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("canary"), "{printed}");
        assert_eq!(tokens.issued_at, Some(1_468_448_630_767));
        Ok(())
    }

    #[test]
    fn error_bodies_become_oauth_errors() {
        let error = error_answer(
            reqwest::StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        );
        assert!(matches!(error, AuthError::Oauth { ref error, .. } if error == "invalid_grant"));
        let redirect = error_answer(reqwest::StatusCode::FOUND, b"");
        assert!(matches!(redirect, AuthError::RedirectNotFollowed { status: 302 }));
    }
}
