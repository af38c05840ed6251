//! Fidelity of the sandbox org's Bulk API 2.0 ingest (reference §5): the job lifecycle, job
//! info shapes, the result files with their `sf__` columns, errors, and API call counting.

use std::time::Duration;

use leadgate_sandbox::{Fault, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::sandbox::{Reply, TestOrg, assert_data_headers, assert_shape, fixture, send};

/// A result file as it arrived.
struct CsvReply {
    status: u16,
    content_type: Option<String>,
    limit_info: Option<String>,
    text: String,
}

impl TestOrg {
    async fn create_job(&self, body: &Value) -> String {
        let reply = self.json(Method::POST, "/jobs/ingest", body).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body["id"].as_str().expect("a job id").to_owned()
    }

    async fn upload_csv(&self, job: &str, csv: &str) -> Reply {
        send(
            self.request(Method::PUT, &format!("/jobs/ingest/{job}/batches"))
                .header("content-type", "text/csv")
                .body(csv.to_owned()),
        )
        .await
    }

    async fn set_job_state(&self, job: &str, state: &str) -> Reply {
        self.json(
            Method::PATCH,
            &format!("/jobs/ingest/{job}"),
            &json!({"state": state}),
        )
        .await
    }

    /// Polls job info until the job is finished, and returns the last info.
    async fn wait_for_job(&self, job: &str) -> Value {
        for _ in 0..500 {
            let reply = self.get(&format!("/jobs/ingest/{job}")).await;
            assert_eq!(reply.status, 200, "{reply:?}");
            let state = reply.body["state"].as_str().unwrap_or_default();
            if matches!(state, "JobComplete" | "Failed" | "Aborted") {
                return reply.body;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("job {job} did not finish");
    }

    /// Creates, fills, closes and waits for a job.
    async fn run_job(&self, body: &Value, csv: &str) -> (String, Value) {
        let job = self.create_job(body).await;
        let reply = self.upload_csv(&job, csv).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let reply = self.set_job_state(&job, "UploadComplete").await;
        assert_eq!(reply.status, 200, "{reply:?}");
        let info = self.wait_for_job(&job).await;
        (job, info)
    }

    async fn result_file(&self, job: &str, file: &str) -> CsvReply {
        let response = self
            .request(Method::GET, &format!("/jobs/ingest/{job}/{file}/"))
            .send()
            .await
            .expect("the request is answered");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        CsvReply {
            status: response.status().as_u16(),
            content_type: header("content-type"),
            limit_info: header("sforce-limit-info"),
            text: response.text().await.expect("the body arrives"),
        }
    }
}

fn insert_job() -> Value {
    json!({"object": "Lead", "operation": "insert", "contentType": "CSV", "lineEnding": "LF"})
}

#[tokio::test]
async fn an_insert_job_runs_through_its_lifecycle_with_per_record_results() {
    let org = TestOrg::start().await;
    let reply = org.json(Method::POST, "/jobs/ingest", &insert_job()).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("bulk_job_created.json"));
    let job = reply.body["id"].as_str().expect("an id").to_owned();
    assert!(job.starts_with("750"), "{job}");
    assert_eq!(
        reply.body["contentUrl"],
        format!("services/data/v67.0/jobs/ingest/{job}/batches")
    );

    let csv = "FirstName,LastName,Company,Email\n\
               Jane,Doe,Acme,jane@example.com\n\
               John,,Acme,john@example.com\n\
               \"Ann, \"\"AJ\"\"\",Roe,\"Acme, Inc.\",bad-email\n";
    let reply = org.upload_csv(&job, csv).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body, Value::Null);
    assert!(reply.header("sforce-limit-info").is_some());

    let reply = org.set_job_state(&job, "UploadComplete").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["state"], "UploadComplete");
    assert!(reply.body.get("contentUrl").is_none());
    assert!(reply.body.get("numberRecordsProcessed").is_none());

    let info = org.wait_for_job(&job).await;
    assert_eq!(info["state"], "JobComplete");
    assert_eq!(info["numberRecordsProcessed"], 3);
    assert_eq!(info["numberRecordsFailed"], 2);

    let leads = org.sandbox.control().leads();
    assert_eq!(leads.len(), 1);
    let id = leads[0].id().long();
    assert_eq!(leads[0].field("Email"), "jane@example.com");

    let successful = org.result_file(&job, "successfulResults").await;
    assert_eq!(successful.status, 200);
    assert_eq!(successful.content_type.as_deref(), Some("text/csv"));
    assert!(successful.limit_info.is_some());
    assert_eq!(
        successful.text,
        format!(
            "\"sf__Id\",\"sf__Created\",FirstName,LastName,Company,Email\n\
             \"{id}\",\"true\",\"Jane\",\"Doe\",\"Acme\",\"jane@example.com\"\n"
        )
    );
    let failed = org.result_file(&job, "failedResults").await;
    assert_eq!(
        failed.text,
        "\"sf__Id\",\"sf__Error\",FirstName,LastName,Company,Email\n\
         \"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --\",\"John\",\"\",\"Acme\",\"john@example.com\"\n\
         \"\",\"INVALID_EMAIL_ADDRESS:Email: invalid email address: bad-email:Email --\",\"Ann, \"\"AJ\"\"\",\"Roe\",\"Acme, Inc.\",\"bad-email\"\n"
    );
    let unprocessed = org.result_file(&job, "unprocessedrecords").await;
    assert_eq!(unprocessed.text, "FirstName,LastName,Company,Email\n");

    let calls = org.sandbox.control().api_calls();
    let count = |kind: &str| calls.by_kind.get(kind).copied().unwrap_or_default();
    assert_eq!(count("bulkCreateJob"), 1);
    assert_eq!(count("bulkUpload"), 1);
    assert_eq!(count("bulkSetJobState"), 1);
    assert_eq!(count("bulkResults"), 3);
    assert!(count("bulkJobInfo") >= 1);
    assert_eq!(
        calls.used,
        count("bulkCreateJob")
            + count("bulkUpload")
            + count("bulkSetJobState")
            + count("bulkResults")
            + count("bulkJobInfo")
    );
}

