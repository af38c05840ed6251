//! Logging in to the in-process sandbox org with `leadgate_salesforce::auth`, for the tests of
//! the OAuth flows, of the credential store and of the `leadgate auth` commands: an
//! auto-approving sandbox, a "browser" that never follows redirects, the OAuth apps of the
//! sandbox's default client, and the whole web-server flow with the test as the browser.

use std::collections::HashMap;
use std::path::Path;

use leadgate::secrets::CredentialStore;
use leadgate_salesforce::auth::{
    IssuedTokens, LoginUrl, OAuthClient, OAuthSessionProvider, StoredAuthorization, WebServerFlowOptions,
};
use leadgate_salesforce::secrecy::SecretString;
use leadgate_sandbox::oauth::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use leadgate_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::support::data_dir::credentials;

/// A sandbox org that approves authorization requests at once.
pub(crate) async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        auto_approve: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox starts")
}

/// A plain client standing in for the browser and for data requests: no redirects followed.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("a reqwest client")
}

/// The sandbox's default OAuth app as a public client: no secret, PKCE only.
pub(crate) fn public_client(sandbox: &Sandbox) -> OAuthClient {
    OAuthClient::new(
        LoginUrl::parse(sandbox.base_url()).expect("login URL"),
        DEFAULT_CLIENT_ID,
    )
    .expect("client")
}

/// The default app with its client secret, for the grants that need one.
pub(crate) fn confidential_client(sandbox: &Sandbox) -> OAuthClient {
    public_client(sandbox).with_client_secret(SecretString::from(DEFAULT_CLIENT_SECRET))
}

/// How many token requests of grant `kind` (`authorization_code`, `refresh_token`, …) the
/// sandbox has answered.
pub(crate) fn count(sandbox: &Sandbox, kind: &str) -> u64 {
    sandbox
        .control()
        .oauth()
        .token_requests()
        .get(kind)
        .copied()
        .unwrap_or(0)
}

/// The query parameters of a URL.
pub(crate) fn query_of(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url)
        .expect("an absolute URL")
        .query_pairs()
        .into_owned()
        .collect()
}

/// What the browser does with the authorization URL: the sandbox approves at once and redirects;
/// returns the redirect's `Location` (the loopback callback with the code and state).
pub(crate) async fn approve(authorization_url: &str) -> String {
    let response = browser()
        .get(authorization_url)
        .send()
        .await
        .expect("authorize request");
    assert_eq!(response.status(), StatusCode::FOUND);
    response
        .headers()
        .get(LOCATION)
        .expect("a Location")
        .to_str()
        .expect("ASCII")
        .to_owned()
}

/// The whole web-server flow, the browser played by reqwest.
pub(crate) async fn web_login(client: &OAuthClient) -> IssuedTokens {
    let pending = client
        .begin_web_server_flow(&WebServerFlowOptions::default())
        .await
        .expect("the flow starts");
    let callback = approve(pending.authorization_url()).await;
    assert!(callback.starts_with(pending.redirect_uri()), "{callback}");
    let finished = tokio::spawn(pending.finish());
    let page = browser().get(&callback).send().await.expect("callback request");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("page").contains("close this tab"));
    finished.await.expect("join").expect("tokens")
}

/// The status of a data request with `access_token`.
pub(crate) async fn data_status(sandbox: &Sandbox, access_token: &str) -> StatusCode {
    browser()
        .get(format!("{}/services/data/v62.0/limits", sandbox.base_url()))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("data request")
        .status()
}

/// A provider over a fresh data directory holding `authorization`.
pub(crate) fn provider(
    data_dir: &Path,
    authorization: StoredAuthorization,
) -> OAuthSessionProvider<CredentialStore> {
    OAuthSessionProvider::new(credentials(data_dir), authorization)
}
