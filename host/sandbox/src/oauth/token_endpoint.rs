//! `POST /services/oauth2/token`: every grant the sandbox supports (reference §2.2–§2.5).
//!
//! Simplifications: only JSON answers (`format` and `Accept` are ignored), and
//! `client_credentials` is accepted on the sandbox's one host (it has no separate login host
//! that would answer "request not supported on this domain").

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use subtle::ConstantTimeEq as _;

use super::jwt_assertion::{AssertionError, UnverifiedAssertion};
use super::registry::{AUTHORIZATION_CODE_LIFETIME, GrantFamily, RefreshToken, Registry, secret_key};
use super::token_error::TokenError;
use super::{ConnectedApp, OAuthServer, SandboxUser, pkce, random};

/// The JWT bearer grant type.
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The audiences a JWT assertion may name besides the sandbox's own URL.
const LOGIN_AUDIENCES: [&str; 2] = ["https://login.salesforce.com", "https://test.salesforce.com"];

/// The scopes that ask for a refresh token.
const REFRESH_SCOPES: [&str; 2] = ["refresh_token", "offline_access"];

/// A successful token response (reference §2.3), fields in Salesforce's order. Not `Debug`:
/// it holds tokens.
#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    signature: String,
    scope: String,
    instance_url: String,
    id: String,
    token_type: &'static str,
    issued_at: String,
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&self).unwrap_or_default();
        (
            StatusCode::OK,
            [
                (CONTENT_TYPE, "application/json;charset=UTF-8"),
                (CACHE_CONTROL, "no-cache, no-store"),
                (PRAGMA, "no-cache"),
            ],
            body,
        )
            .into_response()
    }
}

/// The form parameters of a token request.
type Parameters = HashMap<String, String>;

/// The handler.
pub(super) async fn token(
    State(server): State<Arc<OAuthServer>>,
    headers: HeaderMap,
    form: Result<Form<Parameters>, FormRejection>,
) -> Response {
    let parameters = match form {
        Ok(Form(parameters)) => parameters,
        Err(_) => {
            server.lock().count("unsupported");
            return TokenError::MalformedBody.into_response();
        }
    };
    let grant_type = parameter(&parameters, "grant_type");
    let counter = match grant_type {
        Some("authorization_code") => "authorization_code",
        Some("refresh_token") => "refresh_token",
        Some("password") => "password",
        Some(JWT_BEARER) => "jwt_bearer",
        Some("client_credentials") => "client_credentials",
        _ => "unsupported",
    };
    server.lock().count(counter);
    let outcome = match grant_type {
        None => Err(TokenError::MissingGrantType),
        Some("authorization_code") => server.exchange_code(&parameters, &headers),
        Some("refresh_token") => server.refresh(&parameters, &headers),
        Some("password") => server.password(&parameters, &headers),
        Some(JWT_BEARER) => server.jwt_bearer(&parameters),
        Some("client_credentials") => server.client_credentials(&parameters, &headers),
        Some(_) => Err(TokenError::UnsupportedGrantType),
    };
    match outcome {
        Ok(response) => {
            tracing::debug!(grant_type = counter, "token issued");
            response.into_response()
        }
        Err(error) => {
            tracing::debug!(
                grant_type = counter,
                error = error.code(),
                "token request refused"
            );
            error.into_response()
        }
    }
}

/// A non-empty form parameter.
fn parameter<'a>(parameters: &'a Parameters, name: &str) -> Option<&'a str> {
    parameters
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

