//! sObject collections in the sandbox org's REST data API, over real HTTP: `allOrNone`
//! rollback, per-record results without it, upsert, update, retrieve and delete of many records,
//! and the 200-record and one-type limits.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, fixture, lead, send};

#[tokio::test]
async fn collections_with_all_or_none_roll_everything_back() {
    let org = TestOrg::start().await;
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Lead"}, "LastName": "Good", "Company": "Acme"},
        {"attributes": {"type": "Lead"}, "LastName": "Bad"},
    ]});
    let reply = org.json(Method::POST, "/composite/sobjects", &body).await;
    assert_eq!(reply.status, 200);
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("collection_all_or_none.json"));
    assert_eq!(org.sandbox.control().live_lead_count(), 0);

    // Updates keep their ids when rolled back.
    let first = org.create_lead(&lead("First")).await;
    let body = json!({"allOrNone": true, "records": [
        {"attributes": {"type": "Lead"}, "id": first, "Title": "Changed"},
        {"attributes": {"type": "Lead"}, "id": first, "Email": "not an address"},
    ]});
    let reply = org.json(Method::PATCH, "/composite/sobjects", &body).await;
    assert_eq!(reply.body[0]["id"], first);
    assert_eq!(
        reply.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(reply.body[1]["errors"][0]["statusCode"], "INVALID_EMAIL_ADDRESS");
    assert_eq!(
        org.get(&format!("/sobjects/Lead/{first}")).await.body["Title"],
        Value::Null
    );
}

#[tokio::test]
async fn collections_report_each_record_without_all_or_none() {
    let org = TestOrg::start().await;
    org.create_lead(&json!({"LastName": "Existing", "Company": "Acme", "Email": "dup@example.com"}))
        .await;
    let body = json!({"records": [
        {"attributes": {"type": "Lead"}, "LastName": "Dup", "Company": "Acme", "Email": "dup@example.com"},
        {"attributes": {"type": "Lead"}, "LastName": "Fine", "Company": "Acme"},
        {"attributes": {"type": "Lead"}, "LastName": "x".repeat(81), "Company": "Acme"},
    ]});
    let reply = org.json(Method::POST, "/composite/sobjects", &body).await;
    assert_eq!(reply.status, 200);
    let results = reply.body.as_array().expect("results");
    assert_eq!(
        results[0],
        json!({"success": false, "errors": [{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "fields": []}]})
    );
    assert_shape(&results[1], &fixture("create.json"));
    assert_eq!(results[2]["errors"][0]["statusCode"], "STRING_TOO_LONG");
    assert_eq!(results[2]["errors"][0]["fields"], json!(["LastName"]));
    assert_eq!(org.sandbox.control().live_lead_count(), 2);
}

#[tokio::test]
async fn collections_upsert_update_retrieve_and_delete() {
    let org = TestOrg::start().await;
    let records = |title: &str| -> Value {
        let records: Vec<Value> = (0..3)
            .map(|index| json!({"attributes": {"type": "Lead"}, "LeadgateId__c": format!("c-{index}"), "LastName": "Doe", "Company": "Acme", "Title": title}))
            .collect();
        json!({"allOrNone": false, "records": records})
    };
    let reply = org
        .json(
            Method::PATCH,
            "/composite/sobjects/Lead/LeadgateId__c",
            &records("A"),
        )
        .await;
    assert_eq!(reply.status, 200);
    let results = reply.body.as_array().expect("results");
    for result in results {
        assert_shape(result, &fixture("upsert_created.json"));
    }
    let ids: Vec<String> = results
        .iter()
        .map(|result| result["id"].as_str().expect("id").to_owned())
        .collect();
    let reply = org
        .json(
            Method::PATCH,
            "/composite/sobjects/Lead/LeadgateId__c",
            &records("B"),
        )
        .await;
    assert!(
        reply
            .body
            .as_array()
            .expect("results")
            .iter()
            .all(|result| result["created"] == false && result["success"] == true)
    );
    assert_eq!(org.sandbox.control().live_lead_count(), 3);
    let reply = org
        .json(Method::PATCH, "/composite/sobjects/Lead/Nope__c", &records("B"))
        .await;
    assert_eq!(reply.status, 404);

    let body = json!({"records": [
        {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "C"},
        {"attributes": {"type": "Lead"}, "id": "001xx000003DGb2AAG", "Title": "C"},
    ]});
    let reply = org.json(Method::PATCH, "/composite/sobjects", &body).await;
    assert_eq!(reply.body[0]["success"], true);
    assert_eq!(reply.body[1]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(reply.body[1]["errors"][0]["fields"], json!(["Id"]));

    let reply = org
        .get(&format!(
            "/composite/sobjects/Lead?ids={},{},00Q5e00000zzzzzAAA&fields=Title,LeadgateId__c",
            ids[0], ids[1]
        ))
        .await;
    let rows = reply.body.as_array().expect("rows");
    assert_eq!(
        (
            rows[0]["Title"].clone(),
            rows[1]["Title"].clone(),
            rows[2].clone()
        ),
        (json!("C"), json!("B"), Value::Null)
    );

    let reply = send(org.request(
        Method::DELETE,
        &format!("/composite/sobjects?ids={},{}&allOrNone=false", ids[0], ids[0]),
    ))
    .await;
    assert_eq!(
        reply.body[0],
        json!({"id": ids[0], "success": true, "errors": []})
    );
    assert_eq!(reply.body[1]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
    let counts = org.sandbox.control().api_calls().by_kind;
    assert_eq!(counts.get("collectionsUpsert"), Some(&3));
    assert_eq!(counts.get("collectionsDelete"), Some(&1));
}

#[tokio::test]
async fn collections_refuse_more_than_200_records_and_other_types() {
    let org = TestOrg::start().await;
    let records: Vec<Value> = (0..201)
        .map(|index| json!({"attributes": {"type": "Lead"}, "LastName": format!("{index}"), "Company": "A"}))
        .collect();
    let reply = org
        .json(Method::POST, "/composite/sobjects", &json!({"records": records}))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "EXCEEDED_ID_LIMIT");
    let reply = org
        .json(
            Method::POST,
            "/composite/sobjects",
            &json!({"records": [{"attributes": {"type": "Account"}, "Name": "x"}]}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("INVALID_TYPE"))
    );
    assert_eq!(org.sandbox.control().live_lead_count(), 0);
}
