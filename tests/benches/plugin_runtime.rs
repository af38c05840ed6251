//! How fast the plugin runtime is: `purchase-count` through Wasm vs. the same rule in native
//! Rust, on the same generated data (10k contacts × 20 activities), at batch sizes 1, 100 and
//! 1,000; and how long loading a plugin takes cold (compile) vs. from the artifact cache.
//!
//! `cargo bench -p leadgate-tests --bench plugin_runtime` runs criterion's measurements and then
//! prints a summary table with activities/s and the Wasm/native ratio.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use leadgate_plugin_runtime::types::ContactActivities;
use leadgate_plugin_runtime::{PluginRuntime, Requirements, RuleConfig, RuntimeOptions, ScoringRulePlugin};
use leadgate_tests::generate::{OFFICE, START_OF_2026, contacts};
use leadgate_tests::native::PurchaseCount;
use leadgate_tests::{plugins, runtime};

/// The allocator of the `leadgate` binary, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONTACTS: usize = 10_000;
const ACTIVITIES_PER_CONTACT: usize = 20;
const BATCH_SIZES: [usize; 3] = [1, 100, 1_000];
/// Batch size 1 pays one instantiation per contact; a slice of the data keeps it quick.
const CONTACTS_AT_BATCH_SIZE_ONE: usize = 1_000;

fn main() {
    let data = contacts(CONTACTS, ACTIVITIES_PER_CONTACT, 2026);
    let cache = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
    let runtime = runtime(RuntimeOptions {
        cache_directory: Some(cache.path().to_owned()),
        ..RuntimeOptions::default()
    });
    let plugin = runtime
        .load_scoring_rule(plugins::PURCHASE_COUNT.as_ref())
        .unwrap_or_else(|error| panic!("purchase-count loads: {error}"));
    let mut config = RuleConfig::new();
    config.insert("product", OFFICE);
    let native = PurchaseCount::new(OFFICE, 1, None);
    check_same_totals(&plugin, &config, &native, &data);
    let requirements = match plugin.check_config(&config) {
        Ok(Ok(requirements)) => requirements,
        other => panic!("purchase-count rejects its benchmark configuration: {other:?}"),
    };

    let mut criterion = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    scoring(&mut criterion, &plugin, &config, &native, &data, &requirements);
    loading(&mut criterion, cache.path());
    criterion.final_summary();

    // `cargo test --benches` runs each benchmark once as a smoke test; the table is for
    // `cargo bench` only.
    if std::env::args().any(|argument| argument == "--bench") {
        summary_table(&plugin, &config, &native, &data, &requirements, cache.path());
    }
}

fn contacts_for(batch_size: usize, data: &[ContactActivities]) -> &[ContactActivities] {
    if batch_size == 1 {
        &data[..CONTACTS_AT_BATCH_SIZE_ONE]
    } else {
        data
    }
}

fn run_wasm(
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    data: &[ContactActivities],
    batch_size: usize,
) -> i64 {
    let run = plugin.score_contacts(config, data, START_OF_2026, batch_size);
    assert_eq!(run.traps, 0, "the benchmark plugin must not trap");
    run.results
        .iter()
        .filter_map(|result| result.as_ref().ok())
        .flat_map(|awards| awards.iter().map(|award| award.points))
        .sum()
}

/// What the scoring engine does: send the rule only the activity kinds it asked for (the
/// selection is part of the measured work).
fn run_wasm_selected(
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    data: &[ContactActivities],
    requirements: &Requirements,
    batch_size: usize,
) -> i64 {
    let selected: Vec<ContactActivities> = data.iter().map(|input| requirements.select(input)).collect();
    run_wasm(plugin, config, &selected, batch_size)
}

fn run_native(native: &PurchaseCount, data: &[ContactActivities]) -> i64 {
    data.iter()
        .flat_map(|input| native.score(input))
        .map(|award| award.points)
        .sum()
}

/// The comparison means nothing unless both compute the same thing.
fn check_same_totals(
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    native: &PurchaseCount,
    data: &[ContactActivities],
) {
    let wasm = run_wasm(plugin, config, data, 100);
    let reference = run_native(native, data);
    assert_eq!(wasm, reference, "Wasm and native purchase-count disagree");
    assert!(reference > 0, "the generated data must contain Office purchases");
}

fn scoring(
    criterion: &mut Criterion,
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    native: &PurchaseCount,
    data: &[ContactActivities],
    requirements: &Requirements,
) {
    let mut group = criterion.benchmark_group("purchase-count");
    for batch_size in BATCH_SIZES {
        let slice = contacts_for(batch_size, data);
        group.throughput(Throughput::Elements(
            (slice.len() * ACTIVITIES_PER_CONTACT) as u64,
        ));
        group.bench_with_input(
            BenchmarkId::new("wasm", batch_size),
            &batch_size,
            |bencher, &batch_size| {
                bencher.iter(|| black_box(run_wasm(plugin, config, slice, batch_size)));
            },
        );
    }
    group.throughput(Throughput::Elements((data.len() * ACTIVITIES_PER_CONTACT) as u64));
    group.bench_function("wasm-selected/100", |bencher| {
        bencher.iter(|| black_box(run_wasm_selected(plugin, config, data, requirements, 100)));
    });
    group.bench_function("native", |bencher| {
        bencher.iter(|| black_box(run_native(native, data)))
    });
    group.finish();
}

