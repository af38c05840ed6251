//! End-to-end scoring throughput: 100,000 contacts × 20 activities in a real sled store, scored
//! by two rules (purchase-count and page-visits) through the engine, as `leadgate score run`
//! does. Prints activities/s. The plugins are compiled into the artifact cache first and timed
//! apart, as only a machine's first `score run` compiles them.
//!
//! `cargo bench -p leadgate-tests --bench scoring_engine`; `LEADGATE_BENCH_CONTACTS` changes the
//! number of contacts, `LEADGATE_BENCH_CACHE` keeps compiled plugins in a directory of your
//! choice between runs.

use std::collections::BTreeMap;
use std::time::Instant;

use leadgate::config::Config;
use leadgate::scoring;
use leadgate::store::Store;
use leadgate_model::{ActivityRecord, ContactRecord};
use leadgate_plugin_runtime::activity_kind_name;
use leadgate_tests::generate::{START_OF_2026, contacts};
use leadgate_tests::{plugins, process_cpu_time, runtime_with_cache};

/// The allocator of the `leadgate` binary, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACTIVITIES_PER_CONTACT: usize = 20;
const WRITE_CHUNK: usize = 1_000;

fn main() {
    // `cargo test --benches` passes no `--bench`: a quick smoke run on a small store.
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let contact_count: usize = std::env::var("LEADGATE_BENCH_CONTACTS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(if measuring { 100_000 } else { 500 });
    let directory = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
    let config_path = directory.path().join("leadgate.toml");
    std::fs::write(
        &config_path,
        format!(
            r#"data-dir = "data"
[[scores]]
name = "Office buyers"
[[scores.rules]]
name = "licenses"
plugin = "{}"
config = {{ product = "Microsoft Office" }}

[[scores]]
name = "Engaged visitors"
[[scores.rules]]
name = "pricing"
plugin = "{}"
config = {{ pattern = "*/pricing*", points = 5, valid-days = 90 }}
"#,
            plugins::PURCHASE_COUNT,
            plugins::PAGE_VISITS
        ),
    )
    .unwrap_or_else(|error| panic!("config: {error}"));
    let config = Config::load(&config_path).unwrap_or_else(|error| panic!("config: {error}"));
    let store = Store::open(&config.data_dir).unwrap_or_else(|error| panic!("store: {error}"));

    let data = contacts(contact_count, ACTIVITIES_PER_CONTACT, 2026);
    let written = Instant::now();
    for chunk in data.chunks(WRITE_CHUNK) {
        let contacts: Vec<ContactRecord> = chunk.iter().map(|input| contact_record(&input.contact)).collect();
        store
            .upsert_contacts(&contacts)
            .unwrap_or_else(|error| panic!("contacts: {error}"));
        let activities: Vec<ActivityRecord> = chunk
            .iter()
            .flat_map(|input| {
                input.activities.iter().map(|activity| ActivityRecord {
                    contact_id: input.contact.id.clone(),
                    id: activity.id.clone(),
                    kind: activity_kind_name(&activity.kind).to_owned(),
                    occurred_at: activity.occurred_at,
                    subject: activity.subject.clone(),
                    quantity: activity.quantity,
                    value: activity.value,
                    attributes: BTreeMap::new(),
                })
            })
            .collect();
        store
            .upsert_activities(&activities)
            .unwrap_or_else(|error| panic!("activities: {error}"));
    }
    store.flush().unwrap_or_else(|error| panic!("flush: {error}"));
    let write_time = written.elapsed();

    if std::env::var_os("LEADGATE_BENCH_PAUSE").is_some() {
        eprintln!("store written; scoring starts in 3 s");
        std::thread::sleep(std::time::Duration::from_secs(3));
    }
    // A fixed cache (`LEADGATE_BENCH_CACHE=DIR`) lets repeated runs, e.g. under a profiler,
    // skip compiling the plugins.
    let cache = std::env::var_os("LEADGATE_BENCH_CACHE")
        .map_or_else(|| directory.path().join("cache"), std::path::PathBuf::from);
    let runtime = runtime_with_cache(&cache);
    // `score run` keeps compiled plugins in a per-user cache, so only the first run on a machine
    // compiles them. Compile here, apart, and measure the runs a user makes every day.
    let compiled = Instant::now();
    for plugin in [plugins::PURCHASE_COUNT, plugins::PAGE_VISITS] {
        runtime
            .load_scoring_rule(std::path::Path::new(plugin))
            .unwrap_or_else(|error| panic!("{plugin}: {error}"));
    }
    let compile_time = compiled.elapsed();
    let now = START_OF_2026 + 200 * 86_400_000;
    let cpu_before = process_cpu_time();
    let scored = Instant::now();
    let reports =
        scoring::run(&store, &config, &runtime, now, &|_, _| {}).unwrap_or_else(|error| panic!("{error}"));
    let score_time = scored.elapsed();
    let score_cpu = process_cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    assert!(reports.iter().all(|report| report.run.failures == 0));
    assert!(
        reports
            .iter()
            .all(|report| report.run.contacts == contact_count as u64)
    );

    let activities = contact_count * ACTIVITIES_PER_CONTACT;
    let rows = contact_count + activities;
    println!();
    println!(
        "store and score {contact_count} contacts × {ACTIVITIES_PER_CONTACT} activities (2 scores, 1 rule each)"
    );
    println!(
        "write to the store (chunks of {WRITE_CHUNK}): {:>8.2} s  {:>10.0} rows/s",
        write_time.as_secs_f64(),
        rows as f64 / write_time.as_secs_f64()
    );
    println!(
        "compile both plugins (first run only): {:>8.2} s",
        compile_time.as_secs_f64()
    );
    println!(
        "score run (cached plugins loaded):     {:>8.2} s  {:>10.0} activities/s",
        score_time.as_secs_f64(),
        activities as f64 / score_time.as_secs_f64()
    );
    if let Some(cpu) = score_cpu {
        println!(
            "score run CPU time (all threads):      {:>8.2} s  {:>10.0} activities per CPU-second, {:.2} cores busy",
            cpu.as_secs_f64(),
            activities as f64 / cpu.as_secs_f64(),
            cpu.as_secs_f64() / score_time.as_secs_f64()
        );
    }
}

fn contact_record(contact: &leadgate_plugin_runtime::types::Contact) -> ContactRecord {
    ContactRecord {
        id: contact.id.clone(),
        email: contact.email.clone(),
        first_name: contact.first_name.clone(),
        last_name: contact.last_name.clone(),
        company: contact.company.clone(),
        title: contact.title.clone(),
        phone: contact.phone.clone(),
        street: contact.address.street.clone(),
        city: contact.address.city.clone(),
        state: contact.address.state.clone(),
        postal_code: contact.address.postal_code.clone(),
        country: contact.address.country.clone(),
        attributes: BTreeMap::new(),
    }
}
