//! Same plugin, same input, same output: every time.

use leadgate_plugin_runtime::RuleConfig;
use leadgate_tests::generate::{OFFICE, START_OF_2026, contacts};
use leadgate_tests::{plugins, runtime_with_cache, shared_cache_directory};

#[test]
fn a_well_behaved_plugin_gives_identical_results_over_a_thousand_runs() {
    let runtime = runtime_with_cache(shared_cache_directory());
    let plugin = runtime
        .load_scoring_rule(plugins::PURCHASE_COUNT.as_ref())
        .expect("purchase-count loads");
    let mut config = RuleConfig::new();
    config
        .insert("product", OFFICE)
        .insert("valid-days", "120")
        .insert("max-points", "400");
    let input = contacts(20, 20, 42);
    let now = START_OF_2026 + 200 * 86_400_000;
    let first = plugin.score_batch(&config, &input, now).expect("scores");
    assert!(
        first
            .results
            .iter()
            .any(|result| result.as_ref().is_ok_and(|awards| !awards.is_empty())),
        "the data must give some awards, or the comparison proves nothing"
    );
    for run in 1..1000 {
        let again = plugin.score_batch(&config, &input, now).expect("scores");
        assert_eq!(
            again.stats.fuel_used, first.stats.fuel_used,
            "run {run}: fuel differs"
        );
        for (contact, (expected, actual)) in first.results.iter().zip(&again.results).enumerate() {
            assert_eq!(
                expected.as_ref().ok(),
                actual.as_ref().ok(),
                "run {run}: contact {contact} differs"
            );
        }
    }
}
