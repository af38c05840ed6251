//! Sandbox org throughput: sObject Collections upserts of 200 Leads each (on `LeadgateId__c`),
//! from several concurrent clients over real HTTP, half creating new Leads and half updating
//! them. Prints requests/s and Leads/s, so later benchmarks know the sandbox is not their
//! bottleneck.
//!
//! `cargo bench -p leadgate-tests --bench sandbox`; `LEADGATE_BENCH_SANDBOX_REQUESTS` (default
//! 400) and `LEADGATE_BENCH_SANDBOX_CLIENTS` (default 8) scale it. Without `--bench` (as under
//! `cargo test --benches`) it runs a quick smoke test.

use std::sync::Arc;
use std::time::Instant;

use leadgate_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// The allocator of the `leadgate` binary, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 200;

fn main() {
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let requests = env_number("LEADGATE_BENCH_SANDBOX_REQUESTS").unwrap_or(if measuring { 400 } else { 8 });
    let clients = env_number("LEADGATE_BENCH_SANDBOX_CLIENTS")
        .unwrap_or(if measuring { 8 } else { 2 })
        .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("runtime: {error}"));
    runtime.block_on(run(requests, clients));
}

async fn run(requests: usize, clients: usize) {
    let config = SandboxConfig {
        daily_api_limit: u64::MAX,
        duplicate_rule: true,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config)
        .await
        .unwrap_or_else(|error| panic!("sandbox: {error}"));
    let token = sandbox
        .control()
        .access_token()
        .unwrap_or_else(|| panic!("no default user"));
    let url = format!(
        "{}/services/data/v67.0/composite/sobjects/Lead/LeadgateId__c",
        sandbox.base_url()
    );
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_else(|error| panic!("client: {error}"));
    // Bodies are built before the clock starts: the benchmark measures the sandbox, not serde.
    // Request n upserts keys of batch n / 2, so every batch is sent twice: created, then updated.
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..requests)
            .map(|request| {
                let batch = request / 2;
                let records: Vec<Value> = (0..BATCH)
                    .map(|index| {
                        let key = batch * BATCH + index;
                        json!({
                            "attributes": {"type": "Lead"},
                            "LeadgateId__c": format!("contact-{key}"),
                            "LastName": format!("Last {key}"),
                            "FirstName": "Bench",
                            "Company": "Benchmark Inc.",
                            "Email": format!("contact{key}@example.com"),
                            "Title": if request % 2 == 0 { "Created" } else { "Updated" },
                            "NumberOfEmployees": index,
                        })
                    })
                    .collect();
                serde_json::to_vec(&json!({"allOrNone": false, "records": records})).unwrap_or_default()
            })
            .collect(),
    );
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..clients {
        let client = client.clone();
        let url = url.clone();
        let token = token.clone();
        let bodies = Arc::clone(&bodies);
        tasks.push(tokio::spawn(async move {
            // Each worker takes every `clients`-th pair so a batch's create precedes its update.
            let mut failures = 0usize;
            let mut pair = worker;
            while pair * 2 < bodies.len() {
                for request in [pair * 2, pair * 2 + 1] {
                    let Some(body) = bodies.get(request) else { continue };
                    let response = client
                        .patch(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap_or_else(|error| panic!("request: {error}"));
                    assert_eq!(response.status(), 200);
                    let results: Value = response
                        .json()
                        .await
                        .unwrap_or_else(|error| panic!("body: {error}"));
                    failures += results.as_array().map_or(BATCH, |results| {
                        results.iter().filter(|result| result["success"] != true).count()
                    });
                }
                pair += clients;
            }
            failures
        }));
    }
    let mut failures = 0;
    for task in tasks {
        failures += task.await.unwrap_or_else(|error| panic!("client: {error}"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(failures, 0, "every upsert succeeds");
    assert_eq!(sandbox.control().live_lead_count(), requests.div_ceil(2) * BATCH);
    println!(
        "sandbox collections upsert: {requests} requests x {BATCH} Leads from {clients} clients in {elapsed:.2} s: {:.0} requests/s, {:.0} Leads/s",
        requests as f64 / elapsed,
        (requests * BATCH) as f64 / elapsed
    );
    sandbox
        .shutdown()
        .await
        .unwrap_or_else(|error| panic!("shutdown: {error}"));
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
}
