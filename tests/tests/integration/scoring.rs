//! The scoring engine end to end: real sled stores in temp dirs, real plugins, real config files.

use std::collections::BTreeMap;
use std::path::Path;

use leadgate::config::Config;
use leadgate::scoring::{self, ScoreRunReport, ScoringError};
use leadgate::store::Store;
use leadgate_model::RuleOutcome;
use leadgate_model::{ActivityRecord, ContactRecord};
use leadgate_plugin_runtime::PluginRuntime;
use leadgate_tests::{plugins, runtime_with_cache, shared_cache_directory};

const DAY: i64 = 86_400_000;
/// 2026-03-01T00:00:00Z.
const MARCH_1: i64 = 1_772_323_200_000;

/// A data directory, a config written into it, and a runtime.
struct World {
    directory: tempfile::TempDir,
    runtime: PluginRuntime,
}

impl World {
    fn new() -> Self {
        Self {
            directory: tempfile::tempdir().expect("temp dir"),
            runtime: runtime_with_cache(shared_cache_directory()),
        }
    }

    fn path(&self) -> &Path {
        self.directory.path()
    }

    /// Writes `leadgate.toml` with `scores` (TOML text; `{purchase-count}` etc. stand for the
    /// plugin paths) and loads it.
    fn config(&self, scores: &str) -> Config {
        let text = scores
            .replace("{purchase-count}", plugins::PURCHASE_COUNT)
            .replace("{page-visits}", plugins::PAGE_VISITS)
            .replace("{attribute-match}", plugins::ATTRIBUTE_MATCH)
            .replace("{hostile}", plugins::HOSTILE_SCORING);
        let path = self.path().join("leadgate.toml");
        std::fs::write(&path, format!("data-dir = \"data\"\n{text}")).expect("write config");
        Config::load(&path).expect("a valid config")
    }

    fn store(&self) -> Store {
        Store::open(&self.path().join("data")).expect("the store opens")
    }

    fn run(&self, store: &Store, config: &Config, now: i64) -> Result<Vec<ScoreRunReport>, ScoringError> {
        scoring::run(store, config, &self.runtime, now, &|_, _| {})
    }
}

fn contact(id: &str, title: &str, email: &str) -> ContactRecord {
    ContactRecord {
        id: id.into(),
        email: Some(email.into()),
        last_name: Some(format!("Person {id}")),
        title: Some(title.into()),
        ..ContactRecord::default()
    }
}

fn purchase(contact_id: &str, id: &str, occurred_at: i64, product: &str, quantity: u32) -> ActivityRecord {
    ActivityRecord {
        contact_id: contact_id.into(),
        id: id.into(),
        kind: "purchase".into(),
        occurred_at,
        subject: Some(product.into()),
        quantity: Some(quantity),
        value: None,
        attributes: BTreeMap::new(),
    }
}

fn visit(contact_id: &str, id: &str, occurred_at: i64, url: &str) -> ActivityRecord {
    ActivityRecord {
        kind: "page-visit".into(),
        subject: Some(url.into()),
        quantity: None,
        ..purchase(contact_id, id, occurred_at, "", 0)
    }
}

fn total(store: &Store, score: &str, contact_id: &str, now: i64) -> i64 {
    store
        .totals(score, now)
        .expect("totals")
        .into_iter()
        .find(|total| total.contact_id == contact_id)
        .map_or(0, |total| total.points)
}

const OFFICE_BUYERS: &str = r#"
[[scores]]
name = "Office buyers"
[[scores.rules]]
name = "licenses"
plugin = "{purchase-count}"
config = { product = "Microsoft Office", points = 1 }
"#;

#[test]
fn the_seed_case_gives_a_contact_with_3000_licenses_3000_points() {
    let world = World::new();
    let config = world.config(OFFICE_BUYERS);
    let store = world.store();
    store
        .upsert_contacts(&[
            contact("c-1", "IT Director", "a@example.com"),
            contact("c-2", "Engineer", "b@example.com"),
        ])
        .expect("contacts");
    store
        .upsert_activities(&[
            purchase("c-1", "o-1", MARCH_1, "Microsoft Office", 2500),
            purchase("c-1", "o-2", MARCH_1 + DAY, "Microsoft Office", 500),
            purchase("c-2", "o-3", MARCH_1, "Visio", 40),
        ])
        .expect("activities");
    let reports = world.run(&store, &config, MARCH_1 + 10 * DAY).expect("run");
    assert_eq!(reports[0].run.contacts, 2);
    assert!(reports[0].run.recalculated, "the first run computes everything");
    assert_eq!(total(&store, "Office buyers", "c-1", MARCH_1 + 10 * DAY), 3000);
    assert_eq!(total(&store, "Office buyers", "c-2", MARCH_1 + 10 * DAY), 0);
    let outcomes = store.outcomes("Office buyers", "c-1").expect("outcomes");
    let RuleOutcome::Awards(awards) = &outcomes["licenses"] else {
        panic!("scored: {outcomes:?}");
    };
    assert_eq!(awards[0].reason, "bought 3000 × Microsoft Office in 2 purchases");
    assert_eq!(store.dirty_count().expect("count"), 0);
}

