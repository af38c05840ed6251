//! The sandbox org's OAuth 2.0 authorization server, shaped after Salesforce's
//! (`../shared/reference/salesforce-api.md` §2):
//! - `GET|POST /services/oauth2/authorize`: the web-server flow's approval page (or, with
//!   [`OAuthSettings::auto_approve`], an immediate redirect with the code);
//! - `POST /services/oauth2/token`: the `authorization_code` (PKCE S256), `refresh_token`,
//!   `password`, JWT bearer and `client_credentials` grants;
//! - `POST|GET /services/oauth2/revoke`;
//! - `GET|POST /services/oauth2/userinfo` and the identity URL `GET /id/{orgId}/{userId}`;
//! - [`OAuthServer::authenticate`], which the data API calls on every request and which
//!   answers expired or unknown tokens with Salesforce's 401.
//!
//! Nothing here logs a token, code, secret or password: `tracing` events carry only grant
//! types, client ids and outcomes.

mod authorize;
mod certificate;
mod identity;
mod jwt_assertion;
mod pkce;
mod random;
mod redirect;
mod registry;
mod revoke;
mod session_error;
mod settings;
mod token_endpoint;
mod token_error;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Response;
use axum::routing::{get, post};

pub use certificate::CertificateError;
pub use jwt_assertion::{AssertionSigningError, sign_assertion};
pub use redirect::redirect_uri_matches;
pub use settings::{
    ConnectedApp, DEFAULT_ACCESS_TOKEN_LIFETIME, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_JWT_CERTIFICATE_PEM, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_ORG_ID, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USER_ID, DEFAULT_USERNAME, OAuthSettings, SandboxUser,
};

use registry::{AccessToken, GrantFamily, Registry, secret_key};

/// Who an access token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user's 18-character id.
    pub user_id: String,
    /// The org's 18-character id.
    pub org_id: String,
    /// The user's login name.
    pub username: String,
}

/// The authorization server. Shared behind an `Arc`; its mutable state sits behind one mutex,
/// held only for map lookups and inserts (never across an `.await`).
pub struct OAuthServer {
    settings: OAuthSettings,
    /// Each app's JWT verification key (PKCS#1 RSA), parsed once; apps whose certificate is
    /// absent or unreadable are missing, and their JWT bearer requests fail.
    jwt_keys: HashMap<String, Vec<u8>>,
    registry: Mutex<Registry>,
}

impl std::fmt::Debug for OAuthServer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The settings hold secrets and the registry holds (digests of) tokens: print neither.
        formatter
            .debug_struct("OAuthServer")
            .field("org_id", &self.settings.org_id)
            .field("instance_url", &self.settings.instance_url)
            .finish_non_exhaustive()
    }
}

/// Whether `pem` (an X.509 certificate, a `PUBLIC KEY` or an `RSA PUBLIC KEY`) holds an RSA key
/// that can verify JWT bearer assertions.
pub fn check_jwt_certificate(pem: &str) -> Result<(), CertificateError> {
    certificate::rsa_public_key_from_pem(pem).map(|_| ())
}

/// The counter key of revocation requests in [`OAuthServer::token_requests`].
pub const REVOKE_COUNTER: &str = "revoke";

impl OAuthServer {
    /// A server with no tokens issued yet.
    pub fn new(settings: OAuthSettings) -> Self {
        let mut jwt_keys = HashMap::new();
        for app in &settings.apps {
            let Some(pem) = &app.jwt_certificate_pem else {
                continue;
            };
            match certificate::rsa_public_key_from_pem(pem) {
                Ok(key) => {
                    jwt_keys.insert(app.client_id.clone(), key);
                }
                Err(error) => tracing::warn!(
                    client_id = %app.client_id,
                    %error,
                    "ignoring the app's JWT certificate"
                ),
            }
        }
        Self {
            settings,
            jwt_keys,
            registry: Mutex::new(Registry::default()),
        }
    }

    /// The settings the server was created with.
    pub fn settings(&self) -> &OAuthSettings {
        &self.settings
    }

