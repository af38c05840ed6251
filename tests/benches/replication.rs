//! Replication throughput against the in-process sandbox org: contacts/s and API calls per
//! contact for a first run (every contact new) and a steady-state run (every contact changed),
//! at 0 ms and 100 ms per call, with 1 and with 4 (the default) requests in flight. Each
//! configuration starts from a copy of the same scored store and a fresh org.
//!
//! `cargo bench -p leadgate-tests --bench replication`; `LEADGATE_BENCH_CONTACTS` (a list, default
//! `10000,100000`) changes the store sizes, `LEADGATE_BENCH_LATENCIES` (default `0,100`) the
//! milliseconds per call.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use leadgate::config::Config;
use leadgate::replication::{RunOptions, RunSummary, replicate};
use leadgate::scoring;
use leadgate::store::Store;
use leadgate_model::{ActivityRecord, ContactRecord};
use leadgate_plugin_runtime::PluginRuntime;
use leadgate_salesforce::{Client, RetryPolicy, StaticSession};
use leadgate_sandbox::{FaultSettings, Sandbox, SandboxConfig};
use leadgate_tests::generate::START_OF_2026;
use leadgate_tests::{plugins, runtime_with_cache};

/// The allocator of the `leadgate` binary, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WRITE_CHUNK: usize = 1_000;

fn main() {
    // `cargo test --benches` passes no `--bench`: a quick smoke run.
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let sizes = env_list("LEADGATE_BENCH_CONTACTS").unwrap_or(if measuring {
        vec![10_000, 100_000]
    } else {
        vec![300]
    });
    let latencies =
        env_list("LEADGATE_BENCH_LATENCIES").unwrap_or(if measuring { vec![0, 100] } else { vec![0] });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("tokio: {error}"));
    println!();
    println!(
        "{:>8} {:>8} {:>9}  {:<12} {:>9} {:>12} {:>7} {:>14}",
        "contacts", "latency", "in flight", "run", "seconds", "contacts/s", "calls", "calls/contact"
    );
    for &contacts in &sizes {
        let directory = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
        let plugins = runtime_with_cache(&directory.path().join("cache"));
        scored_store(&directory.path().join("scored"), contacts, &plugins);
        for &latency in &latencies {
            for in_flight in [1, 4] {
                let copy = directory.path().join(format!("run-{latency}-{in_flight}"));
                copy_dir(&directory.path().join("scored"), &copy);
                let config = config(&copy, in_flight);
                let store = Store::open(&copy.join("data")).unwrap_or_else(|error| panic!("store: {error}"));
                let (first, steady) = runtime.block_on(async {
                    let sandbox = org(latency).await;
                    let client = client(&sandbox);
                    let first = timed_run(&store, &config, &plugins, &client, START_OF_2026).await;
                    rename_all(&store, contacts);
                    score(&store, &config, &plugins);
                    let steady = timed_run(&store, &config, &plugins, &client, START_OF_2026).await;
                    (first, steady)
                });
                for (name, (summary, seconds)) in [("first", first), ("all changed", steady)] {
                    let written = summary.created + summary.updated;
                    assert_eq!(written as usize, contacts, "{name}: {summary:?}");
                    println!(
                        "{contacts:>8} {:>6}ms {in_flight:>9}  {name:<12} {seconds:>9.2} {:>12.0} {:>7} {:>14.4}",
                        latency,
                        written as f64 / seconds,
                        summary.api_calls,
                        summary.api_calls as f64 / written as f64
                    );
                }
                let unchanged = runtime.block_on(async {
                    let sandbox = org(latency).await;
                    timed_run(&store, &config, &plugins, &client(&sandbox), START_OF_2026).await
                });
                assert_eq!(unchanged.0.api_calls, 0, "nothing changed: {:?}", unchanged.0);
            }
        }
    }
}

/// A run of `replicate`, and how long it took.
async fn timed_run(
    store: &Store,
    config: &Config,
    plugins: &PluginRuntime,
    client: &Client,
    now: i64,
) -> (RunSummary, f64) {
    let started = Instant::now();
    let summary = replicate(
        store,
        config,
        Some(plugins),
        client,
        now + 300 * 86_400_000,
        &RunOptions::default(),
    )
    .await
    .unwrap_or_else(|error| panic!("replicate: {error:#}"));
    (summary, started.elapsed().as_secs_f64())
}

