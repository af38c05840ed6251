//! The authorization flows of `leadgate_salesforce::auth` and the encrypted token store of
//! `leadgate::secrets`, end to end against the in-process sandbox org over real HTTP, plus the
//! `leadgate auth` commands and a canary hunt through a TRACE log and the raw data directory.

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use leadgate::secrets::{
    CREDENTIALS_TREE, CredentialStore, MASTER_KEY_ENV, MASTER_KEY_FILE_NAME, MasterKey, SecretsError,
    open_credentials,
};
use leadgate::store::Store;
use leadgate_salesforce::auth::{
    Flow, IssuedTokens, JwtSigningKey, LoginUrl, OAuthClient, OAuthSessionProvider, StoredAuthorization,
    WebServerFlowOptions,
};
use leadgate_salesforce::secrecy::{ExposeSecret, SecretString};
use leadgate_salesforce::session::{AuthError, Session, SessionProvider};
use leadgate_salesforce::{CallKind, Client, QueryOptions, RetryPolicy, SalesforceError};
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USERNAME,
};
use leadgate_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;

use crate::support::leadgate_command::LeadgateCommand;
pub(crate) use crate::support::leadgate_command::{stderr, stdout};

/// A 32-byte key in hex, for the tests that set `LEADGATE_MASTER_KEY`.
const HEX_KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

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

pub(crate) fn public_client(sandbox: &Sandbox) -> OAuthClient {
    OAuthClient::new(
        LoginUrl::parse(sandbox.base_url()).expect("login URL"),
        DEFAULT_CLIENT_ID,
    )
    .expect("client")
}

fn confidential_client(sandbox: &Sandbox) -> OAuthClient {
    public_client(sandbox).with_client_secret(SecretString::from(DEFAULT_CLIENT_SECRET))
}

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
fn query_of(url: &str) -> HashMap<String, String> {
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
async fn data_status(sandbox: &Sandbox, access_token: &str) -> StatusCode {
    browser()
        .get(format!("{}/services/data/v62.0/limits", sandbox.base_url()))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("data request")
        .status()
}

/// The encrypted credentials of a fresh data directory.
pub(crate) fn credentials(data_dir: &Path) -> CredentialStore {
    open_credentials(data_dir).expect("credentials open")
}

#[tokio::test]
async fn the_web_server_flow_runs_end_to_end_through_the_loopback_listener() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let tokens = web_login(&client).await;
    assert_eq!(tokens.instance_url, sandbox.base_url());
    assert!(tokens.refresh_token.is_some());
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );
    assert_eq!(count(&sandbox, "authorization_code"), 1);

    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = credentials(data_dir.path());
    let authorization = StoredAuthorization::from_grant(Flow::WebServer, &client, tokens);
    authorization.save(&store).await.expect("saved");
    drop(store);
    let provider = leadgate::secrets::stored_session_provider(data_dir.path()).expect("provider");
    let session = provider.session().await.expect("session");
    assert_eq!(
        data_status(&sandbox, session.access_token.expose_secret()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_authorization_url_carries_pkce_s256_and_a_fresh_state() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let first = client
        .begin_web_server_flow(&WebServerFlowOptions::default())
        .await
        .expect("flow");
    let second = client
        .begin_web_server_flow(&WebServerFlowOptions::default())
        .await
        .expect("flow");
    let (first_query, second_query) = (
        query_of(first.authorization_url()),
        query_of(second.authorization_url()),
    );
    assert_eq!(first_query["code_challenge_method"], "S256");
    assert_ne!(first_query["state"], second_query["state"]);
    assert_ne!(first_query["code_challenge"], second_query["code_challenge"]);
    assert_ne!(
        first.redirect_uri(),
        second.redirect_uri(),
        "each flow gets its own port"
    );
}

#[tokio::test]
async fn a_code_exchanged_with_the_wrong_pkce_verifier_is_refused() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let pending = client
        .begin_web_server_flow(&WebServerFlowOptions::default())
        .await
        .expect("flow");
    let callback = approve(pending.authorization_url()).await;
    let code = SecretString::from(query_of(&callback)["code"].clone());
    let wrong_verifier = SecretString::from("x".repeat(43));
    let outcome = client
        .exchange_code(&code, &wrong_verifier, pending.redirect_uri())
        .await;
    assert!(
        matches!(&outcome, Err(AuthError::Oauth { error, .. }) if error == "invalid_request"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_forged_callback_is_refused_and_nothing_is_exchanged() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    for forged_query in ["code=stolen&state=forged", "code=stolen"] {
        let pending = client
            .begin_web_server_flow(&WebServerFlowOptions::default())
            .await
            .expect("flow");
        let forged = format!("{}?{forged_query}", pending.redirect_uri());
        let finished = tokio::spawn(pending.finish());
        let page = browser().get(&forged).send().await.expect("forged callback");
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.text().await.expect("page").contains("state"));
        let outcome = finished.await.expect("join");
        assert!(
            matches!(outcome, Err(AuthError::InvalidResponse(_))),
            "{outcome:?}"
        );
    }
    assert_eq!(
        count(&sandbox, "authorization_code"),
        0,
        "no token request for a forged callback"
    );
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_what_it_issued() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let pending = client
        .begin_web_server_flow(&WebServerFlowOptions::default())
        .await
        .expect("flow");
    let redirect_uri = pending.redirect_uri().to_owned();
    let callback = approve(pending.authorization_url()).await;
    let code = SecretString::from(query_of(&callback)["code"].clone());
    let finished = tokio::spawn(pending.finish());
    browser().get(&callback).send().await.expect("callback");
    let tokens = finished.await.expect("join").expect("tokens");

    let replay = client
        .exchange_code(&code, &SecretString::from("y".repeat(43)), &redirect_uri)
        .await;
    assert!(
        matches!(&replay, Err(AuthError::Oauth { error, .. }) if error == "invalid_grant"),
        "{replay:?}"
    );
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_loopback_listener_gives_up_after_its_timeout() {
    let sandbox = sandbox().await;
    let options = WebServerFlowOptions {
        timeout: Duration::from_millis(200),
        ..WebServerFlowOptions::default()
    };
    let pending = public_client(&sandbox)
        .begin_web_server_flow(&options)
        .await
        .expect("flow");
    let started = std::time::Instant::now();
    let outcome = pending.finish().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&outcome, Err(AuthError::Configuration(message)) if message.contains("within")),
        "{outcome:?}"
    );
}

