//! The HTTP client of the authorization flows.

use std::time::Duration;

use crate::salesforce::session::AuthError;

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
