//! Records through `leadgate_salesforce::Client` against the in-process sandbox org: single
//! records and their status codes, upserts by external ID, collections in chunks of 200 with
//! their per-record errors, queries that stream across pages, and the typed errors of duplicate
//! rules and converted Leads.

use futures_util::TryStreamExt;
use leadgate_salesforce::{CallKind, ErrorCode, Record, SalesforceError, UpsertOutcome};
use leadgate_sandbox::{CustomField, CustomFieldKind, LEADGATE_ID_FIELD, SandboxConfig};
use serde_json::{Value, json};

use crate::support::salesforce_client::{by_kind, client, sandbox, sandbox_with};
use crate::support::sandbox::lead;

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LeadRow {
    id: String,
    last_name: String,
}

#[tokio::test]
async fn collections_chunk_by_200_and_queries_stream_across_pages() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records: Vec<Value> = (0..450).map(|index| lead(&format!("Lead {index:03}"))).collect();
    let results = client
        .create_records("Lead", &records, false)
        .await
        .expect("created");
    assert_eq!(results.len(), 450);
    assert!(results.iter().all(|result| result.success && result.id.is_some()));
    assert_eq!(
        by_kind(sandbox.control(), "collectionsCreate"),
        3,
        "450 records → 3 calls"
    );
    assert_eq!(client.call_counts().of(CallKind::Collections), 3);

    let options = leadgate_salesforce::QueryOptions {
        batch_size: Some(200),
        ..Default::default()
    };
    let stream = client.query_with::<LeadRow>("SELECT Id, LastName FROM Lead ORDER BY LastName", options);
    let rows: Vec<LeadRow> = stream.try_collect().await.expect("every page");
    assert_eq!(rows.len(), 450);
    assert_eq!(rows[0].last_name, "Lead 000");
    assert_eq!(rows[449].last_name, "Lead 449");
    assert_eq!(rows[0].id, results[0].id.clone().expect("an id"));
    assert_eq!(by_kind(sandbox.control(), "query"), 1);
    assert_eq!(
        by_kind(sandbox.control(), "queryMore"),
        2,
        "nextRecordsUrl was followed twice"
    );

    // The default page size (2000) gives one page; records come back as JSON objects.
    let mut stream = client.query("SELECT Id, LastName FROM Lead WHERE LastName = 'Lead 007'");
    let first: Record = stream.try_next().await.expect("a page").expect("a record");
    assert_eq!(first["LastName"], "Lead 007");
    assert_eq!(stream.total_size(), Some(1));
    assert!(stream.try_next().await.expect("the end").is_none());

    // queryAll also returns deleted records.
    let deleted = results[0].id.clone().expect("an id");
    client.delete("Lead", &deleted).await.expect("deleted");
    let soql = format!("SELECT Id, IsDeleted FROM Lead WHERE Id = '{deleted}'");
    let live: Vec<Record> = client.query(&soql).try_collect().await.expect("query");
    assert!(live.is_empty());
    let all: Vec<Record> = client.query_all(&soql).try_collect().await.expect("queryAll");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["IsDeleted"], true);

    let error = client.query("SELEKT Id FROM Lead").try_collect::<Vec<_>>().await;
    let error = error.expect_err("malformed SOQL");
    assert_eq!(error.code(), Some(&ErrorCode::MalformedQuery));
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn single_records_map_201_200_204_and_404() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    assert_eq!(id.len(), 18);
    let record = client
        .get("Lead", &id, Some(&["LastName", "Company"]))
        .await
        .expect("read");
    assert_eq!(record["LastName"], "Doe");
    client
        .update("Lead", &id, &json!({"FirstName": "Jane"}))
        .await
        .expect("updated");
    let record = client.get("Lead", &id, None).await.expect("read");
    assert_eq!(record["FirstName"], "Jane");

    let created = client
        .upsert("Lead", LEADGATE_ID_FIELD, "contact-1", &lead("Roe"))
        .await
        .expect("upserted");
    assert!(created.created(), "{created:?}");
    let updated = client
        .upsert(
            "Lead",
            LEADGATE_ID_FIELD,
            "contact-1",
            &json!({"LastName": "Roe", "Company": "Beta"}),
        )
        .await
        .expect("upserted");
    assert_eq!(
        updated,
        UpsertOutcome::Updated {
            id: created.id().map(str::to_owned)
        }
    );
    let by_key = client
        .get_by_external_id("Lead", LEADGATE_ID_FIELD, "contact-1")
        .await
        .expect("found");
    assert_eq!(by_key["Company"], "Beta");

    client.delete("Lead", &id).await.expect("deleted");
    let error = client.get("Lead", &id, None).await.expect_err("gone");
    assert!(
        matches!(&error, SalesforceError::Api { status: 404, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(&ErrorCode::NotFound));
    let error = client
        .update("Lead", &id, &json!({"FirstName": "X"}))
        .await
        .expect_err("deleted");
    assert!(error.has_code(&ErrorCode::EntityIsDeleted), "{error:?}");
    let error = client
        .upsert("Lead", "NoSuchField__c", "x", &lead("Doe"))
        .await
        .expect_err("no such field");
    assert_eq!(error.status(), Some(404));

    let error = client
        .create("Lead", &json!({"LastName": "x".repeat(81), "Company": "Acme"}))
        .await;
    let error = error.expect_err("too long");
    assert_eq!(error.code(), Some(&ErrorCode::StringTooLong));
    assert_eq!(error.api_errors()[0].fields, ["LastName"]);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn several_external_id_matches_are_a_typed_error_listing_them() {
    let region = CustomField {
        name: "Region__c".to_owned(),
        label: "Region".to_owned(),
        kind: CustomFieldKind::Text { length: 40 },
        external_id: true,
        unique: false,
        required: false,
    };
    let sandbox = sandbox_with(SandboxConfig {
        custom_fields: vec![CustomField::leadgate_id(), region],
        ..SandboxConfig::default()
    })
    .await;
    let client = client(&sandbox);
    for name in ["Doe", "Roe"] {
        client
            .create(
                "Lead",
                &json!({"LastName": name, "Company": "Acme", "Region__c": "north"}),
            )
            .await
            .expect("created");
    }
    let error = client
        .upsert("Lead", "Region__c", "north", &lead("Poe"))
        .await
        .expect_err("two matches");
    let SalesforceError::MultipleMatches { matches, .. } = &error else {
        panic!("not MultipleMatches: {error:?}");
    };
    assert_eq!(matches.len(), 2);
    assert!(
        matches.iter().all(|url| url.contains("/sobjects/Lead/00Q")),
        "{matches:?}"
    );
    assert_eq!(error.status(), Some(300));
    assert_eq!(sandbox.control().live_lead_count(), 2, "nothing was written");
    let error = client.get_by_external_id("Lead", "Region__c", "north").await;
    assert!(
        matches!(error, Err(SalesforceError::MultipleMatches { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn collections_report_per_record_errors_and_honour_all_or_none() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records = [
        lead("Valid"),
        json!({"Company": "Acme"}),
        json!({"LastName": "Mail", "Company": "Acme", "Email": "not-an-address"}),
    ];
    let results = client
        .create_records("Lead", &records, false)
        .await
        .expect("answered");
    assert!(results[0].success);
    assert_eq!(results[1].error_code(), Some(&ErrorCode::RequiredFieldMissing));
    assert_eq!(results[2].error_code(), Some(&ErrorCode::InvalidEmailAddress));
    assert_eq!(results[2].errors[0].fields, ["Email"]);
    assert_eq!(sandbox.control().live_lead_count(), 1);

    let results = client
        .create_records("Lead", &records, true)
        .await
        .expect("answered");
    assert!(results.iter().all(|result| !result.success));
    assert_eq!(
        results[0].error_code(),
        Some(&ErrorCode::AllOrNoneOperationRolledBack)
    );
    assert!(results[0].is_retryable());
    assert_eq!(
        sandbox.control().live_lead_count(),
        1,
        "all or none: nothing saved"
    );

    let upserts = [
        json!({LEADGATE_ID_FIELD: "c-1", "LastName": "One", "Company": "Acme"}),
        json!({LEADGATE_ID_FIELD: "c-2", "LastName": "Two", "Company": "Acme"}),
    ];
    let results = client
        .upsert_records("Lead", LEADGATE_ID_FIELD, &upserts, false)
        .await
        .expect("upserted");
    assert!(
        results
            .iter()
            .all(|result| result.success && result.created == Some(true))
    );
    let results = client
        .upsert_records("Lead", LEADGATE_ID_FIELD, &upserts, false)
        .await
        .expect("upserted");
    assert!(
        results
            .iter()
            .all(|result| result.success && result.created == Some(false))
    );

    let ids: Vec<String> = results.iter().filter_map(|result| result.id.clone()).collect();
    let updates: Vec<Value> = ids.iter().map(|id| json!({"Id": id, "Title": "Buyer"})).collect();
    let results = client
        .update_records("Lead", &updates, true)
        .await
        .expect("updated");
    assert!(results.iter().all(|result| result.success));
    let results = client.delete_records(&ids, false).await.expect("deleted");
    assert!(results.iter().all(|result| result.success));
    let results = client.delete_records(&ids, false).await.expect("answered");
    assert!(results.iter().all(|result| !result.success), "{results:?}");
    assert!(
        client
            .update_records("Lead", &[lead("No id")], false)
            .await
            .is_err(),
        "an update without Id is refused before sending"
    );
}

#[tokio::test]
async fn duplicate_rule_details_are_parsed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let record = json!({"LastName": "Doe", "Company": "Acme", "Email": "doe@example.com"});
    client.create("Lead", &record).await.expect("created");
    let error = client.create("Lead", &record).await.expect_err("a duplicate");
    assert_eq!(error.code(), Some(&ErrorCode::DuplicatesDetected));
    let duplicate = error.api_errors()[0]
        .duplicate_result
        .clone()
        .expect("duplicateResut is parsed");
    assert_eq!(duplicate.match_results[0].match_records.len(), 1);
}

#[tokio::test]
async fn converted_leads_cannot_be_updated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    sandbox.control().convert_lead(&id).expect("converted");
    let error = client
        .update("Lead", &id, &json!({"Title": "CEO"}))
        .await
        .expect_err("read only");
    assert_eq!(error.code(), Some(&ErrorCode::CannotUpdateConvertedLead));
    assert!(!error.is_retryable());
}