fn loading(criterion: &mut Criterion, cache: &std::path::Path) {
    let mut group = criterion.benchmark_group("load purchase-count");
    let cold = runtime(RuntimeOptions {
        cache_directory: None,
        ..RuntimeOptions::default()
    });
    group.bench_function("cold compile", |bencher| {
        bencher.iter(|| black_box(cold.load(plugins::PURCHASE_COUNT.as_ref()).map(|_| ())))
    });
    let cached = runtime(RuntimeOptions {
        cache_directory: Some(cache.to_owned()),
        ..RuntimeOptions::default()
    });
    group.bench_function("cached", |bencher| {
        bencher.iter(|| black_box(cached.load(plugins::PURCHASE_COUNT.as_ref()).map(|_| ())))
    });
    group.finish();
}

/// The median of `runs` timings of `work`, after one untimed run to warm caches.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    work();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn summary_table(
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    native: &PurchaseCount,
    data: &[ContactActivities],
    requirements: &Requirements,
    cache: &std::path::Path,
) {
    let per_second = |activities: usize, time: Duration| activities as f64 / time.as_secs_f64();
    // Native runs take milliseconds: more of them keep one slow run from deciding the median.
    let native_time = median(31, || {
        black_box(run_native(native, data));
    });
    let native_rate = per_second(data.len() * ACTIVITIES_PER_CONTACT, native_time);
    println!();
    println!(
        "purchase-count, {CONTACTS} contacts × {ACTIVITIES_PER_CONTACT} activities (median of 7 runs; native: 31)"
    );
    println!("{:<22} {:>16} {:>14}", "", "activities/s", "wasm/native");
    println!("{:<22} {:>16.0} {:>14}", "native Rust", native_rate, "1.00×");
    for batch_size in BATCH_SIZES {
        let slice = contacts_for(batch_size, data);
        let time = median(7, || {
            black_box(run_wasm(plugin, config, slice, batch_size));
        });
        let rate = per_second(slice.len() * ACTIVITIES_PER_CONTACT, time);
        println!(
            "{:<22} {:>16.0} {:>13.2}×",
            format!("wasm, batch {batch_size}"),
            rate,
            native_rate / rate
        );
    }
    for batch_size in [100, 1_000] {
        let time = median(7, || {
            black_box(run_wasm_selected(plugin, config, data, requirements, batch_size));
        });
        let rate = per_second(data.len() * ACTIVITIES_PER_CONTACT, time);
        println!(
            "{:<22} {:>16.0} {:>13.2}×",
            format!("wasm, batch {batch_size}, *"),
            rate,
            native_rate / rate
        );
    }
    println!("* only the activity kinds the rule asks for (purchases) are sent, as the engine does;");
    println!("  the selection is measured too, and activities/s counts every activity of the data");
    let cold = runtime(RuntimeOptions {
        cache_directory: None,
        ..RuntimeOptions::default()
    });
    let cached: PluginRuntime = runtime(RuntimeOptions {
        cache_directory: Some(cache.to_owned()),
        ..RuntimeOptions::default()
    });
    let load = |runtime: &PluginRuntime| {
        median(5, || {
            black_box(runtime.load(plugins::PURCHASE_COUNT.as_ref()).map(|_| ())).ok();
        })
    };
    let cold_time = load(&cold);
    let cached_time = load(&cached);
    println!();
    println!(
        "load purchase-count: cold compile {:.1} ms, from cache {:.2} ms ({:.0}× faster)",
        cold_time.as_secs_f64() * 1000.0,
        cached_time.as_secs_f64() * 1000.0,
        cold_time.as_secs_f64() / cached_time.as_secs_f64()
    );
    guest_work_table(&cached, data);
}

/// Fuel per contact of the two rules `scoring_engine` runs, configured as it configures them:
/// fuel counts the WebAssembly instructions a call executes, so unlike the timings it does not
/// move with the machine's load, and a change to a rule or the SDK shows up exactly.
fn guest_work_table(runtime: &PluginRuntime, data: &[ContactActivities]) {
    let now = START_OF_2026 + 200 * 86_400_000;
    /// A rule to measure: its label, plugin file and configuration entries.
    type Rule<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let rules: [Rule<'_>; 2] = [
        (
            "purchase-count (product = Microsoft Office)",
            plugins::PURCHASE_COUNT,
            &[("product", OFFICE)],
        ),
        (
            "page-visits (*/pricing*, 5 points, 90 days)",
            plugins::PAGE_VISITS,
            &[("pattern", "*/pricing*"), ("points", "5"), ("valid-days", "90")],
        ),
    ];
    println!();
    println!("guest work per contact, batches of 100 (fuel ≈ WebAssembly instructions; deterministic)");
    for (label, path, entries) in rules {
        let plugin = runtime
            .load_scoring_rule(path.as_ref())
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        let mut config = RuleConfig::new();
        for (key, value) in entries {
            config.insert(*key, *value);
        }
        let requirements = match plugin.check_config(&config) {
            Ok(Ok(requirements)) => requirements,
            other => panic!("{label} rejects its benchmark configuration: {other:?}"),
        };
        let selected: Vec<ContactActivities> = data.iter().map(|input| requirements.select(input)).collect();
        let run = plugin.score_contacts(&config, &selected, now, 100);
        assert_eq!(run.traps, 0, "{label} must not trap");
        println!("{label:<46} {:>10}", run.stats.fuel_used / data.len() as u64);
    }
}
