//! The web-server flow at the sandbox org's OAuth server, over real HTTP: the authorize
//! endpoint, the approval page, which errors go back to the client and which stay on an error
//! page, PKCE, the exact redirect URI, and codes that work once and expire.

use std::time::Duration;

use leadgate_sandbox::oauth::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID, DEFAULT_USER_ID};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::support::oauth_server::{OAuthSandbox, assert_error, auto_approving, query_of, text};
use crate::support::sandbox::{LOOPBACK_REDIRECT, PKCE_CHALLENGE, PKCE_VERIFIER, assert_shape, fixture};

#[tokio::test]
async fn web_server_flow_with_pkce_and_auto_approval_issues_salesforce_shaped_tokens() {
    let sandbox = auto_approving().await;
    let body = sandbox.login().await;
    assert_shape(&body, &fixture("token_authorization_code.json"));
    assert!(text(&body, "access_token").starts_with(&format!("{}!", &DEFAULT_ORG_ID[..15])));
    assert_eq!(text(&body, "instance_url"), sandbox.base_url);
    assert_eq!(
        text(&body, "id"),
        format!("{}/id/{DEFAULT_ORG_ID}/{DEFAULT_USER_ID}", sandbox.base_url)
    );
    assert_eq!(text(&body, "token_type"), "Bearer");
    assert!(text(&body, "issued_at").parse::<u64>().expect("ms string") > 1_600_000_000_000);
    assert_eq!(text(&body, "signature").len(), 44, "base64 of 32 bytes");
    assert!(
        text(&body, "scope")
            .split(' ')
            .any(|scope| scope == "refresh_token")
    );
    assert_eq!(
        sandbox.protected_status(text(&body, "access_token")).await,
        StatusCode::OK
    );
    assert_eq!(sandbox.count("authorization_code"), 1);
}

