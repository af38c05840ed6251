//! Bulk API 2.0 ingest jobs through `leadgate_salesforce::Client`: an upsert with failing rows
//! against the sandbox org, and polling that outlasts a busy server, reports a failed job and
//! stops at an aborted one, against a scripted fake server.

use std::time::Duration;

use leadgate_salesforce::bulk::{CsvData, CsvValue, IngestJobRequest, JobState, Operation, PollOptions};
use leadgate_salesforce::{CallKind, Client, ErrorCode, RetryPolicy, SalesforceError, StaticSession};
use leadgate_sandbox::LEADGATE_ID_FIELD;
use serde_json::{Value, json};

use crate::support::fake_server::{Answer, FakeServer, gap};
use crate::support::salesforce_client::{client, client_with, sandbox};

/// The sandbox's Bulk API 2.0: an upsert where some rows fail.
#[tokio::test]
async fn bulk_ingest_reports_successful_and_failed_rows() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut csv = CsvData::new([LEADGATE_ID_FIELD, "LastName", "Company", "Email", "Description"]);
    for index in 0..8 {
        let row: [CsvValue; 5] = [
            format!("bulk-{index}").into(),
            format!("Bulk, \"{index}\"").into(),
            "Acme".into(),
            CsvValue::Null,
            "two\nlines".into(),
        ];
        csv.push_row(row).expect("a row");
    }
    let failing: [CsvValue; 5] = [
        "bulk-8".into(),
        "NoCompany".into(),
        CsvValue::Unchanged,
        CsvValue::Null,
        CsvValue::Null,
    ];
    csv.push_row(failing).expect("a row");
    let bad_mail: [CsvValue; 5] = [
        "bulk-9".into(),
        "BadMail".into(),
        "Acme".into(),
        "nope".into(),
        CsvValue::Null,
    ];
    csv.push_row(bad_mail).expect("a row");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let outcome = client
        .ingest(&IngestJobRequest::upsert("Lead", LEADGATE_ID_FIELD), csv, poll)
        .await;
    let outcome = outcome.expect("the sandbox serves Bulk API 2.0");
    assert_eq!(outcome.job.state, JobState::JobComplete, "{:?}", outcome.job);
    assert_eq!(outcome.successful.len(), 8);
    assert_eq!(outcome.failed.len(), 2);
    assert!(outcome.unprocessed.is_empty());
    assert!(
        outcome
            .successful
            .iter()
            .all(|row| row.created && row.id.starts_with("00Q"))
    );
    let quoted = outcome
        .successful
        .iter()
        .find(|row| row.fields.get(LEADGATE_ID_FIELD).map(String::as_str) == Some("bulk-3"))
        .expect("row 3");
    assert_eq!(
        quoted.fields.get("LastName").map(String::as_str),
        Some("Bulk, \"3\"")
    );
    let mut codes: Vec<ErrorCode> = outcome.failed.iter().map(|row| row.error.code.clone()).collect();
    codes.sort_by(|left, right| left.as_str().cmp(right.as_str()));
    assert_eq!(
        codes,
        [ErrorCode::InvalidEmailAddress, ErrorCode::RequiredFieldMissing]
    );
    assert_eq!(sandbox.control().live_lead_count(), 8);
    let stored = client
        .get_by_external_id("Lead", LEADGATE_ID_FIELD, "bulk-3")
        .await
        .expect("stored");
    assert_eq!(stored["Description"], "two\nlines");
    assert_eq!(stored["Email"], Value::Null);
    assert!(client.call_counts().of(CallKind::Bulk) >= 7);
    client.delete_ingest_job(&outcome.job.id).await.expect("deleted");
}

/// A job id the client accepts.
const JOB_ID: &str = "7505e000001AbCdAAK";

fn job(state: &str) -> Answer {
    Answer::json(
        200,
        json!({"id": JOB_ID, "operation": "insert", "object": "Lead", "state": state}),
    )
}

