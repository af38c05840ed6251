//! Many clients at once: every write lands once and every call is counted exactly once.

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use crate::support::sandbox::TestOrg;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counts_stay_exact_with_32_concurrent_clients() {
    const CLIENTS: usize = 32;
    const CREATES: usize = 25;
    let org = Arc::new(TestOrg::start().await);
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let org = Arc::clone(&org);
        tasks.push(tokio::spawn(async move {
            for index in 0..CREATES {
                let body = json!({"LastName": format!("C{client}-{index}"), "Company": "Acme", "Email": format!("c{client}.{index}@example.com")});
                let reply = org.json(Method::POST, "/sobjects/Lead", &body).await;
                assert_eq!(reply.status, 201, "{reply:?}");
                let key = format!("/sobjects/Lead/LeadgateId__c/shared-{}", index % 5);
                let reply = org.json(Method::PATCH, &key, &json!({"LastName": "Shared", "Company": "Acme"})).await;
                assert!(reply.status == 200 || reply.status == 201, "{reply:?}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("the client finishes");
    }
    let control = org.sandbox.control();
    assert_eq!(control.live_lead_count(), CLIENTS * CREATES + 5);
    let calls = control.api_calls();
    assert_eq!(calls.used, (2 * CLIENTS * CREATES) as u64);
    assert_eq!(calls.by_kind.get("create"), Some(&((CLIENTS * CREATES) as u64)));
    assert_eq!(calls.by_kind.get("upsert"), Some(&((CLIENTS * CREATES) as u64)));
    let reply = org
        .query("query", "SELECT COUNT() FROM Lead WHERE LastName = 'Shared'")
        .await;
    assert_eq!(reply.body["totalSize"], 5);
}
