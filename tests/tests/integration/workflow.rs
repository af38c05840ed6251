//! The store, imports and scoring through the `leadgate` command, as a user runs them.

use std::process::{Output, Stdio};
use std::time::Duration;

use leadgate::store::Store;
use serde_json::Value;

use crate::support::leadgate_command::{stderr, stdout};
use crate::support::workspace::{EXAMPLES, Workspace};

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)))
}

#[test]
fn the_example_data_gives_the_seed_contacts_their_points_and_details() {
    let workspace = Workspace::example();
    let contacts = format!("{EXAMPLES}/data/contacts.csv");
    let activities = format!("{EXAMPLES}/data/activities.csv");
    assert!(workspace.run(&["import", "contacts", &contacts]).status.success());
    assert!(
        workspace
            .run(&["import", "activities", &activities])
            .status
            .success()
    );
    let run = workspace.run(&["score", "run", "--now", "2026-11-29T00:00:00Z", "--json"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        json(&run)
            .as_array()
            .expect("runs")
            .iter()
            .all(|score| score["failures"] == 0)
    );

    let buyers = workspace.run(&["score", "contacts", "Office buyers", "--min", "3000", "--json"]);
    let buyers = json(&buyers);
    let ranking: Vec<(&str, i64)> = buyers
        .as_array()
        .expect("contacts")
        .iter()
        .map(|entry| {
            (
                entry["contact"].as_str().expect("id"),
                entry["points"].as_i64().expect("points"),
            )
        })
        .collect();
    assert_eq!(ranking, [("c-1004", 4200), ("c-1006", 3100), ("c-1001", 3000)]);

    let details = json(&workspace.run(&[
        "score",
        "show",
        "Office buyers",
        "--contact",
        "c-1001",
        "--now",
        "2026-11-29T00:00:00Z",
        "--json",
    ]));
    assert_eq!(details["total"], 3000);
    assert_eq!(
        details["rules"][0]["awards"][0]["reason"],
        "bought 3000 × Microsoft Office in 2 purchases"
    );

    let fit = json(&workspace.run(&["score", "show", "Fit", "--contact", "c-1006", "--json"]));
    assert_eq!(fit["total"], -25, "IT Director +25, competitor domain -50");

    let listed = json(&workspace.run(&["score", "list", "--json"]));
    assert_eq!(listed[0]["name"], "Office buyers");
    assert_eq!(listed[0]["contacts_scored"], 8);

    let contact = json(&workspace.run(&["contacts", "show", "c-1001", "--json"]));
    assert_eq!(contact["contact"]["last_name"], "Lovelace");
    assert_eq!(contact["contact"]["attributes"]["industry"], "Software");
    assert_eq!(contact["activities"].as_array().expect("activities").len(), 3);
    let directors = json(&workspace.run(&["contacts", "list", "--filter", "title=director", "--json"]));
    assert_eq!(directors.as_array().expect("contacts").len(), 3);
}

#[test]
fn bad_rows_are_reported_by_line_and_column_and_good_rows_still_import() {
    let workspace = Workspace::example();
    let file = workspace.write(
        "contacts.csv",
        "id,email,last_name\nc-1,ok@example.com,One\nc-2,not-an-email,Two\n,missing@example.com,Three\nc-4,four@example.com,Four\n",
    );
    let output = workspace.run(&["import", "contacts", &file]);
    assert_eq!(output.status.code(), Some(3), "partial imports exit 3");
    let messages = stderr(&output);
    assert!(messages.contains("contacts.csv:3: column `email`"), "{messages}");
    assert!(messages.contains("contacts.csv:4: column `id`"), "{messages}");
    assert!(
        messages.contains("2 contacts imported (2 new, 0 updated, 0 unchanged), 2 rejected"),
        "{messages}"
    );

    let again = workspace.run(&["import", "contacts", &file, "--json"]);
    let summary = json(&again);
    assert_eq!(
        (summary["inserted"].as_u64(), summary["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(summary["issues"][0]["line"], 3);
}

#[test]
fn strict_imports_nothing_when_any_row_is_bad() {
    let workspace = Workspace::example();
    let file = workspace.write("contacts.csv", "id,email\nc-1,ok@example.com\nc-2,bad@\n");
    let output = workspace.run(&["import", "contacts", &file, "--strict"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("nothing imported: 1 of 2 rows are bad"),
        "{}",
        stderr(&output)
    );
    let listed = json(&workspace.run(&["contacts", "list", "--json"]));
    assert!(listed.as_array().expect("contacts").is_empty());
}

#[test]
fn activities_of_unknown_contacts_are_reported_not_dropped() {
    let workspace = Workspace::example();
    let contacts = workspace.write(
        "contacts.jsonl",
        "{\"id\":\"c-1\",\"email\":\"one@example.com\"}\n",
    );
    assert!(workspace.run(&["import", "contacts", &contacts]).status.success());
    let activities = workspace.write(
        "activities.csv",
        "contact_id,kind,occurred_at,subject\nc-1,page-visit,2026-05-01,/pricing\nghost,page-visit,2026-05-01,/pricing\n",
    );
    let output = workspace.run(&["import", "activities", &activities]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output)
            .contains("activities.csv:3: column `contact_id`: contact `ghost` is not in the store"),
        "{}",
        stderr(&output)
    );
    let strict = workspace.run(&["import", "activities", &activities, "--strict"]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "strict checks contacts before writing"
    );
}

#[test]
fn a_second_process_on_the_same_data_directory_gets_a_clear_error() {
    let workspace = Workspace::example();
    let _holder = Store::open(&workspace.path("data")).expect("first opener");
    let output = workspace.run(&["contacts", "list"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("is in use by another leadgate process"),
        "{message}"
    );
    assert!(
        message.contains(&format!("(pid {})", std::process::id())),
        "{message}"
    );
}

#[test]
fn an_import_killed_midway_leaves_whole_rows_and_finishes_when_rerun() {
    let workspace = Workspace::example();
    let rows = 60_000;
    let mut text = String::from("id,email,last_name,company\n");
    for index in 0..rows {
        text.push_str(&format!(
            "c-{index},person{index}@example.com,Person {index},Company {index}\n"
        ));
    }
    let file = workspace.write("contacts.csv", &text);
    let mut child = workspace
        .command(&["import", "contacts", &file])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    std::thread::sleep(Duration::from_millis(700));
    let finished_before_the_kill = child.try_wait().expect("child status").is_some();
    child.kill().expect("kill -9");
    let _ = child.wait();

    {
        let store = Store::open(&workspace.path("data")).expect("the store reopens after a kill");
        let stored: Vec<_> = store
            .contacts()
            .collect::<Result<_, _>>()
            .expect("every stored contact reads back");
        if !finished_before_the_kill {
            assert!(stored.len() < rows, "killed midway, yet every row is there");
        }
        for contact in &stored {
            let index = contact.id.trim_start_matches("c-");
            assert_eq!(
                contact.email.as_deref(),
                Some(format!("person{index}@example.com").as_str())
            );
            assert_eq!(
                contact.last_name.as_deref(),
                Some(format!("Person {index}").as_str())
            );
            assert_eq!(
                contact.company.as_deref(),
                Some(format!("Company {index}").as_str())
            );
        }
    }
    let rerun = workspace.run(&["import", "contacts", &file, "--json"]);
    assert!(rerun.status.success(), "{}", stderr(&rerun));
    let summary = json(&rerun);
    assert_eq!(
        summary["inserted"].as_u64().unwrap_or(0) + summary["unchanged"].as_u64().unwrap_or(0),
        rows as u64
    );
    let store = Store::open(&workspace.path("data")).expect("store");
    assert_eq!(store.contact_count(), rows);
}

#[test]
fn scoring_without_configured_scores_says_how_to_add_one() {
    let workspace = Workspace::example();
    std::fs::write(workspace.path("leadgate.toml"), "data-dir = \"data\"\n").expect("write");
    let output = workspace.run(&["score", "run"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no scores are configured"),
        "{}",
        stderr(&output)
    );
}
