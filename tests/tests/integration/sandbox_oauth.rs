//! The sandbox org's OAuth 2.0 server over real HTTP: every grant, the approval page, revocation,
//! identity, the expired-session 401 and the request counters.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_ORG_ID, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USER_ID, DEFAULT_USERNAME, OAuthServer, OAuthSettings, sign_assertion,
};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use crate::support::sandbox::{assert_shape, fixture};

/// The example pair of RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// A path that, like the data API, wants a live session.
const PROTECTED: &str = "/services/data/v62.0/protected";

/// A loopback redirect URI on a port the "CLI" chose (the default app registers
/// `http://127.0.0.1/callback`, without a port).
const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:49213/callback";

/// The OAuth server on a loopback port, plus a client that never follows redirects.
struct Sandbox {
    server: Arc<OAuthServer>,
    base_url: String,
    client: reqwest::Client,
}

impl Sandbox {
    async fn start(configure: impl FnOnce(&mut OAuthSettings)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let mut settings = OAuthSettings::defaults(&base_url);
        configure(&mut settings);
        let server = Arc::new(OAuthServer::new(settings));
        let guarded = Arc::clone(&server);
        let router = server.router().route(
            PROTECTED,
            axum::routing::get(
                async move |headers: HeaderMap| match guarded.authenticate(&headers) {
                    Ok(session) => axum::Json(json!({ "user_id": session.user_id })).into_response(),
                    Err(response) => response,
                },
            ),
        );
        tokio::spawn(async move { axum::serve(listener, router).await });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            server,
            base_url,
            client,
        }
    }

    async fn default() -> Self {
        Self::start(|_| {}).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url("/services/oauth2/token"))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        (status, response.json().await.expect("token JSON"))
    }

    /// `GET /authorize` with the default app and the given extra parameters.
    async fn authorize(&self, parameters: &[(&str, &str)]) -> reqwest::Response {
        let mut query = vec![("response_type", "code"), ("client_id", DEFAULT_CLIENT_ID)];
        query.extend_from_slice(parameters);
        self.client
            .get(self.url("/services/oauth2/authorize"))
            .query(&query)
            .send()
            .await
            .expect("authorize request")
    }

    /// Runs the auto-approved authorization with PKCE and returns the code.
    async fn code(&self) -> String {
        let response = self
            .authorize(&[
                ("redirect_uri", LOOPBACK_REDIRECT),
                ("state", "state-123"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = query_of(&response);
        assert_eq!(location.get("state").map(String::as_str), Some("state-123"));
        location.get("code").cloned().expect("a code")
    }

    async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await
    }

    /// Tokens from a complete web-server flow.
    async fn login(&self) -> Value {
        let code = self.code().await;
        let (status, body) = self.exchange(&code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DEFAULT_CLIENT_ID),
        ])
        .await
    }

    async fn protected_status(&self, access_token: &str) -> StatusCode {
        self.client
            .get(self.url(PROTECTED))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("data request")
            .status()
    }

    fn count(&self, kind: &str) -> u64 {
        self.server.token_requests().get(kind).copied().unwrap_or(0)
    }
}

async fn auto_approving() -> Sandbox {
    Sandbox::start(|settings| settings.auto_approve = true).await
}

/// The query parameters of a redirect's `Location`.
fn query_of(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let location = response
        .headers()
        .get(LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("ASCII Location");
    reqwest::Url::parse(location)
        .expect("an absolute Location")
        .query_pairs()
        .into_owned()
        .collect()
}

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing from {body}"))
}

