//! The `leadgate plugin` commands, run as a user runs them.

use std::path::Path;
use std::process::Output;

use leadgate_tests::plugins;
use serde_json::Value;

use crate::support::leadgate_command::{LeadgateCommand, stderr, stdout};

const SEED_CONTACTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/plugin-input/seed-contacts.jsonl"
);

fn leadgate(args: &[&str]) -> Output {
    LeadgateCommand::new(args).output()
}

/// `leadgate ARGS` with `RUST_LOG` set to `rust_log`.
fn leadgate_logging(args: &[&str], rust_log: &str) -> Output {
    LeadgateCommand::new(args).env("RUST_LOG", rust_log).output()
}

#[test]
fn plugin_run_prints_the_seed_case_awards_as_json() {
    let output = leadgate(&[
        "plugin",
        "run",
        plugins::PURCHASE_COUNT,
        "--input",
        SEED_CONTACTS,
        "--config",
        "product=Microsoft Office",
        "--now",
        "2026-11-29T00:00:00Z",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    let totals: Vec<(String, i64)> = document["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|contact| {
            (
                contact["contact"].as_str().expect("id").to_owned(),
                contact["ok"]["total"].as_i64().expect("total"),
            )
        })
        .collect();
    assert_eq!(
        totals,
        vec![
            ("c-1001".to_owned(), 3000),
            ("c-1002".to_owned(), 12),
            ("c-1003".to_owned(), 0)
        ]
    );
    assert_eq!(document["plugin"]["name"], "purchase-count");
    assert_eq!(document["stats"]["failed"], 0);
    assert!(document["stats"]["fuel_used"].as_u64().expect("fuel") > 0);
}

#[test]
fn plugin_run_prints_readable_awards_and_a_summary_on_stderr() {
    let output = leadgate(&[
        "plugin",
        "run",
        plugins::PURCHASE_COUNT,
        "-i",
        SEED_CONTACTS,
        "-c",
        "product=Microsoft Office",
        "--now",
        "2026-11-29T00:00:00Z",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("c-1001\n"), "{text}");
    assert!(text.contains("+3000"), "{text}");
    assert!(text.contains("Microsoft Office"), "{text}");
    let summary = stderr(&output);
    assert!(
        summary.contains("purchase-count 0.1.0 · 3 contacts (0 failed)"),
        "{summary}"
    );
    assert!(summary.contains("fuel"), "{summary}");
}

#[test]
fn plugin_run_maps_contacts_to_lead_fields() {
    let output = leadgate(&[
        "plugin",
        "run",
        plugins::STANDARD_LEAD_MAPPING,
        "--input",
        SEED_CONTACTS,
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    let first = &document["contacts"][0]["ok"];
    assert_eq!(first["LastName"], "Lovelace");
    assert_eq!(first["Company"], "Analytical Engines Ltd");
    assert_eq!(first["Email"], "ada@analytical.example");
    let third = &document["contacts"][2]["ok"];
    assert_eq!(
        third["Company"], "[not provided]",
        "Company is required: the default fills in"
    );
}

#[test]
fn plugin_inspect_describes_the_plugin() {
    let output = leadgate(&["plugin", "inspect", plugins::PAGE_VISITS, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let document: Value = serde_json::from_str(&stdout(&output)).expect("stdout is JSON");
    assert_eq!(document["name"], "page-visits");
    assert_eq!(document["role"], "scoring-rule");
    assert_eq!(document["contract"], "leadgate:plugin@0.1.0");
    assert!(document["size_bytes"].as_u64().expect("size") > 0);
    assert!(document["imports"].as_array().expect("imports").len() > 1);

    let output = leadgate(&["plugin", "inspect", plugins::PAGE_VISITS]);
    assert!(
        stdout(&output).contains("role:        scoring-rule"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn bad_input_lines_are_named_by_file_and_line() {
    let directory = tempfile::tempdir().expect("temp dir");
    let input = directory.path().join("contacts.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"c-1\"}\n{\"id\":\"c-2\",\"activities\":[{\"kind\":\"purchase\",\"occurred_at\":\"last tuesday\"}]}\n",
    )
    .expect("write");
    let output = leadgate(&[
        "plugin",
        "run",
        plugins::PURCHASE_COUNT,
        "--input",
        path(&input),
        "-c",
        "product=Visio",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("contacts.jsonl:2: activity 1: `occurred_at`: `last tuesday`"),
        "{message}"
    );
    assert!(
        stdout(&output).is_empty(),
        "nothing is printed for half-understood input"
    );
}

#[test]
fn a_configuration_the_plugin_rejects_stops_before_any_contact() {
    let output = leadgate(&["plugin", "run", plugins::PURCHASE_COUNT, "--input", SEED_CONTACTS]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("plugin `purchase-count` rejects its configuration: invalid config"),
        "{message}"
    );
    assert!(
        message.contains("product"),
        "the message names the missing key: {message}"
    );

    let output = leadgate(&[
        "plugin",
        "run",
        plugins::PURCHASE_COUNT,
        "--input",
        SEED_CONTACTS,
        "-c",
        "product",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("config argument `product` is not of the form key=value"));
}

#[test]
fn failed_contacts_give_exit_code_three_and_name_the_contact() {
    let output = leadgate(&[
        "plugin",
        "run",
        plugins::HOSTILE_SCORING,
        "--input",
        SEED_CONTACTS,
        "-c",
        "mode=panic",
        "-c",
        "victim=c-1002",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("crashed in `score-batch` on contact `c-1002`"),
        "{text}"
    );
    assert!(text.contains("boom on contact c-1002"), "{text}");
}

#[test]
fn loading_a_non_plugin_fails_with_exit_code_one() {
    let output = leadgate(&["plugin", "inspect", SEED_CONTACTS]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not a valid WebAssembly component"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn plugin_logs_go_to_the_plugin_target_and_are_capped() {
    let args = [
        "plugin",
        "run",
        plugins::HOSTILE_SCORING,
        "--input",
        SEED_CONTACTS,
        "-c",
        "mode=log-flood",
        "-c",
        "victim=c-1003",
        "--fuel-per-contact",
        "1000000000",
    ];
    let output = leadgate_logging(&args, "plugin::hostile-scoring=info");
    assert!(output.status.success(), "{}", stderr(&output));
    let logs = stderr(&output);
    assert!(
        logs.contains("INFO plugin::hostile-scoring: flood line 0 for c-1003"),
        "{}",
        &logs[..500.min(logs.len())]
    );
    assert!(
        logs.contains("WARN plugin::hostile-scoring:"),
        "the cap is reported"
    );
    assert!(logs.contains("limit `log-bytes-per-call`"));
    let lines = logs.lines().filter(|line| line.contains("flood line")).count();
    assert!(
        (1_000..5_000).contains(&lines),
        "64 KiB of ~30-byte lines, not 100,000: {lines}"
    );

    let output = leadgate_logging(&args, "plugin::other-plugin=trace");
    assert!(
        !stderr(&output).contains("flood line"),
        "filtered by the plugin's target"
    );
}

fn path(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// The commands resolve the settings on first use: a broken `./leadgate.toml` stops the ones
/// that read it, with the file named, and not `plugin inspect`, which never reads it.
#[test]
fn only_commands_that_read_the_configuration_trip_over_a_broken_one() {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::write(directory.path().join("leadgate.toml"), "data-dir = [\n").expect("write");

    let inspect = LeadgateCommand::new(["plugin", "inspect", plugins::PURCHASE_COUNT])
        .current_dir(directory.path())
        .output();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    assert!(
        stdout(&inspect).contains("purchase-count"),
        "{}",
        stdout(&inspect)
    );

    let list = LeadgateCommand::new(["score", "list"])
        .current_dir(directory.path())
        .output();
    assert_eq!(list.status.code(), Some(1), "{}", stderr(&list));
    assert!(stderr(&list).contains("leadgate.toml"), "{}", stderr(&list));
    assert!(
        !directory.path().join("leadgate-data").exists(),
        "no store is opened when the configuration cannot be read"
    );
}
