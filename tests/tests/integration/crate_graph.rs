//! The host crates depend on each other only as ARCHITECTURE.md draws it: the model uses no
//! leadgate crate, the runtime only the model, the client and the sandbox none, and `leadgate`
//! all four. An edge added anywhere else (a dev-dependency included) fails here, and so does a
//! library crate that picks up what its seam keeps out (sled in the client, HTTP in the
//! runtime, wasmtime anywhere but the runtime).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const HOST_CRATES: [&str; 5] = [
    "leadgate",
    "leadgate-model",
    "leadgate-plugin-runtime",
    "leadgate-salesforce",
    "leadgate-sandbox",
];

/// Each host crate's direct dependencies (normal, dev and build), by crate.
fn host_crate_dependencies() -> BTreeMap<String, BTreeSet<String>> {
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
                    .map(str::to_owned)
                    .collect();
                (name.to_owned(), dependencies)
            })
        })
        .collect()
}

fn names(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn the_host_crates_depend_on_each_other_as_the_architecture_says() {
    let edges: BTreeMap<String, BTreeSet<String>> = host_crate_dependencies()
        .into_iter()
        .map(|(name, dependencies)| {
            let leadgate_crates = dependencies
                .into_iter()
                .filter(|dependency| dependency.starts_with("leadgate"))
                .collect();
            (name, leadgate_crates)
        })
        .collect();
    let expected: BTreeMap<String, BTreeSet<String>> = [
        (
            "leadgate",
            names(&[
                "leadgate-model",
                "leadgate-plugin-runtime",
                "leadgate-salesforce",
                "leadgate-sandbox",
            ]),
        ),
        ("leadgate-model", names(&[])),
        ("leadgate-plugin-runtime", names(&["leadgate-model"])),
        ("leadgate-salesforce", names(&[])),
        ("leadgate-sandbox", names(&[])),
    ]
    .into_iter()
    .map(|(name, dependencies)| (name.to_owned(), dependencies))
    .collect();
    assert_eq!(edges, expected);
}

#[test]
fn each_library_crate_keeps_out_what_its_seam_excludes() {
    let dependencies = host_crate_dependencies();
    let kept_out = [
        (
            "leadgate-model",
            names(&["sled", "wasmtime", "reqwest", "axum", "toml"]),
        ),
        (
            "leadgate-plugin-runtime",
            names(&["sled", "reqwest", "axum", "hyper", "toml"]),
        ),
        (
            "leadgate-salesforce",
            names(&["sled", "wasmtime", "toml", "axum"]),
        ),
        (
            "leadgate-sandbox",
            names(&["sled", "wasmtime", "reqwest", "oauth2"]),
        ),
    ];
    for (name, excluded) in kept_out {
        let found: Vec<&String> = dependencies[name].intersection(&excluded).collect();
        assert!(found.is_empty(), "`{name}` depends on {found:?}");
    }
    // The model is plain data: serde, plus jiff for the one timestamp parser and thiserror for
    // its error, and nothing else.
    assert_eq!(
        dependencies["leadgate-model"],
        names(&["jiff", "serde", "thiserror"])
    );
}
