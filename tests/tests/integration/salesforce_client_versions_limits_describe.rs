//! What `leadgate_salesforce::Client` learns about an org, against the in-process sandbox org:
//! the API versions, the limits and the usage each answer reports, the describe cache, and the
//! API version a client is built for.

use std::sync::Arc;

use leadgate_salesforce::{CallKind, Client, SalesforceError, StaticSession};
use leadgate_sandbox::LEADGATE_ID_FIELD;
use serde_json::json;

use crate::support::fake_server::{Answer, FakeServer};
use crate::support::salesforce_client::{by_kind, client, sandbox, token};

#[tokio::test]
async fn versions_and_limits_are_typed_and_usage_is_tracked() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let versions = client.versions().await.expect("versions");
    assert!(
        versions.iter().any(|version| version.version == "62.0"),
        "{versions:?}"
    );
    let latest = client
        .latest_version()
        .await
        .expect("versions")
        .expect("one version");
    assert_eq!(latest.version, "67.0");
    assert_eq!(client.api_usage(), None, "the versions list carries no usage");

    let limits = client.limits().await.expect("limits");
    let daily = limits.daily_api_requests().expect("DailyApiRequests");
    assert_eq!(daily.max, 15_000);
    let usage = client.api_usage().expect("Sforce-Limit-Info was read");
    assert_eq!((usage.used, usage.limit), (1, 15_000));
    client.describe("Lead").await.expect("describe");
    let usage = client.api_usage().expect("usage");
    assert_eq!(usage.used, sandbox.control().api_usage().used);
    assert_eq!(usage.used, 2);
    let counts = client.call_counts();
    assert_eq!(counts.total, 4);
    assert_eq!(counts.of(CallKind::Versions), 2);
    assert_eq!(counts.of(CallKind::Limits), 1);
}

#[tokio::test]
async fn describe_is_cached_until_invalidated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let describe = client.describe("Lead").await.expect("describe");
    assert_eq!(describe.key_prefix.as_deref(), Some("00Q"));
    let last_name = describe.field("lastname").expect("LastName");
    assert!(last_name.is_required());
    assert_eq!(last_name.length, 80);
    let external = describe.field(LEADGATE_ID_FIELD).expect("the External ID field");
    assert!(external.external_id && external.unique);

    let again = client.describe("lead").await.expect("describe");
    assert!(Arc::ptr_eq(&describe, &again));
    assert_eq!(
        by_kind(sandbox.control(), "describe"),
        1,
        "the second describe made no request"
    );
    client.clone().invalidate_describe(Some("Lead"));
    client.describe("Lead").await.expect("describe");
    assert_eq!(by_kind(sandbox.control(), "describe"), 2);

    let global = client.describe_global().await.expect("global describe");
    assert!(global.sobjects.iter().any(|object| object.name == "Lead"));
    client.describe_global().await.expect("global describe");
    assert_eq!(by_kind(sandbox.control(), "describeGlobal"), 1);
    client.invalidate_describe(None);
    client.describe("Lead").await.expect("describe");
    assert_eq!(by_kind(sandbox.control(), "describe"), 3);
}

#[tokio::test]
async fn the_api_version_is_configurable_and_checked() {
    let server = FakeServer::start(vec![Answer::json(200, json!({}))]).await;
    for (given, expected) in [("59.0", "59.0"), ("v60.0", "60.0"), (" 61.0 ", "61.0")] {
        let client = Client::builder()
            .no_proxy()
            .api_version(given)
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        assert_eq!(client.api_version(), expected);
        assert_eq!(
            client.data_path("sobjects"),
            format!("/services/data/v{expected}/sobjects")
        );
        client.limits().await.expect("limits");
        let path = server.received().last().expect("a request").path.clone();
        assert_eq!(path, format!("/services/data/v{expected}/limits"));
    }
    assert_eq!(
        Client::new(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client")
            .api_version(),
        leadgate_salesforce::DEFAULT_API_VERSION
    );
    for invalid in ["62", "v", "sixty.two", "62.", ".0", "62.0.1"] {
        let built = Client::builder()
            .api_version(invalid)
            .build(StaticSession::from_token(server.base_url(), "token"));
        assert!(
            matches!(built, Err(SalesforceError::InvalidRequest(_))),
            "{invalid} was accepted"
        );
    }

    // A version the org does not serve is refused by the org.
    let sandbox = sandbox().await;
    let too_old = Client::builder()
        .no_proxy()
        .api_version("20.0")
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = too_old.limits().await.expect_err("v20.0 is not served");
    assert_eq!(error.status(), Some(404), "{error:?}");
}