#[test]
fn only_changed_contacts_are_scored_again() {
    let world = World::new();
    let config = world.config(OFFICE_BUYERS);
    let store = world.store();
    let contacts: Vec<_> = (0..30)
        .map(|index| contact(&format!("c-{index}"), "CTO", &format!("p{index}@example.com")))
        .collect();
    store.upsert_contacts(&contacts).expect("contacts");
    world.run(&store, &config, MARCH_1).expect("first run");
    let second = world.run(&store, &config, MARCH_1).expect("second run");
    assert_eq!(second[0].run.contacts, 0, "nothing changed, nothing to score");
    assert!(!second[0].run.recalculated);
    store
        .upsert_activities(&[purchase("c-7", "o-1", MARCH_1, "Microsoft Office", 3)])
        .expect("activity");
    let third = world.run(&store, &config, MARCH_1).expect("third run");
    assert_eq!(third[0].run.contacts, 1);
    assert_eq!(total(&store, "Office buyers", "c-7", MARCH_1), 3);
}

#[test]
fn expired_awards_drop_out_of_totals_without_scoring_again() {
    let world = World::new();
    let config = world.config(
        r#"
[[scores]]
name = "Engaged"
[[scores.rules]]
name = "pricing"
plugin = "{page-visits}"
config = { pattern = "*/pricing*", points = 5, valid-days = 30 }
"#,
    );
    let store = world.store();
    store
        .upsert_contacts(&[contact("c-1", "CTO", "a@example.com")])
        .expect("contact");
    store
        .upsert_activities(&[
            visit("c-1", "v-1", MARCH_1, "https://shop.example/pricing"),
            visit("c-1", "v-2", MARCH_1 + 20 * DAY, "https://shop.example/pricing"),
        ])
        .expect("visits");
    world.run(&store, &config, MARCH_1 + 25 * DAY).expect("run");
    assert_eq!(total(&store, "Engaged", "c-1", MARCH_1 + 25 * DAY), 10);
    assert_eq!(
        total(&store, "Engaged", "c-1", MARCH_1 + 31 * DAY),
        5,
        "the first visit expired"
    );
    assert_eq!(
        total(&store, "Engaged", "c-1", MARCH_1 + 51 * DAY),
        0,
        "both expired"
    );
}

#[test]
fn several_rules_add_up_with_negative_points_and_caps() {
    let world = World::new();
    let config = world.config(
        r#"
[[scores]]
name = "Fit"
[[scores.rules]]
name = "director"
plugin = "{attribute-match}"
config = { field = "title", contains = "director", points = 25 }
[[scores.rules]]
name = "competitor"
plugin = "{attribute-match}"
config = { field = "email", ends-with = "@competitor.example", points = -50 }
[[scores.rules]]
name = "capped licenses"
plugin = "{purchase-count}"
config = { product = "Microsoft Office", max-points = 100 }
"#,
    );
    let store = world.store();
    store
        .upsert_contacts(&[
            contact("fit", "IT Director", "dana@customer.example"),
            contact("rival", "Director of Sales", "eve@competitor.example"),
        ])
        .expect("contacts");
    store
        .upsert_activities(&[purchase("fit", "o-1", MARCH_1, "Microsoft Office", 3000)])
        .expect("activity");
    world.run(&store, &config, MARCH_1).expect("run");
    assert_eq!(total(&store, "Fit", "fit", MARCH_1), 125, "25 + the capped 100");
    assert_eq!(total(&store, "Fit", "rival", MARCH_1), -25, "25 - 50");
}

