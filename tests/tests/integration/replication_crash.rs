//! `leadgate replicate` killed with SIGKILL at random moments while it writes thousands of
//! contacts, and started again each time: afterwards every qualifying contact has exactly one
//! Lead in the org and a final state, with and without injected faults (503s, row locks, slow
//! answers, dropped connections, and writes that commit and then drop the connection).

use std::process::Stdio;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use leadgate_sandbox::{FaultSettings, Sandbox, SandboxConfig};
use leadgate_tests::generate::Lcg;
use leadgate_tests::plugins;
use serde_json::Value;

use crate::support::leadgate_command::{LeadgateCommand, stderr, stdout};
use crate::support::salesforce_client::{client, sandbox_with, token};
use crate::support::workspace::Workspace;

/// Contacts in the store; every one but each fifth qualifies.
const CONTACTS: usize = 10_000;
/// SIGKILLs per test.
const KILLS: usize = 30;
/// The moments of the runs after the kills, two days apart: later than any retry a suspension
/// waits for (at most a day and a fifth), as scheduled runs would be.
const LATER: [&str; 6] = [
    "2026-12-10T00:00:00Z",
    "2026-12-12T00:00:00Z",
    "2026-12-14T00:00:00Z",
    "2026-12-16T00:00:00Z",
    "2026-12-18T00:00:00Z",
    "2026-12-20T00:00:00Z",
];

struct CrashWorkspace {
    workspace: Workspace,
}

impl std::ops::Deref for CrashWorkspace {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.workspace
    }
}

impl CrashWorkspace {
    /// A store with [`CONTACTS`] contacts, those with a purchase of 3,000 licenses scored at
    /// 3,000 points, and a configuration that replicates them with the standard mapping.
    fn new() -> Self {
        let config = format!(
            "[[scores]]\nname = \"Office buyers\"\n  [[scores.rules]]\n  name = \"licenses\"\n  plugin = \"{}\"\n  \
             config = {{ product = \"Microsoft Office\", points = 1 }}\n\n\
             [replication]\nscore = \"Office buyers\"\nmin-points = 3000\nrequests-in-flight = 4\n",
            plugins::PURCHASE_COUNT
        );
        let mut contacts = String::from("id,email,first_name,last_name,company\n");
        let mut activities = String::from("contact_id,id,kind,occurred_at,subject,quantity\n");
        for index in 0..CONTACTS {
            contacts.push_str(&format!(
                "k-{index:05},person{index}@crash.example,First{index},Last{index},Company {}\n",
                index % 97
            ));
            if index % 5 != 0 {
                activities.push_str(&format!(
                    "k-{index:05},p-{index},purchase,2026-03-01T00:00:00Z,Microsoft Office,3000\n"
                ));
            }
        }
        let workspace = Self {
            workspace: Workspace::with_config(&config),
        };
        for (kind, name, text) in [
            ("contacts", "contacts.csv", contacts),
            ("activities", "activities.csv", activities),
        ] {
            let path = workspace.write(name, &text);
            let output = workspace.run(&["import", kind, &path]);
            assert!(output.status.success(), "{}", stderr(&output));
        }
        let output = workspace
            .command(&["score", "run", "--now", "2026-11-29T00:00:00Z"])
            .output();
        assert!(output.status.success(), "{}", stderr(&output));
        workspace
    }

    fn replicate(&self, sandbox: &Sandbox, now: &str) -> LeadgateCommand {
        self.command(&["replicate", "--json", "--now", now])
            .env("LEADGATE_INSTANCE_URL", sandbox.base_url())
            .env("LEADGATE_ACCESS_TOKEN", token(sandbox))
    }

    fn status(&self) -> Value {
        let output = self.command(&["replicate", "status", "--json"]).output();
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    }
}

/// Starts replication, kills it with SIGKILL after a random wait, [`KILLS`] times; then lets
/// runs finish until nothing is left, and checks the org: one Lead per qualifying contact.
async fn kill_and_restart(sandbox: &Sandbox, seed: u64) {
    let workspace = CrashWorkspace::new();
    let mut random = Lcg::new(seed);
    let mut killed_mid_run = 0;
    for _ in 0..KILLS {
        let mut child = workspace
            .replicate(sandbox, "2026-11-29T00:00:00Z")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let wait = Duration::from_millis(random.below(1_500) + 20);
        tokio::time::sleep(wait).await;
        if matches!(child.try_wait(), Ok(None)) {
            killed_mid_run += 1;
        }
        // SIGKILL: no destructor, no flush, no chance to finish the batch in flight.
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(
        killed_mid_run >= KILLS / 2,
        "only {killed_mid_run} kills hit a running replication"
    );

    let mut finished = false;
    for later in LATER {
        let output = workspace.replicate(sandbox, later).output_async().await;
        let summary: Value = serde_json::from_str(&stdout(&output)).unwrap_or(Value::Null);
        let status = workspace.status();
        if status["pending"] == 0 && status["interrupted_batches"] == 0 {
            finished = true;
            break;
        }
        assert!(
            output.status.code().is_some_and(|code| code == 0 || code == 3),
            "{summary} {}",
            stderr(&output)
        );
    }
    let status = workspace.status();
    assert!(finished, "replication did not finish: {status}");
    let qualifying = (CONTACTS - CONTACTS / 5) as u64;
    assert_eq!(status["replicated"].as_u64(), Some(qualifying), "{status}");
    assert_eq!(status["suspended"], 0, "{status}");

    let leads: Vec<leadgate_salesforce::Record> = client(sandbox)
        .query("SELECT Id, LeadgateId__c FROM Lead")
        .try_collect()
        .await
        .expect("the query runs");
    let mut ids: Vec<&str> = leads
        .iter()
        .filter_map(|lead| lead.get("LeadgateId__c").and_then(Value::as_str))
        .collect();
    assert_eq!(ids.len(), leads.len(), "every Lead carries its contact id");
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "no contact has two Leads");
    assert_eq!(ids.len() as u64, qualifying, "no qualifying contact is missing");
    assert!(ids.iter().all(|id| {
        id.strip_prefix("k-")
            .and_then(|number| number.parse::<usize>().ok())
            .is_some_and(|number| number % 5 != 0)
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_leave_exactly_one_lead_per_contact() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: FaultSettings {
            seed: 7,
            // Every answer takes a little while, so that kills land in the middle of batches.
            slow_rate: 1.0,
            slow_millis: 15,
            ..FaultSettings::default()
        },
        daily_api_limit: 1_000_000,
        ..SandboxConfig::default()
    })
    .await;
    kill_and_restart(&sandbox, 11).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_with_faults_leave_exactly_one_lead_per_contact() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: FaultSettings {
            seed: 8,
            server_unavailable_rate: 0.03,
            lock_row_rate: 0.02,
            slow_rate: 1.0,
            slow_millis: 15,
            drop_connection_rate: 0.02,
            commit_then_drop_rate: 0.03,
            ..FaultSettings::default()
        },
        daily_api_limit: 1_000_000,
        ..SandboxConfig::default()
    })
    .await;
    kill_and_restart(&sandbox, 12).await;
}
