//! Fidelity of the sandbox org's REST data API: status codes, headers and JSON shapes as in
//! `shared/reference/salesforce-api.md`, over real HTTP.

use leadgate_sandbox::{CustomField, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, client, fixture, keys, send};

fn lead(last_name: &str) -> Value {
    json!({"LastName": last_name, "Company": "Acme"})
}

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
async fn create_retrieve_update_delete_round_trip() {
    let org = TestOrg::start().await;
    let reply = org
        .json(
            Method::POST,
            "/sobjects/Lead",
            &json!({"FirstName": "Jane", "LastName": "Doe", "Company": "Acme", "Email": "jane@example.com"}),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("create.json"));
    let id = reply.body["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("00Q"));

    let reply = org.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body["attributes"],
        json!({"type": "Lead", "url": format!("/services/data/v67.0/sobjects/Lead/{id}")})
    );
    assert_eq!(reply.body["Id"], id);
    assert_eq!(reply.body["Name"], "Jane Doe");
    assert_eq!(reply.body["Status"], "Open - Not Contacted");
    assert_eq!(reply.body["IsConverted"], false);
    assert_eq!(reply.body["OwnerId"], leadgate_sandbox::oauth::DEFAULT_USER_ID);
    let created = reply.body["CreatedDate"].as_str().expect("a datetime");
    assert!(created.ends_with("+0000") && created.len() == 28, "{created}");

    let short = &id[..15];
    let reply = org
        .get(&format!("/sobjects/Lead/{short}?fields=LastName,Email"))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(keys(&reply.body), ["Email", "LastName", "attributes"]);

    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"Title": "CTO", "Email": null}),
        )
        .await;
    assert_eq!(reply.status, 204, "{reply:?}");
    assert!(reply.header("sforce-limit-info").is_some());
    let reply = org.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(
        (reply.body["Title"].clone(), reply.body["Email"].clone()),
        (json!("CTO"), Value::Null)
    );

    let reply = send(org.request(Method::DELETE, &format!("/sobjects/Lead/{id}"))).await;
    assert_eq!(reply.status, 204);
    let reply = send(org.request(Method::DELETE, &format!("/sobjects/Lead/{id}"))).await;
    assert_eq!(reply.status, 404);
    assert_shape(&reply.body, &fixture("entity_is_deleted.json"));
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_shape(&reply.body, &fixture("entity_is_deleted.json"));
    let reply = org.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(reply.status, 404);
    assert_shape(&reply.body, &fixture("not_found.json"));
}

#[tokio::test]
async fn ids_of_the_wrong_length_are_not_found_or_malformed() {
    let org = TestOrg::start().await;
    let id = org.create_lead(&lead("Doe")).await;
    assert_eq!(
        org.get(&format!("/sobjects/Lead/{}", &id[..17])).await.status,
        404
    );
    let reply = org.get(&format!("/sobjects/Lead/{id}X")).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "MALFORMED_ID");
    assert_eq!(org.get("/sobjects/Lead/0035e0000000001AAA").await.status, 404);
}

