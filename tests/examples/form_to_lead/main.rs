//! Replicate a web-form submission into Salesforce as a Lead, then read it back.
//!
//! ```text
//! cargo run -p leadgate-tests --example form_to_lead
//! ```
//!
//! Without settings it starts the in-process sandbox org and uses a token of its default user.
//! Against a real org (or a running `leadgate sandbox`), set `LEADGATE_INSTANCE_URL` and
//! `LEADGATE_ACCESS_TOKEN`; the org needs a text External ID field `LeadgateId__c` on Lead
//! (or set `LEADGATE_EXTERNAL_ID_FIELD` to another one).
//!
//! The Lead is upserted by an External ID derived from the submission, so sending the same
//! form twice (a retry, a double click) updates one Lead instead of creating two. The work is
//! in `replication.rs`, which the integration tests run against the sandbox org too.

mod replication;

use anyhow::Context;
use leadgate_salesforce::{Client, StaticSession, UpsertOutcome};
use leadgate_sandbox::{LEADGATE_ID_FIELD, Sandbox, SandboxConfig};

use replication::{FormSubmission, replicate};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A real org from the environment, else the sandbox org in this process.
    let (client, sandbox) = match (
        std::env::var("LEADGATE_INSTANCE_URL"),
        std::env::var("LEADGATE_ACCESS_TOKEN"),
    ) {
        (Ok(instance_url), Ok(token)) => (Client::new(StaticSession::from_token(instance_url, token))?, None),
        _ => {
            let sandbox = Sandbox::start(SandboxConfig::default()).await?;
            let token = sandbox
                .control()
                .access_token()
                .context("the sandbox has a default user")?;
            let client = Client::builder()
                .no_proxy()
                .build(StaticSession::from_token(sandbox.base_url(), token))?;
            println!("started the sandbox org at {}", sandbox.base_url());
            (client, Some(sandbox))
        }
    };
    let external_id_field =
        std::env::var("LEADGATE_EXTERNAL_ID_FIELD").unwrap_or_else(|_| LEADGATE_ID_FIELD.to_owned());

    let replication = replicate(&client, &external_id_field, &FormSubmission::example()).await?;
    match &replication.outcome {
        UpsertOutcome::Created { id } => println!("created Lead {id}"),
        UpsertOutcome::Updated { id } => println!("updated Lead {}", id.as_deref().unwrap_or("?")),
    }
    for lead in &replication.leads {
        println!("{}", serde_json::to_string_pretty(lead)?);
    }
    if let Some(usage) = client.api_usage() {
        println!("API usage: {}/{}", usage.used, usage.limit);
    }

    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await?;
    }
    Ok(())
}