/// Compares two secrets without leaking where they differ.
fn secrets_equal(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// The client id and secret of a request: from the form, or else from
/// `Authorization: Basic base64(client_id:client_secret)`.
fn client_credentials_of(parameters: &Parameters, headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let from_header = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|decoded| {
            decoded
                .split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    let (header_id, header_secret) = from_header.unzip();
    let client_id = parameter(parameters, "client_id")
        .map(str::to_owned)
        .or(header_id)
        .filter(|id| !id.is_empty());
    let client_secret = parameter(parameters, "client_secret")
        .map(str::to_owned)
        .or(header_secret)
        .filter(|secret| !secret.is_empty());
    (client_id, client_secret)
}

/// The scopes granted by flows that issue no refresh token.
fn scopes_without_refresh(app: &ConnectedApp) -> Vec<String> {
    app.scopes
        .iter()
        .filter(|scope| !REFRESH_SCOPES.contains(&scope.as_str()))
        .cloned()
        .collect()
}

impl OAuthServer {
    /// The app a request names, with its secret checked: a secret that is sent must be right,
    /// and a missing one is refused when `secret_required`.
    fn authenticate_client(
        &self,
        parameters: &Parameters,
        headers: &HeaderMap,
        secret_required: impl FnOnce(&ConnectedApp) -> bool,
    ) -> Result<&ConnectedApp, TokenError> {
        let (client_id, client_secret) = client_credentials_of(parameters, headers);
        let app = client_id
            .and_then(|client_id| self.app(&client_id))
            .ok_or(TokenError::InvalidClientId)?;
        match client_secret {
            Some(secret) if !secrets_equal(&secret, &app.client_secret) => {
                Err(TokenError::InvalidClientCredentials)
            }
            None if secret_required(app) => Err(TokenError::InvalidClientCredentials),
            _ => Ok(app),
        }
    }

    /// `grant_type=authorization_code`.
    fn exchange_code(
        &self,
        parameters: &Parameters,
        headers: &HeaderMap,
    ) -> Result<TokenResponse, TokenError> {
        let code = parameter(parameters, "code").ok_or(TokenError::MissingParameter("code"))?;
        let key = secret_key(code);
        let mut registry = self.lock();
        registry.forget_old_codes();
        // Removed before any check: a code gets exactly one attempt, so a wrong verifier or
        // secret cannot be retried against it.
        let Some(record) = registry.codes.remove(&key) else {
            if let Some((family, _)) = registry.spent_codes.get(&key).copied() {
                tracing::warn!("authorization code replayed; revoking what it issued");
                registry.revoke_family(family);
            }
            return Err(TokenError::ExpiredAuthorizationCode);
        };
        let pkce_bound = record.code_challenge.is_some();
        let app = self.authenticate_client(parameters, headers, |app| {
            app.require_secret_for_web_server_flow && !pkce_bound
        })?;
        if record.client_id != app.client_id
            || registry.now().duration_since(record.issued_at) >= AUTHORIZATION_CODE_LIFETIME
        {
            return Err(TokenError::ExpiredAuthorizationCode);
        }
        if parameter(parameters, "redirect_uri") != Some(record.redirect_uri.as_str()) {
            return Err(TokenError::RedirectUriMismatch);
        }
        let verifier = parameter(parameters, "code_verifier");
        match (&record.code_challenge, verifier) {
            (Some(_), None) => return Err(TokenError::MissingCodeVerifier),
            (Some(challenge), Some(verifier)) if !pkce::verifier_matches(challenge, verifier) => {
                return Err(TokenError::CodeVerifierMismatch);
            }
            // A verifier for a code that had no challenge is refused (RFC 9700 §4.8.2: it
            // betrays a PKCE downgrade).
            (None, Some(_)) => return Err(TokenError::CodeVerifierMismatch),
            _ => {}
        }
        let user = self
            .user(&record.username)
            .ok_or(TokenError::ExpiredAuthorizationCode)?;
        let family = registry.new_family();
        registry.spent_codes.insert(key, (family, record.issued_at));
        let wants_refresh = record
            .scopes
            .iter()
            .any(|scope| REFRESH_SCOPES.contains(&scope.as_str()));
        let refresh_token = wants_refresh.then(|| {
            self.issue_refresh_token(
                &mut registry,
                RefreshToken {
                    client_id: app.client_id.clone(),
                    username: user.username.clone(),
                    scopes: record.scopes.clone(),
                    family,
                    public_client: pkce_bound,
                },
            )
        });
        Ok(self.respond(
            &mut registry,
            app,
            user,
            &record.scopes,
            Some(family),
            refresh_token,
        ))
    }

    /// `grant_type=refresh_token`, rotating the token when the settings say so.
    fn refresh(&self, parameters: &Parameters, headers: &HeaderMap) -> Result<TokenResponse, TokenError> {
        let token =
            parameter(parameters, "refresh_token").ok_or(TokenError::MissingParameter("refresh_token"))?;
        let key = secret_key(token);
        let mut registry = self.lock();
        let (username, scopes, family, public_client) = {
            let (client_id, _) = client_credentials_of(parameters, headers);
            let record = registry
                .refresh_tokens
                .get(&key)
                .filter(|record| Some(&record.client_id) == client_id.as_ref());
            match record {
                Some(record) => (
                    record.username.clone(),
                    record.scopes.clone(),
                    record.family,
                    record.public_client,
                ),
                None => {
                    // An unknown client is still an unknown client, whatever the token.
                    self.authenticate_client(parameters, headers, |_| false)?;
                    return Err(TokenError::ExpiredRefreshToken);
                }
            }
        };
        let app = self.authenticate_client(parameters, headers, |app| {
            app.require_secret_for_web_server_flow && !public_client
        })?;
        let user = self.user(&username).ok_or(TokenError::ExpiredRefreshToken)?;
        let rotated = self.settings.rotate_refresh_tokens.then(|| {
            registry.refresh_tokens.remove(&key);
            self.issue_refresh_token(
                &mut registry,
                RefreshToken {
                    client_id: app.client_id.clone(),
                    username: username.clone(),
                    scopes: scopes.clone(),
                    family,
                    public_client,
                },
            )
        });
        Ok(self.respond(&mut registry, app, user, &scopes, Some(family), rotated))
    }

    /// `grant_type=password`: the password followed by the security token.
    fn password(&self, parameters: &Parameters, headers: &HeaderMap) -> Result<TokenResponse, TokenError> {
        let app = self.authenticate_client(parameters, headers, |_| true)?;
        if !app.password_flow_enabled {
            return Err(TokenError::AuthenticationFailure);
        }
        let username = parameter(parameters, "username").unwrap_or_default();
        let password = parameter(parameters, "password").unwrap_or_default();
        let user = self
            .user(username)
            .filter(|user| secrets_equal(password, &format!("{}{}", user.password, user.security_token)))
            .ok_or(TokenError::AuthenticationFailure)?;
        let mut registry = self.lock();
        Ok(self.respond(&mut registry, app, user, &scopes_without_refresh(app), None, None))
    }

    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`.
    fn jwt_bearer(&self, parameters: &Parameters) -> Result<TokenResponse, TokenError> {
        let assertion =
            parameter(parameters, "assertion").ok_or(TokenError::MissingParameter("assertion"))?;
        let assertion = UnverifiedAssertion::parse(assertion).map_err(|_| TokenError::InvalidAssertion)?;
        let app = self.app(&assertion.issuer).ok_or(TokenError::InvalidClientId)?;
        let key = self
            .jwt_keys
            .get(&app.client_id)
            .ok_or(TokenError::InvalidAssertion)?;
        assertion
            .verify_signature(key)
            .map_err(|_| TokenError::InvalidAssertion)?;
        let instance_url = self.settings.instance_url.as_str();
        let audience_accepted = assertion.audiences.iter().any(|audience| {
            let audience = audience.trim_end_matches('/');
            audience == instance_url || LOGIN_AUDIENCES.contains(&audience)
        });
        if !audience_accepted {
            return Err(TokenError::AudienceValidationFailed);
        }
        let mut registry = self.lock();
        assertion
            .check_expiry(registry.now_seconds())
            .map_err(|error| match error {
                AssertionError::Expired => TokenError::ExpiredAssertion,
                AssertionError::Malformed | AssertionError::BadSignature => TokenError::InvalidAssertion,
            })?;
        let user = self.user(&assertion.subject).ok_or(TokenError::UserNotApproved)?;
        Ok(self.respond(&mut registry, app, user, &scopes_without_refresh(app), None, None))
    }

    /// `grant_type=client_credentials`: a token for the app's run-as user.
    fn client_credentials(
        &self,
        parameters: &Parameters,
        headers: &HeaderMap,
    ) -> Result<TokenResponse, TokenError> {
        let app = self.authenticate_client(parameters, headers, |_| true)?;
        let user = app
            .client_credentials_username
            .as_deref()
            .and_then(|username| self.user(username))
            .ok_or(TokenError::NoClientCredentialsUser)?;
        let mut registry = self.lock();
        Ok(self.respond(&mut registry, app, user, &scopes_without_refresh(app), None, None))
    }

    fn issue_refresh_token(&self, registry: &mut Registry, record: RefreshToken) -> String {
        let token = random::refresh_token();
        registry.refresh_tokens.insert(secret_key(&token), record);
        token
    }

    /// Issues the access token and builds the response around it.
    fn respond(
        &self,
        registry: &mut Registry,
        app: &ConnectedApp,
        user: &SandboxUser,
        scopes: &[String],
        family: Option<GrantFamily>,
        refresh_token: Option<String>,
    ) -> TokenResponse {
        let access_token = self.issue_access_token(registry, &user.username, family);
        let id = self.identity_url(user);
        let issued_at = registry.now_millis().to_string();
        TokenResponse {
            access_token,
            refresh_token,
            signature: signature(&app.client_secret, &id, &issued_at),
            scope: scopes.join(" "),
            instance_url: self.settings.instance_url.clone(),
            id,
            token_type: "Bearer",
            issued_at,
        }
    }
}

/// `base64(HMAC-SHA256(client_secret, id + issued_at))`, which lets a client check that the
/// response came from a server that knows its secret.
pub(super) fn signature(client_secret: &str, id: &str, issued_at: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, client_secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{id}{issued_at}").as_bytes());
    STANDARD.encode(tag.as_ref())
}

#[cfg(test)]
mod tests {
    use super::super::registry::AuthorizationCode;
    use super::super::{DEFAULT_CLIENT_ID, DEFAULT_USERNAME, OAuthSettings};
    use super::*;
    use std::time::Duration;

    const REDIRECT_URI: &str = "http://127.0.0.1:5000/callback";
    // The example pair of RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    /// A server holding one approved code, PKCE-bound to [`CHALLENGE`] when `with_pkce`.
    fn server_with_code(with_pkce: bool) -> (OAuthServer, String) {
        let server = OAuthServer::new(OAuthSettings::defaults("http://127.0.0.1:1"));
        let code = random::authorization_code();
        {
            let mut registry = server.lock();
            let issued_at = registry.now();
            registry.codes.insert(
                secret_key(&code),
                AuthorizationCode {
                    client_id: DEFAULT_CLIENT_ID.to_owned(),
                    username: DEFAULT_USERNAME.to_owned(),
                    redirect_uri: REDIRECT_URI.to_owned(),
                    code_challenge: with_pkce.then(|| CHALLENGE.to_owned()),
                    scopes: vec!["api".to_owned()],
                    issued_at,
                },
            );
        }
        (server, code)
    }

    fn exchange(server: &OAuthServer, code: &str, verifier: Option<&str>) -> Result<(), TokenError> {
        let mut parameters = Parameters::from([
            ("code".to_owned(), code.to_owned()),
            ("client_id".to_owned(), DEFAULT_CLIENT_ID.to_owned()),
            ("redirect_uri".to_owned(), REDIRECT_URI.to_owned()),
        ]);
        if let Some(verifier) = verifier {
            parameters.insert("code_verifier".to_owned(), verifier.to_owned());
        }
        server.exchange_code(&parameters, &HeaderMap::new()).map(|_| ())
    }

    #[test]
    fn a_code_is_exchanged_once() {
        let (server, code) = server_with_code(true);
        assert_eq!(exchange(&server, &code, Some(VERIFIER)), Ok(()));
        assert_eq!(
            exchange(&server, &code, Some(VERIFIER)),
            Err(TokenError::ExpiredAuthorizationCode)
        );
    }

    #[test]
    fn a_code_expires_after_fifteen_minutes() {
        let (server, code) = server_with_code(true);
        server.advance_clock(AUTHORIZATION_CODE_LIFETIME);
        assert_eq!(
            exchange(&server, &code, Some(VERIFIER)),
            Err(TokenError::ExpiredAuthorizationCode)
        );
        let (server, code) = server_with_code(true);
        server.advance_clock(AUTHORIZATION_CODE_LIFETIME - Duration::from_secs(1));
        assert_eq!(exchange(&server, &code, Some(VERIFIER)), Ok(()));
    }

    #[test]
    fn a_failed_attempt_spends_the_code() {
        let (server, code) = server_with_code(true);
        assert_eq!(
            exchange(&server, &code, Some("x".repeat(43).as_str())),
            Err(TokenError::CodeVerifierMismatch)
        );
        assert_eq!(
            exchange(&server, &code, Some(VERIFIER)),
            Err(TokenError::ExpiredAuthorizationCode)
        );
    }

    #[test]
    fn pkce_is_enforced_both_ways() {
        let (server, code) = server_with_code(true);
        assert_eq!(
            exchange(&server, &code, None),
            Err(TokenError::MissingCodeVerifier)
        );
        // No challenge, no secret: the default app requires its secret then.
        let (server, code) = server_with_code(false);
        assert_eq!(
            exchange(&server, &code, None),
            Err(TokenError::InvalidClientCredentials)
        );
    }

    #[test]
    fn the_signature_is_an_hmac_of_id_and_issued_at() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a well-known vector.
        let signature = signature("key", "The quick brown fox ", "jumps over the lazy dog");
        assert_eq!(signature, "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg=");
    }

    #[test]
    fn basic_authentication_supplies_missing_client_credentials() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("app:secret");
        if let Ok(value) = format!("Basic {encoded}").parse() {
            headers.insert(AUTHORIZATION, value);
        }
        let (client_id, client_secret) = client_credentials_of(&Parameters::new(), &headers);
        assert_eq!(client_id.as_deref(), Some("app"));
        assert_eq!(client_secret.as_deref(), Some("secret"));
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
    }
}
