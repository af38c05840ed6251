//! The sandbox's OAuth 2.0 server on its own, for the tests of that server: an
//! [`OAuthSandbox`] on a loopback port with one protected data path, a client that never
//! follows redirects, and the requests of the web-server flow and the refresh grant.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use leadgate_sandbox::oauth::{DEFAULT_CLIENT_ID, OAuthServer, OAuthSettings};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use crate::support::sandbox::{LOOPBACK_REDIRECT, PKCE_CHALLENGE, PKCE_VERIFIER};

/// A path that, like the data API, wants a live session.
pub(crate) const PROTECTED: &str = "/services/data/v62.0/protected";

/// The OAuth server on a loopback port, plus a client that never follows redirects.
pub(crate) struct OAuthSandbox {
    pub(crate) server: Arc<OAuthServer>,
    pub(crate) base_url: String,
    pub(crate) client: reqwest::Client,
}

impl OAuthSandbox {
    /// Starts the server with the default settings as changed by `configure`.
    pub(crate) async fn start(configure: impl FnOnce(&mut OAuthSettings)) -> Self {
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

    /// Starts the server with the default settings: an approval page, no rotation.
    pub(crate) async fn default() -> Self {
        Self::start(|_| {}).await
    }

    /// The absolute URL of `path` on this server.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `POST /services/oauth2/token` with `form`: the status and the JSON answer.
    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
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
    pub(crate) async fn authorize(&self, parameters: &[(&str, &str)]) -> reqwest::Response {
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
    pub(crate) async fn code(&self) -> String {
        let response = self
            .authorize(&[
                ("redirect_uri", LOOPBACK_REDIRECT),
                ("state", "state-123"),
                ("code_challenge", PKCE_CHALLENGE),
                ("code_challenge_method", "S256"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = query_of(&response);
        assert_eq!(location.get("state").map(String::as_str), Some("state-123"));
        location.get("code").cloned().expect("a code")
    }

    /// Exchanges a code from [`code`](Self::code) with the matching redirect URI and verifier.
    pub(crate) async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .await
    }

    /// Tokens from a complete web-server flow.
    pub(crate) async fn login(&self) -> Value {
        let code = self.code().await;
        let (status, body) = self.exchange(&code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// The refresh grant for the default app.
    pub(crate) async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DEFAULT_CLIENT_ID),
        ])
        .await
    }

    /// The status of a request to [`PROTECTED`] with `access_token`.
    pub(crate) async fn protected_status(&self, access_token: &str) -> StatusCode {
        self.client
            .get(self.url(PROTECTED))
            .bearer_auth(access_token)
            .send()
            .await
            .expect("data request")
            .status()
    }

    /// How many token requests of grant `kind` the server has answered.
    pub(crate) fn count(&self, kind: &str) -> u64 {
        self.server.token_requests().get(kind).copied().unwrap_or(0)
    }
}

/// A server that approves authorization requests at once, with no approval page.
pub(crate) async fn auto_approving() -> OAuthSandbox {
    OAuthSandbox::start(|settings| settings.auto_approve = true).await
}

/// The query parameters of a redirect's `Location`.
pub(crate) fn query_of(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
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

/// The string at `key` of a JSON answer; a test failure if it is missing.
pub(crate) fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing from {body}"))
}

/// Asserts a 400 with exactly this OAuth `error` and `error_description`.
pub(crate) fn assert_error(outcome: &(StatusCode, Value), error: &str, description: &str) {
    let (status, body) = outcome;
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body, &json!({ "error": error, "error_description": description }));
}
