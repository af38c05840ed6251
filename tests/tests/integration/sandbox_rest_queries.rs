//! SOQL through the sandbox org's REST data API, over real HTTP: pages linked by
//! `nextRecordsUrl`, `queryAll` with deleted and merged Leads, and the errors of bad queries.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, fixture, keys, lead, send};

#[tokio::test]
async fn deleted_and_merged_leads_show_only_in_query_all() {
    let org = TestOrg::start().await;
    let master = org.create_lead(&lead("Master")).await;
    let loser = org.create_lead(&lead("Loser")).await;
    let deleted = org.create_lead(&lead("Deleted")).await;
    org.sandbox
        .control()
        .merge_leads(&master, &loser)
        .expect("merges");
    org.sandbox.control().delete_lead(&deleted).expect("deletes");
    let reply = org.query("query", "SELECT Id FROM Lead").await;
    assert_eq!(reply.body["totalSize"], 1);
    let reply = org
        .query(
            "queryAll",
            "SELECT Id, LastName, IsDeleted, MasterRecordId FROM Lead ORDER BY LastName",
        )
        .await;
    assert_eq!(reply.status, 200);
    let rows: Vec<(Value, Value, Value)> = reply.body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|row| {
            (
                row["LastName"].clone(),
                row["IsDeleted"].clone(),
                row["MasterRecordId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (json!("Deleted"), json!(true), Value::Null),
            (json!("Loser"), json!(true), json!(master)),
            (json!("Master"), json!(false), Value::Null),
        ]
    );
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{loser}"),
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(reply.body[0]["errorCode"], "ENTITY_IS_DELETED");
}

#[tokio::test]
async fn queries_page_with_next_records_url() {
    let org = TestOrg::start().await;
    for chunk in 0..3 {
        let records: Vec<Value> = (0..150)
            .map(|index| json!({"attributes": {"type": "Lead"}, "LastName": format!("L{:04}", chunk * 150 + index), "Company": "Acme", "NumberOfEmployees": index}))
            .collect();
        let reply = org
            .json(Method::POST, "/composite/sobjects", &json!({"records": records}))
            .await;
        assert_eq!(reply.status, 200);
    }
    let request = org
        .request(Method::GET, "/query")
        .query(&[("q", "SELECT Id, LastName FROM Lead ORDER BY LastName")])
        .header("Sforce-Query-Options", "batchSize=200");
    let reply = send(request).await;
    assert_eq!(reply.status, 200);
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("query_page.json"));
    let mut names: Vec<String> = Vec::new();
    let mut page = reply.body;
    loop {
        let records = page["records"].as_array().expect("records");
        assert!(records.len() <= 200);
        for record in records {
            assert_eq!(record["attributes"]["type"], "Lead");
            names.push(record["LastName"].as_str().expect("name").to_owned());
        }
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            assert_eq!(page["done"], true);
            break;
        };
        assert!(next.starts_with("/services/data/v67.0/query/01g"), "{next}");
        let reply = send(
            org.client
                .get(format!("{}{next}", org.base()))
                .bearer_auth(&org.token),
        )
        .await;
        assert_eq!(reply.status, 200);
        page = reply.body;
    }
    let expected: Vec<String> = (0..450).map(|index| format!("L{index:04}")).collect();
    assert_eq!(names, expected);

    let reply = org.query("query", "SELECT COUNT() FROM Lead WHERE NumberOfEmployees < 10 AND (LastName LIKE 'L00%' OR LastName IN ('L0449'))").await;
    assert_eq!(reply.body, json!({"totalSize": 10, "done": true, "records": []}));
    let reply = org
        .query(
            "query",
            "SELECT LastName FROM Lead WHERE LastName != 'L0000' ORDER BY LastName DESC LIMIT 2",
        )
        .await;
    let names: Vec<&Value> = reply.body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|row| &row["LastName"])
        .collect();
    assert_eq!(names, [&json!("L0449"), &json!("L0448")]);
    let reply = send(
        org.client
            .get(org.data("/query/01g5e0000000099AAA-200"))
            .bearer_auth(&org.token),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("INVALID_QUERY_LOCATOR"))
    );
}