/// A provider over a fresh data directory holding `authorization`.
fn provider(data_dir: &Path, authorization: StoredAuthorization) -> OAuthSessionProvider<CredentialStore> {
    OAuthSessionProvider::new(credentials(data_dir), authorization)
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_for_many_callers_and_stored() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let authorization = StoredAuthorization::from_grant(Flow::WebServer, &client, web_login(&client).await);
    let data_dir = tempfile::tempdir().expect("temp dir");
    let provider = Arc::new(provider(data_dir.path(), authorization));
    let stale = provider.session().await.expect("session");
    sandbox.control().expire_access_tokens();
    assert_eq!(
        data_status(&sandbox, stale.access_token.expose_secret()).await,
        StatusCode::UNAUTHORIZED
    );

    let refreshes = (0..16).map(|_| {
        let provider = Arc::clone(&provider);
        let stale = stale.clone();
        tokio::spawn(async move { provider.refresh(&stale).await })
    });
    let mut renewed: Vec<Session> = Vec::new();
    for refresh in refreshes {
        renewed.push(refresh.await.expect("join").expect("refreshed"));
    }
    assert_eq!(count(&sandbox, "refresh_token"), 1);
    let fresh = renewed[0].access_token.expose_secret().to_owned();
    assert_ne!(fresh, stale.access_token.expose_secret());
    assert!(
        renewed
            .iter()
            .all(|session| session.access_token.expose_secret() == fresh)
    );
    assert_eq!(data_status(&sandbox, &fresh).await, StatusCode::OK);

    drop(provider);
    let stored = StoredAuthorization::load(&credentials(data_dir.path()))
        .expect("load")
        .expect("stored");
    assert_eq!(
        stored.access_token.expose_secret(),
        fresh,
        "the renewal was stored"
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_asks_for_a_new_login() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let tokens = web_login(&client).await;
    let refresh_token = tokens.refresh_token.clone().expect("a refresh token");
    client.revoke(&refresh_token).await.expect("revoked");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let provider = provider(
        data_dir.path(),
        StoredAuthorization::from_grant(Flow::WebServer, &client, tokens),
    );
    let stale = provider.session().await.expect("session");
    let outcome = provider.refresh(&stale).await;
    let Err(error) = outcome else {
        panic!("a revoked refresh token still refreshed");
    };
    assert!(
        matches!(error, AuthError::ReauthorizationNeeded { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("re-authorize with `leadgate auth login`"),
        "{message}"
    );
    assert!(message.contains("invalid_grant"), "{message}");
}

/// A data client on the real OAuth provider of a web login: its refreshes are real
/// `refresh_token` grants at the sandbox's token endpoint.
/// Returns the app and the refresh token too.
async fn logged_in_client(sandbox: &Sandbox, data_dir: &Path) -> (Client, OAuthClient, SecretString) {
    let oauth = public_client(sandbox);
    let authorization = StoredAuthorization::from_grant(Flow::WebServer, &oauth, web_login(&oauth).await);
    let refresh_token = authorization.refresh_token.clone().expect("a refresh token");
    let client = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(provider(data_dir, authorization))
        .expect("a client");
    (client, oauth, refresh_token)
}

#[tokio::test]
async fn sixteen_client_requests_on_an_expired_session_make_one_refresh_grant() {
    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (client, _, _) = logged_in_client(&sandbox, data_dir.path()).await;
    client.limits().await.expect("the first session works");
    assert_eq!(count(&sandbox, "refresh_token"), 0);
    sandbox.control().expire_access_tokens();
    let requests = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.limits().await })
    });
    for outcome in futures_util::future::join_all(requests).await {
        outcome.expect("join").expect("answered after the refresh");
    }
    assert_eq!(
        count(&sandbox, "refresh_token"),
        1,
        "one refresh grant for sixteen requests"
    );
    client.limits().await.expect("the renewed session is kept");
    assert_eq!(count(&sandbox, "refresh_token"), 1);
}

