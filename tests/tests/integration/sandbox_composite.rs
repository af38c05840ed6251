//! The sandbox org's `POST /composite`: subrequests in order with `@{referenceId.path}`
//! references, `allOrNone` rollback, the per-subrequest shapes of
//! `shared/reference/salesforce-api.md` §4.2, request-level errors, and one API call per request.

use leadgate_sandbox::LEADGATE_ID_FIELD;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{
    Reply, TestOrg, VERSION, assert_data_headers, assert_shape, fixture, lead, send,
};

const ROLLED_BACK: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

/// A subrequest URL under the tests' API version.
fn url(path: &str) -> String {
    format!("/services/data/{VERSION}{path}")
}

fn subrequest(method: &str, path: &str, reference_id: &str) -> Value {
    json!({"method": method, "url": url(path), "referenceId": reference_id})
}

fn with_body(mut subrequest: Value, body: Value) -> Value {
    subrequest["body"] = body;
    subrequest
}

async fn composite(org: &TestOrg, all_or_none: bool, subrequests: Vec<Value>) -> Reply {
    let body = json!({"allOrNone": all_or_none, "compositeRequest": subrequests});
    org.json(Method::POST, "/composite", &body).await
}

/// The result of the subrequest with this reference id.
fn result<'reply>(reply: &'reply Reply, reference_id: &str) -> &'reply Value {
    reply.body["compositeResponse"]
        .as_array()
        .expect("a compositeResponse array")
        .iter()
        .find(|result| result["referenceId"] == reference_id)
        .unwrap_or_else(|| panic!("no result for {reference_id}: {reply:?}"))
}

fn status(reply: &Reply, reference_id: &str) -> u64 {
    result(reply, reference_id)["httpStatusCode"]
        .as_u64()
        .expect("a status")
}

