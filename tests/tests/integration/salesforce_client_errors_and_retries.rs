//! How `leadgate_salesforce::Client` fails and retries: the request limit, transient faults of
//! idempotent requests (and creates never repeated), timeouts, `Retry-After` on 429 and 503, and
//! the request id every error keeps. Faults come from the sandbox org or a scripted fake server.

use std::time::Duration;

use leadgate_salesforce::{
    CallKind, Client, ErrorCode, RetryPolicy, SalesforceError, StaticSession, TransportKind,
};
use leadgate_sandbox::{Fault, LEADGATE_ID_FIELD, SandboxConfig};
use serde_json::json;

use crate::support::fake_server::{Answer, FakeServer, gap};
use crate::support::salesforce_client::{client, sandbox, sandbox_with, token};
use crate::support::sandbox::lead;

#[tokio::test]
async fn request_limit_exceeded_is_typed_and_not_retried() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.control().set_api_limit(Some(10), Some(10));
    let error = client.limits().await.expect_err("over the limit");
    assert!(
        matches!(&error, SalesforceError::Api { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(&ErrorCode::RequestLimitExceeded));
    assert!(!error.is_retryable());
    assert_eq!(client.call_counts().total, 1, "no retry");
    let usage = client.api_usage().expect("the 403 carries Sforce-Limit-Info");
    assert_eq!((usage.used, usage.limit), (10, 10));
}

#[tokio::test]
async fn transient_failures_of_idempotent_requests_are_retried() {
    let sandbox = sandbox().await;
    let control = sandbox.control();
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");

    control.queue_fault(Fault::UnableToLockRow);
    client
        .update("Lead", &id, &json!({"Title": "CEO"}))
        .await
        .expect("retried after the lock");
    assert_eq!(
        control.api_calls().faults_injected.get("unableToLockRow"),
        Some(&1)
    );
    assert_eq!(client.call_counts().of(CallKind::Update), 2);

    control.queue_fault(Fault::ServerUnavailable);
    control.queue_fault(Fault::HtmlError);
    client.limits().await.expect("retried after 503 and 502");
    assert_eq!(client.call_counts().of(CallKind::Limits), 3);

    // A commit whose answer is lost: the upsert's retry finds the record, no duplicate.
    control.queue_fault(Fault::CommitThenDrop);
    let outcome = client
        .upsert("Lead", LEADGATE_ID_FIELD, "c-9", &lead("Lost"))
        .await
        .expect("retried");
    assert!(
        !outcome.created(),
        "the retry updated what the first attempt created"
    );
    assert_eq!(control.live_lead_count(), 2);

    // Creates are never repeated, and without retries the errors say they are retryable.
    control.queue_fault(Fault::UnableToLockRow);
    let error = client
        .create("Lead", &lead("Once"))
        .await
        .expect_err("not retried");
    assert_eq!(error.code(), Some(&ErrorCode::UnableToLockRow));
    assert!(error.is_retryable());
    let no_retries = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    control.queue_fault(Fault::HtmlError);
    let error = no_retries.limits().await.expect_err("502");
    assert!(
        matches!(&error, SalesforceError::Http { status: 502, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    control.queue_fault(Fault::DropConnection);
    let error = no_retries.limits().await.expect_err("dropped");
    assert!(error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_a_retryable_transport_error() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: leadgate_sandbox::FaultSettings {
            slow_rate: 1.0,
            slow_millis: 400,
            ..Default::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let impatient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = impatient.limits().await.expect_err("too slow");
    assert!(
        matches!(
            &error,
            SalesforceError::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let patient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    patient.limits().await.expect("answered in time");
}

/// A policy whose longest wait is `max_delay`, with a short backoff otherwise.
fn retries_up_to(max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay,
    }
}

#[tokio::test]
async fn retry_after_on_429_and_503_sets_the_wait_up_to_the_policy_maximum() {
    let busy = Answer::json(
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Server too busy"}]),
    );
    let throttled = Answer {
        status: 429,
        headers: Vec::new(),
        body: "Too Many Requests".to_owned(),
    };
    for refusal in [busy, throttled] {
        let server = FakeServer::start(vec![
            refusal.clone().with_header("retry-after", "1"),
            Answer::json(200, json!({})),
        ])
        .await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(retries_up_to(Duration::from_secs(10)))
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        client.limits().await.expect("answered on the second attempt");
        assert_eq!(server.hits(), 2);
        let waited = gap(&server, 0);
        assert!(
            waited >= Duration::from_secs(1) && waited < Duration::from_secs(5),
            "{}: waited {waited:?} instead of the backoff's 5 ms",
            refusal.status
        );

        // A longer Retry-After than the policy allows is cut to the policy's maximum.
        let server = FakeServer::start(vec![
            refusal.clone().with_header("retry-after", "120"),
            Answer::json(200, json!({})),
        ])
        .await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(retries_up_to(Duration::from_millis(300)))
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        client.limits().await.expect("answered on the second attempt");
        let waited = gap(&server, 0);
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
            "waited {waited:?}"
        );

        // Without retries, the error tells the caller how long to wait.
        let server = FakeServer::start(vec![refusal.clone().with_header("retry-after", "7")]).await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(RetryPolicy::none())
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        let error = client.limits().await.expect_err("refused");
        assert_eq!(error.status(), Some(refusal.status));
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    }
}

#[tokio::test]
async fn errors_keep_the_request_id_salesforce_gave() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let missing = client.create("Lead", &lead("Gone")).await.expect("created");
    client.delete("Lead", &missing).await.expect("deleted");
    let first = client
        .get("Lead", &missing, None)
        .await
        .expect_err("no such Lead");
    let second = client
        .get("Lead", &missing, None)
        .await
        .expect_err("no such Lead");
    assert_eq!(first.status(), Some(404));
    let (first_id, second_id) = (
        first.request_id().expect("a request id").to_owned(),
        second.request_id().expect("a request id").to_owned(),
    );
    assert!(first_id.starts_with("SBXREQ"), "{first_id}");
    assert_ne!(first_id, second_id, "each request has its own id");

    // From a fake server: the id of an answer without an error array is kept too.
    let server = FakeServer::start(vec![
        Answer {
            status: 500,
            headers: Vec::new(),
            body: "<html>oops</html>".to_owned(),
        }
        .with_header("sforce-request-id", "TID:4bCsnN3Yz"),
    ])
    .await;
    let error = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(server.base_url(), "token"))
        .expect("a client")
        .limits()
        .await
        .expect_err("500");
    assert!(
        matches!(&error, SalesforceError::Http { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("TID:4bCsnN3Yz"));
}
