//! [`StoredAuthorization`]: what a flow left behind, kept as one record in a [`TokenStorage`].

use std::path::PathBuf;

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize as _, Zeroizing};

use super::configuration_error::ConfigurationError;
use super::identity::Identity;
use super::login_url::{LoginUrl, check_instance_url};
use super::oauth_client::OAuthClient;
use super::token_response::IssuedTokens;
use super::token_storage::{TokenStorage, TokenStorageError};
use crate::session::{AuthError, Session};

/// How the authorization was obtained, which decides how it is renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// Browser login (authorization code + PKCE); renewed with its refresh token.
    WebServer,
    /// JWT bearer; renewed with a new assertion signed with the key file.
    JwtBearer,
    /// Username-password; not renewable (the password is not kept).
    Password,
    /// Client credentials; renewed with a new grant.
    ClientCredentials,
    /// A token given by hand; not renewable.
    AccessToken,
}

impl Flow {
    /// The name shown by `auth status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebServer => "web-server",
            Self::JwtBearer => "jwt-bearer",
            Self::Password => "password",
            Self::ClientCredentials => "client-credentials",
            Self::AccessToken => "access-token",
        }
    }
}

impl std::fmt::Display for Flow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// An authorization: the tokens, the instance, and what renewing them takes. `Debug` shows no
/// secret.
#[derive(Clone)]
pub struct StoredAuthorization {
    /// How it was obtained.
    pub flow: Flow,
    /// The login URL the grants go to (none for a token given by hand).
    pub login_url: Option<String>,
    /// The connected app's consumer key.
    pub client_id: Option<String>,
    /// The connected app's secret, when the flow used one.
    pub client_secret: Option<SecretString>,
    /// JWT bearer: the key file, read again at each renewal (the key itself is not copied).
    pub jwt_key_file: Option<PathBuf>,
    /// JWT bearer: the assertion's `aud`.
    pub jwt_audience: Option<String>,
    /// A root certificate (PEM file) to trust besides the web PKI, e.g. the local sandbox
    /// org's with `--tls`.
    pub ca_certificate_file: Option<PathBuf>,
    /// The org's instance (checked: HTTPS, or HTTP on loopback).
    pub instance_url: String,
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token (web-server flow).
    pub refresh_token: Option<SecretString>,
    /// The identity URL.
    pub identity_url: Option<String>,
    /// Who the token belongs to, as far as known.
    pub identity: Identity,
    /// When the server issued the access token (milliseconds since the epoch), if it said.
    pub issued_at: Option<i64>,
    /// When leadgate received the access token (milliseconds since the epoch).
    pub obtained_at: i64,
    /// The granted scopes.
    pub scope: Option<String>,
}