fn error_code(reply: &Reply, reference_id: &str) -> String {
    result(reply, reference_id)["body"][0]["errorCode"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The request-level REST error of a composite request that failed as a whole.
fn request_error(reply: &Reply) -> (u16, String) {
    (
        reply.status,
        reply.body[0]["errorCode"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn later_subrequests_use_the_id_an_earlier_create_returned() {
    let org = TestOrg::start().await;
    let reply = composite(
        &org,
        false,
        vec![
            with_body(subrequest("POST", "/sobjects/Lead", "newLead"), lead("Composite")),
            subrequest(
                "GET",
                "/sobjects/Lead/@{newLead.id}?fields=LastName,Title",
                "readBack",
            ),
            with_body(
                subrequest("PATCH", "/sobjects/Lead/@{newLead.id}", "promote"),
                json!({"Title": "CEO", "Description": "was @{readBack.LastName} @{newLead.id}"}),
            ),
            subrequest("GET", "/sobjects/Lead/@{newLead.id}", "readAgain"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("composite_response.json"));

    let created = result(&reply, "newLead");
    let id = created["body"]["id"].as_str().expect("an id").to_owned();
    assert_eq!(created["body"], json!({"id": id, "success": true, "errors": []}));
    assert_eq!(
        created["httpHeaders"],
        json!({"Location": url(&format!("/sobjects/Lead/{id}"))})
    );

    let read = result(&reply, "readBack");
    assert_eq!(read["httpStatusCode"], 200);
    assert_eq!(read["httpHeaders"], json!({}));
    assert_eq!(read["body"]["LastName"], "Composite");
    assert_eq!(read["body"]["Title"], Value::Null);
    assert_eq!(read["body"]["attributes"]["type"], "Lead");

    let updated = result(&reply, "promote");
    assert_eq!(updated["httpStatusCode"], 204);
    assert_eq!(updated["body"], Value::Null);

    let again = result(&reply, "readAgain");
    assert_eq!(again["body"]["Title"], "CEO");
    assert_eq!(again["body"]["Description"], format!("was Composite {id}"));

    let stored = org.sandbox.control().lead(&id).expect("the lead exists");
    assert_eq!(stored.field("Title"), "CEO");
}

#[tokio::test]
async fn a_failure_under_all_or_none_rolls_every_subrequest_back() {
    let org = TestOrg::start().await;
    let existing = org.create_lead(&lead("Existing")).await;
    let subrequests = vec![
        with_body(
            subrequest("PATCH", &format!("/sobjects/Lead/{existing}"), "touch"),
            json!({"Title": "Changed"}),
        ),
        subrequest("DELETE", &format!("/sobjects/Lead/{existing}"), "remove"),
        with_body(subrequest("POST", "/sobjects/Lead", "good"), lead("Good")),
        with_body(
            subrequest("POST", "/sobjects/Lead", "bad"),
            json!({"LastName": "No company"}),
        ),
        with_body(subrequest("POST", "/sobjects/Lead", "never"), lead("Never")),
    ];
    let reply = composite(&org, true, subrequests).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let results = reply.body["compositeResponse"].as_array().expect("results");
    assert_eq!(results.len(), 5);

    assert_eq!(status(&reply, "bad"), 400);
    assert_eq!(error_code(&reply, "bad"), "REQUIRED_FIELD_MISSING");
    for other in ["touch", "remove", "good", "never"] {
        let halted = result(&reply, other);
        assert_eq!(halted["httpStatusCode"], 400, "{other}");
        assert_eq!(halted["httpHeaders"], json!({}));
        assert_eq!(
            halted["body"],
            json!([{"errorCode": "PROCESSING_HALTED", "message": ROLLED_BACK}]),
            "{other}"
        );
    }

    let control = org.sandbox.control();
    assert_eq!(control.live_lead_count(), 1, "the create was rolled back");
    let existing = control.lead(&existing).expect("still there");
    assert!(!existing.is_deleted(), "the delete was rolled back");
    assert_eq!(
        existing.field("Title"),
        &Value::Null,
        "the update was rolled back"
    );
}

#[tokio::test]
async fn without_all_or_none_only_subrequests_that_depend_on_a_failure_fail() {
    let org = TestOrg::start().await;
    let reply = composite(
        &org,
        false,
        vec![
            with_body(
                subrequest("POST", "/sobjects/Lead", "bad"),
                json!({"LastName": "No company"}),
            ),
            subrequest("GET", "/sobjects/Lead/@{bad.id}", "dependent"),
            with_body(subrequest("POST", "/sobjects/Lead", "good"), lead("Good")),
            subrequest("GET", "/sobjects/Lead/@{good.missing}", "noSuchValue"),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(error_code(&reply, "bad"), "REQUIRED_FIELD_MISSING");
    for dependent in ["dependent", "noSuchValue"] {
        assert_eq!(status(&reply, dependent), 400);
        assert_eq!(error_code(&reply, dependent), "PROCESSING_HALTED");
        let message = result(&reply, dependent)["body"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(message.starts_with("Invalid reference specified."), "{message}");
    }
    assert_eq!(status(&reply, "good"), 201);
    assert_eq!(org.sandbox.control().live_lead_count(), 1);
}

#[tokio::test]
async fn query_results_can_be_referenced_by_path() {
    let org = TestOrg::start().await;
    let first = org.create_lead(&lead("Queried")).await;
    let soql = "SELECT Id, LastName FROM Lead WHERE LastName = 'Queried'";
    let query_url = format!("/query?q={}", soql.replace(' ', "+").replace('=', "%3D"));
    let reply = composite(
        &org,
        false,
        vec![
            subrequest("GET", &query_url, "leads"),
            with_body(
                subrequest("PATCH", "/sobjects/Lead/@{leads.records[0].Id}", "update"),
                json!({"Title": "Found by query", "NumberOfEmployees": "@{leads.totalSize}"}),
            ),
            subrequest(
                "GET",
                "/queryAll?q=SELECT+Id,Title,NumberOfEmployees+FROM+Lead",
                "all",
            ),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let leads = result(&reply, "leads");
    assert_eq!(leads["httpStatusCode"], 200);
    assert_eq!(leads["body"]["totalSize"], 1);
    assert_eq!(leads["body"]["done"], true);
    assert_eq!(leads["body"]["records"][0]["Id"], first);
    assert_eq!(status(&reply, "update"), 204, "{reply:?}");
    let all = &result(&reply, "all")["body"]["records"][0];
    assert_eq!(all["Title"], "Found by query");
    assert_eq!(
        all["NumberOfEmployees"], 1,
        "a whole-string reference keeps its JSON type"
    );
}

#[tokio::test]
async fn upserts_and_deletes_by_an_external_id_are_subrequests_too() {
    let org = TestOrg::start().await;
    let by_key = format!("/sobjects/Lead/{LEADGATE_ID_FIELD}/contact-7");
    let reply = composite(
        &org,
        false,
        vec![
            with_body(subrequest("PATCH", &by_key, "insert"), lead("Upserted")),
            with_body(subrequest("PATCH", &by_key, "update"), json!({"Title": "Again"})),
            subrequest("GET", &by_key, "read"),
            subrequest("DELETE", &by_key, "remove"),
            subrequest("GET", "/sobjects/Lead/@{insert.id}", "gone"),
        ],
    )
    .await;
    assert_eq!(status(&reply, "insert"), 201, "{reply:?}");
    assert_eq!(result(&reply, "insert")["body"]["created"], true);
    assert!(result(&reply, "insert")["httpHeaders"]["Location"].is_string());
    assert_eq!(status(&reply, "update"), 200);
    assert_eq!(result(&reply, "update")["body"]["created"], false);
    assert_eq!(result(&reply, "read")["body"]["Title"], "Again");
    assert_eq!(status(&reply, "remove"), 204);
    assert_eq!(status(&reply, "gone"), 404);
    assert_eq!(error_code(&reply, "gone"), "NOT_FOUND");
}

#[tokio::test]
async fn resources_composite_does_not_serve_answer_404_in_their_result() {
    let org = TestOrg::start().await;
    let reply = composite(
        &org,
        false,
        vec![
            subrequest("GET", "/sobjects/Lead/describe", "describe"),
            with_body(subrequest("POST", "/sobjects/Account", "account"), json!({"Name": "A"})),
            subrequest("GET", "/limits", "limits"),
            json!({"method": "GET", "url": "/services/data/v20.0/query?q=SELECT+Id+FROM+Lead", "referenceId": "old"}),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    for reference_id in ["describe", "account", "limits", "old"] {
        let failed = result(&reply, reference_id);
        assert_eq!(failed["httpStatusCode"], 404, "{reference_id}");
        assert_eq!(
            failed["body"],
            json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        );
    }
}

#[tokio::test]
async fn malformed_requests_fail_as_a_whole_and_write_nothing() {
    let org = TestOrg::start().await;
    let create =
        |reference_id: &str| with_body(subrequest("POST", "/sobjects/Lead", reference_id), lead("X"));

    let too_many: Vec<Value> = (0..26).map(|index| create(&format!("lead{index}"))).collect();
    let reply = composite(&org, false, too_many).await;
    assert_eq!(
        request_error(&reply),
        (400, "LIMIT_EXCEEDED".to_owned()),
        "{reply:?}"
    );
    assert_data_headers(&reply);

    let queries: Vec<Value> = (0..6)
        .map(|index| subrequest("GET", "/query?q=SELECT+Id+FROM+Lead", &format!("q{index}")))
        .collect();
    let reply = composite(&org, false, queries).await;
    assert_eq!(request_error(&reply), (400, "LIMIT_EXCEEDED".to_owned()));

    let reply = composite(&org, false, vec![create("same"), create("same")]).await;
    assert_eq!(request_error(&reply), (400, "INVALID_INPUT".to_owned()));
    assert!(
        reply.body[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("same")
    );

    let reply = composite(&org, false, vec![create("bad-id")]).await;
    assert_eq!(request_error(&reply), (400, "INVALID_INPUT".to_owned()));

    let forward = vec![
        subrequest("GET", "/sobjects/Lead/@{later.id}", "early"),
        create("later"),
    ];
    let reply = composite(&org, false, forward).await;
    assert_eq!(request_error(&reply), (400, "INVALID_INPUT".to_owned()));

    let reply = composite(
        &org,
        false,
        vec![subrequest("GET", "/sobjects/Lead/@{}", "empty")],
    )
    .await;
    assert_eq!(request_error(&reply), (400, "INVALID_INPUT".to_owned()));

    let reply = composite(&org, false, Vec::new()).await;
    assert_eq!(request_error(&reply), (400, "INVALID_INPUT".to_owned()));

    let reply = send(
        org.request(Method::POST, "/composite")
            .header("content-type", "application/json")
            .body("{\"compositeRequest\": ["),
    )
    .await;
    assert_eq!(request_error(&reply), (400, "JSON_PARSER_ERROR".to_owned()));

    let reply = org
        .json(
            Method::POST,
            "/composite",
            &json!({"allOrNone": "yes", "compositeRequest": [create("a")]}),
        )
        .await;
    assert_eq!(request_error(&reply), (400, "JSON_PARSER_ERROR".to_owned()));

    let reply = org.get("/composite").await;
    assert_eq!(reply.status, 405);

    assert_eq!(org.sandbox.control().live_lead_count(), 0);
}

#[tokio::test]
async fn a_composite_request_counts_as_one_api_call() {
    let org = TestOrg::start().await;
    let mut subrequests = vec![with_body(
        subrequest("POST", "/sobjects/Lead", "newLead"),
        lead("Counted"),
    )];
    for index in 0..10 {
        subrequests.push(subrequest(
            "GET",
            "/sobjects/Lead/@{newLead.id}",
            &format!("read{index}"),
        ));
    }
    let reply = composite(&org, false, subrequests).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["compositeResponse"].as_array().map(Vec::len), Some(11));

    let calls = org.sandbox.control().api_calls();
    assert_eq!(calls.used, 1);
    assert_eq!(calls.by_kind.get("composite"), Some(&1));
    assert_eq!(calls.by_kind.get("create"), None);
    assert_eq!(calls.by_kind.get("retrieve"), None);
    assert_eq!(
        reply.header("sforce-limit-info"),
        Some(format!("api-usage=1/{}", calls.max).as_str())
    );
}
