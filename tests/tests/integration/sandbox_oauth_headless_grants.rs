//! The grants of the sandbox org's OAuth server that need no browser, over real HTTP: password
//! with security token, JWT bearer (signature, audience, expiry) and client credentials (form
//! or Basic authentication), and the OAuth errors of malformed token requests.

use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USER_ID, DEFAULT_USERNAME, sign_assertion,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::oauth_server::{OAuthSandbox, assert_error, text};
use crate::support::sandbox::{assert_shape, fixture};

/// Now, in whole seconds since the Unix epoch, as the `iat` and `exp` claims of a JWT count.
fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

#[tokio::test]
async fn the_password_grant_wants_the_password_and_the_security_token() {
    let sandbox = OAuthSandbox::default().await;
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
    let sandbox = OAuthSandbox::default().await;
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
    let sandbox = OAuthSandbox::default().await;
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

    let without_run_as = OAuthSandbox::start(|settings| {
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
    let sandbox = OAuthSandbox::default().await;
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
