//! Keeping a session alive with `leadgate_salesforce::auth::OAuthSessionProvider` against the
//! in-process sandbox org: one refresh grant however many callers find the session expired, the
//! renewal stored, a query that outlives its session, and what a revoked refresh token does.

use std::path::Path;
use std::sync::Arc;

use futures_util::TryStreamExt;
use leadgate_salesforce::auth::{Flow, OAuthClient, StoredAuthorization};
use leadgate_salesforce::secrecy::{ExposeSecret, SecretString};
use leadgate_salesforce::session::{AuthError, Session, SessionProvider};
use leadgate_salesforce::{CallKind, Client, QueryOptions, RetryPolicy, SalesforceError};
use leadgate_sandbox::Sandbox;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::data_dir::credentials;
use crate::support::salesforce_login::{count, data_status, provider, public_client, sandbox, web_login};

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
