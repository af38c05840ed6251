//! [`OAuthClient`]: one connected app at one login URL, and the grants it can make.

use oauth2::basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, EndpointNotSet, EndpointSet,
    HttpClientError, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, ResourceOwnerPassword,
    ResourceOwnerUsername, StandardRevocableToken, TokenUrl,
};
use secrecy::{ExposeSecret as _, SecretString};

use super::configuration_error::ConfigurationError;
use super::http_client::{TokenHttpClient, TokenTransportError, oauth_http_client};
use super::login_url::LoginUrl;
use super::token_response::{IssuedTokens, SalesforceTokenResponse, error_answer, read_token_answer};
use crate::session::AuthError;

/// The `oauth2` client type: Salesforce's token response, authorize and token endpoints set.
pub(super) type Oauth2Client = oauth2::Client<
    BasicErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The JWT bearer grant type (RFC 7523).
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A connected app (consumer key, and secret when it has one) at a login URL, with an HTTP
/// client that never follows redirects. Cheap to clone.
#[derive(Clone)]
pub struct OAuthClient {
    login_url: LoginUrl,
    client_id: String,
    client_secret: Option<SecretString>,
    http: reqwest::Client,
}

impl std::fmt::Debug for OAuthClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OAuthClient")
            .field("login_url", &self.login_url)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// A public client (no secret: PKCE protects its web-server flow).
    pub fn new(login_url: LoginUrl, client_id: impl Into<String>) -> Result<Self, AuthError> {
        let http = oauth_http_client(&[], login_url.is_loopback())?;
        Ok(Self {
            login_url,
            client_id: client_id.into(),
            client_secret: None,
            http,
        })
    }

    /// Adds the consumer secret (sent in the form body with every grant that takes one).
    pub fn with_client_secret(mut self, client_secret: SecretString) -> Self {
        self.client_secret = Some(client_secret);
        self
    }

    /// Also trusts this root certificate (PEM), e.g. the local sandbox org's with `--tls`.
    pub fn with_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, AuthError> {
        self.http = oauth_http_client(&[pem], self.login_url.is_loopback())?;
        Ok(self)
    }

    /// The login URL.
    pub fn login_url(&self) -> &LoginUrl {
        &self.login_url
    }

    /// The consumer key.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The consumer secret, when there is one.
    pub fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// The HTTP client (no redirects), for requests that go with these grants.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The `oauth2` crate's client for this app. The secret goes in the form body, as
    /// Salesforce's own clients send it.
    pub(super) fn oauth2_client(&self) -> Result<Oauth2Client, AuthError> {
        let client = oauth2::Client::new(ClientId::new(self.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::new(self.login_url.authorize_endpoint()).map_err(url_error)?)
            .set_token_uri(TokenUrl::new(self.login_url.token_endpoint()).map_err(url_error)?);
        Ok(match &self.client_secret {
            Some(secret) => client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned())),
            None => client,
        })
    }

    /// The web-server flow's second half: trades an authorization code (with the PKCE verifier
    /// of its challenge) for tokens. [`begin_web_server_flow`](Self::begin_web_server_flow)
    /// does this itself; this is for callers that catch the redirect their own way.
    pub async fn exchange_code(
        &self,
        code: &SecretString,
        pkce_verifier: &SecretString,
        redirect_uri: &str,
    ) -> Result<IssuedTokens, AuthError> {
        tracing::debug!(login_url = %self.login_url, "exchanging an authorization code");
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(url_error)?;
        let response = self
            .oauth2_client()?
            .set_redirect_uri(redirect)
            .exchange_code(AuthorizationCode::new(code.expose_secret().to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.expose_secret().to_owned()))
            .request_async(&TokenHttpClient(&self.http))
            .await
            .map_err(token_error)?;
        IssuedTokens::from_oauth(&response)
    }

    /// The refresh-token grant. A refresh token that was revoked or expired (`invalid_grant`)
    /// is [`AuthError::ReauthorizationNeeded`].
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<IssuedTokens, AuthError> {
        tracing::debug!(login_url = %self.login_url, "refreshing the access token");
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let response = self
            .oauth2_client()?
            .exchange_refresh_token(&token)
            .request_async(&TokenHttpClient(&self.http))
            .await
            .map_err(token_error)
            .map_err(|error| match error {
                AuthError::Oauth { error, description } if error == "invalid_grant" => {
                    AuthError::ReauthorizationNeeded {
                        reason: format!(
                            "the refresh token was revoked or has expired ({error}: {description})"
                        ),
                    }
                }
                other => other,
            })?;
        IssuedTokens::from_oauth(&response)
    }

    /// The username-password grant; `password` is the password followed by the user's
    /// security token (unless the caller's IP is trusted).
    pub async fn password(&self, username: &str, password: &SecretString) -> Result<IssuedTokens, AuthError> {
        tracing::debug!(login_url = %self.login_url, username, "password grant");
        let username = ResourceOwnerUsername::new(username.to_owned());
        let password = ResourceOwnerPassword::new(password.expose_secret().to_owned());
        let response = self
            .oauth2_client()?
            .exchange_password(&username, &password)
            .request_async(&TokenHttpClient(&self.http))
            .await
            .map_err(token_error)?;
        IssuedTokens::from_oauth(&response)
    }

    /// The client-credentials grant (a My Domain login URL, an app with a run-as user).
    pub async fn client_credentials(&self) -> Result<IssuedTokens, AuthError> {
        tracing::debug!(login_url = %self.login_url, "client credentials grant");
        if self.client_secret.is_none() {
            return Err(ConfigurationError::ClientSecretMissing.into());
        }
        let response = self
            .oauth2_client()?
            .exchange_client_credentials()
            .request_async(&TokenHttpClient(&self.http))
            .await
            .map_err(token_error)?;
        IssuedTokens::from_oauth(&response)
    }

    /// The JWT bearer grant with a signed assertion (see
    /// [`JwtSigningKey::assertion`](super::JwtSigningKey::assertion)). `oauth2` has no
    /// extension grants, so the form is posted here.
    pub async fn jwt_bearer(&self, assertion: &SecretString) -> Result<IssuedTokens, AuthError> {
        tracing::debug!(login_url = %self.login_url, "JWT bearer grant");
        let response = self
            .http
            .post(self.login_url.token_endpoint())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[
                ("grant_type", JWT_BEARER_GRANT),
                ("assertion", assertion.expose_secret()),
            ])
            .send()
            .await
            .map_err(AuthError::Http)?;
        read_token_answer(response).await
    }

    /// Revokes a token: a refresh token with every access token issued from it, or one access
    /// token. `oauth2` refuses plain-HTTP revocation URLs, which the local sandbox org needs,
    /// so the form is posted here.
    pub async fn revoke(&self, token: &SecretString) -> Result<(), AuthError> {
        tracing::debug!(login_url = %self.login_url, "revoking a token");
        let response = self
            .http
            .post(self.login_url.revoke_endpoint())
            .form(&[("token", token.expose_secret())])
            .send()
            .await
            .map_err(AuthError::Http)?;
        let status = response.status();
        if status == reqwest::StatusCode::OK {
            return Ok(());
        }
        let body = response.bytes().await.map_err(AuthError::Http)?;
        Err(error_answer(status, &body))
    }
}

fn url_error(error: url::ParseError) -> AuthError {
    ConfigurationError::EndpointUrl(error).into()
}

/// Maps the `oauth2` crate's error. Its parse error carries the response body, which may hold
/// tokens: only a fixed message is kept.
pub(super) fn token_error(error: RequestTokenError<TokenTransportError, BasicErrorResponse>) -> AuthError {
    match error {
        RequestTokenError::ServerResponse(response) => AuthError::Oauth {
            error: response.error().to_string(),
            description: response.error_description().cloned().unwrap_or_default(),
        },
        RequestTokenError::Request(TokenTransportError::Redirected { status }) => {
            AuthError::RedirectNotFollowed { status }
        }
        RequestTokenError::Request(TokenTransportError::Transport(HttpClientError::Reqwest(error))) => {
            AuthError::Http(*error)
        }
        RequestTokenError::Request(TokenTransportError::Transport(other)) => {
            AuthError::InvalidResponse(format!("the token request failed: {other}"))
        }
        RequestTokenError::Parse(_, _) => {
            AuthError::InvalidResponse("the token response is not the expected JSON".to_owned())
        }
        RequestTokenError::Other(message) => AuthError::InvalidResponse(message),
    }
}