#[tokio::test]
async fn bulk_polling_outlasts_a_busy_answer_and_honours_its_retry_after() {
    let busy = Answer::json(
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Server too busy"}]),
    )
    .with_header("retry-after", "1");
    let server = FakeServer::start(vec![job("InProgress"), busy, job("JobComplete")]).await;
    let client = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(server.base_url(), "token"))
        .expect("a client");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(10),
        max_interval: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
    };
    let finished = client
        .wait_for_ingest_job(JOB_ID, poll)
        .await
        .expect("the busy poll did not end the wait");
    assert_eq!(finished.state, JobState::JobComplete);
    let received = server.received();
    assert_eq!(received.len(), 3);
    assert!(
        received
            .iter()
            .all(|request| request.method == "GET" && request.path.ends_with(JOB_ID))
    );
    assert!(
        gap(&server, 0) < Duration::from_millis(900),
        "{:?}",
        gap(&server, 0)
    );
    let waited = gap(&server, 1);
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(5),
        "waited {waited:?} after the Retry-After"
    );

    // A poll that fails for good still ends the wait at once.
    let server = FakeServer::start(vec![Answer::json(
        404,
        json!([{"errorCode": "NOT_FOUND", "message": "no such job"}]),
    )])
    .await;
    let client = client_with(StaticSession::from_token(server.base_url(), "token"));
    let error = client
        .wait_for_ingest_job(JOB_ID, poll)
        .await
        .expect_err("the job is gone");
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_failed_bulk_job_is_reported_with_its_error_message() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut csv = CsvData::new(["LastName", "NoSuchField__c"]);
    csv.push_row(["Doe", "x"]).expect("a row");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let outcome = client
        .ingest(&IngestJobRequest::new("Lead", Operation::Insert), csv, poll)
        .await
        .expect("the job ran to its end");
    assert_eq!(outcome.job.state, JobState::Failed, "{:?}", outcome.job);
    assert!(outcome.successful.is_empty());
    let message = outcome.job.error_message.clone().unwrap_or_default();
    assert!(message.contains("NoSuchField__c"), "{message}");
    let error = outcome
        .ensure_complete()
        .expect_err("a failed job is not complete");
    assert!(
        matches!(&error, SalesforceError::BulkJobFailed { state, message, .. } if state == "Failed" && message.contains("NoSuchField__c")),
        "{error:?}"
    );
    assert_eq!(sandbox.control().live_lead_count(), 0);
}

#[tokio::test]
async fn an_aborted_bulk_job_ends_the_wait_and_writes_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .create_ingest_job(&IngestJobRequest::new("Lead", Operation::Insert))
        .await
        .expect("created");
    assert_eq!(created.state, JobState::Open);
    let mut csv = CsvData::new(["LastName", "Company"]);
    csv.push_row(["Doe", "Acme"]).expect("a row");
    client.upload_job_data(&created.id, csv).await.expect("uploaded");
    let aborted = client.abort_ingest_job(&created.id).await.expect("aborted");
    assert_eq!(aborted.state, JobState::Aborted);
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let finished = client
        .wait_for_ingest_job(&created.id, poll)
        .await
        .expect("an aborted job is final");
    assert_eq!(finished.state, JobState::Aborted);
    let outcome = leadgate_salesforce::bulk::IngestOutcome {
        job: finished,
        successful: Vec::new(),
        failed: Vec::new(),
        unprocessed: Vec::new(),
    };
    let error = outcome.ensure_complete().expect_err("aborted is not complete");
    assert!(
        matches!(&error, SalesforceError::BulkJobFailed { state, .. } if state == "Aborted"),
        "{error:?}"
    );
    let closing = client
        .close_ingest_job(&created.id)
        .await
        .expect_err("an aborted job cannot be closed");
    assert_eq!(closing.status(), Some(400), "{closing:?}");
    assert_eq!(sandbox.control().live_lead_count(), 0);
}