#[tokio::test]
async fn an_upsert_job_creates_and_updates_by_the_leadgate_id() {
    let org = TestOrg::start().await;
    let existing = org
        .create_lead(&json!({"LastName": "Doe", "Company": "Acme", "Title": "CTO", "LeadgateId__c": "c-1"}))
        .await;
    let body = json!({"object": "Lead", "operation": "upsert", "externalIdFieldName": "LeadgateId__c"});
    // An empty cell leaves Company as it is; `#N/A` clears Title.
    let csv = "LeadgateId__c,LastName,Company,Title\nc-1,Dough,,#N/A\nc-2,Roe,Beta,VP\n";
    let (job, info) = org.run_job(&body, csv).await;
    assert_shape(&info, &fixture("bulk_job_info.json"));

    let updated = org.sandbox.control().lead(&existing).expect("the lead");
    assert_eq!(updated.field("LastName"), "Dough");
    assert_eq!(updated.field("Company"), "Acme");
    assert_eq!(updated.field("Title"), &Value::Null);
    let leads = org.sandbox.control().leads();
    assert_eq!(leads.len(), 2);
    let created = leads
        .iter()
        .find(|lead| lead.field("LeadgateId__c") == "c-2")
        .expect("c-2 was created");
    assert_eq!(created.field("Title"), "VP");

    let successful = org.result_file(&job, "successfulResults").await;
    assert_eq!(
        successful.text,
        format!(
            "\"sf__Id\",\"sf__Created\",LeadgateId__c,LastName,Company,Title\n\
             \"{existing}\",\"false\",\"c-1\",\"Dough\",\"\",\"#N/A\"\n\
             \"{}\",\"true\",\"c-2\",\"Roe\",\"Beta\",\"VP\"\n",
            created.id().long()
        )
    );
}