    /// The OAuth routes (see the module docs), with this server as their state.
    pub fn router(self: &Arc<Self>) -> axum::Router {
        axum::Router::new()
            .route(
                "/services/oauth2/authorize",
                get(authorize::show_approval).post(authorize::decide),
            )
            .route("/services/oauth2/token", post(token_endpoint::token))
            .route(
                "/services/oauth2/revoke",
                post(revoke::revoke_form).get(revoke::revoke_query),
            )
            .route(
                "/services/oauth2/userinfo",
                get(identity::userinfo).post(identity::userinfo),
            )
            .route("/id/{org_id}/{user_id}", get(identity::identity))
            .with_state(Arc::clone(self))
    }

    /// The session of the request's access token (`Authorization: Bearer …`, or the older
    /// `OAuth …`), or the 401 response Salesforce gives:
    /// - an unknown, expired or revoked token:
    ///   `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, which a
    ///   client answers by refreshing;
    /// - no `Authorization` header, or one of another scheme or without a token:
    ///   `[{"message":"INVALID_HEADER_TYPE","errorCode":"INVALID_AUTH_HEADER"}]` (the
    ///   reference's simulator checklist, §11: "Missing or bad header → 401
    ///   `INVALID_AUTH_HEADER`"), which a refresh cannot cure.
    ///
    /// Both carry `WWW-Authenticate: Token`.
    #[expect(
        clippy::result_large_err,
        reason = "handlers return the error response as is; boxing it would only add an allocation"
    )]
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Session, Response> {
        let Some(header) = headers.get(AUTHORIZATION) else {
            return Err(session_error::invalid_auth_header());
        };
        let token = header
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or_else(session_error::invalid_auth_header)?;
        self.session_of(token).ok_or_else(session_error::invalid_session)
    }

    /// The session of an access token, if it is live.
    fn session_of(&self, access_token: &str) -> Option<Session> {
        let key = secret_key(access_token);
        let mut registry = self.lock();
        let now = registry.now();
        let token = registry.access_tokens.get(&key)?;
        if now.duration_since(token.issued_at) >= self.settings.access_token_lifetime {
            registry.access_tokens.remove(&key);
            return None;
        }
        let user = self.user(&token.username)?;
        Some(Session {
            user_id: user.user_id.clone(),
            org_id: self.settings.org_id.clone(),
            username: user.username.clone(),
        })
    }

    /// Expires every access token issued so far (refresh tokens stay valid), as a session
    /// timeout would: the next data request with any of them gets the 401.
    pub fn expire_access_tokens(&self) {
        self.lock().access_tokens.clear();
    }

    /// How many requests reached the token endpoint, by grant type (`authorization_code`,
    /// `refresh_token`, `password`, `jwt_bearer`, `client_credentials`, `unsupported` for any
    /// other or missing grant type), plus [`REVOKE_COUNTER`] for the revoke endpoint. Failed
    /// requests count too; absent keys are zero.
    pub fn token_requests(&self) -> BTreeMap<String, u64> {
        self.lock().counters.clone()
    }

    /// Forgets every code and token, zeroes the counters and undoes
    /// [`advance_clock`](Self::advance_clock).
    pub fn reset(&self) {
        self.lock().reset();
    }

    /// Moves the server's clocks (code and token lifetimes, `issued_at`, JWT `exp` checks)
    /// forward, so tests can expire codes and tokens without waiting.
    pub fn advance_clock(&self, by: Duration) {
        self.lock().advance_clock(by);
    }

    /// Issues an access token for `username` directly, without any flow (and without counting
    /// a token request): for tests of the data API. `None` if the user does not exist.
    pub fn mint_access_token(&self, username: &str) -> Option<String> {
        self.user(username)?;
        let mut registry = self.lock();
        Some(self.issue_access_token(&mut registry, username, None))
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        crate::state::lock(&self.registry)
    }

    fn app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.settings.apps.iter().find(|app| app.client_id == client_id)
    }

    fn user(&self, username: &str) -> Option<&SandboxUser> {
        self.settings.users.iter().find(|user| user.username == username)
    }

    /// `{instance_url}/id/{orgId}/{userId}`: the identity URL, which is also a token's `id`.
    fn identity_url(&self, user: &SandboxUser) -> String {
        format!(
            "{}/id/{}/{}",
            self.settings.instance_url, self.settings.org_id, user.user_id
        )
    }

    fn issue_access_token(
        &self,
        registry: &mut Registry,
        username: &str,
        family: Option<GrantFamily>,
    ) -> String {
        let token = random::access_token(&self.settings.org_id);
        let issued_at = registry.now();
        registry.access_tokens.insert(
            secret_key(&token),
            AccessToken {
                username: username.to_owned(),
                family,
                issued_at,
            },
        );
        token
    }
}

