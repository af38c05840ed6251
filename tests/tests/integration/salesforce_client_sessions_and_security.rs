//! The session under `leadgate_salesforce::Client`: one refresh however many requests find it
//! expired, a static session that cannot renew, HTTPS outside loopback, redirects that would
//! carry the token elsewhere, and errors and `Debug` output that never show it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use leadgate_salesforce::session::SessionFuture;
use leadgate_salesforce::{
    AuthError, Client, RetryPolicy, SalesforceError, Session, SessionProvider, StaticSession, TransportKind,
};
use leadgate_sandbox::{Sandbox, SandboxConfig, SandboxControl};
use serde_json::json;

use crate::support::fake_server::{Answer, FakeServer};
use crate::support::salesforce_client::{client, client_with, fast_retries, sandbox, sandbox_with, token};
use crate::support::sandbox::lead;

/// A provider that counts its calls and mints a new sandbox token on refresh, slowly enough
/// that concurrent requests pile up behind the refresh.
struct CountingProvider {
    control: SandboxControl,
    instance_url: String,
    token: Mutex<String>,
    sessions: AtomicUsize,
    refreshes: AtomicUsize,
}

impl CountingProvider {
    fn new(sandbox: &Sandbox) -> Arc<Self> {
        Arc::new(Self {
            control: sandbox.control().clone(),
            instance_url: sandbox.base_url().to_owned(),
            token: Mutex::new(token(sandbox)),
            sessions: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
        })
    }

    fn session_now(&self) -> Session {
        Session::new(
            self.instance_url.clone(),
            self.token.lock().expect("not poisoned").clone(),
        )
    }
}

impl SessionProvider for CountingProvider {
    fn session(&self) -> SessionFuture<'_> {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        let session = self.session_now();
        Box::pin(async move { Ok(session) })
    }

    fn refresh(&self, _stale: &Session) -> SessionFuture<'_> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let fresh = self
                .control
                .access_token()
                .ok_or_else(|| AuthError::ReauthorizationNeeded {
                    reason: "no user".to_owned(),
                })?;
            *self.token.lock().expect("not poisoned") = fresh;
            Ok(self.session_now())
        })
    }
}

fn client_shared(provider: Arc<CountingProvider>) -> Client {
    Client::builder()
        .no_proxy()
        .retry_policy(fast_retries())
        .build_shared(provider)
        .expect("a client")
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_the_request_replayed() {
    let sandbox = sandbox().await;
    let provider = CountingProvider::new(&sandbox);
    let client = client_shared(Arc::clone(&provider));
    client.create("Lead", &lead("Before")).await.expect("created");
    sandbox.control().expire_access_tokens();
    client
        .create("Lead", &lead("After"))
        .await
        .expect("created after a refresh");
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(provider.sessions.load(Ordering::SeqCst), 1);
    assert_eq!(
        sandbox.control().live_lead_count(),
        2,
        "the replayed create ran once"
    );
    client.limits().await.expect("the new session is kept");
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn sixteen_concurrent_requests_on_an_expired_token_share_one_refresh() {
    let sandbox = sandbox().await;
    let provider = CountingProvider::new(&sandbox);
    let client = client_shared(Arc::clone(&provider));
    client.limits().await.expect("a first session");
    sandbox.control().expire_access_tokens();
    let requests = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.limits().await })
    });
    let results = futures_util::future::join_all(requests).await;
    for result in results {
        result.expect("the task ran").expect("the request succeeded");
    }
    assert_eq!(
        provider.refreshes.load(Ordering::SeqCst),
        1,
        "exactly one refresh"
    );
    assert_eq!(provider.sessions.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_static_session_that_expires_asks_to_reauthorize() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.control().expire_access_tokens();
    let error = client.limits().await.expect_err("expired");
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
    assert!(chain.contains("leadgate auth login"), "{chain}");
}