#[tokio::test]
async fn update_and_delete_jobs_report_the_ids_of_failed_records() {
    let org = TestOrg::start().await;
    let first = org
        .create_lead(&json!({"LastName": "One", "Company": "Acme"}))
        .await;
    let second = org
        .create_lead(&json!({"LastName": "Two", "Company": "Acme"}))
        .await;
    org.sandbox.control().convert_lead(&second).expect("converted");

    let body = json!({"object": "Lead", "operation": "update"});
    let csv = format!("Id,Title\n{first},Boss\n{second},Boss\nnot-an-id,Boss\n");
    let (job, info) = org.run_job(&body, &csv).await;
    assert_eq!(
        (
            info["numberRecordsProcessed"].clone(),
            info["numberRecordsFailed"].clone()
        ),
        (json!(3), json!(2))
    );
    let failed = org.result_file(&job, "failedResults").await;
    assert_eq!(
        failed.text,
        format!(
            "\"sf__Id\",\"sf__Error\",Id,Title\n\
             \"{second}\",\"CANNOT_UPDATE_CONVERTED_LEAD:cannot reference converted lead:--\",\"{second}\",\"Boss\"\n\
             \"\",\"MALFORMED_ID:Lead ID: id value of incorrect type: not-an-id:Id --\",\"not-an-id\",\"Boss\"\n"
        )
    );

    let body = json!({"object": "Lead", "operation": "delete"});
    let (job, _) = org.run_job(&body, &format!("Id\n{first}\n{first}\n")).await;
    let failed = org.result_file(&job, "failedResults").await;
    assert_eq!(
        failed.text,
        format!(
            "\"sf__Id\",\"sf__Error\",Id\n\"{first}\",\"ENTITY_IS_DELETED:entity is deleted:--\",\"{first}\"\n"
        )
    );
    assert!(
        org.sandbox
            .control()
            .lead(&first)
            .expect("still there")
            .is_deleted()
    );

    let body = json!({"object": "Lead", "operation": "hardDelete"});
    let third = org
        .create_lead(&json!({"LastName": "Three", "Company": "Acme"}))
        .await;
    let (_, info) = org.run_job(&body, &format!("Id\n{third}\n")).await;
    assert_eq!(info["numberRecordsFailed"], 0);
    assert!(org.sandbox.control().lead(&third).is_none());
}

#[tokio::test]
async fn polling_sees_upload_complete_then_in_progress_then_job_complete() {
    let org = TestOrg::with(SandboxConfig {
        bulk_processing_delay: Duration::from_millis(150),
        ..SandboxConfig::default()
    })
    .await;
    let job = org.create_job(&insert_job()).await;
    assert_eq!(
        org.upload_csv(&job, "LastName,Company\nDoe,Acme\n").await.status,
        201
    );
    assert_eq!(org.set_job_state(&job, "UploadComplete").await.status, 200);
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..200 {
        let reply = org.get(&format!("/jobs/ingest/{job}")).await;
        let state = reply.body["state"].as_str().expect("a state").to_owned();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "JobComplete" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, ["UploadComplete", "InProgress", "JobComplete"]);
}

#[tokio::test]
async fn uploads_are_refused_once_the_job_is_closed() {
    let org = TestOrg::start().await;
    let job = org.create_job(&insert_job()).await;
    assert_eq!(
        org.upload_csv(&job, "LastName,Company\nDoe,Acme\n").await.status,
        201
    );
    let reply = org.upload_csv(&job, "LastName,Company\nRoe,Acme\n").await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_shape(&reply.body, &fixture("bulk_invalid_job_state.json"));
    org.set_job_state(&job, "UploadComplete").await;
    let reply = org.upload_csv(&job, "LastName,Company\nRoe,Acme\n").await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_data_headers(&reply);
    assert_shape(&reply.body, &fixture("bulk_invalid_job_state.json"));
    let reply = org.set_job_state(&job, "UploadComplete").await;
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_shape(&reply.body, &fixture("bulk_invalid_job_state.json"));
}

#[tokio::test]
async fn an_aborted_job_leaves_its_records_unprocessed() {
    let org = TestOrg::start().await;
    let job = org.create_job(&insert_job()).await;
    let csv = "LastName,Company\nDoe,Acme\nRoe,\"Beta, Ltd\"\n";
    assert_eq!(org.upload_csv(&job, csv).await.status, 201);
    let reply = org.set_job_state(&job, "Aborted").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body["state"], "Aborted");
    let info = org.wait_for_job(&job).await;
    assert_eq!(info["state"], "Aborted");
    assert_eq!(info["numberRecordsProcessed"], 0);
    let unprocessed = org.result_file(&job, "unprocessedRecords").await;
    assert_eq!(
        unprocessed.text,
        "LastName,Company\n\"Doe\",\"Acme\"\n\"Roe\",\"Beta, Ltd\"\n"
    );
    assert_eq!(org.sandbox.control().live_lead_count(), 0);
    let reply = org.set_job_state(&job, "Aborted").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALIDJOBSTATE");
    let reply = org.set_job_state(&job, "JobComplete").await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn a_header_naming_an_unknown_field_fails_the_job() {
    let org = TestOrg::start().await;
    let csv = "LastName,Company,Nickname\nDoe,Acme,DD\n";
    let (job, info) = org.run_job(&insert_job(), csv).await;
    assert_shape(&info, &fixture("bulk_job_failed.json"));
    let unprocessed = org.result_file(&job, "unprocessedrecords").await;
    assert_eq!(
        unprocessed.text,
        "LastName,Company,Nickname\n\"Doe\",\"Acme\",\"DD\"\n"
    );

    let (_, info) = org
        .run_job(&insert_job(), "LastName,Company\r\nDoe,Acme\r\n")
        .await;
    assert_eq!(info["state"], "Failed");
    assert_eq!(
        info["errorMessage"],
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF"
    );
    assert_eq!(org.sandbox.control().live_lead_count(), 0);
}

