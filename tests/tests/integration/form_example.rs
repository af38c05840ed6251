//! The `form_to_lead` example's code, run against the sandbox org: a form submission becomes
//! one Lead, and the same submission sent again updates it rather than adding a second.

#[path = "../../examples/form_to_lead/replication.rs"]
mod replication;

use leadgate_salesforce::{Client, StaticSession, UpsertOutcome};
use leadgate_sandbox::{LEADGATE_ID_FIELD, Sandbox, SandboxConfig};

use replication::{FormSubmission, replicate};

#[tokio::test]
async fn the_form_example_creates_one_lead_and_a_resubmission_updates_it() {
    let sandbox = Sandbox::start(SandboxConfig::default())
        .await
        .expect("the sandbox starts");
    let token = sandbox.control().access_token().expect("a token");
    let client = Client::builder()
        .no_proxy()
        .build(StaticSession::from_token(sandbox.base_url(), token))
        .expect("a client");
    let form = FormSubmission::example();

    let first = replicate(&client, LEADGATE_ID_FIELD, &form)
        .await
        .expect("replicated");
    let UpsertOutcome::Created { id } = &first.outcome else {
        panic!("the first submission did not create a Lead: {:?}", first.outcome);
    };
    assert_eq!(first.leads.len(), 1, "{:?}", first.leads);
    let lead = &first.leads[0];
    assert_eq!(lead["Id"].as_str(), Some(id.as_str()));
    assert_eq!(lead["LastName"], "Lovelace");
    assert_eq!(lead["Email"], "ada@analytical-engines.example");
    assert_eq!(lead["Company"], "Analytical Engines Ltd");
    assert_eq!(lead["LeadSource"], "Web");

    let resent = FormSubmission {
        message: "Make that 4 engines.".to_owned(),
        ..form
    };
    let second = replicate(&client, LEADGATE_ID_FIELD, &resent)
        .await
        .expect("replicated again");
    assert!(
        matches!(second.outcome, UpsertOutcome::Updated { .. }),
        "{:?}",
        second.outcome
    );
    assert_eq!(second.leads.len(), 1);
    assert_eq!(second.leads[0]["Id"].as_str(), Some(id.as_str()));
    assert_eq!(sandbox.control().live_lead_count(), 1, "no duplicate");
    let stored = sandbox.control().lead(id).expect("stored");
    assert_eq!(
        stored
            .fields()
            .get("Description")
            .and_then(|value| value.as_str()),
        Some("Make that 4 engines.")
    );
}