#[tokio::test]
async fn https_is_required_outside_loopback() {
    let client = client_with(StaticSession::from_token("http://example.com", "token"));
    let error = client.limits().await.expect_err("plain HTTP to a remote host");
    assert!(matches!(error, SalesforceError::InsecureUrl(_)), "{error:?}");
    assert!(!error.is_retryable());
    for instance in ["http://localhost:1", "http://[::1]:1"] {
        let client = client_with(StaticSession::from_token(instance, "token"));
        let error = client.limits().await.expect_err("nothing listens there");
        assert!(
            matches!(
                &error,
                SalesforceError::Transport {
                    kind: TransportKind::Connect,
                    ..
                }
            ),
            "{instance}: {error:?}"
        );
    }

    let sandbox = sandbox_with(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await;
    let pem = sandbox.certificate_pem().expect("a certificate").to_owned();
    let trusting = Client::builder()
        .no_proxy()
        .add_root_certificate_pem(pem)
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let limits = trusting
        .limits()
        .await
        .expect("HTTPS with the sandbox's certificate");
    assert!(limits.daily_api_requests().is_some());
    let untrusting = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = untrusting.limits().await.expect_err("an unknown certificate");
    assert!(matches!(error, SalesforceError::Transport { .. }), "{error:?}");
    let error = Client::builder()
        .add_root_certificate_pem("not a certificate")
        .build(StaticSession::from_token("https://example.com", "token"))
        .expect_err("bad PEM");
    assert!(matches!(error, SalesforceError::Build { .. }), "{error:?}");
}

#[tokio::test]
async fn errors_and_debug_output_never_contain_the_token() {
    let sandbox = sandbox().await;
    let secret = token(&sandbox);
    let client = client_with(StaticSession::from_token(sandbox.base_url(), secret.clone()));
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    client.delete("Lead", &id).await.expect("deleted");
    let mut errors = vec![
        client.get("Lead", &id, None).await.expect_err("404"),
        client
            .query("SELECT Nope FROM Lead")
            .try_collect::<Vec<_>>()
            .await
            .expect_err("400"),
    ];
    sandbox.control().set_api_limit(Some(1), Some(1));
    errors.push(client.limits().await.expect_err("403"));
    sandbox.control().expire_access_tokens();
    errors.push(client.limits().await.expect_err("401"));
    let remote = client_with(StaticSession::from_token("http://example.com", secret.clone()));
    errors.push(remote.limits().await.expect_err("insecure"));
    let unreachable = client_with(StaticSession::from_token("http://127.0.0.1:1", secret.clone()));
    errors.push(unreachable.limits().await.expect_err("refused"));
    let session = Session::new(sandbox.base_url(), secret.clone());
    let mut shown = format!("{client:?} {session:?} {:?}", StaticSession::new(session.clone()));
    for error in &errors {
        shown.push_str(&format!("{error} {error:?} "));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            shown.push_str(&format!("{cause} {cause:?} "));
            source = cause.source();
        }
    }
    assert!(!shown.contains(&secret), "the token leaked: {shown}");
    let org_part = secret.split('!').nth(1).unwrap_or(&secret);
    assert!(!shown.contains(org_part));
}

/// The data API's redirects are not followed: the bearer token would go wherever they point.
#[tokio::test]
async fn data_api_redirects_are_not_followed() {
    for status in [302_u16, 307] {
        let target = FakeServer::start(vec![Answer::json(200, json!({}))]).await;
        let instance = FakeServer::start(vec![Answer::redirect(
            status,
            format!("{}/services/data/v62.0/limits", target.base_url()),
        )])
        .await;
        let client = client_with(StaticSession::from_token(instance.base_url(), "canary-token"));
        let error = client.limits().await.expect_err("a redirect is not an answer");
        assert_eq!(error.status(), Some(status), "{error:?}");
        assert!(!error.is_retryable(), "{error:?}");
        assert_eq!(instance.hits(), 1, "sent once, not retried");
        let request = &instance.received()[0];
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", "/services/data/v62.0/limits")
        );
        assert_eq!(target.hits(), 0, "the redirect's target was contacted");
        // The target does count what reaches it.
        client_with(StaticSession::from_token(target.base_url(), "token"))
            .limits()
            .await
            .expect("the target answers");
        assert_eq!(target.hits(), 1);
    }
}