impl std::fmt::Debug for StoredAuthorization {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StoredAuthorization")
            .field("flow", &self.flow)
            .field("login_url", &self.login_url)
            .field("client_id", &self.client_id)
            .field("instance_url", &self.instance_url)
            .field("identity", &self.identity)
            .field("issued_at", &self.issued_at)
            .field("obtained_at", &self.obtained_at)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl StoredAuthorization {
    /// What a grant of `client` issued, by `flow`.
    pub fn from_grant(flow: Flow, client: &OAuthClient, tokens: IssuedTokens) -> Self {
        let identity = tokens
            .identity_url
            .as_deref()
            .map(Identity::from_identity_url)
            .unwrap_or_default();
        Self {
            flow,
            login_url: Some(client.login_url().as_str().to_owned()),
            client_id: Some(client.client_id().to_owned()),
            client_secret: client.client_secret().cloned(),
            jwt_key_file: None,
            jwt_audience: None,
            ca_certificate_file: None,
            instance_url: tokens.instance_url,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            identity_url: tokens.identity_url,
            identity,
            issued_at: tokens.issued_at,
            obtained_at: now_milliseconds(),
            scope: tokens.scope,
        }
    }

    /// A token the user already has, for `instance_url` (checked like any instance URL).
    pub fn from_access_token(instance_url: &str, access_token: SecretString) -> Result<Self, AuthError> {
        Ok(Self {
            flow: Flow::AccessToken,
            login_url: None,
            client_id: None,
            client_secret: None,
            jwt_key_file: None,
            jwt_audience: None,
            ca_certificate_file: None,
            instance_url: check_instance_url(instance_url)?,
            access_token,
            refresh_token: None,
            identity_url: None,
            identity: Identity::default(),
            issued_at: None,
            obtained_at: now_milliseconds(),
            scope: None,
        })
    }

    /// Takes a renewal's tokens. A refresh answer without a refresh token keeps the old one
    /// (Salesforce rotates only when the app asks for it).
    pub fn renew(&mut self, tokens: IssuedTokens) {
        self.instance_url = tokens.instance_url;
        self.access_token = tokens.access_token;
        if let Some(refresh_token) = tokens.refresh_token {
            self.refresh_token = Some(refresh_token);
        }
        if tokens.identity_url.is_some() {
            self.identity_url = tokens.identity_url;
        }
        self.issued_at = tokens.issued_at;
        self.obtained_at = now_milliseconds();
        if tokens.scope.is_some() {
            self.scope = tokens.scope;
        }
    }

    /// The session a client sends requests with.
    pub fn session(&self) -> Session {
        Session {
            instance_url: self.instance_url.clone(),
            access_token: self.access_token.clone(),
            issued_at: self.issued_at.or(Some(self.obtained_at)),
        }
    }

    /// The OAuth client that renews and revokes this authorization; `None` for a token given
    /// by hand.
    pub fn oauth_client(&self) -> Result<Option<OAuthClient>, AuthError> {
        let (Some(login_url), Some(client_id)) = (&self.login_url, &self.client_id) else {
            return Ok(None);
        };
        let mut client = OAuthClient::new(LoginUrl::parse(login_url)?, client_id.clone())?;
        if let Some(path) = &self.ca_certificate_file {
            let pem = std::fs::read(path).map_err(|source| ConfigurationError::ReadCertificate {
                path: path.clone(),
                source,
            })?;
            client = client.with_root_certificate_pem(&pem)?;
        }
        Ok(Some(match &self.client_secret {
            Some(secret) => client.with_client_secret(secret.clone()),
            None => client,
        }))
    }

    /// How old the access token is, in milliseconds (from `issued_at` when known).
    pub fn token_age_milliseconds(&self, now_milliseconds: i64) -> i64 {
        now_milliseconds
            .saturating_sub(self.issued_at.unwrap_or(self.obtained_at))
            .max(0)
    }

    /// Reads the stored authorization; `None` when there is none.
    pub fn load(storage: &dyn TokenStorage) -> Result<Option<Self>, AuthError> {
        let Some(plaintext) = storage.load().map_err(AuthError::Storage)? else {
            return Ok(None);
        };
        let record: Record = serde_json::from_slice(plaintext.expose_secret()).map_err(|_| {
            AuthError::Storage(TokenStorageError::new(format!(
                "{} is not a stored authorization",
                storage.location()
            )))
        })?;
        Ok(Some(record.into_authorization()))
    }

    /// Stores the authorization (secrets included), replacing any previous one.
    pub async fn save(&self, storage: &dyn TokenStorage) -> Result<(), AuthError> {
        let plaintext = Zeroizing::new(serde_json::to_vec(&Record::from_authorization(self)).map_err(
            |error| {
                AuthError::Storage(TokenStorageError::new(format!(
                    "cannot encode the authorization: {error}"
                )))
            },
        )?);
        storage.save(&plaintext).await.map_err(AuthError::Storage)
    }

    /// Deletes the stored authorization.
    pub async fn delete(storage: &dyn TokenStorage) -> Result<(), AuthError> {
        storage.delete().await.map_err(AuthError::Storage)
    }
}

/// Milliseconds since the epoch, now.
pub(super) fn now_milliseconds() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// The record's plaintext layout (JSON, encrypted as a whole). Its secret fields are wiped
/// when it drops; it is never printed.
#[derive(Serialize, Deserialize)]
struct Record {
    flow: Flow,
    #[serde(default)]
    login_url: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    jwt_key_file: Option<PathBuf>,
    #[serde(default)]
    jwt_audience: Option<String>,
    #[serde(default)]
    ca_certificate_file: Option<PathBuf>,
    instance_url: String,
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    identity_url: Option<String>,
    #[serde(default)]
    identity: Identity,
    #[serde(default)]
    issued_at: Option<i64>,
    obtained_at: i64,
    #[serde(default)]
    scope: Option<String>,
}

impl Drop for Record {
    fn drop(&mut self) {
        self.access_token.zeroize();
        if let Some(secret) = &mut self.refresh_token {
            secret.zeroize();
        }
        if let Some(secret) = &mut self.client_secret {
            secret.zeroize();
        }
    }
}

impl Record {
    fn from_authorization(authorization: &StoredAuthorization) -> Self {
        let expose = |secret: &SecretString| secret.expose_secret().to_owned();
        Self {
            flow: authorization.flow,
            login_url: authorization.login_url.clone(),
            client_id: authorization.client_id.clone(),
            client_secret: authorization.client_secret.as_ref().map(expose),
            jwt_key_file: authorization.jwt_key_file.clone(),
            jwt_audience: authorization.jwt_audience.clone(),
            ca_certificate_file: authorization.ca_certificate_file.clone(),
            instance_url: authorization.instance_url.clone(),
            access_token: expose(&authorization.access_token),
            refresh_token: authorization.refresh_token.as_ref().map(expose),
            identity_url: authorization.identity_url.clone(),
            identity: authorization.identity.clone(),
            issued_at: authorization.issued_at,
            obtained_at: authorization.obtained_at,
            scope: authorization.scope.clone(),
        }
    }