/// An org whose every answer takes `latency` milliseconds.
async fn org(latency: usize) -> Sandbox {
    Sandbox::start(SandboxConfig {
        daily_api_limit: 10_000_000,
        faults: FaultSettings {
            slow_rate: if latency > 0 { 1.0 } else { 0.0 },
            slow_millis: latency as u64,
            ..FaultSettings::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap_or_else(|error| panic!("sandbox: {error}"))
}

fn client(sandbox: &Sandbox) -> Client {
    let token = sandbox
        .control()
        .access_token()
        .unwrap_or_else(|| panic!("no sandbox user"));
    Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::default())
        .build(StaticSession::from_token(sandbox.base_url(), token))
        .unwrap_or_else(|error| panic!("client: {error}"))
}

fn config(directory: &Path, in_flight: usize) -> Config {
    let text = format!(
        "data-dir = \"data\"\n[[scores]]\nname = \"Office buyers\"\n  [[scores.rules]]\n  name = \"licenses\"\n  \
         plugin = \"{}\"\n  config = {{ product = \"Microsoft Office\" }}\n\
         [replication]\nscore = \"Office buyers\"\nmin-points = 3000\nrequests-in-flight = {in_flight}\n\
         bulk-threshold = 10_000_000\n",
        plugins::PURCHASE_COUNT
    );
    Config::from_toml(&text, "leadgate.toml", directory).unwrap_or_else(|error| panic!("config: {error}"))
}

/// A store of `contacts` contacts, each with a purchase of 3,000 licenses, scored.
fn scored_store(directory: &Path, contacts: usize, plugins: &PluginRuntime) {
    let config = config(directory, 4);
    let store = Store::open(&directory.join("data")).unwrap_or_else(|error| panic!("store: {error}"));
    for start in (0..contacts).step_by(WRITE_CHUNK) {
        let range = start..(start + WRITE_CHUNK).min(contacts);
        let records: Vec<ContactRecord> = range.clone().map(|index| contact(index, "Person")).collect();
        store
            .upsert_contacts(&records)
            .unwrap_or_else(|error| panic!("contacts: {error}"));
        let activities: Vec<ActivityRecord> = range
            .map(|index| ActivityRecord {
                contact_id: format!("c-{index}"),
                id: format!("p-{index}"),
                kind: "purchase".into(),
                occurred_at: START_OF_2026,
                subject: Some("Microsoft Office".into()),
                quantity: Some(3_000),
                value: None,
                attributes: BTreeMap::new(),
            })
            .collect();
        store
            .upsert_activities(&activities)
            .unwrap_or_else(|error| panic!("activities: {error}"));
    }
    score(&store, &config, plugins);
    store.flush().unwrap_or_else(|error| panic!("flush: {error}"));
}

fn contact(index: usize, last_name: &str) -> ContactRecord {
    ContactRecord {
        id: format!("c-{index}"),
        email: Some(format!("person{index}@bench.example")),
        first_name: Some("Pat".into()),
        last_name: Some(format!("{last_name} {index}")),
        company: Some(format!("Company {}", index % 997)),
        ..ContactRecord::default()
    }
}

/// Changes every contact's last name, so that every payload changes.
fn rename_all(store: &Store, contacts: usize) {
    for start in (0..contacts).step_by(WRITE_CHUNK) {
        let records: Vec<ContactRecord> = (start..(start + WRITE_CHUNK).min(contacts))
            .map(|index| contact(index, "Renamed"))
            .collect();
        store
            .upsert_contacts(&records)
            .unwrap_or_else(|error| panic!("contacts: {error}"));
    }
}

fn score(store: &Store, config: &Config, plugins: &PluginRuntime) {
    scoring::run(
        store,
        config,
        plugins,
        START_OF_2026 + 300 * 86_400_000,
        &|_, _| {},
    )
    .unwrap_or_else(|error| panic!("scoring: {error}"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|error| panic!("{}: {error}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|error| panic!("{}: {error}", from.display())) {
        let entry = entry.unwrap_or_else(|error| panic!("{error}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|error| panic!("{}: {error}", target.display()));
        }
    }
}

fn env_list(name: &str) -> Option<Vec<usize>> {
    let text = std::env::var(name).ok()?;
    text.split(',')
        .map(|part| part.trim().replace('_', "").parse().ok())
        .collect()
}