#[tokio::test]
async fn a_session_that_expires_in_the_middle_of_a_query_finishes_it() {
    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (client, _, _) = logged_in_client(&sandbox, data_dir.path()).await;
    let leads: Vec<Value> = (0..450)
        .map(|index| serde_json::json!({"LastName": format!("Page {index:03}"), "Company": "Acme"}))
        .collect();
    let saved = client
        .create_records("Lead", &leads, true)
        .await
        .expect("created");
    assert_eq!(saved.len(), 450);
    let options = QueryOptions {
        batch_size: Some(200),
        ..QueryOptions::default()
    };
    let mut stream =
        client.query_with::<leadgate_salesforce::Record>("SELECT Id, LastName FROM Lead", options);
    let mut rows = Vec::new();
    while rows.len() < 200 {
        rows.push(stream.try_next().await.expect("a row").expect("not the end yet"));
    }
    let pages_before = client.call_counts().of(CallKind::Query);
    assert_eq!(pages_before, 1, "the first page held 200 rows");
    sandbox.control().expire_access_tokens();
    while let Some(row) = stream.try_next().await.expect("the rest of the rows") {
        rows.push(row);
    }
    assert_eq!(rows.len(), 450);
    let mut ids: Vec<&str> = rows.iter().filter_map(|row| row["Id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 450, "every row once");
    assert_eq!(count(&sandbox, "refresh_token"), 1);
    // Pages 2 and 3, and the refused attempt at page 2.
    assert_eq!(client.call_counts().of(CallKind::Query), 4);
}

#[tokio::test]
async fn a_revoked_refresh_token_ends_client_requests_with_the_login_advice() {
    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let (client, oauth, refresh_token) = logged_in_client(&sandbox, data_dir.path()).await;
    client.limits().await.expect("the first session works");
    oauth.revoke(&refresh_token).await.expect("revoked");
    let error = client.limits().await.expect_err("the session is gone");
    assert!(
        matches!(
            &error,
            SalesforceError::Auth(AuthError::ReauthorizationNeeded { .. })
        ),
        "{error:?}"
    );
    let chain = std::error::Error::source(&error)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        chain.contains("re-authorize with `leadgate auth login`"),
        "{chain}"
    );
    assert!(chain.contains("invalid_grant"), "{chain}");
    assert_eq!(count(&sandbox, "refresh_token"), 1, "one refresh was tried");
    // The failed refresh is remembered: the next request does not ask again.
    let again = client.limits().await.expect_err("still gone");
    assert!(matches!(
        again,
        SalesforceError::Auth(AuthError::ReauthorizationNeeded { .. })
    ));
    assert_eq!(count(&sandbox, "refresh_token"), 1);
}

#[tokio::test]
async fn the_jwt_bearer_flow_signs_with_the_key_file_and_renews_itself() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let directory = tempfile::tempdir().expect("temp dir");
    let key_file = directory.path().join("server.key");
    std::fs::write(&key_file, DEFAULT_JWT_PRIVATE_KEY_PEM).expect("key written");
    let key = JwtSigningKey::from_file(&key_file).expect("key");
    let audience = client.login_url().default_jwt_audience();
    let now = jiff::Timestamp::now().as_second();
    let assertion = key
        .assertion(DEFAULT_CLIENT_ID, DEFAULT_USERNAME, &audience, now)
        .expect("assertion");
    let tokens = client.jwt_bearer(&assertion).await.expect("tokens");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );

    let wrong_audience = key
        .assertion(
            DEFAULT_CLIENT_ID,
            DEFAULT_USERNAME,
            "https://elsewhere.example.com",
            now,
        )
        .expect("assertion");
    let refused = client.jwt_bearer(&wrong_audience).await;
    assert!(
        matches!(&refused, Err(AuthError::Oauth { error, .. }) if error == "invalid_grant"),
        "{refused:?}"
    );

    let mut authorization = StoredAuthorization::from_grant(Flow::JwtBearer, &client, tokens);
    authorization.jwt_key_file = Some(key_file);
    authorization.jwt_audience = Some(audience);
    authorization.identity.username = Some(DEFAULT_USERNAME.to_owned());
    let data_dir = tempfile::tempdir().expect("temp dir");
    let provider = provider(data_dir.path(), authorization);
    let stale = provider.session().await.expect("session");
    sandbox.control().expire_access_tokens();
    let renewed = provider
        .refresh(&stale)
        .await
        .expect("renewed with a new assertion");
    assert_eq!(count(&sandbox, "jwt_bearer"), 3);
    assert_eq!(
        data_status(&sandbox, renewed.access_token.expose_secret()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_password_flow_wants_password_and_security_token() {
    let sandbox = sandbox().await;
    let client = confidential_client(&sandbox);
    let with_token = SecretString::from(format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}"));
    let tokens = client
        .password(DEFAULT_USERNAME, &with_token)
        .await
        .expect("tokens");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );
    let without_token = client
        .password(DEFAULT_USERNAME, &SecretString::from(DEFAULT_PASSWORD))
        .await;
    assert!(
        matches!(&without_token, Err(AuthError::Oauth { error, description }) if error == "invalid_grant" && description == "authentication failure"),
        "{without_token:?}"
    );
    let message = without_token
        .err()
        .map(|error| format!("{error} {error:?}"))
        .unwrap_or_default();
    assert!(!message.contains(DEFAULT_PASSWORD), "{message}");
}

#[tokio::test]
async fn the_client_credentials_flow_needs_the_secret() {
    let sandbox = sandbox().await;
    let tokens = confidential_client(&sandbox)
        .client_credentials()
        .await
        .expect("tokens");
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );
    let without_secret = public_client(&sandbox).client_credentials().await;
    assert!(matches!(without_secret, Err(AuthError::Configuration(_))));
    let wrong_secret = public_client(&sandbox)
        .with_client_secret(SecretString::from("wrong"))
        .client_credentials()
        .await;
    assert!(
        matches!(&wrong_secret, Err(AuthError::Oauth { error, .. }) if error == "invalid_client"),
        "{wrong_secret:?}"
    );
}

