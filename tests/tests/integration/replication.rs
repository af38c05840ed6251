//! `leadgate replicate` against the in-process sandbox org: the seed scenario end to end, the
//! second run that makes no call, keep-updated, the dry run, and a contact preflight refuses.

use std::process::Output;

use futures_util::TryStreamExt as _;
use leadgate_sandbox::{CustomField, CustomFieldKind, Sandbox, SandboxConfig};
use leadgate_tests::plugins;
use serde_json::Value;

use crate::support::leadgate_command::{stderr, stdout};
use crate::support::salesforce_client::{client, sandbox_with, token};
use crate::support::workspace::{EXAMPLES, Workspace};

/// The sandbox org with the fields the example mapping writes: leadgate's external id and the
/// seed's `Office_Licenses__c`.
async fn seed_org() -> Sandbox {
    sandbox_with(SandboxConfig {
        custom_fields: vec![
            CustomField::leadgate_id(),
            CustomField {
                name: "Office_Licenses__c".into(),
                label: "Office Licenses".into(),
                kind: CustomFieldKind::Number {
                    precision: 18,
                    scale: 0,
                },
                external_id: false,
                unique: false,
                required: false,
            },
        ],
        ..SandboxConfig::default()
    })
    .await
}

/// A workspace with the example configuration and the example contacts and activities
/// imported and scored.
struct SeededWorkspace {
    workspace: Workspace,
}

impl std::ops::Deref for SeededWorkspace {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.workspace
    }
}

impl SeededWorkspace {
    fn new() -> Self {
        let workspace = Self {
            workspace: Workspace::example(),
        };
        for (kind, file) in [("contacts", "contacts.csv"), ("activities", "activities.csv")] {
            let path = format!("{EXAMPLES}/data/{file}");
            let output = workspace.run(&["import", kind, &path]);
            assert!(output.status.success(), "{}", stderr(&output));
        }
        workspace.score();
        workspace
    }