#[tokio::test]
async fn token_responses_are_uncached_json() {
    let sandbox = auto_approving().await;
    let code = sandbox.code().await;
    let response = sandbox
        .client
        .post(sandbox.url("/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .expect("token request");
    let header = |name: &str| response.headers().get(name).and_then(|value| value.to_str().ok());
    assert_eq!(header("content-type"), Some("application/json;charset=UTF-8"));
    assert_eq!(header("cache-control"), Some("no-cache, no-store"));
    assert_eq!(header("pragma"), Some("no-cache"));
}

#[tokio::test]
async fn the_approval_page_posts_back_and_approval_redirects_with_a_code() {
    let sandbox = OAuthSandbox::default().await;
    let page = sandbox
        .authorize(&[
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("state", "s<1>"),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
            ("scope", "api refresh_token"),
        ])
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    assert!(html.contains("<form method=\"post\" action=\"/services/oauth2/authorize\">"));
    assert!(html.contains("value=\"approve\"") && html.contains("value=\"deny\""));
    assert!(html.contains("s&lt;1&gt;"), "state is escaped: {html}");

    let approved = sandbox
        .client
        .post(sandbox.url("/services/oauth2/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("state", "s<1>"),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
            ("scope", "api refresh_token"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .expect("approve");
    assert_eq!(approved.status(), StatusCode::FOUND);
    let location = approved.headers()[LOCATION].to_str().expect("ASCII");
    assert!(
        location.starts_with(&format!("{LOOPBACK_REDIRECT}?code=")),
        "{location}"
    );
    let query = query_of(&approved);
    assert_eq!(query["state"], "s<1>");
    let (status, body) = sandbox.exchange(&query["code"]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(text(&body, "scope"), "api refresh_token");
}

#[tokio::test]
async fn denying_redirects_with_access_denied() {
    let sandbox = OAuthSandbox::default().await;
    let denied = sandbox
        .client
        .post(sandbox.url("/services/oauth2/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("state", "xyz"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .expect("deny");
    assert_eq!(denied.status(), StatusCode::FOUND);
    let query = query_of(&denied);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["error_description"], "end-user denied authorization");
    assert_eq!(query["state"], "xyz");
    assert!(!query.contains_key("code"));

    let immediate = sandbox
        .authorize(&[("redirect_uri", LOOPBACK_REDIRECT), ("immediate", "true")])
        .await;
    assert_eq!(immediate.status(), StatusCode::FOUND);
    assert_eq!(query_of(&immediate)["error"], "immediate_unsuccessful");
}

#[tokio::test]
async fn unknown_clients_and_unregistered_redirects_get_an_error_page_not_a_redirect() {
    let sandbox = auto_approving().await;
    let unknown_client = sandbox
        .client
        .get(sandbox.url("/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "nobody"),
            ("redirect_uri", LOOPBACK_REDIRECT),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(unknown_client.status(), StatusCode::BAD_REQUEST);
    assert!(unknown_client.headers().get(LOCATION).is_none());
    assert!(
        unknown_client
            .text()
            .await
            .expect("page")
            .contains("invalid_client_id")
    );

    for redirect_uri in [
        "http://evil.example/callback",
        "http://127.0.0.1:49213/elsewhere",
        "http://127.0.0.1.evil.example/callback",
        "http://localhost:1718/OauthRedirect",
    ] {
        let response = sandbox.authorize(&[("redirect_uri", redirect_uri)]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{redirect_uri}");
        assert!(response.headers().get(LOCATION).is_none(), "{redirect_uri}");
        assert!(
            response
                .text()
                .await
                .expect("page")
                .contains("redirect_uri_mismatch")
        );
    }
    let missing = sandbox.authorize(&[]).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn loopback_and_registered_redirects_are_accepted() {
    let sandbox = auto_approving().await;
    for redirect_uri in [
        "http://127.0.0.1/callback",
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:65535/callback",
        "http://localhost:1717/OauthRedirect",
    ] {
        let response = sandbox.authorize(&[("redirect_uri", redirect_uri)]).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{redirect_uri}");
        assert!(query_of(&response).contains_key("code"));
    }
}

#[tokio::test]
async fn other_authorization_errors_go_back_to_the_client() {
    let sandbox = auto_approving().await;
    let token_flow = sandbox
        .client
        .get(sandbox.url("/services/oauth2/authorize"))
        .query(&[
            ("response_type", "token"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(query_of(&token_flow)["error"], "unsupported_response_type");
    let plain = sandbox
        .authorize(&[
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "plain"),
        ])
        .await;
    assert_eq!(query_of(&plain)["error"], "invalid_request");
    let scope = sandbox
        .authorize(&[("redirect_uri", LOOPBACK_REDIRECT), ("scope", "api chatter_api")])
        .await;
    assert_eq!(query_of(&scope)["error"], "invalid_scope");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_invalid_request_and_a_missing_one_invalid_grant() {
    let sandbox = auto_approving().await;
    let code = sandbox.code().await;
    let wrong = sandbox
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl"),
        ])
        .await;
    assert_error(&wrong, "invalid_request", "invalid code verifier");

    let code = sandbox.code().await;
    let missing = sandbox
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
        ])
        .await;
    assert_error(&missing, "invalid_grant", "missing code verifier");
}

#[tokio::test]
async fn the_exchange_must_repeat_the_redirect_uri_exactly() {
    let sandbox = auto_approving().await;
    for redirect_uri in [Some("http://127.0.0.1:49214/callback"), None] {
        let code = sandbox.code().await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", DEFAULT_CLIENT_ID),
            ("code_verifier", PKCE_VERIFIER),
        ];
        form.extend(redirect_uri.map(|uri| ("redirect_uri", uri)));
        let outcome = sandbox.token(&form).await;
        assert_error(
            &outcome,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    }
}

#[tokio::test]
async fn a_code_works_once_and_its_replay_revokes_what_it_issued() {
    let sandbox = auto_approving().await;
    let code = sandbox.code().await;
    let (status, first) = sandbox.exchange(&code).await;
    assert_eq!(status, StatusCode::OK);
    let replay = sandbox.exchange(&code).await;
    assert_error(&replay, "invalid_grant", "expired authorization code");
    assert_eq!(
        sandbox.protected_status(text(&first, "access_token")).await,
        StatusCode::UNAUTHORIZED
    );
    let refresh = sandbox.refresh(text(&first, "refresh_token")).await;
    assert_error(&refresh, "invalid_grant", "expired access/refresh token");
}

#[tokio::test]
async fn codes_expire_after_fifteen_minutes() {
    let sandbox = auto_approving().await;
    let code = sandbox.code().await;
    sandbox.server.advance_clock(Duration::from_secs(15 * 60));
    let outcome = sandbox.exchange(&code).await;
    assert_error(&outcome, "invalid_grant", "expired authorization code");
    let unknown = sandbox.exchange("aPrxnot-a-code").await;
    assert_error(&unknown, "invalid_grant", "expired authorization code");
}

#[tokio::test]
async fn without_pkce_the_exchange_needs_the_client_secret() {
    let sandbox = auto_approving().await;
    let code_without_pkce = |sandbox: &OAuthSandbox| {
        let sandbox_url = sandbox.url("/services/oauth2/authorize");
        let client = sandbox.client.clone();
        async move {
            let response = client
                .get(sandbox_url)
                .query(&[
                    ("response_type", "code"),
                    ("client_id", DEFAULT_CLIENT_ID),
                    ("redirect_uri", LOOPBACK_REDIRECT),
                ])
                .send()
                .await
                .expect("authorize");
            query_of(&response)["code"].clone()
        }
    };
    let code = code_without_pkce(&sandbox).await;
    let without_secret = sandbox
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
        ])
        .await;
    assert_error(&without_secret, "invalid_client", "invalid client credentials");

    let code = code_without_pkce(&sandbox).await;
    let (status, body) = sandbox
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("redirect_uri", LOOPBACK_REDIRECT),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let code = sandbox.code().await;
    let wrong_secret = sandbox
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .await;
    assert_error(&wrong_secret, "invalid_client", "invalid client credentials");
}