fn assert_error(outcome: &(StatusCode, Value), error: &str, description: &str) {
    let (status, body) = outcome;
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body, &json!({ "error": error, "error_description": description }));
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

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
            ("code_verifier", VERIFIER),
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
    let sandbox = Sandbox::default().await;
    let page = sandbox
        .authorize(&[
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("state", "s<1>"),
            ("code_challenge", CHALLENGE),
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
            ("code_challenge", CHALLENGE),
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
    let sandbox = Sandbox::default().await;
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
            ("code_challenge", CHALLENGE),
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
            ("code_verifier", VERIFIER),
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
    let code_without_pkce = |sandbox: &Sandbox| {
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
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_error(&wrong_secret, "invalid_client", "invalid client credentials");
}

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
    let sandbox = Sandbox::start(|settings| {
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

#[tokio::test]
async fn the_password_grant_wants_the_password_and_the_security_token() {
    let sandbox = Sandbox::default().await;
    let password_with_token = format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}");
    let attempt = |password: String| {
        let sandbox = &sandbox;
        async move {
            sandbox
                .token(&[
                    ("grant_type", "password"),
                    ("client_id", DEFAULT_CLIENT_ID),
                    ("client_secret", DEFAULT_CLIENT_SECRET),
                    ("username", DEFAULT_USERNAME),
                    ("password", &password),
                ])
                .await
        }
    };
    let (status, body) = attempt(password_with_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_shape(&body, &fixture("token_password.json"));
    assert_eq!(
        sandbox.protected_status(text(&body, "access_token")).await,
        StatusCode::OK
    );
    assert_error(
        &attempt("wrong".to_owned()).await,
        "invalid_grant",
        "authentication failure",
    );
    assert_error(
        &attempt(DEFAULT_PASSWORD.to_owned()).await,
        "invalid_grant",
        "authentication failure",
    );
    let unknown_client = sandbox
        .token(&[
            ("grant_type", "password"),
            ("client_id", "nobody"),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("username", DEFAULT_USERNAME),
            ("password", DEFAULT_PASSWORD),
        ])
        .await;
    assert_error(&unknown_client, "invalid_client_id", "client identifier invalid");
    assert_eq!(sandbox.count("password"), 4);
}

#[tokio::test]
async fn the_jwt_bearer_grant_checks_signature_audience_and_expiry() {
    let sandbox = Sandbox::default().await;
    let claims = |audience: &str, expires_at: i64| json!({ "iss": DEFAULT_CLIENT_ID, "sub": DEFAULT_USERNAME, "aud": audience, "exp": expires_at });
    let grant = |assertion: String| {
        let sandbox = &sandbox;
        async move {
            sandbox
                .token(&[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", &assertion),
                ])
                .await
        }
    };
    let sign = |claims: Value| sign_assertion(DEFAULT_JWT_PRIVATE_KEY_PEM, &claims).expect("sign");
    let now = now_seconds();

    for audience in ["https://login.salesforce.com", sandbox.base_url.as_str()] {
        let (status, body) = grant(sign(claims(audience, now + 180))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_shape(&body, &fixture("token_jwt_bearer.json"));
        assert_eq!(
            sandbox.protected_status(text(&body, "access_token")).await,
            StatusCode::OK
        );
    }
    assert_error(
        &grant(sign(claims("https://elsewhere.example", now + 180))).await,
        "invalid_grant",
        "Audience validation failed",
    );
    assert_error(
        &grant(sign(claims("https://login.salesforce.com", now - 600))).await,
        "invalid_grant",
        "expired assertion",
    );
    let genuine = sign(claims("https://login.salesforce.com", now + 180));
    let (signed_part, _) = genuine.rsplit_once('.').expect("three parts");
    let other = sign(claims("https://test.salesforce.com", now + 180));
    let (_, foreign_signature) = other.rsplit_once('.').expect("three parts");
    assert_error(
        &grant(format!("{signed_part}.{foreign_signature}")).await,
        "invalid_grant",
        "invalid assertion",
    );
    let mut stranger = claims("https://login.salesforce.com", now + 180);
    stranger["sub"] = json!("nobody@example.com");
    assert_error(
        &grant(sign(stranger)).await,
        "invalid_grant",
        "user hasn't approved this consumer",
    );
    let mut unknown_app = claims("https://login.salesforce.com", now + 180);
    unknown_app["iss"] = json!("nobody");
    assert_error(
        &grant(sign(unknown_app)).await,
        "invalid_client_id",
        "client identifier invalid",
    );
    assert_eq!(sandbox.count("jwt_bearer"), 7);
}

#[tokio::test]
async fn client_credentials_run_as_the_apps_user_with_form_or_basic_authentication() {
    let sandbox = Sandbox::default().await;
    let (status, body) = sandbox
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_shape(&body, &fixture("token_client_credentials.json"));
    assert!(text(&body, "id").ends_with(DEFAULT_USER_ID));

    let basic = sandbox
        .client
        .post(sandbox.url("/services/oauth2/token"))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    assert_eq!(basic.status(), StatusCode::OK);

    let wrong = sandbox
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
        ])
        .await;
    assert_error(&wrong, "invalid_client", "invalid client credentials");

    let without_run_as = Sandbox::start(|settings| {
        settings.apps[0].client_credentials_username = None;
    })
    .await;
    let refused = without_run_as
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .await;
    assert_error(&refused, "invalid_grant", "no client credentials user enabled");
    assert_eq!(sandbox.count("client_credentials"), 3);
}

#[tokio::test]
async fn malformed_token_requests_get_oauth_errors_and_never_redirects() {
    let sandbox = Sandbox::default().await;
    assert_error(
        &sandbox.token(&[("client_id", DEFAULT_CLIENT_ID)]).await,
        "invalid_request",
        "grant type is missing",
    );
    assert_error(
        &sandbox.token(&[("grant_type", "implicit")]).await,
        "unsupported_grant_type",
        "grant type not supported",
    );
    let not_a_form = sandbox
        .client
        .post(sandbox.url("/services/oauth2/token"))
        .json(&json!({ "grant_type": "password" }))
        .send()
        .await
        .expect("token request");
    assert_eq!(not_a_form.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        not_a_form.json::<Value>().await.expect("JSON")["error"],
        "invalid_request"
    );
    assert_eq!(sandbox.count("unsupported"), 3);
}

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
    let sandbox = Sandbox::start(|settings| {
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
        Sandbox::start(|settings| {
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