    fn score(&self) {
        let output = self.run(&["score", "run", "--now", "2026-11-29T00:00:00Z"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }

    /// `leadgate ARGS --json`, parsed.
    fn json(&self, args: &[&str]) -> Value {
        let output = self.command(args).arg("--json").output();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    }

    /// The ids `contacts list --replication STATE` lists.
    fn listed(&self, state: &str) -> Vec<String> {
        self.json(&["contacts", "list", "--replication", state])
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|contact| contact["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// `leadgate replicate ARGS --json` on the org, with a token from the environment.
    async fn replicate(&self, sandbox: &Sandbox, args: &[&str]) -> (Output, Value) {
        let output = self
            .command(&["replicate", "--json", "--now", "2026-11-29T00:00:00Z"])
            .args(args)
            .env("LEADGATE_INSTANCE_URL", sandbox.base_url())
            .env("LEADGATE_ACCESS_TOKEN", token(sandbox))
            .output_async()
            .await;
        let summary = serde_json::from_str(&stdout(&output)).unwrap_or(Value::Null);
        (output, summary)
    }
}

/// Creates a Lead in the org directly, as someone working in Salesforce would, and returns its id.
async fn create_lead(sandbox: &Sandbox, fields: Value) -> String {
    client(sandbox)
        .create_records("Lead", &[fields], true)
        .await
        .expect("created")[0]
        .id
        .clone()
        .expect("an id")
}

/// Every Lead of the org, by leadgate's external id.
async fn leads(sandbox: &Sandbox) -> Vec<Value> {
    let records: Vec<leadgate_salesforce::Record> = client(sandbox)
        .query(
            "SELECT LeadgateId__c, LastName, Company, Email, LeadSource, Industry, Office_Licenses__c FROM Lead \
             ORDER BY LeadgateId__c",
        )
        .try_collect()
        .await
        .expect("the query runs");
    records.into_iter().map(Value::Object).collect()
}

fn write_calls(sandbox: &Sandbox) -> u64 {
    let calls = sandbox.control().api_calls();
    calls
        .by_kind
        .iter()
        .filter(|(kind, _)| kind.starts_with("collections"))
        .map(|(_, count)| count)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_contacts_become_leads_once_with_the_example_mapping() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();

    assert_eq!(workspace.listed("pending"), ["c-1001", "c-1004", "c-1006"]);
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["qualifying"], 3, "{summary}");
    assert_eq!(summary["created"], 3, "{summary}");
    assert_eq!(summary["suspended"], 0, "{summary}");
    // The describe, one e-mail match query and one upsert of the three.
    assert_eq!(summary["api_calls"], 3, "{summary}");

    let leads = leads(&sandbox).await;
    let ids: Vec<&str> = leads
        .iter()
        .filter_map(|lead| lead["LeadgateId__c"].as_str())
        .collect();
    assert_eq!(ids, ["c-1001", "c-1004", "c-1006"]);
    let ada = &leads[0];
    assert_eq!(ada["LastName"], "Lovelace");
    assert_eq!(ada["Company"], "Analytical Engines Ltd");
    assert_eq!(ada["LeadSource"], "Web");
    assert_eq!(ada["Industry"], "Software");
    assert_eq!(ada["Office_Licenses__c"].as_f64(), Some(3000.0));
    assert_eq!(leads[1]["Office_Licenses__c"].as_f64(), Some(4200.0));
    assert_eq!(workspace.listed("replicated"), ["c-1001", "c-1004", "c-1006"]);
    assert!(workspace.listed("pending").is_empty());
    let status = workspace.json(&["replicate", "status"]);
    assert_eq!(
        (status["replicated"].as_u64(), status["pending"].as_u64()),
        (Some(3), Some(0)),
        "{status}"
    );
    let shown = workspace.json(&["contacts", "show", "c-1001"]);
    assert_eq!(shown["replication"]["state"], "replicated", "{shown}");
    assert!(
        shown["replication"]["lead_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("00Q")),
        "{shown}"
    );
    assert_eq!(shown["replication"]["last_error"], Value::Null);

    // Nothing changed: no call at all, not even the describe.
    let calls_before = sandbox.control().api_calls().used;
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["unchanged"], 3, "{summary}");
    assert_eq!(summary["created"], 0, "{summary}");
    assert_eq!(summary["api_calls"], 0, "{summary}");
    assert_eq!(sandbox.control().api_calls().used, calls_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_contact_is_written_again_by_its_lead_id() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let upserts_before = write_calls(&sandbox);

    let changed = workspace.path("changed.csv");
    std::fs::write(
        &changed,
        "id,email,first_name,last_name,company,title,phone,city,country,industry\n\
         c-1001,ada@analytical.example,Ada,King,Analytical Engines Ltd,IT Director,+44 20 7946 0001,London,United Kingdom,Software\n",
    )
    .expect("write");
    let output = workspace.run(&["import", "contacts", &changed.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(!output.status.success(), "scores are stale until scored again");
    assert!(
        stderr(&output).contains("run `leadgate score run` first"),
        "{}",
        stderr(&output)
    );

    workspace.score();
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["updated"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(2)),
        "{summary}"
    );
    assert_eq!(
        write_calls(&sandbox),
        upserts_before + 1,
        "one collection call for the one change"
    );
    let leads = leads(&sandbox).await;
    assert_eq!(leads.len(), 3, "updated in place, no new Lead");
    assert_eq!(leads[0]["LastName"], "King");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing_and_preflight_refusals_cost_no_write() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    let (output, summary) = workspace.replicate(&sandbox, &["--dry-run"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["created"], 3, "{summary}");
    assert!(leads(&sandbox).await.is_empty());
    assert_eq!(write_calls(&sandbox), 0);

    // Salesforce refuses a non-ASCII local part; preflight says so before any write.
    let zoe = workspace.path("zoe.csv");
    std::fs::write(
        &zoe,
        "id,email,last_name,company\nc-2001,zoë.1@example.com,Zoë,Umlaut GmbH\n",
    )
    .expect("write");
    let output = workspace.run(&["import", "contacts", &zoe.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    workspace.score();
    let (output, summary) = workspace
        .replicate(&sandbox, &["--contact", "c-2001", "--force"])
        .await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(summary["suspended"], 1, "{summary}");
    assert_eq!(summary["created"], 0, "{summary}");
    assert_eq!(write_calls(&sandbox), 0, "no write for a refused record");
    assert!(leads(&sandbox).await.is_empty());
    assert_eq!(workspace.listed("suspended"), ["c-2001"]);
    let shown = workspace.json(&["contacts", "show", "c-2001"]);
    assert_eq!(
        shown["replication"]["last_error"]["code"], "INVALID_EMAIL_ADDRESS",
        "{shown}"
    );
    assert_eq!(
        shown["replication"]["last_error"]["message"],
        "Email: invalid email address: zoë.1@example.com"
    );
    let text = stdout(&workspace.run(&["contacts", "show", "c-2001"]));
    assert!(text.contains("replication: suspended"), "{text}");
    assert!(
        text.contains("INVALID_EMAIL_ADDRESS: Email: invalid email address"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stops_at_its_call_budget_and_the_next_one_goes_on() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    workspace.edit_config("batch-size = 200", "batch-size = 1");
    workspace.edit_config("requests-in-flight = 4", "requests-in-flight = 1");
    workspace.edit_config("match-by-email = true", "match-by-email = false");
    workspace.edit_config("max-calls-per-run = 1_000", "max-calls-per-run = 3");

    // The describe, then one upsert per contact until three calls are spent.
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 2, "{summary}");
    assert_eq!(summary["api_calls"], 3, "{summary}");
    let reason = summary["stopped_early"].as_str().unwrap_or_default();
    assert!(reason.contains("`max-calls-per-run = 3`"), "{summary}");
    assert_eq!(leads(&sandbox).await.len(), 2);

    // The describe is cached: the next run spends its one call on the last contact.
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["created"].as_u64(), summary["unchanged"].as_u64()),
        (Some(1), Some(2)),
        "{summary}"
    );
    assert_eq!(summary["api_calls"], 1, "{summary}");
    assert_eq!(summary["stopped_early"], Value::Null);
    assert_eq!(leads(&sandbox).await.len(), 3);
}

/// Changes the last name of the seed contacts `ids` (to `New<Name>`), so that their payload
/// changes, and scores again.
fn rename(workspace: &SeededWorkspace, ids: &[&str]) {
    let contacts = std::fs::read_to_string(format!("{EXAMPLES}/data/contacts.csv")).expect("seed contacts");
    let mut lines = contacts.lines();
    let mut text = format!("{}\n", lines.next().expect("a header"));
    for line in lines.filter(|line| ids.iter().any(|id| line.starts_with(&format!("{id},")))) {
        let mut cells: Vec<String> = line.split(',').map(str::to_owned).collect();
        cells[3] = format!("New{}", cells[3]);
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    let path = workspace.path("renamed.csv");
    std::fs::write(&path, text).expect("write");
    let output = workspace.run(&["import", "contacts", &path.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    workspace.score();
}

fn lead_id_of(workspace: &SeededWorkspace, contact: &str) -> String {
    workspace.json(&["contacts", "show", contact])["replication"]["lead_id"]
        .as_str()
        .expect("a Lead id")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converted_deleted_and_merged_leads_follow_their_policies() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let control = sandbox.control();
    control
        .convert_lead(&lead_id_of(&workspace, "c-1001"))
        .expect("converted");
    control
        .delete_lead(&lead_id_of(&workspace, "c-1004"))
        .expect("deleted");
    let master = create_lead(
        &sandbox,
        serde_json::json!({"LastName": "Master", "Company": "Kept"}),
    )
    .await;
    control
        .merge_leads(&master, &lead_id_of(&workspace, "c-1006"))
        .expect("merged");

    rename(&workspace, &["c-1001", "c-1004", "c-1006"]);
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["converted"], 1, "{summary}");
    assert_eq!(summary["disabled"], 1, "{summary}");
    assert_eq!(summary["merged"], 1, "{summary}");
    assert_eq!(
        summary["updated"], 1,
        "the merged contact, written to the survivor: {summary}"
    );
    assert_eq!(summary["created"], 0, "{summary}");
    assert_eq!(workspace.listed("converted"), ["c-1001"]);
    assert_eq!(workspace.listed("disabled"), ["c-1004"]);
    assert_eq!(lead_id_of(&workspace, "c-1006")[..15], master[..15]);
    let survivor = control.lead(&master).expect("the master Lead");
    assert_eq!(survivor.field("LeadgateId__c"), "c-1006");
    assert_eq!(survivor.field("LastName"), "NewThompson");

    // Stopped contacts are not written again, however they change.
    rename(&workspace, &["c-1001", "c-1004"]);
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["stopped"], 2, "{summary}");
    assert_eq!(summary["api_calls"], 0, "{summary}");

    // Resuming re-enables the disabled one (a new Lead) and leaves the converted one alone.
    let resumed = workspace.json(&["replicate", "resume", "--all"]);
    assert_eq!(
        (resumed["reenabled"].as_u64(), resumed["resumed"].as_u64()),
        (Some(1), Some(0)),
        "{resumed}"
    );
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["created"].as_u64(), summary["stopped"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    assert_ne!(lead_id_of(&workspace, "c-1004")[..15], master[..15]);

    // Every run is in the log, newest first.
    let runs = workspace.json(&["replicate", "runs"]);
    let created: Vec<u64> = runs
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|run| run["created"].as_u64())
        .collect();
    assert_eq!(created, [1, 0, 0, 3], "{runs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_lead_is_recreated_when_the_policy_says_so() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    workspace.edit_config("deleted-leads = \"disable\"", "deleted-leads = \"recreate\"");
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let deleted = lead_id_of(&workspace, "c-1004");
    sandbox.control().delete_lead(&deleted).expect("deleted");

    rename(&workspace, &["c-1004"]);
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 1, "{summary}");
    assert_eq!(summary["suspended"], 0, "{summary}");
    let recreated = lead_id_of(&workspace, "c-1004");
    assert_ne!(recreated, deleted);
    assert_eq!(sandbox.control().live_lead_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_set_up_is_checked_before_anything_is_written() {
    let workspace = SeededWorkspace::new();
    let check = |sandbox: &Sandbox| {
        workspace
            .command(&["replicate", "check"])
            .env("LEADGATE_INSTANCE_URL", sandbox.base_url())
            .env("LEADGATE_ACCESS_TOKEN", token(sandbox))
            .output_async()
    };
    let ready = seed_org().await;
    let output = check(&ready).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("the org is ready"),
        "{}",
        stdout(&output)
    );

    // An org without leadgate's fields: neither the External ID field nor the seed's custom one.
    let bare = sandbox_with(SandboxConfig {
        custom_fields: Vec::new(),
        ..SandboxConfig::default()
    })
    .await;
    let output = check(&bare).await;
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let findings = stdout(&output);
    assert!(
        findings.contains("error: the Lead has no field `LeadgateId__c`"),
        "{findings}"
    );
    assert!(findings.contains("Setup → Object Manager → Lead"), "{findings}");
    assert!(
        findings.contains("writes `Office_Licenses__c`, which the Lead does not have"),
        "{findings}"
    );

    let (output, _) = workspace.replicate(&bare, &[]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("the org is not ready for replication"),
        "{}",
        stderr(&output)
    );
    assert_eq!(write_calls(&bare), 0);
    assert!(leads_without_custom_fields(&bare).await.is_empty());
}

/// Every Lead's id, in an org that may lack leadgate's custom fields.
async fn leads_without_custom_fields(sandbox: &Sandbox) -> Vec<leadgate_salesforce::Record> {
    client(sandbox)
        .query("SELECT Id FROM Lead")
        .try_collect()
        .await
        .expect("the query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_carry_the_configured_assignment_rule() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    workspace.edit_config(
        "assignment-rule = \"default\"",
        "assignment-rule = \"01Q5e000000AbCdEAG\"",
    );
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let lead = lead_id_of(&workspace, "c-1001");
    assert_eq!(
        sandbox.control().assignment_rule(&lead).as_deref(),
        Some("01Q5e000000AbCdEAG")
    );

    // "none": the next write runs no rule, so the Lead keeps the one that ran before.
    workspace.edit_config(
        "assignment-rule = \"01Q5e000000AbCdEAG\"",
        "assignment-rule = \"none\"",
    );
    rename(&workspace, &["c-1004"]);
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let other = lead_id_of(&workspace, "c-1004");
    assert_eq!(
        sandbox.control().assignment_rule(&other).as_deref(),
        Some("01Q5e000000AbCdEAG"),
        "written with FALSE: no rule ran"
    );

    let fresh = seed_org().await;
    let defaults = SeededWorkspace::new();
    let (output, _) = defaults.replicate(&fresh, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let lead = lead_id_of(&defaults, "c-1001");
    assert_eq!(fresh.control().assignment_rule(&lead).as_deref(), Some("default"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_plugin_maps_with_the_orgs_lead_fields() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    // The example's commented alternative, in place of its field table.
    let path = workspace.path("leadgate.toml");
    let text = std::fs::read_to_string(&path).expect("config");
    let start = text
        .find("[replication.mapping.fields]")
        .expect("the field table");
    let mapping = format!(
        "[replication.mapping]\nplugin = \"{}\"\nconfig = {{ default-company = \"[not provided]\", lead-source = \"Web\" }}\n",
        plugins::STANDARD_LEAD_MAPPING
    );
    std::fs::write(&path, format!("{}{mapping}", &text[..start])).expect("write config");

    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 3, "{summary}");
    let leads = leads(&sandbox).await;
    assert_eq!(leads[0]["LeadgateId__c"], "c-1001");
    assert_eq!(leads[0]["LastName"], "Lovelace");
    assert_eq!(leads[0]["LeadSource"], "Web");

    // The plugin's payloads are as stable as the table's: nothing changed, nothing is sent.
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["unchanged"], 3, "{summary}");
    assert_eq!(summary["api_calls"], 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_lead_with_the_contacts_email_is_adopted_not_duplicated() {
    let sandbox = seed_org().await;
    let existing = create_lead(
        &sandbox,
        serde_json::json!({"LastName": "Lovelace", "Company": "Old Co", "Email": "ada@analytical.example"}),
    )
    .await;
    let workspace = SeededWorkspace::new();
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["created"].as_u64(), summary["updated"].as_u64()),
        (Some(2), Some(1)),
        "{summary}"
    );
    assert_eq!(lead_id_of(&workspace, "c-1001")[..15], existing[..15]);
    let adopted = sandbox.control().lead(&existing).expect("the existing Lead");
    assert_eq!(adopted.field("LeadgateId__c"), "c-1001");
    assert_eq!(adopted.field("Company"), "Analytical Engines Ltd");
    assert_eq!(leads(&sandbox).await.len(), 3, "no duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_keep_updated_a_lead_is_written_once() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    workspace.edit_config("keep-updated = true", "keep-updated = false");
    let (output, _) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    rename(&workspace, &["c-1001"]);
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["updated"].as_u64(), summary["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{summary}"
    );
    assert_eq!(summary["api_calls"], 0, "{summary}");
    assert_eq!(leads(&sandbox).await[0]["LastName"], "Lovelace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_refusal_suspends_until_the_mapping_changes() {
    let sandbox = seed_org().await;
    // Another Lead already has Ada's address, and adoption by e-mail is off: the org's duplicate
    // rule refuses her.
    create_lead(
        &sandbox,
        serde_json::json!({"LastName": "Other", "Company": "X", "Email": "ada@analytical.example"}),
    )
    .await;
    let workspace = SeededWorkspace::new();
    workspace.edit_config("match-by-email = true", "match-by-email = false");
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        (summary["created"].as_u64(), summary["suspended"].as_u64()),
        (Some(2), Some(1)),
        "{summary}"
    );
    let shown = workspace.json(&["contacts", "show", "c-1001"]);
    assert_eq!(
        shown["replication"]["last_error"]["code"], "DUPLICATES_DETECTED",
        "{shown}"
    );

    // Unchanged, it waits and costs nothing.
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        (summary["waiting"].as_u64(), summary["api_calls"].as_u64()),
        (Some(1), Some(0)),
        "{summary}"
    );

    // A mapping that no longer writes the e-mail address changes her payload: she is tried again
    // and written.
    workspace.edit_config("Email = \"email\"\n", "");
    let (output, summary) = workspace.replicate(&sandbox, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 1, "{summary}");
    assert_eq!(workspace.listed("suspended"), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_contacts_that_are_unknown_or_below_the_gate_are_reported() {
    let sandbox = seed_org().await;
    let workspace = SeededWorkspace::new();
    let (output, _) = workspace.replicate(&sandbox, &["--contact", "nope"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no contact `nope` in the store"),
        "{}",
        stderr(&output)
    );
    let output = workspace.run(&["replicate", "resume", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no contact `nope` in the store"),
        "{}",
        stderr(&output)
    );

    // c-1002 has 12 points: named without --force it is left out, and the run says why.
    let (output, summary) = workspace.replicate(&sandbox, &["--contact", "c-1002"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 0, "{summary}");
    let note = summary["notes"][0].as_str().unwrap_or_default();
    assert!(
        note.contains("`c-1002` has 12 points in `Office buyers`, below `min-points = 3000`"),
        "{summary}"
    );
    let (output, summary) = workspace
        .replicate(&sandbox, &["--contact", "c-1002", "--force"])
        .await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(summary["created"], 1, "{summary}");
}