#[tokio::test]
async fn upsert_by_external_id_creates_updates_and_reports_ambiguity() {
    let org = TestOrg::start().await;
    let path = "/sobjects/Lead/LeadgateId__c/contact-1";
    let reply = org.json(Method::PATCH, path, &lead("Doe")).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_shape(&reply.body, &fixture("upsert_created.json"));
    let id = reply.body["id"].clone();
    let reply = org.json(Method::PATCH, path, &json!({"Title": "CEO"})).await;
    assert_eq!(reply.status, 200);
    assert_shape(&reply.body, &fixture("upsert_updated.json"));
    assert_eq!(
        reply.body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let reply = send(
        org.client
            .patch(format!("{}/services/data/v45.0{path}", org.base()))
            .bearer_auth(&org.token)
            .json(&json!({"Title": "CFO"})),
    )
    .await;
    assert_eq!(reply.status, 204);
    let reply = org.get(path).await;
    assert_eq!((reply.status, reply.body["Title"].clone()), (200, json!("CFO")));

    let reply = org
        .json(Method::PATCH, "/sobjects/Lead/Nope__c/1", &lead("Doe"))
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body[0]["errorCode"], "NOT_FOUND");

    // Two Leads share an e-mail address (saved past the duplicate rule): 300 with both URLs.
    for name in ["One", "Two"] {
        let body = json!({"LastName": name, "Company": "Acme", "Email": "same@example.com"});
        let reply = send(
            org.request(Method::POST, "/sobjects/Lead")
                .header("Sforce-Duplicate-Rule-Header", "allowSave=true")
                .json(&body),
        )
        .await;
        assert_eq!(reply.status, 201);
    }
    let reply = org
        .json(
            Method::PATCH,
            "/sobjects/Lead/Email/same@example.com",
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(reply.status, 300);
    assert_shape(&reply.body, &fixture("upsert_multiple_choices.json"));
    let urls = reply.body.as_array().expect("urls");
    assert!(urls.iter().all(|url| {
        url.as_str()
            .is_some_and(|url| url.starts_with("/services/data/v67.0/sobjects/Lead/00Q"))
    }));
}

#[tokio::test]
async fn validation_errors_have_salesforce_codes_and_messages() {
    let org = TestOrg::start().await;
    let post = |body: Value| {
        let org = &org;
        async move { org.json(Method::POST, "/sobjects/Lead", &body).await }
    };
    let reply = post(json!({"FirstName": "x"})).await;
    assert_eq!(reply.status, 400);
    assert_shape(&reply.body, &fixture("required_fields_missing.json"));
    assert_eq!(
        post(json!({"LastName": "x"})).await.body[0]["message"],
        "Required fields are missing: [Company]"
    );

    let reply = post(json!({"LastName": "é".repeat(81), "Company": "Acme"})).await;
    assert_eq!(reply.body[0]["errorCode"], "STRING_TOO_LONG");
    assert_eq!(reply.body[0]["fields"], json!(["LastName"]));
    assert!(
        reply.body[0]["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("Last Name: data value too large: "))
    );
    assert_eq!(
        post(json!({"LastName": "é".repeat(80), "Company": "Acme"}))
            .await
            .status,
        201
    );

    let reply = post(json!({"LastName": "x", "Company": "Acme", "Email": "abc"})).await;
    assert_eq!(
        reply.body,
        json!([{"message": "Email: invalid email address: abc", "errorCode": "INVALID_EMAIL_ADDRESS", "fields": ["Email"]}])
    );
    let reply = post(json!({"LastName": "x", "Company": "Acme", "CleanStatus": "Bogus"})).await;
    assert_eq!(
        reply.body[0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(
        post(json!({"LastName": "x", "Company": "Acme", "Rating": "Lukewarm"}))
            .await
            .status,
        201
    );
    let reply = post(json!({"LastName": "x", "Company": "Acme", "Descripcion": "x"})).await;
    assert_eq!(
        reply.body[0]["message"],
        "No such column 'Descripcion' on sobject of type Lead"
    );
    let reply = post(json!({"LastName": "x", "Company": "Acme", "Name": "x"})).await;
    assert_eq!(reply.body[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(reply.body[0]["fields"], json!(["Name"]));
    let reply = post(json!({"LastName": "x", "Company": "Acme", "Id": "00Q5e0000000001EAA"})).await;
    assert_eq!(
        reply.body[0]["message"],
        "The Id field should not be specified in the sobject data."
    );
    let reply = post(json!({"LastName": "x", "Company": "Acme", "Latitude": 100})).await;
    assert_eq!(reply.body[0]["errorCode"], "NUMBER_OUTSIDE_VALID_RANGE");

    let reply = send(
        org.request(Method::POST, "/sobjects/Lead")
            .header("content-type", "application/json")
            .body("{\"LastName\": "),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("JSON_PARSER_ERROR"))
    );
    let reply = send(org.request(Method::POST, "/sobjects/Lead").body("{}")).await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (415, json!("UNSUPPORTED_MEDIA_TYPE"))
    );
    let id = org.create_lead(&lead("Doe")).await;
    let reply = send(
        org.request(Method::PATCH, &format!("/sobjects/Lead/{id}"))
            .body("{}"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.body[0]["errorCode"].clone()),
        (400, json!("INVALID_CONTENT_TYPE"))
    );
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"LastName": null}),
        )
        .await;
    assert_eq!(
        reply.body[0]["message"],
        "Required fields are missing: [LastName]"
    );
    // Every answer above counted as an API call and said so.
    assert_data_headers(&reply);
}

#[tokio::test]
async fn the_duplicate_rule_blocks_unless_the_header_allows_the_save() {
    let org = TestOrg::start().await;
    let body = json!({"LastName": "Doe", "Company": "Acme", "Email": "jd@example.com"});
    let first = org.create_lead(&body).await;
    let reply = org
        .json(
            Method::POST,
            "/sobjects/Lead",
            &json!({"LastName": "Roe", "Company": "Acme", "Email": "JD@example.com"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_shape(&reply.body, &fixture("duplicates_detected.json"));
    assert_eq!(
        reply.body[0]["duplicateResut"]["matchResults"][0]["matchRecords"][0]["record"]["Id"],
        first
    );
    let reply = send(
        org.request(Method::POST, "/sobjects/Lead")
            .header(
                "Sforce-Duplicate-Rule-Header",
                "allowSave=true; includeRecordDetails=true",
            )
            .json(&body),
    )
    .await;
    assert_eq!(reply.status, 201);
}

#[tokio::test]
async fn converted_leads_are_read_only_and_show_their_contact() {
    let org = TestOrg::start().await;
    let id = org.create_lead(&lead("Doe")).await;
    let conversion = org.sandbox.control().convert_lead(&id).expect("converts");
    let reply = org
        .json(
            Method::PATCH,
            &format!("/sobjects/Lead/{id}"),
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_shape(&reply.body, &fixture("converted_lead.json"));
    let reply = org.get(&format!("/sobjects/Lead/{id}")).await;
    assert_eq!(reply.body["IsConverted"], true);
    assert_eq!(reply.body["ConvertedContactId"], conversion.contact_id);
    assert!(conversion.contact_id.starts_with("003"));
    assert_eq!(reply.body["Status"], "Closed - Converted");
    let reply = org
        .query(
            "query",
            "SELECT Id, IsConverted FROM Lead WHERE ConvertedContactId != null",
        )
        .await;
    assert_eq!(reply.body["totalSize"], 1);

    let upsert = org
        .json(Method::PATCH, "/sobjects/Lead/LeadgateId__c/c-9", &lead("Doe"))
        .await;
    let upserted = upsert.body["id"].as_str().expect("id").to_owned();
    org.sandbox.control().convert_lead(&upserted).expect("converts");
    let reply = org
        .json(
            Method::PATCH,
            "/sobjects/Lead/LeadgateId__c/c-9",
            &json!({"Title": "x"}),
        )
        .await;
    assert_eq!(reply.body[0]["errorCode"], "CANNOT_UPDATE_CONVERTED_LEAD");
}

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
