//! The host crates depend on each other only as ARCHITECTURE.md draws it: the model uses no
//! leadgate crate, the runtime only the model, the client and the sandbox none, and `leadgate`
//! all four. An edge added anywhere else (a dev-dependency included) fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const HOST_CRATES: [&str; 5] = [
    "leadgate",
    "leadgate-model",
    "leadgate-plugin-runtime",
    "leadgate-salesforce",
    "leadgate-sandbox",
];

fn host_crate_edges() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    packages
        .iter()
        .filter_map(|package| {
            let name = package["name"].as_str()?;
            HOST_CRATES.contains(&name).then(|| {
                let dependencies = package["dependencies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|dependency| dependency["name"].as_str())
                    .filter(|dependency| dependency.starts_with("leadgate"))
                    .map(str::to_owned)
                    .collect();
                (name.to_owned(), dependencies)
            })
        })
        .collect()
}

#[test]
fn the_host_crates_depend_on_each_other_as_the_architecture_says() {
    let set = |names: &[&str]| {
        names
            .iter()
            .map(|name| (*name).to_owned())
            .collect::<BTreeSet<_>>()
    };
    let expected: BTreeMap<String, BTreeSet<String>> = [
        (
            "leadgate",
            set(&[
                "leadgate-model",
                "leadgate-plugin-runtime",
                "leadgate-salesforce",
                "leadgate-sandbox",
            ]),
        ),
        ("leadgate-model", set(&[])),
        ("leadgate-plugin-runtime", set(&["leadgate-model"])),
        ("leadgate-salesforce", set(&[])),
        ("leadgate-sandbox", set(&[])),
    ]
    .into_iter()
    .map(|(name, dependencies)| (name.to_owned(), dependencies))
    .collect();
    assert_eq!(host_crate_edges(), expected);
}
