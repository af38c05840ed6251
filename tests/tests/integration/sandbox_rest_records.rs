//! Single records in the sandbox org's REST data API, over real HTTP: create, retrieve, update
//! and delete, malformed ids, upsert by external ID, validation errors with Salesforce's codes,
//! the duplicate rule, and converted Leads.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{TestOrg, assert_data_headers, assert_shape, fixture, keys, lead, send};

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
