//! Composite requests through `leadgate_salesforce::Client`: several subrequests in one call
//! against the sandbox org, their typed subresponses, and the exact body and headers checked by a
//! stand-in `/composite` endpoint.

use leadgate_salesforce::{
    CallKind, CompositeRequest, CompositeSubrequest, ErrorCode, SalesforceError, StaticSession,
};
use serde_json::{Value, json};

use crate::support::salesforce_client::{by_kind, client, client_with, sandbox};
use crate::support::sandbox::lead;

/// Against the sandbox: a create and a read of the created id, in one call.
#[tokio::test]
async fn composite_requests_send_subrequests_in_one_call() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = CompositeRequest::new(false)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(CompositeSubrequest::new(
            "GET",
            client.data_path("sobjects/Lead/@{newLead.id}?fields=LastName"),
            "readBack",
        ));
    let response = client.composite(&request).await.expect("answered");
    let created = response.get("newLead").expect("the create's result");
    assert_eq!(created.http_status_code, 201, "{response:?}");
    let read = response.get("readBack").expect("the read's result");
    assert_eq!(read.http_status_code, 200, "{response:?}");
    assert_eq!(read.body["LastName"], "Composite");
    let id = created.body["id"].as_str().expect("an id");
    assert!(
        read.body["attributes"]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with(id)),
        "{response:?}"
    );
    assert_eq!(by_kind(sandbox.control(), "composite"), 1);
    assert_eq!(by_kind(sandbox.control(), "create"), 0);
    let too_many = (0..26).fold(CompositeRequest::new(false), |request, index| {
        request.push(CompositeSubrequest::new(
            "GET",
            client.data_path("limits"),
            format!("r{index}"),
        ))
    });
    assert!(matches!(
        client.composite(&too_many).await,
        Err(SalesforceError::InvalidRequest(_))
    ));
    assert_eq!(
        by_kind(sandbox.control(), "composite"),
        1,
        "refused before sending"
    );
}

/// The typed results against the sandbox org: a created record with its `Location`, a
/// subrequest halted because the one it refers to failed, and an `allOrNone` rollback.
#[tokio::test]
async fn composite_requests_and_their_subresponses_are_typed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = CompositeRequest::new(false)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "badLead")
                .with_body(json!({"LastName": "No company"})),
        )
        .push(
            CompositeSubrequest::new(
                "PATCH",
                client.data_path("/sobjects/Lead/@{badLead.id}"),
                "update",
            )
            .with_body(json!({"Title": "CEO"})),
        );
    let response = client.composite(&request).await.expect("answered");
    assert_eq!(response.responses.len(), 3);
    let created = response.get("newLead").expect("the create's result");
    assert!(created.is_success());
    let id = created.body["id"].as_str().expect("an id");
    assert!(sandbox.control().lead(id).is_some(), "{response:?}");
    assert_eq!(
        created.http_headers.get("Location"),
        Some(&client.data_path(&format!("sobjects/Lead/{id}")))
    );
    let failed = response.get("badLead").expect("the failed create's result");
    assert_eq!(failed.errors()[0].code, ErrorCode::RequiredFieldMissing);
    let halted = response.get("update").expect("the update's result");
    assert_eq!(halted.http_status_code, 400);
    assert_eq!(halted.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(1));
    assert_eq!(client.call_counts().of(CallKind::Composite), 1);

    let all_or_none = CompositeRequest::new(true)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Rolled back")),
        )
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "badLead")
                .with_body(json!({"LastName": "No company"})),
        );
    let response = client.composite(&all_or_none).await.expect("answered");
    let rolled_back = response.get("newLead").expect("the create's result");
    assert!(!rolled_back.is_success());
    assert_eq!(rolled_back.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(
        sandbox.control().live_lead_count(),
        1,
        "only the first request's lead"
    );
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(2));
    assert_eq!(client.call_counts().of(CallKind::Composite), 2);
}

/// A stand-in for an org's `/composite` that checks the exact body and headers the client sends
/// (the sandbox accepts any well-formed variant) and answers the documented shape with
/// `Sforce-Limit-Info`.
async fn composite_endpoint(
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> impl axum::response::IntoResponse {
    let authorized =
        headers.get("authorization").and_then(|value| value.to_str().ok()) == Some("Bearer fake-token");
    let subrequests = body["compositeRequest"].as_array().cloned().unwrap_or_default();
    let well_formed = authorized
        && body["allOrNone"] == true
        && subrequests.len() == 2
        && subrequests[0]["referenceId"] == "newLead"
        && subrequests[0]["url"] == "/services/data/v62.0/sobjects/Lead"
        && subrequests[0]["body"]["LastName"] == "Composite"
        && subrequests[1]["url"] == "/services/data/v62.0/sobjects/Lead/@{newLead.id}";
    if !well_formed {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            [("sforce-limit-info", "api-usage=1/100")],
            axum::Json(json!([{"errorCode": "JSON_PARSER_ERROR", "message": body.to_string()}])),
        );
    }
    (
        axum::http::StatusCode::OK,
        [("sforce-limit-info", "api-usage=7/100")],
        axum::Json(json!({"compositeResponse": [
            {"body": {"id": "00Q5e00000ABCDEEA4", "success": true, "errors": []},
             "httpHeaders": {"Location": "/services/data/v62.0/sobjects/Lead/00Q5e00000ABCDEEA4"},
             "httpStatusCode": 201, "referenceId": "newLead"},
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}],
             "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "update"}
        ]})),
    )
}

#[tokio::test]
async fn composite_requests_go_out_in_the_documented_body() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = axum::Router::new().route(
        "/services/data/v62.0/composite",
        axum::routing::post(composite_endpoint),
    );
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let client = client_with(StaticSession::from_token(
        format!("http://{address}"),
        "fake-token",
    ));
    let request = CompositeRequest::new(true)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(
            CompositeSubrequest::new(
                "PATCH",
                client.data_path("/sobjects/Lead/@{newLead.id}"),
                "update",
            )
            .with_body(json!({"Title": "CEO"})),
        );
    let response = client.composite(&request).await.expect("answered");
    let created = response.get("newLead").expect("the create's result");
    assert!(created.is_success());
    assert_eq!(created.body["id"], "00Q5e00000ABCDEEA4");
    assert!(created.http_headers.contains_key("Location"));
    let halted = response.get("update").expect("the update's result");
    assert_eq!(halted.http_status_code, 400);
    assert_eq!(halted.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(7));
    assert_eq!(client.call_counts().of(CallKind::Composite), 1);
    server.abort();
}
