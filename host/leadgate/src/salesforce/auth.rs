//! Authorization: getting, keeping and renewing the access token a
//! [`Client`](crate::salesforce::Client) sends, against `login.salesforce.com`,
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
//! What a flow yields is kept as one [`StoredAuthorization`] in the data directory's
//! encrypted [`CredentialStore`](crate::secrets::CredentialStore), and an
//! [`OAuthSessionProvider`] hands it to the client and renews it when Salesforce rejects it.
//!
//! The token endpoint's redirects are never followed, an `instance_url` that is not HTTPS
//! (outside loopback) is refused, and no token, code, verifier or secret is logged, put in an
//! error or shown by `Debug`.

mod authorization_record;
mod http_client;
mod identity;
mod jwt_bearer;
mod login_url;
mod loopback_listener;
mod oauth_client;
mod session_provider;
mod token_response;
mod web_server_flow;

use std::path::Path;
use std::sync::Arc;

pub use authorization_record::{AUTHORIZATION_RECORD, Flow, StoredAuthorization};
pub use http_client::oauth_http_client;
pub use identity::Identity;
pub use jwt_bearer::{JWT_ASSERTION_LIFETIME, JwtSigningKey};
pub use login_url::{LoginUrl, PRODUCTION_LOGIN_URL, SANDBOX_LOGIN_URL};
pub use oauth_client::OAuthClient;
pub use session_provider::OAuthSessionProvider;
pub use token_response::IssuedTokens;
pub use web_server_flow::{
    BrowserAvailability, BrowserOutcome, DEFAULT_CALLBACK_TIMEOUT, DEFAULT_SCOPES, PendingAuthorization,
    WebServerFlowOptions, open_in_browser,
};

use crate::salesforce::session::{AuthError, SessionProvider};
use crate::secrets::{CredentialStore, MasterKey};
use crate::store::Store;

/// Opens the data directory's encrypted credentials: the store (taking its lock) and the
/// master key (`LEADGATE_MASTER_KEY`, else `<data_dir>/master.key`).
pub fn open_credentials(data_dir: &Path) -> Result<CredentialStore, AuthError> {
    let store = Store::open(data_dir).map_err(|error| AuthError::Storage(error.to_string()))?;
    let key = MasterKey::resolve(data_dir).map_err(|error| AuthError::Storage(error.to_string()))?;
    CredentialStore::open(Arc::new(store), key).map_err(|error| AuthError::Storage(error.to_string()))
}

/// The session provider of the authorization stored in `data_dir` (by `leadgate auth …`),
/// for a [`Client`](crate::salesforce::Client). Holds the data directory open while it lives.
///
/// Fails with [`AuthError::ReauthorizationNeeded`] when nothing is stored.
pub fn stored_session_provider(data_dir: &Path) -> Result<Arc<dyn SessionProvider>, AuthError> {
    let provider = OAuthSessionProvider::open(open_credentials(data_dir)?)?;
    Ok(Arc::new(provider))
}