#[tokio::test]
async fn revoking_the_refresh_token_logs_every_session_out() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let tokens = web_login(&client).await;
    let access_token = tokens.access_token.expose_secret().to_owned();
    assert_eq!(data_status(&sandbox, &access_token).await, StatusCode::OK);
    client
        .revoke(tokens.refresh_token.as_ref().expect("refresh token"))
        .await
        .expect("revoked");
    assert_eq!(
        data_status(&sandbox, &access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let again = client.revoke(&tokens.access_token).await;
    assert!(
        matches!(&again, Err(AuthError::Oauth { error, .. }) if error == "invalid_token"),
        "{again:?}"
    );
}

#[test]
fn login_urls_must_be_https_outside_loopback() {
    for insecure in [
        "http://login.salesforce.com",
        "http://acme.my.salesforce.com",
        "http://192.168.1.10:7878",
    ] {
        assert!(
            matches!(LoginUrl::parse(insecure), Err(AuthError::InsecureUrl { .. })),
            "{insecure}"
        );
    }
    assert!(LoginUrl::parse("https://acme.my.salesforce.com").is_ok());
    assert!(LoginUrl::parse("http://127.0.0.1:7878").is_ok());
    assert!(
        StoredAuthorization::from_access_token("http://na1.salesforce.com", SecretString::from("t")).is_err()
    );
}

/// A fake authorization server on loopback: the token endpoint answers with `token_answer`;
/// returns its base URL and a counter of requests that reached `/elsewhere`.
async fn fake_token_endpoint(token_answer: axum::response::Response<String>) -> (String, Arc<Mutex<u32>>) {
    use axum::routing::{any, post};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    let answer = Arc::new(Mutex::new(Some(token_answer)));
    let hits = Arc::new(Mutex::new(0_u32));
    let counted = Arc::clone(&hits);
    let router = axum::Router::new()
        .route(
            "/services/oauth2/token",
            post(move || {
                let answer = Arc::clone(&answer);
                async move {
                    answer
                        .lock()
                        .expect("lock")
                        .take()
                        .unwrap_or_else(|| axum::response::Response::new(String::new()))
                }
            }),
        )
        .route(
            "/elsewhere",
            any(move || {
                *counted.lock().expect("lock") += 1;
                async { "{}" }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base_url, hits)
}

fn json_answer(body: &str) -> axum::response::Response<String> {
    axum::response::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .expect("response")
}

#[tokio::test]
async fn a_token_response_with_a_plain_http_instance_url_is_refused() {
    let body = r#"{"access_token":"00Dxx!fake","instance_url":"http://na1.salesforce.com","id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer","issued_at":"1700000000000"}"#;
    for grant in ["client_credentials", "jwt_bearer"] {
        let (base_url, _) = fake_token_endpoint(json_answer(body)).await;
        let client = OAuthClient::new(LoginUrl::parse(&base_url).expect("login URL"), "app")
            .expect("client")
            .with_client_secret(SecretString::from("secret"));
        let outcome = match grant {
            "client_credentials" => client.client_credentials().await,
            _ => client.jwt_bearer(&SecretString::from("a.b.c")).await,
        };
        assert!(
            matches!(&outcome, Err(AuthError::InsecureUrl { url, .. }) if url == "http://na1.salesforce.com"),
            "{grant}: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn token_endpoint_redirects_are_not_followed() {
    for status in [302_u16, 307] {
        // The redirect names `/elsewhere` on a second server, which counts what reaches it.
        let (target, hits) = fake_token_endpoint(json_answer("{}")).await;
        let redirect = || {
            axum::response::Response::builder()
                .status(status)
                .header("location", format!("{target}/elsewhere"))
                .body(String::new())
                .expect("response")
        };
        for grant in ["client_credentials", "jwt_bearer", "refresh_token", "password"] {
            let (base_url, _) = fake_token_endpoint(redirect()).await;
            let client = OAuthClient::new(LoginUrl::parse(&base_url).expect("login URL"), "app")
                .expect("client")
                .with_client_secret(SecretString::from("secret"));
            let secret = SecretString::from("canary-grant");
            let outcome = match grant {
                "client_credentials" => client.client_credentials().await,
                "jwt_bearer" => client.jwt_bearer(&secret).await,
                "refresh_token" => client.refresh(&secret).await,
                _ => client.password("user@example.com", &secret).await,
            };
            let Err(error) = outcome else {
                panic!("{grant}: a redirect gave tokens");
            };
            assert!(
                matches!(error, AuthError::RedirectNotFollowed { status: found } if found == status),
                "{grant}: {error:?}"
            );
            assert!(error.to_string().contains("not followed"), "{error}");
        }
        assert_eq!(
            *hits.lock().expect("lock"),
            0,
            "the redirect's target was contacted after a {status}"
        );
        // The counter does count: a request sent there on purpose is seen.
        browser()
            .post(format!("{target}/elsewhere"))
            .send()
            .await
            .expect("the target answers");
        assert_eq!(*hits.lock().expect("lock"), 1);
    }
}

// ---- Encryption at rest ----

#[tokio::test]
async fn credentials_round_trip_through_the_data_directory() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    {
        let store = credentials(data_dir.path());
        store
            .put("salesforce/test", b"canary-round-trip")
            .await
            .expect("put");
    }
    let store = credentials(data_dir.path());
    let value = store.get("salesforce/test").expect("get").expect("present");
    assert_eq!(value.expose_secret(), b"canary-round-trip");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir.path().join(MASTER_KEY_FILE_NAME))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_tampered_byte_or_a_swapped_record_is_rejected() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(data_dir.path()).expect("store"));
    let key = || MasterKey::resolve_from(None, data_dir.path()).expect("key");
    let credentials = CredentialStore::open(Arc::clone(&store), key()).expect("credentials");
    credentials.put("a", b"first secret value").await.expect("put");
    credentials.put("b", b"second secret value").await.expect("put");
    let tree = store.open_tree(CREDENTIALS_TREE).expect("tree");

    let original = tree.get("a").expect("get").expect("present").to_vec();
    for index in [0, 1, 12, 25, original.len() / 2, original.len() - 1] {
        let mut tampered = original.clone();
        tampered[index] ^= 0x20;
        tree.insert("a", tampered).expect("insert");
        let outcome = credentials.get("a");
        assert!(
            matches!(
                outcome,
                Err(SecretsError::Undecryptable { .. }) | Err(SecretsError::UnknownFormat { .. })
            ),
            "byte {index}"
        );
    }
    tree.insert("a", original.clone()).expect("restore");
    assert!(credentials.get("a").is_ok());

    let b = tree.get("b").expect("get").expect("present");
    tree.insert("a", b).expect("swap");
    tree.insert("b", original).expect("swap");
    for record in ["a", "b"] {
        let error = credentials.get(record).expect_err("a swapped record opened");
        assert!(matches!(error, SecretsError::Undecryptable { .. }));
        assert!(error.to_string().contains("moved from another record"), "{error}");
    }
}

#[cfg(unix)]
#[test]
fn a_world_readable_master_key_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let data_dir = tempfile::tempdir().expect("temp dir");
    MasterKey::resolve_from(None, data_dir.path()).expect("created");
    let path = data_dir.path().join(MASTER_KEY_FILE_NAME);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let error = MasterKey::resolve_from(None, data_dir.path()).expect_err("a 0644 key file was used");
    let message = error.to_string();
    assert!(message.contains("chmod 600"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");

    let output = leadgate(data_dir.path(), &["auth", "status", "--offline"], &[]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("chmod 600"), "{}", stderr(&output));
}

#[test]
fn a_key_from_the_environment_replaces_the_key_file() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let key = MasterKey::resolve_from(Some(std::ffi::OsStr::new(HEX_KEY)), data_dir.path()).expect("key");
    assert!(!data_dir.path().join(MASTER_KEY_FILE_NAME).exists());
    assert!(format!("{key:?}").contains("REDACTED"));
    let bad = MasterKey::resolve_from(Some(std::ffi::OsStr::new("too-short")), data_dir.path());
    assert!(matches!(bad, Err(SecretsError::InvalidEnvironmentKey { .. })));
}

// ---- The `leadgate auth` commands ----

/// `leadgate ARGS` on `data_dir`, with `environment` set on purpose.
pub(crate) fn leadgate(data_dir: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .envs(environment.iter().copied())
        .output()
}

/// [`leadgate`] off the runtime's threads, so the in-process sandbox keeps serving.
pub(crate) async fn leadgate_async(data_dir: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .envs(environment.iter().copied())
        .output_async()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_password_status_and_logout_work_from_the_command_line() {
    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let login = leadgate_async(
        data_dir.path(),
        &[
            "auth",
            "password",
            "--login-url",
            sandbox.base_url(),
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--username",
            DEFAULT_USERNAME,
        ],
        &[
            ("LEADGATE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
            ("LEADGATE_SF_PASSWORD", DEFAULT_PASSWORD),
            ("LEADGATE_SF_SECURITY_TOKEN", DEFAULT_SECURITY_TOKEN),
        ],
    )
    .await;
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(stdout(&login).contains(DEFAULT_USERNAME), "{}", stdout(&login));

    let status = leadgate_async(data_dir.path(), &["auth", "status", "--json"], &[]).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let document: Value = serde_json::from_str(&stdout(&status)).expect("JSON status");
    assert_eq!(document["authorized"], true);
    assert_eq!(document["flow"], "password");
    assert_eq!(document["username"], DEFAULT_USERNAME);
    assert_eq!(document["instance_url"], sandbox.base_url());
    assert!(document["api_usage"]["limit"].as_i64().is_some(), "{document}");
    let printed = format!("{}{}{}", stdout(&status), stderr(&status), stdout(&login));
    assert!(!printed.contains(DEFAULT_CLIENT_SECRET) && !printed.contains(DEFAULT_PASSWORD));

    let access_token = {
        let store = credentials(data_dir.path());
        let stored = StoredAuthorization::load(&store).expect("load").expect("stored");
        assert!(!printed.contains(stored.access_token.expose_secret()));
        stored.access_token.expose_secret().to_owned()
    };
    assert_eq!(data_status(&sandbox, &access_token).await, StatusCode::OK);

    let logout = leadgate_async(data_dir.path(), &["auth", "logout"], &[]).await;
    assert!(logout.status.success(), "{}", stderr(&logout));
    assert_eq!(
        data_status(&sandbox, &access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let after = leadgate_async(data_dir.path(), &["auth", "status", "--json"], &[]).await;
    assert!(!after.status.success());
    assert_eq!(stdout(&after).trim(), r#"{"authorized":false}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_token_with_the_master_key_in_the_environment() {
    let sandbox = sandbox().await;
    let token = sandbox
        .control()
        .oauth()
        .mint_access_token(DEFAULT_USERNAME)
        .expect("a token");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let stored = leadgate_async(
        data_dir.path(),
        &["auth", "token", "--instance-url", sandbox.base_url()],
        &[("LEADGATE_ACCESS_TOKEN", &token), (MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert!(!data_dir.path().join(MASTER_KEY_FILE_NAME).exists());

    let status = leadgate_async(
        data_dir.path(),
        &["auth", "status", "--json"],
        &[(MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(status.status.success(), "{}", stderr(&status));
    let document: Value = serde_json::from_str(&stdout(&status)).expect("JSON status");
    assert_eq!(document["flow"], "access-token");
    assert!(document["check_error"].is_null(), "{document}");

    // Without the key, the record cannot be opened (a new key file is made, which does not fit).
    let without_key = leadgate_async(data_dir.path(), &["auth", "status", "--offline"], &[]).await;
    assert!(!without_key.status.success());
    assert!(
        stderr(&without_key).contains("cannot be decrypted"),
        "{}",
        stderr(&without_key)
    );

    let insecure = leadgate_async(
        data_dir.path(),
        &["auth", "token", "--instance-url", "http://na1.salesforce.com"],
        &[("LEADGATE_ACCESS_TOKEN", &token), (MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(!insecure.status.success());
    assert!(stderr(&insecure).contains("HTTPS"), "{}", stderr(&insecure));
}

// ---- Canaries ----

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Adds the tokens to the canaries, and logs them through `Debug` as a careless caller would.
fn remember(canaries: &mut Vec<String>, tokens: &IssuedTokens) {
    canaries.push(tokens.access_token.expose_secret().to_owned());
    if let Some(refresh_token) = &tokens.refresh_token {
        canaries.push(refresh_token.expose_secret().to_owned());
    }
    tracing::trace!(?tokens, "issued");
}

/// Every file under `directory`, with its bytes.
pub(crate) fn files_under(directory: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                found.push((path, bytes));
            }
        }
    }
    found
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// Runs every flow (with errors printed through `Debug` and `Display`) under a TRACE subscriber,
/// storing what they issue; then no access token, refresh token, client secret or password may
/// appear in the log or in any file of the data directory.
#[tokio::test]
async fn no_token_or_secret_reaches_the_trace_log_or_the_raw_data_directory() {
    let log = LogBuffer::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // While only one dispatcher exists, tracing-core caches a callsite's interest from the
    // default of whichever thread reaches it first: a parallel test without a subscriber could
    // switch off an event this test must capture (tokio-rs/tracing#3611). A second dispatcher,
    // alive as long as ours, makes it ask every registered dispatcher instead.
    let _second_dispatcher = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut canaries: Vec<String> = vec![DEFAULT_CLIENT_SECRET.to_owned(), DEFAULT_PASSWORD.to_owned()];
    let mut printed_errors = String::new();
    {
        let store = credentials(data_dir.path());
        // Web-server flow with the secret, its state and code kept as canaries too; stored,
        // refreshed.
        let client = confidential_client(&sandbox);
        let pending = client
            .begin_web_server_flow(&WebServerFlowOptions::default())
            .await
            .expect("the flow starts");
        let redirect_uri = pending.redirect_uri().to_owned();
        canaries.push(query_of(pending.authorization_url())["state"].clone());
        let callback = approve(pending.authorization_url()).await;
        canaries.push(query_of(&callback)["code"].clone());
        let finished = tokio::spawn(pending.finish());
        browser().get(&callback).send().await.expect("callback");
        let tokens = finished.await.expect("join").expect("tokens");
        remember(&mut canaries, &tokens);
        // A PKCE verifier through the real exchange, with a code the sandbox never issued
        // (replaying the real one would revoke the tokens it gave).
        let verifier = SecretString::from(format!("canary-verifier-{}", "v".repeat(40)));
        canaries.push(verifier.expose_secret().to_owned());
        let unknown_code = SecretString::from(format!("canary-code-{}", "c".repeat(20)));
        canaries.push(unknown_code.expose_secret().to_owned());
        let refused = client
            .exchange_code(&unknown_code, &verifier, &redirect_uri)
            .await;
        if let Err(error) = &refused {
            tracing::error!(%error, ?error, "code refused");
            printed_errors.push_str(&format!("{error} {error:?}\n"));
        }
        assert!(refused.is_err(), "an unknown code was exchanged");
        let authorization = StoredAuthorization::from_grant(Flow::WebServer, &client, tokens);
        tracing::trace!(?authorization, ?client, "stored");
        authorization.save(&store).await.expect("saved");
        let provider = Arc::new(OAuthSessionProvider::new(store, authorization));
        let stale = provider.session().await.expect("session");
        tracing::trace!(?stale, "session");
        sandbox.control().expire_access_tokens();
        let renewed = provider.refresh(&stale).await.expect("refreshed");
        canaries.push(renewed.access_token.expose_secret().to_owned());

        // Data requests through a client on that provider, with a refresh on the way and an
        // error printed.
        let data = Client::builder()
            .no_proxy()
            .build_shared(Arc::clone(&provider) as Arc<dyn SessionProvider>)
            .expect("a client");
        data.limits().await.expect("limits");
        sandbox.control().expire_access_tokens();
        let leads: Vec<leadgate_salesforce::Record> = data
            .query("SELECT Id, LastName FROM Lead")
            .try_collect()
            .await
            .expect("query after a refresh");
        assert!(leads.is_empty());
        let refused = data
            .query("SELEKT Id FROM Lead")
            .try_collect::<Vec<leadgate_salesforce::Record>>()
            .await
            .expect_err("malformed");
        tracing::error!(%refused, ?refused, ?data, "data failure");
        printed_errors.push_str(&format!("{refused} {refused:?} {data:?}\n"));
        canaries.push(
            provider
                .session()
                .await
                .expect("session")
                .access_token
                .expose_secret()
                .to_owned(),
        );
        drop(data);

        // JWT bearer, password, client credentials.
        let key = JwtSigningKey::from_pem(DEFAULT_JWT_PRIVATE_KEY_PEM).expect("key");
        let assertion = key
            .assertion(
                DEFAULT_CLIENT_ID,
                DEFAULT_USERNAME,
                sandbox.base_url(),
                jiff::Timestamp::now().as_second(),
            )
            .expect("assertion");
        canaries.push(assertion.expose_secret().to_owned());
        remember(&mut canaries, &client.jwt_bearer(&assertion).await.expect("jwt"));
        let password = SecretString::from(format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}"));
        remember(
            &mut canaries,
            &client
                .password(DEFAULT_USERNAME, &password)
                .await
                .expect("password"),
        );
        remember(
            &mut canaries,
            &client.client_credentials().await.expect("client credentials"),
        );

        // Failures, printed the way a CLI or a log would.
        for error in [
            client
                .password(DEFAULT_USERNAME, &SecretString::from(DEFAULT_PASSWORD))
                .await
                .err(),
            client
                .exchange_code(
                    &SecretString::from("bogus-code"),
                    &password,
                    "http://127.0.0.1:1/callback",
                )
                .await
                .err(),
            public_client(&sandbox)
                .with_client_secret(SecretString::from(DEFAULT_PASSWORD))
                .client_credentials()
                .await
                .err(),
        ]
        .into_iter()
        .flatten()
        {
            tracing::error!(%error, ?error, "auth failure");
            printed_errors.push_str(&format!("{error} {error:?}\n"));
        }

        // Logout: revoke, then delete.
        let stored = provider.authorization().await;
        let revoke_with = stored.refresh_token.clone().expect("refresh token");
        stored
            .oauth_client()
            .expect("client")
            .expect("renewable")
            .revoke(&revoke_with)
            .await
            .expect("revoked");
        provider
            .storage()
            .put("salesforce/extra", b"kept to check the raw files")
            .await
            .expect("put");
        provider.storage().records().expect("records");
        drop(provider);
    }
    drop(_guard);

    let log = String::from_utf8(log.0.lock().expect("lock").clone()).expect("UTF-8 log");
    assert!(
        log.contains("exchanging an authorization code"),
        "the TRACE log is captured"
    );
    assert!(
        log.contains("Salesforce session renewed"),
        "the TRACE log is captured"
    );
    assert!(
        log.contains("Salesforce answered"),
        "the data requests are in the TRACE log"
    );
    let files = files_under(data_dir.path());
    assert!(
        files
            .iter()
            .any(|(path, _)| path.starts_with(data_dir.path().join("db")))
    );
    assert!(canaries.len() >= 12, "{} canaries", canaries.len());
    for canary in &canaries {
        assert!(!log.contains(canary.as_str()), "a canary is in the TRACE log");
        assert!(
            !printed_errors.contains(canary.as_str()),
            "a canary is in an error message"
        );
        for (path, bytes) in &files {
            assert!(
                !contains(bytes, canary.as_bytes()),
                "a canary is in clear text in {}",
                path.display()
            );
        }
    }
}
