//! The HTTP client of the authorization flows.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::session::AuthError;

/// How long one token, revocation or identity request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for the OAuth endpoints: redirects are never followed (a redirect from a token
/// endpoint would send the next request, grant and secret included, wherever it points — the
/// `oauth2` crate's SSRF warning), rustls with the web PKI roots plus `root_certificate_pems`
/// (e.g. the local sandbox org's self-signed certificate). With `loopback`, proxies from the
/// environment are ignored: a request to this machine must not leave it.
pub fn oauth_http_client(
    root_certificate_pems: &[&[u8]],
    loopback: bool,
) -> Result<reqwest::Client, AuthError> {
    let mut builder = reqwest::Client::builder();
    if loopback {
        builder = builder.no_proxy();
    }
    builder = builder
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("leadgate/", env!("CARGO_PKG_VERSION")));
    for pem in root_certificate_pems {
        let certificate = reqwest::Certificate::from_pem(pem).map_err(AuthError::Http)?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(AuthError::Http)
}

/// Why a request the `oauth2` crate made did not get a usable answer.
#[derive(Debug, thiserror::Error)]
pub(super) enum TokenTransportError {
    /// The request failed below HTTP, or the answer could not be read.
    #[error("the token request failed")]
    Transport(#[source] oauth2::HttpClientError<reqwest::Error>),
    /// The endpoint answered with a redirect, which is not followed.
    #[error("the token endpoint answered HTTP {status}, a redirect")]
    Redirected {
        /// The redirect's status.
        status: u16,
    },
}

/// The HTTP client the `oauth2` crate's requests go through: `http` (which follows no
/// redirect), with a redirect answer turned into [`TokenTransportError::Redirected`]. Without
/// this, the crate would read the redirect's empty body as a token answer and report it as
/// unreadable JSON.
pub(super) struct TokenHttpClient<'http>(pub(super) &'http reqwest::Client);

impl<'call> oauth2::AsyncHttpClient<'call> for TokenHttpClient<'_> {
    type Error = TokenTransportError;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenTransportError>> + Send + 'call>>;

    fn call(&'call self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = oauth2::AsyncHttpClient::call(self.0, request)
                .await
                .map_err(TokenTransportError::Transport)?;
            if response.status().is_redirection() {
                return Err(TokenTransportError::Redirected {
                    status: response.status().as_u16(),
                });
            }
            Ok(response)
        })
    }
}
