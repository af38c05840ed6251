//! The sandbox org's fault injection: seeded and deterministic, and each fault as a client sees it.

use std::time::{Duration, Instant};

use leadgate_sandbox::{Fault, FaultSettings, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use crate::support::sandbox::{TestOrg, send};

/// The statuses of 40 describe calls under the given settings.
async fn statuses(settings: FaultSettings) -> Vec<u16> {
    let org = TestOrg::with(SandboxConfig {
        faults: settings,
        ..SandboxConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(org.get("/sobjects/Lead/describe").await.status);
    }
    statuses
}

#[tokio::test]
async fn faults_are_the_same_for_the_same_seed() {
    let settings = FaultSettings {
        seed: 42,
        server_unavailable_rate: 0.3,
        ..FaultSettings::default()
    };
    let first = statuses(settings.clone()).await;
    assert_eq!(first, statuses(settings.clone()).await);
    let unavailable = first.iter().filter(|status| **status == 503).count();
    assert!((4..=20).contains(&unavailable), "{first:?}");
    assert_ne!(first, statuses(FaultSettings { seed: 43, ..settings }).await);
}

#[tokio::test]
async fn server_unavailable_and_lock_row_have_salesforce_bodies() {
    let org = TestOrg::start().await;
    let control = org.sandbox.control();
    control.queue_fault(Fault::ServerUnavailable);
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.body,
        json!([{"message": "Server too busy", "errorCode": "SERVER_UNAVAILABLE"}])
    );
    control.queue_fault(Fault::UnableToLockRow);
    let reply = org
        .json(
            Method::POST,
            "/sobjects/Lead",
            &json!({"LastName": "Doe", "Company": "Acme"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("UNABLE_TO_LOCK_ROW"))
    );
    control.queue_fault(Fault::UnableToLockRow);
    let body = json!({"records": [{"attributes": {"type": "Lead"}, "LastName": "Doe", "Company": "Acme"}]});
    let reply = org.json(Method::POST, "/composite/sobjects", &body).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body[0]["errors"][0]["statusCode"], "UNABLE_TO_LOCK_ROW");
    assert_eq!(control.live_lead_count(), 0);
    control.queue_fault(Fault::HtmlError);
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(
        control.api_calls().faults_injected.get("unableToLockRow"),
        Some(&2)
    );
}

#[tokio::test]
async fn a_dropped_connection_answers_nothing_and_commits_nothing() {
    let org = TestOrg::start().await;
    org.sandbox.control().queue_fault(Fault::DropConnection);
    let result = org
        .request(Method::POST, "/sobjects/Lead")
        .json(&json!({"LastName": "Doe", "Company": "Acme"}))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(org.sandbox.control().live_lead_count(), 0);
    // Nothing happened, so nothing was counted against the allocation either.
    let calls = org.sandbox.control().api_calls();
    assert_eq!(calls.used, 0, "{calls:?}");
    assert!(calls.by_kind.is_empty(), "{calls:?}");
    assert_eq!(calls.faults_injected.get("dropConnection"), Some(&1));
    let reply = org.get("/limits").await;
    assert_eq!(reply.header("sforce-limit-info"), Some("api-usage=1/15000"));
}

#[tokio::test]
async fn a_queued_lock_leaves_reads_alone_and_fails_the_next_write() {
    let org = TestOrg::start().await;
    let control = org.sandbox.control();
    let id = org
        .create_lead(&json!({"LastName": "Doe", "Company": "Acme"}))
        .await;
    control.queue_fault(Fault::UnableToLockRow);
    // Reads never lock rows: they pass, and the fault stays queued for the next write.
    assert_eq!(org.get(&format!("/sobjects/Lead/{id}")).await.status, 200);
    assert_eq!(org.query("query", "SELECT Id FROM Lead").await.status, 200);
    assert_eq!(org.get("/limits").await.status, 200);
    assert!(control.api_calls().faults_injected.is_empty());
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"Title": "CEO"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("UNABLE_TO_LOCK_ROW"))
    );
    assert_eq!(control.lead(&id).expect("the lead").field("Title"), &json!(null));
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"Title": "CEO"}),
        )
        .await;
    assert_eq!(reply.status, 204, "the queue is used up: {reply:?}");
    assert_eq!(
        control.api_calls().faults_injected.get("unableToLockRow"),
        Some(&1)
    );
}

