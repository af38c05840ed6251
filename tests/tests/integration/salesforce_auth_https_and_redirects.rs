//! Where `leadgate_salesforce::auth` refuses to send or accept credentials: login URLs and
//! instance URLs that are not HTTPS (loopback aside), and token endpoints that redirect. A fake
//! token endpoint on loopback gives the answers the sandbox org never gives.

use std::sync::{Arc, Mutex};

use leadgate_salesforce::auth::{LoginUrl, OAuthClient, StoredAuthorization};
use leadgate_salesforce::secrecy::SecretString;
use leadgate_salesforce::session::AuthError;

use crate::support::salesforce_login::browser;

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
