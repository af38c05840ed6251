//! What a token opens at the sandbox org's OAuth server, over real HTTP: userinfo and the
//! identity URL describing the token's user, and Salesforce's 401 for expired and unknown
//! sessions.

use std::time::Duration;

use leadgate_sandbox::oauth::{DEFAULT_ORG_ID, DEFAULT_USER_ID, DEFAULT_USERNAME};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oauth_server::{OAuthSandbox, PROTECTED, auto_approving, text};
use crate::support::sandbox::{assert_shape, fixture};

#[tokio::test]
async fn userinfo_and_the_identity_url_describe_the_tokens_user() {
    let sandbox = auto_approving().await;
    let tokens = sandbox.login().await;
    let access_token = text(&tokens, "access_token");

    let identity: Value = sandbox
        .client
        .get(text(&tokens, "id"))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("identity")
        .json()
        .await
        .expect("JSON");
    assert_shape(&identity, &fixture("identity.json"));
    assert_eq!(identity["id"], tokens["id"]);
    assert_eq!(identity["user_id"], DEFAULT_USER_ID);
    assert_eq!(identity["organization_id"], DEFAULT_ORG_ID);
    assert_eq!(identity["username"], DEFAULT_USERNAME);
    assert_eq!(
        identity["urls"]["rest"],
        format!("{}/services/data/v{{version}}/", sandbox.base_url)
    );

    let userinfo: Value = sandbox
        .client
        .get(sandbox.url("/services/oauth2/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("userinfo")
        .json()
        .await
        .expect("JSON");
    assert_shape(&userinfo, &fixture("userinfo.json"));
    assert_eq!(userinfo["sub"], tokens["id"]);
    assert_eq!(userinfo["preferred_username"], DEFAULT_USERNAME);
    assert_eq!(userinfo["organization_id"], DEFAULT_ORG_ID);

    let bad_token = sandbox
        .client
        .get(sandbox.url("/services/oauth2/userinfo"))
        .bearer_auth("00Dnothing!AR")
        .send()
        .await
        .expect("userinfo");
    assert_eq!(bad_token.status(), StatusCode::FORBIDDEN);
    assert_eq!(bad_token.text().await.expect("body"), "Bad_OAuth_Token");
    let other_org = sandbox
        .client
        .get(sandbox.url(&format!("/id/00D000000000001EAA/{DEFAULT_USER_ID}")))
        .bearer_auth(access_token)
        .send()
        .await
        .expect("identity");
    assert_eq!(other_org.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn expired_and_unknown_sessions_get_salesforces_401() {
    let sandbox = OAuthSandbox::start(|settings| {
        settings.auto_approve = true;
        settings.access_token_lifetime = Duration::from_secs(60);
    })
    .await;
    let tokens = sandbox.login().await;
    let access_token = text(&tokens, "access_token");
    assert_eq!(sandbox.protected_status(access_token).await, StatusCode::OK);
    sandbox.server.advance_clock(Duration::from_secs(60));
    for request in [
        sandbox
            .client
            .get(sandbox.url(PROTECTED))
            .bearer_auth(access_token),
        sandbox
            .client
            .get(sandbox.url(PROTECTED))
            .bearer_auth("00Dnothing!AR"),
    ] {
        let response = request.send().await.expect("data request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Token");
        assert_eq!(
            response.headers()["content-type"],
            "application/json;charset=UTF-8"
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body,
            json!([{ "message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID" }])
        );
    }
    // A missing header, or one of another scheme, is a malformed request rather than a
    // session to refresh (reference §11).
    for request in [
        sandbox
            .client
            .get(sandbox.url(PROTECTED))
            .basic_auth("user", Some("password")),
        sandbox.client.get(sandbox.url(PROTECTED)),
    ] {
        let response = request.send().await.expect("data request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Token");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body,
            json!([{ "message": "INVALID_HEADER_TYPE", "errorCode": "INVALID_AUTH_HEADER" }])
        );
    }

    // A refresh brings the session back; forced expiry ends it again.
    let (status, refreshed) = sandbox.refresh(text(&tokens, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sandbox.protected_status(text(&refreshed, "access_token")).await,
        StatusCode::OK
    );
    sandbox.server.expire_access_tokens();
    assert_eq!(
        sandbox.protected_status(text(&refreshed, "access_token")).await,
        StatusCode::UNAUTHORIZED
    );
}
