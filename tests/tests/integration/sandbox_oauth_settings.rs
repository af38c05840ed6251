//! The OAuth settings of `SandboxConfig` (refresh-token rotation, the JWT bearer certificate)
//! reaching the OAuth server of a sandbox started with `Sandbox::start`, over real HTTP.

use leadgate_sandbox::oauth::DEFAULT_JWT_PRIVATE_KEY_PEM;
use leadgate_sandbox::{Sandbox, SandboxConfig, SandboxError};

use crate::support::sandbox::{
    TestOrg, assert_data_headers, assert_shape, fixture, fixture_text, jwt_bearer_grant, refresh_grant, send,
    web_server_flow,
};

/// The data API answers `access_token`.
async fn opens_the_data_api(org: &TestOrg, access_token: &str) {
    let reply = send(org.client.get(org.data("/limits")).bearer_auth(access_token)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
}

#[tokio::test]
async fn with_rotation_each_refresh_replaces_the_refresh_token() {
    let org = TestOrg::with(SandboxConfig {
        auto_approve: true,
        rotate_refresh_tokens: true,
        ..SandboxConfig::default()
    })
    .await;
    let tokens = web_server_flow(org.base()).await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    assert_shape(&tokens.body, &fixture("token_authorization_code.json"));
    let first = tokens.body["refresh_token"].as_str().expect("a refresh token");

    let refreshed = refresh_grant(&org.client, org.base(), first).await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    assert_shape(&refreshed.body, &fixture("token_refresh_rotated.json"));
    let second = refreshed.body["refresh_token"]
        .as_str()
        .expect("a new refresh token");
    assert_ne!(first, second);
    opens_the_data_api(&org, refreshed.body["access_token"].as_str().expect("a token")).await;

    let reused = refresh_grant(&org.client, org.base(), first).await;
    assert_eq!(reused.status, 400, "the rotated-out token is dead: {reused:?}");
    assert_shape(&reused.body, &fixture("token_error.json"));
    let again = refresh_grant(&org.client, org.base(), second).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(
        org.sandbox
            .control()
            .api_calls()
            .token_requests
            .get("refresh_token"),
        Some(&3)
    );
}

#[tokio::test]
async fn without_rotation_a_refresh_token_is_kept() {
    let org = TestOrg::with(SandboxConfig {
        auto_approve: true,
        ..SandboxConfig::default()
    })
    .await;
    let tokens = web_server_flow(org.base()).await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let refresh_token = tokens.body["refresh_token"].as_str().expect("a refresh token");
    for _ in 0..2 {
        let refreshed = refresh_grant(&org.client, org.base(), refresh_token).await;
        assert_eq!(refreshed.status, 200, "{refreshed:?}");
        assert_shape(&refreshed.body, &fixture("token_refresh.json"));
    }
}

#[tokio::test]
async fn a_configured_jwt_certificate_replaces_the_built_in_one() {
    let test_key = fixture_text("jwt_test_private_key.pem");
    let org = TestOrg::with(SandboxConfig {
        jwt_certificate_pem: Some(fixture_text("jwt_test_certificate.pem")),
        ..SandboxConfig::default()
    })
    .await;
    let granted = jwt_bearer_grant(&org.client, org.base(), &test_key).await;
    assert_eq!(granted.status, 200, "{granted:?}");
    assert_shape(&granted.body, &fixture("token_jwt_bearer.json"));
    opens_the_data_api(&org, granted.body["access_token"].as_str().expect("a token")).await;

    let built_in = jwt_bearer_grant(&org.client, org.base(), DEFAULT_JWT_PRIVATE_KEY_PEM).await;
    assert_eq!(built_in.status, 400, "{built_in:?}");
    assert_eq!(
        built_in.body,
        serde_json::json!({"error": "invalid_grant", "error_description": "invalid assertion"})
    );

    // And the other way round: by default only the built-in key is trusted.
    let default = TestOrg::start().await;
    let granted = jwt_bearer_grant(&default.client, default.base(), DEFAULT_JWT_PRIVATE_KEY_PEM).await;
    assert_eq!(granted.status, 200, "{granted:?}");
    let foreign = jwt_bearer_grant(&default.client, default.base(), &test_key).await;
    assert_eq!(foreign.status, 400, "{foreign:?}");
}

#[tokio::test]
async fn a_certificate_without_an_rsa_key_stops_the_start() {
    let outcome = Sandbox::start(SandboxConfig {
        jwt_certificate_pem: Some("not a certificate".to_owned()),
        ..SandboxConfig::default()
    })
    .await;
    assert!(
        matches!(outcome, Err(SandboxError::JwtCertificate(_))),
        "{outcome:?}"
    );
}