#[test]
fn a_changed_rule_configuration_recalculates_every_contact() {
    let world = World::new();
    let store = world.store();
    store
        .upsert_contacts(&[
            contact("c-1", "CTO", "a@example.com"),
            contact("c-2", "CFO", "b@example.com"),
        ])
        .expect("contacts");
    store
        .upsert_activities(&[purchase("c-1", "o-1", MARCH_1, "Microsoft Office", 10)])
        .expect("activity");
    let config = world.config(OFFICE_BUYERS);
    world.run(&store, &config, MARCH_1).expect("first run");
    assert_eq!(total(&store, "Office buyers", "c-1", MARCH_1), 10);

    let doubled = world.config(&OFFICE_BUYERS.replace("points = 1", "points = 2"));
    let reports = world.run(&store, &doubled, MARCH_1).expect("second run");
    assert!(reports[0].run.recalculated);
    assert_eq!(reports[0].run.contacts, 2, "every contact, not only changed ones");
    assert_eq!(total(&store, "Office buyers", "c-1", MARCH_1), 20);
    let again = world.run(&store, &doubled, MARCH_1).expect("third run");
    assert!(!again[0].run.recalculated, "recalculated once, then settled");
}

#[test]
fn a_changed_plugin_binary_recalculates_the_score() {
    let world = World::new();
    let store = world.store();
    store
        .upsert_contacts(&[contact("c-1", "CTO", "a@example.com")])
        .expect("contact");
    let plugin_copy = world.path().join("purchase_count.wasm");
    std::fs::copy(plugins::PURCHASE_COUNT, &plugin_copy).expect("copy");
    let text = OFFICE_BUYERS.replace("{purchase-count}", &plugin_copy.display().to_string());
    let config = world.config(&text);
    world.run(&store, &config, MARCH_1).expect("first run");
    assert!(
        !world.run(&store, &config, MARCH_1).expect("second run")[0]
            .run
            .recalculated
    );

    // Same code, new bytes: a custom section appended (id 0, size, name "note", payload).
    let mut bytes = std::fs::read(&plugin_copy).expect("read");
    bytes.extend_from_slice(&[0, 7, 4, b'n', b'o', b't', b'e', b'v', b'2']);
    std::fs::write(&plugin_copy, bytes).expect("write");
    let reports = world.run(&store, &config, MARCH_1).expect("third run");
    assert!(reports[0].run.recalculated, "a new plugin binary is a new rule");
}

#[test]
fn a_plugin_failing_on_one_contact_records_it_and_scores_the_others() {
    let world = World::new();
    let config = world.config(
        r#"
[[scores]]
name = "Fragile"
[[scores.rules]]
name = "hostile"
plugin = "{hostile}"
config = { mode = "panic", victim = "c-2" }
"#,
    );
    let store = world.store();
    let contacts: Vec<_> = (0..5)
        .map(|index| contact(&format!("c-{index}"), "CTO", &format!("p{index}@example.com")))
        .collect();
    store.upsert_contacts(&contacts).expect("contacts");
    let reports = world
        .run(&store, &config, MARCH_1)
        .expect("the run itself succeeds");
    assert_eq!(reports[0].run.failures, 1);
    let failed = store.outcomes("Fragile", "c-2").expect("outcomes");
    assert!(
        matches!(&failed["hostile"], RuleOutcome::Failed { message } if message.contains("boom on contact c-2")),
        "{failed:?}"
    );
    let fine = store.outcomes("Fragile", "c-3").expect("outcomes");
    assert!(matches!(fine["hostile"], RuleOutcome::Awards(_)));
    assert_eq!(
        store.totals("Fragile", MARCH_1).expect("totals")[2].failed_rules,
        1
    );
}

#[test]
fn a_rule_configuration_the_plugin_rejects_stops_the_run_naming_score_and_rule() {
    let world = World::new();
    let config = world.config(&OFFICE_BUYERS.replace("product = \"Microsoft Office\", ", ""));
    let store = world.store();
    let error = world
        .run(&store, &config, MARCH_1)
        .expect_err("no product configured");
    let message = error.to_string();
    assert!(
        message.starts_with("score `Office buyers`, rule `licenses`: plugin `purchase-count` rejects"),
        "{message}"
    );
    assert!(message.contains("`product`"), "{message}");
}

#[test]
fn removed_rules_and_scores_lose_their_outcomes() {
    let world = World::new();
    let store = world.store();
    store
        .upsert_contacts(&[contact("c-1", "IT Director", "a@example.com")])
        .expect("contact");
    let both = world.config(&format!(
        "{OFFICE_BUYERS}\n[[scores]]\nname = \"Fit\"\n[[scores.rules]]\nname = \"director\"\nplugin = \"{{attribute-match}}\"\nconfig = {{ field = \"title\", contains = \"director\", points = 25 }}\n"
    ));
    world.run(&store, &both, MARCH_1).expect("run");
    assert_eq!(total(&store, "Fit", "c-1", MARCH_1), 25);
    let only_office = world.config(OFFICE_BUYERS);
    world.run(&store, &only_office, MARCH_1).expect("run");
    assert!(
        store.totals("Fit", MARCH_1).expect("totals").is_empty(),
        "the removed score's outcomes are gone"
    );
}