/// The token of an `Authorization` header value: `Bearer {token}` or `OAuth {token}`, the
/// scheme case-insensitive.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    let known_scheme = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth");
    (known_scheme && !token.is_empty() && !token.contains(' ')).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn server() -> OAuthServer {
        OAuthServer::new(OAuthSettings::defaults("http://127.0.0.1:1"))
    }

    fn headers(authorization: &str) -> Result<HeaderMap, Box<dyn std::error::Error>> {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(authorization)?);
        Ok(headers)
    }

    fn error_code(response: Response) -> (StatusCode, Option<String>) {
        let status = response.status();
        let www_authenticate = response
            .headers()
            .get("www-authenticate")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        (status, www_authenticate)
    }

    #[test]
    fn a_minted_token_authenticates_with_either_scheme() -> Result<(), Box<dyn std::error::Error>> {
        let server = server();
        let token = server.mint_access_token(DEFAULT_USERNAME).ok_or("no user")?;
        let expected = Session {
            user_id: DEFAULT_USER_ID.to_owned(),
            org_id: DEFAULT_ORG_ID.to_owned(),
            username: DEFAULT_USERNAME.to_owned(),
        };
        assert_eq!(
            server.authenticate(&headers(&format!("Bearer {token}"))?).ok(),
            Some(expected.clone())
        );
        assert_eq!(
            server.authenticate(&headers(&format!("OAuth {token}"))?).ok(),
            Some(expected)
        );
        Ok(())
    }

    #[test]
    fn tokens_expire_after_their_lifetime() -> Result<(), Box<dyn std::error::Error>> {
        let server = server();
        let token = server.mint_access_token(DEFAULT_USERNAME).ok_or("no user")?;
        let headers = headers(&format!("Bearer {token}"))?;
        server.advance_clock(DEFAULT_ACCESS_TOKEN_LIFETIME - Duration::from_secs(1));
        assert!(server.authenticate(&headers).is_ok());
        server.advance_clock(Duration::from_secs(1));
        let response = server.authenticate(&headers).err().ok_or("still valid")?;
        assert_eq!(
            error_code(response),
            (StatusCode::UNAUTHORIZED, Some("Token".to_owned()))
        );
        Ok(())
    }

    #[test]
    fn expiring_all_tokens_logs_every_session_out() -> Result<(), Box<dyn std::error::Error>> {
        let server = server();
        let token = server.mint_access_token(DEFAULT_USERNAME).ok_or("no user")?;
        server.expire_access_tokens();
        assert!(
            server
                .authenticate(&headers(&format!("Bearer {token}"))?)
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn headers_are_parsed_strictly() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer"), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("abc"), None);
    }

    #[test]
    fn missing_and_malformed_headers_get_a_401() -> Result<(), Box<dyn std::error::Error>> {
        let server = server();
        for request in [HeaderMap::new(), headers("Basic abc")?, headers("Bearer nope")?] {
            let response = server.authenticate(&request).err().ok_or("accepted")?;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        Ok(())
    }

    /// Only a token that was once valid (or looks like one) gets `INVALID_SESSION_ID`, the
    /// code that makes clients refresh; a missing header is a client bug a refresh cannot fix.
    #[tokio::test]
    async fn a_missing_header_is_invalid_auth_header_and_an_unknown_token_invalid_session()
    -> Result<(), Box<dyn std::error::Error>> {
        let server = server();
        for (request, expected) in [
            (HeaderMap::new(), session_error::INVALID_AUTH_HEADER_BODY),
            (headers("Basic abc")?, session_error::INVALID_AUTH_HEADER_BODY),
            (headers("Bearer nope")?, session_error::INVALID_SESSION_BODY),
        ] {
            let response = server.authenticate(&request).err().ok_or("accepted")?;
            let body = axum::body::to_bytes(response.into_body(), 1024).await?;
            assert_eq!(std::str::from_utf8(&body)?, expected);
        }
        Ok(())
    }

    #[test]
    fn debug_output_holds_no_secrets() {
        let printed = format!("{:?}", server());
        assert!(!printed.contains(DEFAULT_CLIENT_SECRET));
        assert!(!printed.contains(DEFAULT_PASSWORD));
    }
}