#[tokio::test]
async fn query_all_pages_through_deleted_leads_with_its_own_next_records_url() {
    let org = TestOrg::start().await;
    let mut ids = Vec::new();
    for chunk in 0..2 {
        let records: Vec<Value> = (0..125)
            .map(|index| json!({"attributes": {"type": "Lead"}, "LastName": format!("L{:04}", chunk * 125 + index), "Company": "Acme"}))
            .collect();
        let reply = org
            .json(Method::POST, "/composite/sobjects", &json!({"records": records}))
            .await;
        assert_eq!(reply.status, 200);
        ids.extend(
            reply
                .body
                .as_array()
                .expect("results")
                .iter()
                .map(|result| result["id"].as_str().expect("an id").to_owned()),
        );
    }
    // The last ten are deleted: only queryAll returns them, on its second page.
    for id in &ids[240..] {
        org.sandbox.control().delete_lead(id).expect("deletes");
    }
    let soql = "SELECT Id, LastName, IsDeleted FROM Lead ORDER BY LastName";
    let reply = send(
        org.request(Method::GET, "/queryAll")
            .query(&[("q", soql)])
            .header("Sforce-Query-Options", "batchSize=200"),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
    assert_eq!(reply.body["totalSize"], 250);
    assert_eq!(reply.body["done"], false);
    assert_eq!(reply.body["records"].as_array().map(Vec::len), Some(200));
    let next = reply.body["nextRecordsUrl"].as_str().expect("a next page");
    assert!(next.starts_with("/services/data/v67.0/queryAll/01g"), "{next}");
    let used = org.sandbox.control().api_usage().used;

    let reply = send(
        org.client
            .get(format!("{}{next}", org.base()))
            .bearer_auth(&org.token),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
    assert_eq!(reply.body["totalSize"], 250);
    assert_eq!(reply.body["done"], true);
    assert!(reply.body.get("nextRecordsUrl").is_none(), "{reply:?}");
    let records = reply.body["records"].as_array().expect("records");
    assert_eq!(records.len(), 50);
    assert_eq!(records[0]["LastName"], "L0200");
    let deleted: Vec<&Value> = records
        .iter()
        .filter(|record| record["IsDeleted"] == true)
        .map(|record| &record["Id"])
        .collect();
    assert_eq!(deleted, ids[240..].iter().collect::<Vec<_>>());
    assert_eq!(
        org.sandbox.control().api_usage().used,
        used + 1,
        "a page is a call"
    );
    assert_eq!(
        org.sandbox.control().api_calls().by_kind.get("queryMore"),
        Some(&1)
    );

    let reply = org.query("query", soql).await;
    assert_eq!(reply.body["totalSize"], 240, "query leaves the deleted out");
}

#[tokio::test]
async fn bad_queries_get_malformed_query_invalid_field_and_invalid_type() {
    let org = TestOrg::start().await;
    let reply = org.query("query", "SELECT Id FROM Lead WHERE").await;
    assert_eq!(reply.status, 400);
    assert_eq!(keys(&reply.body[0]), ["errorCode", "message"]);
    assert_eq!(reply.body[0]["errorCode"], "MALFORMED_QUERY");
    let reply = org.query("query", "SELECT Id, Nope FROM Lead").await;
    assert_eq!(reply.body[0]["errorCode"], "INVALID_FIELD");
    assert!(
        reply.body[0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("No such column 'Nope' on entity 'Lead'"))
    );
    let reply = org.query("query", "select Id from XYZZY").await;
    assert_eq!(reply.body[0]["errorCode"], "INVALID_TYPE");
    let reply = org.get("/query").await;
    assert_eq!(reply.body[0]["errorCode"], "MALFORMED_QUERY");
}
