//! Sessions: the access token and instance URL a [`Client`](crate::Client) sends its
//! requests with, and the [`SessionProvider`] it gets them from.
//!
//! The client asks its provider for a session before its first request and caches it. When
//! Salesforce answers 401 `INVALID_SESSION_ID`, the client calls [`SessionProvider::refresh`]
//! once — one call for all the requests that saw the same stale token — and retries.
//! [`StaticSession`] is the simplest provider: a token the user pasted, which cannot be renewed.
//! The authorization flows in [`crate::auth`] provide renewable sessions.

use std::future::Future;
use std::pin::Pin;

use secrecy::SecretString;

/// A future returned by a [`SessionProvider`].
pub type SessionFuture<'provider> =
    Pin<Box<dyn Future<Output = Result<Session, AuthError>> + Send + 'provider>>;

/// An access token with the instance it is valid for.
#[derive(Clone)]
pub struct Session {
    /// The org's instance, e.g. `https://mydomain.my.salesforce.com` (no trailing slash needed).
    pub instance_url: String,
    /// The access token, sent as `Authorization: Bearer …`.
    pub access_token: SecretString,
    /// When the token was issued, in milliseconds since the Unix epoch, when known.
    pub issued_at: Option<i64>,
}

impl Session {
    /// A session from an instance URL and an access token, issued at an unknown time.
    pub fn new(instance_url: impl Into<String>, access_token: impl Into<String>) -> Self {
        Self {
            instance_url: instance_url.into(),
            access_token: SecretString::from(access_token.into()),
            issued_at: None,
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token never reaches a log line or an error message, even through `{:?}`.
        formatter
            .debug_struct("Session")
            .field("instance_url", &self.instance_url)
            .field("access_token", &"[redacted]")
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

/// Where a client gets its session, and a new one when Salesforce rejects it.
pub trait SessionProvider: Send + Sync + 'static {
    /// The current session (possibly cached by the provider).
    fn session(&self) -> SessionFuture<'_>;
    /// Called after `stale` got 401 INVALID_SESSION_ID; returns a fresh session.
    fn refresh(&self, stale: &Session) -> SessionFuture<'_>;
}

/// A user-supplied access token and instance URL: used as is, never refreshed.
///
/// When Salesforce rejects the token, [`SessionProvider::refresh`] answers
/// [`AuthError::ReauthorizationNeeded`].
#[derive(Debug, Clone)]
pub struct StaticSession(Session);

impl StaticSession {
    /// A provider that always hands out `session`.
    pub fn new(session: Session) -> Self {
        Self(session)
    }

    /// A provider from an instance URL and an access token.
    pub fn from_token(instance_url: impl Into<String>, access_token: impl Into<String>) -> Self {
        Self(Session::new(instance_url, access_token))
    }
}

impl SessionProvider for StaticSession {
    fn session(&self) -> SessionFuture<'_> {
        let session = self.0.clone();
        Box::pin(async move { Ok(session) })
    }

    fn refresh(&self, _stale: &Session) -> SessionFuture<'_> {
        Box::pin(async {
            Err(AuthError::ReauthorizationNeeded {
                reason: "the access token was given by hand and Salesforce no longer accepts it".to_owned(),
            })
        })
    }
}

/// Why no session could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The stored authorization is gone, revoked or expired: the user must log in again.
    #[error("{reason}; re-authorize with `leadgate auth login`")]
    ReauthorizationNeeded {
        /// What happened, e.g. "the refresh token was revoked or has expired".
        reason: String,
    },
    /// The authorization server could not be reached, or the exchange broke off.
    #[error("cannot reach the authorization server")]
    Http(#[source] reqwest::Error),
    /// The authorization server answered an OAuth error (`error`, `error_description`).
    #[error("the authorization server refused: {error}: {description}")]
    Oauth {
        /// The OAuth `error`, e.g. `invalid_grant`.
        error: String,
        /// The `error_description`, e.g. `expired access/refresh token`.
        description: String,
    },
    /// The token storage could not be read or written.
    #[error("token storage")]
    Storage(#[source] crate::auth::TokenStorageError),
    /// A URL was refused: not HTTPS outside loopback, or not a URL at all.
    #[error("refusing the URL `{url}`: {reason}")]
    InsecureUrl {
        /// The URL (never one that carries a secret).
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The authorization server's answer could not be understood.
    #[error("unexpected answer from the authorization server: {0}")]
    InvalidResponse(String),
    /// The authorization server answered with a redirect. It is not followed: the next request
    /// would carry the grant and the client secret wherever the redirect points.
    #[error("the authorization server answered HTTP {status}, a redirect, which is not followed")]
    RedirectNotFollowed {
        /// The redirect's HTTP status, e.g. 302 or 307.
        status: u16,
    },
    /// The setup of the flow is missing or wrong (a file, a key, a secret, the loopback
    /// listener).
    #[error(transparent)]
    Configuration(#[from] crate::auth::ConfigurationError),
}

impl AuthError {
    /// True when trying again later may succeed (the server could not be reached); false when
    /// the user has to act.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http(error) => error.is_timeout() || error.is_connect() || error.is_request(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_redacts_the_token() {
        let session = Session::new("https://example.my.salesforce.com", "00Dxx!canary-token");
        let shown = format!("{session:?} {:?}", StaticSession::new(session.clone()));
        assert!(!shown.contains("canary-token"), "{shown}");
        assert!(shown.contains("example.my.salesforce.com"), "{shown}");
    }

    #[tokio::test]
    async fn a_static_session_cannot_be_refreshed() {
        let provider = StaticSession::from_token("https://example.my.salesforce.com", "token");
        let session = provider.session().await;
        assert!(session.is_ok());
        let Ok(session) = session else { return };
        let refreshed = provider.refresh(&session).await;
        assert!(matches!(refreshed, Err(AuthError::ReauthorizationNeeded { .. })));
    }
}
