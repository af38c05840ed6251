//! The web-server flow of `leadgate_salesforce::auth` against the in-process sandbox org over
//! real HTTP, the test playing the browser: the loopback listener, PKCE, the state check, code
//! replay and the listener's timeout.

use std::time::Duration;

use leadgate_salesforce::auth::{Flow, StoredAuthorization, WebServerFlowOptions};
use leadgate_salesforce::secrecy::{ExposeSecret, SecretString};
use leadgate_salesforce::session::AuthError;
use reqwest::StatusCode;

use crate::support::data_dir::credentials;
use crate::support::salesforce_login::{
    approve, browser, count, data_status, public_client, query_of, sandbox, web_login,
};

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
        matches!(&outcome, Err(AuthError::Configuration(error)) if error.to_string().contains("within")),
        "{outcome:?}"
    );
}
