//! The sandbox's control API over HTTP (`/_sandbox/…`, see `host/sandbox/src/control.rs`):
//! listing, converting, deleting and merging leads, fault settings and the fault queue, expiring
//! tokens, setting the API usage, listing Bulk API jobs, resetting the org; and that none of it
//! counts against the org's API allocation.

use std::time::Duration;

use leadgate_sandbox::RecordId;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{Reply, TestOrg, assert_shape, fixture, lead, send};

impl TestOrg {
    fn control_url(&self, path: &str) -> String {
        format!("{}/_sandbox{path}", self.base())
    }

    async fn control_get(&self, path: &str) -> Reply {
        send(self.client.get(self.control_url(path))).await
    }

    async fn control_post(&self, path: &str) -> Reply {
        send(self.client.post(self.control_url(path))).await
    }

    async fn control_json(&self, method: Method, path: &str, body: &Value) -> Reply {
        send(self.client.request(method, self.control_url(path)).json(body)).await
    }

    /// `used` of `GET /_sandbox/api-calls`.
    async fn api_calls_used(&self) -> u64 {
        let reply = self.control_get("/api-calls").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body["used"].as_u64().expect("a count")
    }
}

#[tokio::test]
async fn leads_are_deleted_and_merged_over_http_without_using_the_allocation() {
    let org = TestOrg::start().await;
    let deleted = org.create_lead(&lead("Deleted")).await;
    let loser = org.create_lead(&lead("Loser")).await;
    let master = org.create_lead(&lead("Master")).await;
    let used = org.api_calls_used().await;
    assert_eq!(used, 3);

    let reply = org.control_post(&format!("/leads/{deleted}/delete")).await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = org.control_get(&format!("/leads/{deleted}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["IsDeleted"], true);
    let reply = org.control_post(&format!("/leads/{deleted}/delete")).await;
    assert_eq!(
        reply.status, 409,
        "a deleted lead cannot be deleted again: {reply:?}"
    );

    let reply = org
        .control_post(&format!("/leads/{loser}/merge-into/{master}"))
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = org.control_get(&format!("/leads/{loser}")).await;
    assert_eq!(reply.body["IsDeleted"], true);
    assert_eq!(reply.body["MasterRecordId"], master.as_str());
    let reply = org
        .control_post(&format!("/leads/{master}/merge-into/{master}"))
        .await;
    assert_eq!(reply.status, 409, "{reply:?}");

    let reply = org.control_post("/leads/not-an-id/delete").await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(
        reply.body["error"]
            .as_str()
            .is_some_and(|message| message.contains("not-an-id"))
    );
    let unknown = RecordId::mint("00Q", 999_999).long();
    let reply = org.control_post(&format!("/leads/{unknown}/delete")).await;
    assert_eq!(reply.status, 404, "{reply:?}");
    let reply = org.control_get("/leads").await;
    assert_eq!(
        reply.body["totalSize"], 3,
        "deleted and merged leads are still listed"
    );
    assert_eq!(
        org.api_calls_used().await,
        used,
        "control calls are not API calls"
    );

    // The data API sees what the control API did.
    let reply = org.get(&format!("/sobjects/Lead/{deleted}")).await;
    assert_eq!(reply.status, 404);
    let reply = org.get(&format!("/sobjects/Lead/{master}")).await;
    assert_eq!(reply.status, 200);
    let reply = org
        .query(
            "queryAll",
            "SELECT Id, IsDeleted, MasterRecordId FROM Lead WHERE IsDeleted = true",
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["totalSize"], 2, "{reply:?}");
    let reply = org.query("query", "SELECT Id FROM Lead").await;
    assert_eq!(reply.body["totalSize"], 1);
    assert_eq!(reply.body["records"][0]["Id"], master.as_str());
}

#[tokio::test]
async fn fault_settings_put_over_http_give_the_same_faults_for_the_same_seed() {
    let org = TestOrg::start().await;
    let settings = json!({"seed": 11, "serverUnavailableRate": 0.5});
    let statuses = async || {
        let reply = org.control_json(Method::PUT, "/faults", &settings).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(reply.body["seed"], 11);
        assert_eq!(reply.body["serverUnavailableRate"], 0.5);
        let mut statuses = Vec::new();
        for _ in 0..20 {
            let reply = org.get("/limits").await;
            if reply.status == 503 {
                assert_eq!(
                    reply.body,
                    json!([{"message": "Server too busy", "errorCode": "SERVER_UNAVAILABLE"}])
                );
            }
            statuses.push(reply.status);
        }
        statuses
    };
    let first = statuses().await;
    let unavailable = first.iter().filter(|status| **status == 503).count();
    assert!((3..=17).contains(&unavailable), "{first:?}");
    assert!(first.contains(&200), "{first:?}");
    assert_eq!(statuses().await, first, "a PUT restarts the seeded sequence");

    let reply = org.control_get("/faults").await;
    assert_eq!(reply.body["seed"], 11);
    assert_eq!(reply.body["serverUnavailableRate"], 0.5);
    let reply = org.control_get("/api-calls").await;
    assert_eq!(
        reply.body["faultsInjected"]["serverUnavailable"],
        json!(2 * unavailable)
    );

    let reply = org.control_json(Method::PUT, "/faults", &json!({})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["serverUnavailableRate"], 0.0);
    for _ in 0..5 {
        assert_eq!(org.get("/limits").await.status, 200, "no faults any more");
    }
    let reply = org
        .control_json(Method::PUT, "/faults", &json!({"serverUnavailableRate": "often"}))
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
}

#[tokio::test]
async fn queued_faults_hit_the_next_request_in_order() {
    let org = TestOrg::start().await;
    for fault in ["serverUnavailable", "htmlError"] {
        let reply = org
            .control_json(Method::POST, "/faults/queue", &json!({"fault": fault}))
            .await;
        assert_eq!(reply.status, 204, "{reply:?}");
    }
    assert_eq!(org.get("/limits").await.status, 503);
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(org.get("/limits").await.status, 200, "the queue is used up");

    let reply = org
        .control_json(Method::POST, "/faults/queue", &json!({"fault": "meteorStrike"}))
        .await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(org.get("/limits").await.status, 200, "nothing was queued");
}

#[tokio::test]
async fn expiring_tokens_over_http_gives_the_invalid_session_401() {
    let org = TestOrg::start().await;
    assert_eq!(org.get("/limits").await.status, 200);
    let reply = org.control_post("/expire-tokens").await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Token"));
    assert_shape(&reply.body, &fixture("invalid_session.json"));
    assert_eq!(org.api_calls_used().await, 1, "only the first /limits counted");
}

#[tokio::test]
async fn bulk_jobs_are_listed_with_their_state_and_counts() {
    let org = TestOrg::start().await;
    let reply = org.control_get("/bulk-jobs").await;
    assert_eq!(reply.body, json!({"jobs": []}));

    let job_request =
        json!({"object": "Lead", "operation": "insert", "contentType": "CSV", "lineEnding": "LF"});
    let reply = org.json(Method::POST, "/jobs/ingest", &job_request).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let job = reply.body["id"].as_str().expect("a job id").to_owned();
    let reply = send(
        org.request(Method::PUT, &format!("/jobs/ingest/{job}/batches"))
            .header("content-type", "text/csv")
            .body("LastName,Company\nLovelace,Analytical Engines\n,Nameless Ltd\n"),
    )
    .await;
    assert_eq!(reply.status, 201, "{reply:?}");
    let reply = org.control_get("/bulk-jobs").await;
    assert_eq!(reply.body["jobs"][0]["state"], "Open");
    assert_eq!(reply.body["jobs"][0]["records"], 2);
    let reply = org
        .json(
            Method::PATCH,
            &format!("/jobs/ingest/{job}"),
            &json!({"state": "UploadComplete"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let used = org.api_calls_used().await;

    let mut listed = Value::Null;
    for _ in 0..500 {
        let reply = org.control_get("/bulk-jobs").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        listed = reply.body["jobs"][0].clone();
        if listed["state"] == "JobComplete" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        listed,
        json!({
            "id": job,
            "operation": "insert",
            "state": "JobComplete",
            "records": 2,
            "processed": 2,
            "failed": 1,
            "errorMessage": null,
        })
    );
    assert_eq!(
        org.api_calls_used().await,
        used,
        "polling the control API is not an API call"
    );
}

#[tokio::test]
async fn the_control_api_lists_converts_and_resets() {
    let org = TestOrg::start().await;
    let id = org.create_lead(&lead("Doe")).await;
    let control = |path: &str| format!("{}/_sandbox{path}", org.base());
    let reply = send(org.client.get(control("/leads"))).await;
    assert_eq!(reply.body["totalSize"], 1);
    assert_eq!(reply.body["leads"][0]["Id"], id);
    let reply = send(org.client.post(control(&format!("/leads/{id}/convert")))).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body["contactId"]
            .as_str()
            .is_some_and(|contact| contact.starts_with("003"))
    );
    let reply = send(org.client.post(control(&format!("/leads/{id}/convert")))).await;
    assert_eq!(reply.status, 409);
    let reply = send(org.client.get(control("/api-calls"))).await;
    assert_eq!(reply.body["byKind"]["create"], 1);
    let reply = send(
        org.client
            .put(control("/limits"))
            .json(&json!({"max": 50, "used": 49})),
    )
    .await;
    assert_eq!(reply.body, json!({"used": 49, "max": 50}));
    assert_eq!(
        org.get("/limits").await.header("sforce-limit-info"),
        Some("api-usage=50/50")
    );
    let reply = send(
        org.client
            .put(control("/faults"))
            .json(&json!({"seed": 3, "bogus": 1})),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(send(org.client.post(control("/reset"))).await.status, 204);
    assert_eq!(org.sandbox.control().leads().len(), 0);
    assert_eq!(org.get("/limits").await.status, 401, "reset forgets the tokens");
}
