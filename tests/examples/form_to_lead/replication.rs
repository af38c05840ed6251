//! The example's work — a form submission upserted as a Lead, then read back — apart from
//! where the client comes from, so that a test runs this very code against the sandbox org.

use anyhow::Context;
use futures_util::TryStreamExt;
use leadgate_salesforce::{Client, Record, UpsertOutcome};
use serde_json::json;

/// What the website's contact form posted (`application/x-www-form-urlencoded`, decoded).
#[derive(Debug, Clone)]
pub struct FormSubmission {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub company: String,
    pub message: String,
    /// The form's own id for the submission: the same when the browser sends it twice.
    pub submission_id: String,
}

impl FormSubmission {
    /// The submission the example replicates.
    pub fn example() -> Self {
        Self {
            first_name: "Ada".to_owned(),
            last_name: "Lovelace".to_owned(),
            email: "ada@analytical-engines.example".to_owned(),
            company: "Analytical Engines Ltd".to_owned(),
            message: "Please send a quote for 3 engines.".to_owned(),
            submission_id: "form-2026-05-01-0042".to_owned(),
        }
    }
}

/// What replicating one submission did.
#[derive(Debug)]
pub struct Replication {
    /// Whether the Lead was created or an existing one updated.
    pub outcome: UpsertOutcome,
    /// The Leads with the submission's External ID, read back with SOQL (one).
    pub leads: Vec<Record>,
}

/// Upserts `form` as a Lead by `external_id_field` — safe to retry, never a duplicate — and
/// reads it back.
pub async fn replicate(
    client: &Client,
    external_id_field: &str,
    form: &FormSubmission,
) -> anyhow::Result<Replication> {
    let lead = json!({
        "FirstName": form.first_name,
        "LastName": form.last_name,
        "Email": form.email,
        "Company": form.company,
        "Description": form.message,
        "LeadSource": "Web",
    });
    let outcome = client
        .upsert("Lead", external_id_field, &form.submission_id, &lead)
        .await
        .context("the upsert failed")?;

    // Values in SOQL literals must be escaped: \ and '.
    let key = form.submission_id.replace('\\', "\\\\").replace('\'', "\\'");
    let soql = format!(
        "SELECT Id, FirstName, LastName, Email, Company, Status, LeadSource, CreatedDate \
         FROM Lead WHERE {external_id_field} = '{key}'"
    );
    let leads: Vec<Record> = client
        .query(&soql)
        .try_collect()
        .await
        .context("the query failed")?;
    Ok(Replication { outcome, leads })
}
