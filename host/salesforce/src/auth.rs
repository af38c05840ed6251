//! Authorization: getting, keeping and renewing the access token a
//! [`Client`](crate::Client) sends, against `login.salesforce.com`,
//! `test.salesforce.com`, a My Domain or any other login URL (HTTPS, or HTTP on loopback only).
//!
//! The flows (reference `salesforce-api.md` §2), all through one [`OAuthClient`]:
//! - the web-server flow with PKCE S256 and a random `state`, its redirect caught by a one-shot
//!   listener on `127.0.0.1` at a port the system picks ([`OAuthClient::begin_web_server_flow`]);
//! - the refresh-token flow ([`OAuthClient::refresh`]); `invalid_grant` there means the user has
//!   to authorize again ([`AuthError::ReauthorizationNeeded`]);
//! - the JWT bearer flow with an RS256 key file ([`OAuthClient::jwt_bearer`], [`JwtSigningKey`]);
//! - username-password (password followed by the security token) and client credentials;
//! - an access token the user already has (no flow: [`StoredAuthorization::from_access_token`]);
//! - revocation on logout ([`OAuthClient::revoke`]).
//!
//! What a flow yields is kept as one [`StoredAuthorization`] in a [`TokenStorage`] of the
//! program's choosing (leadgate's seals it in its data directory; [`MemoryTokenStorage`] keeps it
//! in memory), and an [`OAuthSessionProvider`] hands it to the client and renews it when
//! Salesforce rejects it.
//!
//! The token endpoint's redirects are never followed, an `instance_url` that is not HTTPS
//! (outside loopback) is refused, and no token, code, verifier or secret is logged, put in an
//! error or shown by `Debug`.

mod authorization_record;
mod configuration_error;
mod http_client;
mod identity;
mod jwt_bearer;
mod login_url;
mod loopback_listener;
mod oauth_client;
mod session_provider;
mod token_response;
mod token_storage;
mod web_server_flow;

pub use authorization_record::{Flow, StoredAuthorization};
pub use configuration_error::{ConfigurationError, JwtKeyProblem};
pub use http_client::oauth_http_client;
pub use identity::Identity;
pub use jwt_bearer::{JWT_ASSERTION_LIFETIME, JwtSigningKey};
pub use login_url::{LoginUrl, PRODUCTION_LOGIN_URL, SANDBOX_LOGIN_URL};
pub use oauth_client::OAuthClient;
pub use session_provider::OAuthSessionProvider;
pub use token_response::IssuedTokens;
pub use token_storage::{MemoryTokenStorage, StorageFuture, TokenStorage, TokenStorageError};
pub use web_server_flow::{
    BrowserAvailability, BrowserOutcome, DEFAULT_CALLBACK_TIMEOUT, DEFAULT_SCOPES, PendingAuthorization,
    WebServerFlowOptions, open_in_browser,
};