#[tokio::test]
async fn unknown_and_deleted_jobs_are_not_found() {
    let org = TestOrg::start().await;
    for path in [
        "/jobs/ingest/7505e0000000001AAA",
        "/jobs/ingest/nonsense",
        "/jobs/ingest/7505e0000000009AAA/failedResults/",
    ] {
        let reply = org.get(path).await;
        assert_eq!(reply.status, 404, "{path}: {reply:?}");
        assert_data_headers(&reply);
        assert_shape(&reply.body, &fixture("not_found.json"));
    }
    let reply = org.upload_csv("7505e0000000001AAA", "LastName\nDoe\n").await;
    assert_eq!(reply.status, 404);

    let job = org.create_job(&insert_job()).await;
    let reply = send(org.request(Method::DELETE, &format!("/jobs/ingest/{job}"))).await;
    assert_eq!(reply.status, 400, "an open job cannot be deleted: {reply:?}");
    org.set_job_state(&job, "Aborted").await;
    let reply = send(org.request(Method::DELETE, &format!("/jobs/ingest/{job}"))).await;
    assert_eq!(reply.status, 204, "{reply:?}");
    let reply = org.get(&format!("/jobs/ingest/{job}")).await;
    assert_eq!(reply.status, 404);
    assert_shape(&reply.body, &fixture("not_found.json"));
}

#[tokio::test]
async fn uploads_must_be_csv_and_jobs_json() {
    let org = TestOrg::start().await;
    let job = org.create_job(&insert_job()).await;
    let reply = send(
        org.request(Method::PUT, &format!("/jobs/ingest/{job}/batches"))
            .header("content-type", "application/json")
            .body("[]"),
    )
    .await;
    assert_eq!(reply.status, 415, "{reply:?}");
    assert_eq!(reply.body[0]["errorCode"], "UNSUPPORTED_MEDIA_TYPE");
    let reply = send(
        org.request(Method::POST, "/jobs/ingest")
            .header("content-type", "text/csv")
            .body("LastName\n"),
    )
    .await;
    assert_eq!(reply.status, 415, "{reply:?}");
    let reply = org
        .json(
            Method::POST,
            "/jobs/ingest",
            &json!({"object": "Account", "operation": "insert"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!([{"message": "Unable to find object: Account", "errorCode": "INVALIDJOB"}])
    );
    let reply = org
        .json(
            Method::POST,
            "/jobs/ingest",
            &json!({"object": "Lead", "operation": "upsert"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALIDJOB");
}

#[tokio::test]
async fn jobs_are_listed_and_a_lock_fault_fails_every_record() {
    let org = TestOrg::start().await;
    let job = org.create_job(&insert_job()).await;
    assert_eq!(
        org.upload_csv(&job, "LastName,Company\nDoe,Acme\n").await.status,
        201
    );
    org.sandbox.control().queue_fault(Fault::UnableToLockRow);
    assert_eq!(org.set_job_state(&job, "UploadComplete").await.status, 200);
    let info = org.wait_for_job(&job).await;
    assert_eq!(info["numberRecordsFailed"], 1);
    let failed = org.result_file(&job, "failedResults").await;
    assert_eq!(
        failed.text,
        "\"sf__Id\",\"sf__Error\",LastName,Company\n\
         \"\",\"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--\",\"Doe\",\"Acme\"\n"
    );

    let reply = org.get("/jobs/ingest").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["done"], true);
    assert_eq!(reply.body["nextRecordsUrl"], Value::Null);
    assert_eq!(reply.body["records"][0]["id"], job.as_str());
    let reply = org.get("/jobs/ingest?jobType=Classic").await;
    assert_eq!(reply.body["records"], json!([]));
    let jobs = org.sandbox.control().bulk_jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].state.as_str(), jobs[0].records, jobs[0].failed),
        ("JobComplete", 1, 1)
    );
}