    fn into_authorization(mut self) -> StoredAuthorization {
        let take_secret = |secret: &mut String| SecretString::from(std::mem::take(secret));
        StoredAuthorization {
            flow: self.flow,
            login_url: self.login_url.take(),
            client_id: self.client_id.take(),
            client_secret: self.client_secret.as_mut().map(take_secret),
            jwt_key_file: self.jwt_key_file.take(),
            jwt_audience: self.jwt_audience.take(),
            ca_certificate_file: self.ca_certificate_file.take(),
            instance_url: std::mem::take(&mut self.instance_url),
            access_token: take_secret(&mut self.access_token),
            refresh_token: self.refresh_token.as_mut().map(take_secret),
            identity_url: self.identity_url.take(),
            identity: std::mem::take(&mut self.identity),
            issued_at: self.issued_at,
            obtained_at: self.obtained_at,
            scope: self.scope.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MemoryTokenStorage;

    #[tokio::test]
    async fn an_authorization_round_trips_through_its_storage() -> Result<(), Box<dyn std::error::Error>> {
        let storage = MemoryTokenStorage::new();
        let mut authorization = StoredAuthorization::from_access_token(
            "https://acme.my.salesforce.com/",
            SecretString::from("canary-access"),
        )?;
        authorization.refresh_token = Some(SecretString::from("canary-refresh"));
        authorization.save(&storage).await?;
        let loaded = StoredAuthorization::load(&storage)?.ok_or("not loaded")?;
        assert_eq!(loaded.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(loaded.access_token.expose_secret(), "canary-access");
        let printed = format!("{loaded:?}");
        assert!(!printed.contains("canary"), "{printed}");
        StoredAuthorization::delete(&storage).await?;
        assert!(StoredAuthorization::load(&storage)?.is_none());
        Ok(())
    }

    #[tokio::test]
    async fn a_record_that_is_no_authorization_names_where_it_is() -> Result<(), Box<dyn std::error::Error>> {
        let storage = MemoryTokenStorage::new();
        storage.save(b"{not json").await?;
        let error = StoredAuthorization::load(&storage).err().ok_or("loaded")?;
        assert_eq!(error.to_string(), "token storage");
        let source = std::error::Error::source(&error).ok_or("no source")?;
        assert_eq!(source.to_string(), "memory is not a stored authorization");
        Ok(())
    }

    #[test]
    fn a_hand_given_token_needs_a_secure_instance() {
        assert!(matches!(
            StoredAuthorization::from_access_token("http://acme.my.salesforce.com", SecretString::from("t")),
            Err(AuthError::InsecureUrl { .. })
        ));
    }
}
