//! Refresh tokens and revocation at the sandbox org's OAuth server, over real HTTP: refreshing
//! with and without rotation, what a revoked refresh or access token takes along, and exact
//! counts when sixteen refreshes arrive at once.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::oauth_server::{OAuthSandbox, assert_error, auto_approving, text};
use crate::support::sandbox::{assert_shape, fixture};

#[tokio::test]
async fn refreshing_without_rotation_keeps_the_refresh_token() {
    let sandbox = auto_approving().await;
    let tokens = sandbox.login().await;
    let refresh_token = text(&tokens, "refresh_token");
    for _ in 0..2 {
        let (status, body) = sandbox.refresh(refresh_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_shape(&body, &fixture("token_refresh.json"));
        assert_ne!(text(&body, "access_token"), text(&tokens, "access_token"));
        assert_eq!(
            sandbox.protected_status(text(&body, "access_token")).await,
            StatusCode::OK
        );
    }
    assert_eq!(sandbox.count("refresh_token"), 2);
}

#[tokio::test]
async fn refreshing_with_rotation_replaces_the_refresh_token() {
    let sandbox = OAuthSandbox::start(|settings| {
        settings.auto_approve = true;
        settings.rotate_refresh_tokens = true;
    })
    .await;
    let tokens = sandbox.login().await;
    let first = text(&tokens, "refresh_token");
    let (status, body) = sandbox.refresh(first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_shape(&body, &fixture("token_refresh_rotated.json"));
    let second = text(&body, "refresh_token");
    assert_ne!(first, second);
    let (status, error) = sandbox.refresh(first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_shape(&error, &fixture("token_error.json"));
    let (status, _) = sandbox.refresh(second).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_revoked_refresh_token_is_invalid_grant_and_takes_its_access_tokens_along() {
    let sandbox = auto_approving().await;
    let tokens = sandbox.login().await;
    let refresh_token = text(&tokens, "refresh_token");
    let (_, refreshed) = sandbox.refresh(refresh_token).await;
    let revoke = sandbox
        .client
        .post(sandbox.url("/services/oauth2/revoke"))
        .form(&[("token", refresh_token)])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), StatusCode::OK);
    assert_eq!(revoke.text().await.expect("body"), "");
    assert_error(
        &sandbox.refresh(refresh_token).await,
        "invalid_grant",
        "expired access/refresh token",
    );
    for access_token in [text(&tokens, "access_token"), text(&refreshed, "access_token")] {
        assert_eq!(
            sandbox.protected_status(access_token).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(sandbox.count("revoke"), 1);
}

#[tokio::test]
async fn revoking_an_access_token_revokes_only_it() {
    let sandbox = auto_approving().await;
    let tokens = sandbox.login().await;
    let (_, refreshed) = sandbox.refresh(text(&tokens, "refresh_token")).await;
    let revoke = sandbox
        .client
        .get(sandbox.url("/services/oauth2/revoke"))
        .query(&[("token", text(&tokens, "access_token"))])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), StatusCode::OK);
    assert_eq!(
        sandbox.protected_status(text(&tokens, "access_token")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sandbox.protected_status(text(&refreshed, "access_token")).await,
        StatusCode::OK
    );

    let unknown = sandbox
        .client
        .post(sandbox.url("/services/oauth2/revoke"))
        .form(&[("token", "00Dnothing!AR")])
        .send()
        .await
        .expect("revoke");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.expect("JSON");
    assert_shape(&body, &fixture("revoke_error.json"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_refreshes_are_counted_exactly() {
    let sandbox = Arc::new(auto_approving().await);
    let tokens = sandbox.login().await;
    let refresh_token = text(&tokens, "refresh_token").to_owned();
    sandbox.server.expire_access_tokens();
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let sandbox = Arc::clone(&sandbox);
            let refresh_token = refresh_token.clone();
            tokio::spawn(async move { sandbox.refresh(&refresh_token).await })
        })
        .collect();
    for request in requests {
        let (status, body) = request.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(sandbox.count("refresh_token"), 16);
    assert_eq!(sandbox.count("authorization_code"), 1);
    sandbox.server.reset();
    assert!(sandbox.server.token_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_rotation_only_one_of_sixteen_concurrent_refreshes_wins() {
    let sandbox = Arc::new(
        OAuthSandbox::start(|settings| {
            settings.auto_approve = true;
            settings.rotate_refresh_tokens = true;
        })
        .await,
    );
    let tokens = sandbox.login().await;
    let refresh_token = text(&tokens, "refresh_token").to_owned();
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let sandbox = Arc::clone(&sandbox);
            let refresh_token = refresh_token.clone();
            tokio::spawn(async move { sandbox.refresh(&refresh_token).await })
        })
        .collect();
    let mut successes = 0;
    for request in requests {
        let outcome = request.await.expect("task");
        if outcome.0 == StatusCode::OK {
            successes += 1;
        } else {
            assert_error(&outcome, "invalid_grant", "expired access/refresh token");
        }
    }
    assert_eq!(successes, 1);
    assert_eq!(sandbox.count("refresh_token"), 16);
}
