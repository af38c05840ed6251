//! [`OAuthSessionProvider`]: the stored authorization as a client's [`SessionProvider`].

use secrecy::ExposeSecret as _;
use subtle::ConstantTimeEq as _;
use tokio::sync::Mutex;

use super::authorization_record::{Flow, StoredAuthorization};
use super::jwt_bearer::JwtSigningKey;
use super::token_response::IssuedTokens;
use super::token_storage::TokenStorage;
use crate::session::{AuthError, Session, SessionFuture, SessionProvider};

/// Hands out the stored session and renews it the way it was obtained: the refresh-token
/// grant (web-server flow), a new assertion (JWT bearer) or a new grant (client credentials).
/// Renewed tokens are saved in the provider's [`TokenStorage`] before they are handed out.
///
/// Safe to call concurrently: renewals are serialized, and a renewal asked for with a token
/// that was already replaced returns the replacement without another grant, so callers that
/// all saw the same expired token cause one token request between them.
pub struct OAuthSessionProvider<S> {
    storage: S,
    current: Mutex<StoredAuthorization>,
}

impl<S> std::fmt::Debug for OAuthSessionProvider<S> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OAuthSessionProvider")
            .finish_non_exhaustive()
    }
}

impl<S: TokenStorage> OAuthSessionProvider<S> {
    /// The provider of the authorization kept in `storage`; reauthorization is needed when
    /// none is.
    pub fn open(storage: S) -> Result<Self, AuthError> {
        let authorization =
            StoredAuthorization::load(&storage)?.ok_or_else(|| AuthError::ReauthorizationNeeded {
                reason: "no Salesforce authorization is stored in this data directory".to_owned(),
            })?;
        Ok(Self::new(storage, authorization))
    }

    /// A provider of `authorization`, saving renewals in `storage`.
    pub fn new(storage: S, authorization: StoredAuthorization) -> Self {
        Self {
            storage,
            current: Mutex::new(authorization),
        }
    }

    /// A copy of the current authorization.
    pub async fn authorization(&self) -> StoredAuthorization {
        self.current.lock().await.clone()
    }

    /// The storage the renewals go to.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    async fn renew(&self, stale: &Session) -> Result<Session, AuthError> {
        let mut current = self.current.lock().await;
        let already_renewed = !bool::from(
            current
                .access_token
                .expose_secret()
                .as_bytes()
                .ct_eq(stale.access_token.expose_secret().as_bytes()),
        );
        if already_renewed {
            return Ok(current.session());
        }
        let tokens = grant(&current).await?;
        current.renew(tokens);
        if let Err(error) = current.save(&self.storage).await {
            // The new session works; only the next process would have to authorize again.
            let error = crate::error_chain::error_chain(&error);
            tracing::warn!(%error, "cannot store the renewed Salesforce session");
        }
        tracing::info!(flow = %current.flow, "Salesforce session renewed");
        Ok(current.session())
    }
}

/// A new access token the way `authorization` was obtained.
async fn grant(authorization: &StoredAuthorization) -> Result<IssuedTokens, AuthError> {
    let not_renewable = |how: &str| AuthError::ReauthorizationNeeded {
        reason: format!("the Salesforce session has expired and {how}"),
    };
    let client = match authorization.flow {
        Flow::AccessToken => return Err(not_renewable("a token given by hand cannot be renewed")),
        Flow::Password => {
            return Err(not_renewable(
                "the password flow keeps no password to renew it with (run `leadgate auth password` again)",
            ));
        }
        _ => authorization
            .oauth_client()?
            .ok_or_else(|| not_renewable("its login URL or client id is missing"))?,
    };
    match authorization.flow {
        Flow::WebServer => {
            let refresh_token = authorization.refresh_token.as_ref().ok_or_else(|| {
                not_renewable("no refresh token was issued (ask for the `refresh_token` scope)")
            })?;
            client.refresh(refresh_token).await
        }
        Flow::JwtBearer => {
            let key_file = authorization
                .jwt_key_file
                .as_deref()
                .ok_or_else(|| not_renewable("the JWT key file is not recorded"))?;
            let username = authorization
                .identity
                .username
                .as_deref()
                .ok_or_else(|| not_renewable("the JWT username is not recorded"))?;
            let audience = authorization
                .jwt_audience
                .clone()
                .unwrap_or_else(|| client.login_url().default_jwt_audience());
            let key = JwtSigningKey::from_file(key_file)?;
            let now_seconds = jiff::Timestamp::now().as_second();
            let assertion = key.assertion(client.client_id(), username, &audience, now_seconds)?;
            client.jwt_bearer(&assertion).await
        }
        Flow::ClientCredentials => client.client_credentials().await,
        Flow::Password | Flow::AccessToken => Err(not_renewable("it cannot be renewed")),
    }
}

impl<S: TokenStorage + 'static> SessionProvider for OAuthSessionProvider<S> {
    fn session(&self) -> SessionFuture<'_> {
        Box::pin(async move { Ok(self.current.lock().await.session()) })
    }

    fn refresh(&self, stale: &Session) -> SessionFuture<'_> {
        let stale = stale.clone();
        Box::pin(async move { self.renew(&stale).await })
    }
}
