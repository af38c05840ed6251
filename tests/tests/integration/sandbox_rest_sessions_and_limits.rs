//! Who may call the sandbox org's REST data API, over real HTTP: the versions list open to
//! all, Salesforce's 401 without a valid session, a token from the password grant, and the
//! daily allocation running out, with the calls counted as Salesforce counts them.

use leadgate_sandbox::SandboxConfig;
use serde_json::json;

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, client, fixture, send};

#[tokio::test]
async fn the_versions_list_needs_no_session_and_is_not_counted() {
    let org = TestOrg::start().await;
    let reply = send(client().get(format!("{}/services/data/", org.base()))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    let versions = reply.body.as_array().expect("an array");
    assert_shape(&versions[0], &fixture("versions.json"));
    let last = versions.last().expect("versions");
    assert_eq!(
        last,
        &json!({"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"})
    );
    assert_eq!(org.sandbox.control().api_usage().used, 0);
}

#[tokio::test]
async fn requests_without_a_valid_session_get_401_and_are_not_counted() {
    let org = TestOrg::start().await;
    // No header at all is a malformed request (reference §11), not a session to refresh.
    let reply = send(client().get(org.data("/sobjects/Lead/describe"))).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Token"));
    assert_shape(&reply.body, &fixture("invalid_auth_header.json"));
    let reply = send(
        client()
            .get(org.data("/limits"))
            .header("Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_shape(&reply.body, &fixture("invalid_auth_header.json"));
    let reply = send(
        client()
            .get(org.data("/limits"))
            .bearer_auth("00D000000000000!nonsense"),
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_shape(&reply.body, &fixture("invalid_session.json"));
    org.sandbox.control().expire_access_tokens();
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate"), Some("Token"));
    assert_shape(&reply.body, &fixture("invalid_session.json"));
    assert_eq!(org.sandbox.control().api_usage().used, 0);
}

#[tokio::test]
async fn a_token_from_the_password_grant_opens_the_data_api() {
    let org = TestOrg::start().await;
    let password = format!(
        "{}{}",
        leadgate_sandbox::oauth::DEFAULT_PASSWORD,
        leadgate_sandbox::oauth::DEFAULT_SECURITY_TOKEN
    );
    let reply = send(
        client()
            .post(format!("{}/services/oauth2/token", org.base()))
            .form(&[
                ("grant_type", "password"),
                ("client_id", leadgate_sandbox::oauth::DEFAULT_CLIENT_ID),
                ("client_secret", leadgate_sandbox::oauth::DEFAULT_CLIENT_SECRET),
                ("username", leadgate_sandbox::oauth::DEFAULT_USERNAME),
                ("password", &password),
            ]),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["instance_url"], org.base());
    let token = reply.body["access_token"].as_str().expect("a token");
    let reply = send(client().get(org.data("/limits")).bearer_auth(token)).await;
    assert_eq!(reply.status, 200);
    assert_data_headers(&reply);
}

#[tokio::test]
async fn an_exhausted_allocation_gets_request_limit_exceeded() {
    let org = TestOrg::with(SandboxConfig {
        daily_api_limit: 3,
        ..SandboxConfig::default()
    })
    .await;
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 200);
    assert_shape(
        &reply.body["DailyApiRequests"],
        &fixture("limits_daily_api_requests.json"),
    );
    assert_eq!(reply.body["DailyApiRequests"], json!({"Max": 3, "Remaining": 2}));
    assert_eq!(reply.header("sforce-limit-info"), Some("api-usage=1/3"));
    org.get("/limits").await;
    org.get("/limits").await;
    let reply = org.get("/limits").await;
    assert_eq!(reply.status, 403);
    assert_shape(&reply.body, &fixture("request_limit_exceeded.json"));
    assert_eq!(reply.header("sforce-limit-info"), Some("api-usage=3/3"));
    let calls = org.sandbox.control().api_calls();
    assert_eq!((calls.used, calls.refused), (3, 1));
    org.sandbox.control().set_api_limit(Some(10), None);
    assert_eq!(org.get("/limits").await.status, 200);
}