#[tokio::test]
async fn commit_then_drop_saves_the_write_but_answers_nothing() {
    let org = TestOrg::start().await;
    org.sandbox.control().queue_fault(Fault::CommitThenDrop);
    let result = org
        .request(Method::PATCH, "/sobjects/Lead/LeadgateId__c/c-1")
        .json(&json!({"LastName": "Doe", "Company": "Acme"}))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(org.sandbox.control().live_lead_count(), 1);
    // The retry of the idempotent upsert finds the committed Lead instead of a duplicate.
    let reply = org
        .json(
            Method::PATCH,
            "/sobjects/Lead/LeadgateId__c/c-1",
            &json!({"LastName": "Doe", "Company": "Acme"}),
        )
        .await;
    assert_eq!((reply.status, reply.body["created"].clone()), (200, json!(false)));
    assert_eq!(org.sandbox.control().live_lead_count(), 1);
}

#[tokio::test]
async fn forced_token_expiry_gives_the_real_401() {
    let org = TestOrg::start().await;
    org.sandbox.control().queue_fault(Fault::ExpireTokens);
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
    assert_eq!(org.get("/limits").await.status, 401, "the token stays expired");
    assert_eq!(org.sandbox.control().api_usage().used, 0);
}

#[tokio::test]
async fn slow_answers_wait_the_configured_time() {
    let settings = FaultSettings {
        slow_rate: 1.0,
        slow_millis: 150,
        ..FaultSettings::default()
    };
    let org = TestOrg::with(SandboxConfig {
        faults: settings,
        ..SandboxConfig::default()
    })
    .await;
    let started = Instant::now();
    let reply = send(org.request(Method::GET, "/limits")).await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

/// The README's list of which answers carry `Sforce-Limit-Info` and which do not.
#[tokio::test]
async fn sforce_limit_info_is_on_admitted_data_calls_only() {
    let org = TestOrg::start().await;
    let control = org.sandbox.control();
    let limit_info =
        |reply: &crate::support::sandbox::Reply| reply.header("sforce-limit-info").map(str::to_owned);

    control.queue_fault(Fault::ServerUnavailable);
    let reply = org.get("/limits").await;
    assert_eq!(
        (reply.status, limit_info(&reply)),
        (503, Some("api-usage=1/15000".to_owned()))
    );
    control.queue_fault(Fault::UnableToLockRow);
    let reply = org
        .json(
            Method::POST,
            "/sobjects/Lead",
            &json!({"LastName": "Doe", "Company": "Acme"}),
        )
        .await;
    assert_eq!(
        (reply.status, limit_info(&reply)),
        (400, Some("api-usage=2/15000".to_owned()))
    );
    control.queue_fault(Fault::HtmlError);
    let reply = org.get("/limits").await;
    assert_eq!((reply.status, limit_info(&reply)), (502, None));
    assert_eq!(control.api_usage().used, 3, "the 502 was counted all the same");

    let reply = send(org.client.get(format!("{}/services/data/", org.base()))).await;
    assert_eq!((reply.status, limit_info(&reply)), (200, None));
    let reply = send(
        org.client
            .get(format!("{}/services/data/v20.0/limits", org.base()))
            .bearer_auth(&org.token),
    )
    .await;
    assert_eq!((reply.status, limit_info(&reply)), (404, None));
    let reply = send(org.client.get(org.data("/limits"))).await;
    assert_eq!((reply.status, limit_info(&reply)), (401, None));
    assert_eq!(control.api_usage().used, 3);

    control.set_api_limit(Some(3), None);
    let reply = org.get("/limits").await;
    assert_eq!(
        (reply.status, limit_info(&reply)),
        (403, Some("api-usage=3/3".to_owned()))
    );
}
