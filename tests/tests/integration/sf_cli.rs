//! The `leadgate sf` commands with an instance URL and access token from the environment,
//! against the in-process sandbox org: queries as CSV, JSON and a table, describe, limits, the
//! errors they print, and the advice to log in when no authorization is stored.

use serde_json::{Value, json};

use crate::support::leadgate_command::LeadgateCommand;
use crate::support::salesforce_client::{client, sandbox, token};

/// Runs `leadgate sf …` against an instance with a token from the environment.
async fn leadgate_sf(
    args: &[&str],
    instance_url: &str,
    token: &str,
    data_dir: &std::path::Path,
) -> std::process::Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .env("LEADGATE_INSTANCE_URL", instance_url)
        .env("LEADGATE_ACCESS_TOKEN", token)
        .output_async()
        .await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sf_commands_query_describe_and_show_limits() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records = [
        json!({"LastName": "Doe, Jr.", "Company": "Acme", "Email": "doe@example.com"}),
        json!({"LastName": "Roe", "Company": "Beta"}),
    ];
    client
        .create_records("Lead", &records, true)
        .await
        .expect("created");
    let secret = token(&sandbox);
    let data_dir = tempfile::tempdir().expect("a directory");
    let base = sandbox.base_url().to_owned();

    let soql = "SELECT LastName, Email, Id FROM Lead ORDER BY LastName";
    let output = leadgate_sf(&["sf", "query", soql, "--csv"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let csv = text(&output.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "LastName,Email,Id", "columns in SELECT order: {csv}");
    assert!(lines[1].starts_with("\"Doe, Jr.\",doe@example.com,00Q"), "{csv}");
    assert!(lines[2].starts_with("Roe,,00Q"), "{csv}");

    let output = leadgate_sf(&["sf", "query", soql, "--json"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows[1]["LastName"], "Roe");
    assert!(rows[1].get("attributes").is_none());

    let output = leadgate_sf(
        &["sf", "query", "SELECT Id, LastName FROM Lead"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(table.starts_with("Id"), "{table}");
    assert!(table.contains("Roe"), "{table}");

    let output = leadgate_sf(
        &["sf", "describe", "Lead", "--json"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let describe: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let fields = describe["fields"].as_array().expect("fields");
    assert!(
        fields
            .iter()
            .any(|field| field["name"] == "LastName" && field["required"] == true)
    );

    let output = leadgate_sf(&["sf", "describe", "Lead"], &base, &secret, data_dir.path()).await;
    assert!(
        text(&output.stdout).contains("LeadgateId__c"),
        "{}",
        text(&output.stdout)
    );

    let output = leadgate_sf(&["sf", "limits"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let limits = text(&output.stdout);
    assert!(limits.contains("DailyApiRequests"), "{limits}");
    assert!(limits.contains("API usage (Sforce-Limit-Info): "), "{limits}");

    let output = leadgate_sf(
        &["sf", "query", "SELEKT Id FROM Lead"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("MALFORMED_QUERY"), "{message}");

    sandbox.control().expire_access_tokens();
    let output = leadgate_sf(&["sf", "limits"], &base, &secret, data_dir.path()).await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("leadgate auth login"), "{message}");
    assert!(
        !message.contains(&secret) && !csv.contains(&secret),
        "the token leaked: {message}"
    );

    // Without --instance-url the stored authorization is used; there is none in this directory.
    let output = LeadgateCommand::new(["sf", "limits"])
        .data_dir(data_dir.path())
        .env("LEADGATE_MASTER_KEY", "0".repeat(64))
        .output_async()
        .await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("leadgate auth login"), "{message}");
}
