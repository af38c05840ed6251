//! What the sandbox org's REST data API says about itself, over real HTTP: describe with the
//! real keys, fields and flags, the global describe and resources, errors for wrong methods and
//! unknown resources, and custom fields that survive a restart on the state file.

use leadgate_sandbox::{CustomField, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, fixture, keys, lead, send};

#[tokio::test]
async fn describe_has_the_real_keys_fields_and_flags() {
    let org = TestOrg::start().await;
    let reply = org.get("/sobjects/Lead/describe").await;
    assert_eq!(reply.status, 200);
    assert_data_headers(&reply);
    assert_eq!(reply.header("sforce-limit-info"), Some("api-usage=1/15000"));
    let expected: Vec<String> =
        serde_json::from_value(fixture("describe_top_level_keys.json")).expect("keys");
    assert_eq!(keys(&reply.body), expected);
    let field_keys: Vec<String> = serde_json::from_value(fixture("describe_field_keys.json")).expect("keys");
    let fields = reply.body["fields"].as_array().expect("fields");
    for field in fields {
        assert_eq!(keys(field), field_keys, "{}", field["name"]);
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|field| field["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(field("LastName")["length"], 80);
    assert_eq!(field("LastName")["byteLength"], 240);
    assert_eq!(field("LastName")["nillable"], false);
    assert_eq!(field("Company")["length"], 255);
    assert_eq!(field("Email")["type"], "email");
    assert_eq!(field("Email")["idLookup"], true);
    assert_eq!(field("Status")["defaultValue"], "Open - Not Contacted");
    assert_eq!(field("Status")["defaultedOnCreate"], true);
    assert_eq!(field("IsConverted")["updateable"], false);
    assert_eq!(field("GeocodeAccuracy")["restrictedPicklist"], true);
    assert_eq!(
        field("Industry")["picklistValues"].as_array().map(Vec::len),
        Some(32)
    );
    let external = field("LeadgateId__c");
    assert_eq!(
        (
            external["externalId"].clone(),
            external["unique"].clone(),
            external["custom"].clone()
        ),
        (json!(true), json!(true), json!(true))
    );
    assert_eq!(reply.body["keyPrefix"], "00Q");
    assert_eq!(
        reply.body["urls"]["rowTemplate"],
        "/services/data/v67.0/sobjects/Lead/{ID}"
    );
}

#[tokio::test]
async fn global_describe_resources_and_object_info() {
    let org = TestOrg::start().await;
    let reply = send(
        org.client
            .get(format!("{}/services/data/v59.0/sobjects", org.base()))
            .bearer_auth(&org.token),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_shape(&reply.body, &fixture("global_describe.json"));
    let reply = org.get("/").await;
    assert_eq!(reply.body["sobjects"], "/services/data/v67.0/sobjects");
    assert_eq!(reply.body["query"], "/services/data/v67.0/query");
    let reply = org.get("/sobjects/Lead").await;
    assert_eq!(keys(&reply.body), ["objectDescribe", "recentItems"]);
    assert_eq!(org.get("/sobjects/Account/describe").await.status, 404);
    let reply = send(
        org.client
            .get(format!("{}/services/data/v20.0/limits", org.base()))
            .bearer_auth(&org.token),
    )
    .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn wrong_methods_and_unknown_resources_get_salesforce_errors() {
    let org = TestOrg::start().await;
    let reply = send(org.request(Method::PUT, "/sobjects/Lead/describe")).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body[0]["errorCode"], "METHOD_NOT_ALLOWED");
    let reply = org.get("/nothing/here").await;
    assert_eq!(reply.status, 404);
    assert_shape(&reply.body, &fixture("not_found.json"));
    assert!(reply.header("sforce-limit-info").is_some());
}

#[tokio::test]
async fn custom_fields_and_the_state_file_survive_a_restart() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let state = directory.path().join("org.json");
    let mut custom = CustomField::leadgate_id();
    custom.name = "Score__c".into();
    custom.label = "Score".into();
    custom.kind = leadgate_sandbox::CustomFieldKind::Number {
        precision: 8,
        scale: 0,
    };
    custom.external_id = false;
    custom.unique = false;
    let config = SandboxConfig {
        state_file: Some(state.clone()),
        custom_fields: vec![CustomField::leadgate_id(), custom],
        ..SandboxConfig::default()
    };
    let org = TestOrg::with(config.clone()).await;
    let id = org
        .create_lead(&json!({"LastName": "Doe", "Company": "Acme", "Score__c": 3000}))
        .await;
    org.sandbox.shutdown().await.expect("saves");
    let org = TestOrg::with(config).await;
    let reply = org.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(reply.body["Score__c"], 3000);
    let second = org.create_lead(&lead("Roe")).await;
    assert_ne!(second, id, "ids continue after a restart");
}
