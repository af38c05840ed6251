//! Every example plugin in `plugins/`, through the real runtime.

use leadgate_plugin_runtime::types::{
    ActivityKind, Award, ContactActivities, FieldDescription, FieldType, FieldValue, LeadField, MappingInput,
};
use leadgate_plugin_runtime::{
    ContactFailure, FieldMappingPlugin, RuleConfig, ScoringRulePlugin, parse_timestamp,
    read_contacts_json_lines,
};
use leadgate_tests::{foreach_example_plugin, plugins, runtime_with_cache, shared_cache_directory};

/// Fails to compile when an example plugin has no test module here.
macro_rules! assert_test_exists {
    ($name:ident) => {
        #[allow(unused_imports, reason = "the import only proves the module exists")]
        use self::$name as _;
    };
}
foreach_example_plugin!(assert_test_exists);

const DAY: i64 = 86_400_000;

fn scoring_rule(path: &str) -> ScoringRulePlugin {
    runtime_with_cache(shared_cache_directory())
        .load_scoring_rule(path.as_ref())
        .expect("the plugin loads")
}

fn config(pairs: &[(&str, &str)]) -> RuleConfig {
    let mut config = RuleConfig::new();
    for (key, value) in pairs {
        config.insert(*key, *value);
    }
    config
}

fn time(text: &str) -> i64 {
    parse_timestamp(text).expect("a valid time")
}

/// Contacts from JSON Lines, as `leadgate plugin run` reads them.
fn contacts(json_lines: &str) -> Vec<ContactActivities> {
    read_contacts_json_lines(json_lines.as_bytes(), "test")
        .expect("valid test contacts")
        .into_iter()
        .map(|(_, converted)| converted)
        .collect()
}

/// Scores `input` the way the engine does: after `check-config`, with only the activity kinds
/// the rule asks for. Returns each contact's awards, failing the test on any contact error.
fn score(
    plugin: &ScoringRulePlugin,
    config: &RuleConfig,
    input: &[ContactActivities],
    now: i64,
) -> Vec<Vec<Award>> {
    let requirements = plugin
        .check_config(config)
        .expect("no trap")
        .expect("the configuration is accepted");
    let selected: Vec<_> = input.iter().map(|contact| requirements.select(contact)).collect();
    plugin
        .score_batch(config, &selected, now)
        .expect("no trap")
        .results
        .into_iter()
        .map(|result| result.expect("the contact is scored"))
        .collect()
}

fn total(awards: &[Award]) -> i64 {
    awards.iter().map(|award| award.points).sum()
}

/// The plugin's verdict on a configuration it must reject.
fn rejection(plugin: &ScoringRulePlugin, config: &RuleConfig) -> String {
    match plugin.check_config(config).expect("no trap") {
        Err(error) => leadgate_plugin_runtime::describe_plugin_error(&error),
        Ok(requirements) => panic!("configuration accepted: {requirements:?}"),
    }
}

mod purchase_count {
    use super::*;

    const BUYERS: &str = r#"
{"id":"seed","activities":[{"kind":"purchase","occurred_at":"2026-01-10T00:00:00Z","subject":"Microsoft Office","quantity":3000}]}
{"id":"mixed","activities":[{"kind":"purchase","occurred_at":"2026-02-01T00:00:00Z","subject":"  microsoft OFFICE ","quantity":10},{"kind":"purchase","occurred_at":"2026-03-01T00:00:00Z","subject":"Visio","quantity":99},{"kind":"purchase","occurred_at":"2026-04-01T00:00:00Z","subject":"Microsoft Office"},{"kind":"page-visit","occurred_at":"2026-04-02T00:00:00Z","subject":"Microsoft Office"}]}
{"id":"none","activities":[{"kind":"purchase","occurred_at":"2026-02-01T00:00:00Z","subject":"Visio","quantity":5}]}
"#;

    #[test]
    fn the_seed_case_gives_one_point_per_office_license() {
        let plugin = scoring_rule(plugins::PURCHASE_COUNT);
        let awards = score(
            &plugin,
            &config(&[("product", "Microsoft Office")]),
            &contacts(BUYERS),
            time("2026-11-29T00:00:00Z"),
        );
        assert_eq!(total(&awards[0]), 3000);
        assert_eq!(
            awards[0][0].reason,
            "bought 3000 × Microsoft Office in 1 purchase"
        );
        assert_eq!(awards[0][0].expires_at, None);
        // 10 units + 1 unit (no quantity counts one); Visio and page visits do not count.
        assert_eq!(total(&awards[1]), 11);
        assert_eq!(awards[1][0].reason, "bought 11 × Microsoft Office in 2 purchases");
        assert!(awards[2].is_empty(), "no Office purchase, no award");
    }

    #[test]
    fn points_per_unit_and_the_cap_apply() {
        let plugin = scoring_rule(plugins::PURCHASE_COUNT);
        let input = contacts(BUYERS);
        let now = time("2026-11-29T00:00:00Z");
        let awards = score(
            &plugin,
            &config(&[("product", "Microsoft Office"), ("points", "2")]),
            &input,
            now,
        );
        assert_eq!(total(&awards[1]), 22);
        let capped = score(
            &plugin,
            &config(&[("product", "Microsoft Office"), ("max-points", "500")]),
            &input,
            now,
        );
        assert_eq!(total(&capped[0]), 500);
        assert!(
            capped[0][0].reason.ends_with("(capped at max-points 500)"),
            "{}",
            capped[0][0].reason
        );
        assert_eq!(total(&capped[1]), 11, "under the cap, nothing changes");
    }

    #[test]
    fn with_a_validity_window_each_purchase_expires_and_old_ones_drop_out() {
        let plugin = scoring_rule(plugins::PURCHASE_COUNT);
        let rule = config(&[("product", "Microsoft Office"), ("valid-days", "60")]);
        let input = contacts(BUYERS);
        // 2026-03-15: the purchase of Feb 1 still counts (until Apr 2); the seed's of Jan 10
        // expired on Mar 11; the Apr 1 purchase has not happened yet as far as points go, but
        // the rule only looks at the history it is given, so it counts too.
        let awards = score(&plugin, &rule, &input, time("2026-03-15T00:00:00Z"));
        assert!(awards[0].is_empty(), "the seed purchase expired: {:?}", awards[0]);
        assert_eq!(awards[1].len(), 2);
        assert_eq!(
            awards[1][0].reason, "bought 1 × Microsoft Office on 2026-04-01",
            "newest first"
        );
        assert_eq!(awards[1][1].reason, "bought 10 × Microsoft Office on 2026-02-01");
        assert_eq!(
            awards[1][1].expires_at,
            Some(time("2026-02-01T00:00:00Z") + 60 * DAY)
        );
        // Later, everything has expired: the host drops what the plugin might still return.
        let later = score(&plugin, &rule, &input, time("2026-11-29T00:00:00Z"));
        assert!(later.iter().all(Vec::is_empty), "{later:?}");
    }

    #[test]
    fn asks_only_for_purchases() {
        let plugin = scoring_rule(plugins::PURCHASE_COUNT);
        let requirements = plugin
            .check_config(&config(&[("product", "Visio")]))
            .expect("no trap")
            .expect("accepted");
        assert_eq!(requirements.activity_kinds, Some(vec![ActivityKind::Purchase]));
    }

    #[test]
    fn bad_configuration_is_named_by_key() {
        let plugin = scoring_rule(plugins::PURCHASE_COUNT);
        let message = rejection(&plugin, &config(&[]));
        assert!(message.starts_with("invalid config"), "{message}");
        assert!(message.contains("`product`"), "{message}");
        let message = rejection(&plugin, &config(&[("product", "Visio"), ("points", "many")]));
        assert!(
            message.contains("`points`") && message.contains("many"),
            "{message}"
        );
        let message = rejection(&plugin, &config(&[("product", "Visio"), ("prodcut", "x")]));
        assert!(message.contains("`prodcut`"), "{message}");
        let message = rejection(&plugin, &config(&[("product", "Visio"), ("valid-days", "0")]));
        assert!(message.contains("`valid-days`"), "{message}");
    }
}

mod page_visits {
    use super::*;

    const VISITORS: &str = r#"
{"id":"keen","activities":[{"kind":"page-visit","occurred_at":"2026-05-01T00:00:00Z","subject":"https://shop.example/pricing"},{"kind":"page-visit","occurred_at":"2026-05-20T00:00:00Z","subject":"https://shop.example/PRICING?plan=team"},{"kind":"page-visit","occurred_at":"2026-05-21T00:00:00Z","subject":"https://shop.example/blog"},{"kind":"purchase","occurred_at":"2026-05-22T00:00:00Z","subject":"https://shop.example/pricing"}]}
{"id":"casual","activities":[{"kind":"page-visit","occurred_at":"2026-05-01T00:00:00Z","subject":"https://shop.example/blog"}]}
"#;

    #[test]
    fn matching_visits_earn_points() {
        let plugin = scoring_rule(plugins::PAGE_VISITS);
        let awards = score(
            &plugin,
            &config(&[("pattern", "*/pricing*"), ("points", "5")]),
            &contacts(VISITORS),
            time("2026-06-01T00:00:00Z"),
        );
        assert_eq!(
            total(&awards[0]),
            10,
            "two pricing visits, case-insensitive; purchases do not count"
        );
        assert_eq!(awards[0][0].reason, "visited */pricing* 2 times");
        assert!(awards[1].is_empty());
    }

    #[test]
    fn visits_decay_after_their_validity_window() {
        let plugin = scoring_rule(plugins::PAGE_VISITS);
        let rule = config(&[("pattern", "*/pricing*"), ("valid-days", "14")]);
        let input = contacts(VISITORS);
        let awards = score(&plugin, &rule, &input, time("2026-05-25T00:00:00Z"));
        assert_eq!(total(&awards[0]), 1, "the May 1 visit expired on May 15");
        assert_eq!(awards[0][0].expires_at, Some(time("2026-06-03T00:00:00Z")));
        assert!(
            awards[0][0]
                .reason
                .starts_with("visited https://shop.example/PRICING?plan=team on 2026-05-20")
        );
        let awards = score(&plugin, &rule, &input, time("2026-06-03T00:00:00Z"));
        assert_eq!(
            total(&awards[0]),
            0,
            "an award expiring exactly now no longer counts"
        );
    }

    #[test]
    fn negative_points_and_requirements() {
        let plugin = scoring_rule(plugins::PAGE_VISITS);
        let rule = config(&[("pattern", "*/blog*"), ("points", "-1")]);
        let awards = score(&plugin, &rule, &contacts(VISITORS), time("2026-06-01T00:00:00Z"));
        assert_eq!(total(&awards[0]), -1);
        assert_eq!(total(&awards[1]), -1);
        let requirements = plugin.check_config(&rule).expect("no trap").expect("accepted");
        assert_eq!(requirements.activity_kinds, Some(vec![ActivityKind::PageVisit]));
        let message = rejection(&plugin, &config(&[("points", "1")]));
        assert!(message.contains("`pattern`"), "{message}");
    }
}

mod attribute_match {
    use super::*;

    const PEOPLE: &str = r#"
{"id":"director","title":"IT Director","email":"dana@competitor.example","attributes":{"industry":"Software"}}
{"id":"engineer","title":"Engineer","email":"eve@customer.example"}
{"id":"unknown"}
"#;

    #[test]
    fn a_matching_field_earns_points() {
        let plugin = scoring_rule(plugins::ATTRIBUTE_MATCH);
        let awards = score(
            &plugin,
            &config(&[("field", "title"), ("contains", "director"), ("points", "25")]),
            &contacts(PEOPLE),
            time("2026-06-01T00:00:00Z"),
        );
        assert_eq!(total(&awards[0]), 25);
        assert_eq!(awards[0][0].reason, "title contains \"director\"");
        assert!(awards[1].is_empty());
        assert!(awards[2].is_empty(), "a missing field never matches");
    }

    #[test]
    fn negative_points_for_a_competitor_domain_and_custom_attributes() {
        let plugin = scoring_rule(plugins::ATTRIBUTE_MATCH);
        let now = time("2026-06-01T00:00:00Z");
        let input = contacts(PEOPLE);
        let awards = score(
            &plugin,
            &config(&[
                ("field", "email"),
                ("ends-with", "@competitor.example"),
                ("points", "-50"),
            ]),
            &input,
            now,
        );
        assert_eq!(total(&awards[0]), -50);
        assert_eq!(total(&awards[1]), 0);
        let awards = score(
            &plugin,
            &config(&[("field", "industry"), ("equals", "software"), ("points", "10")]),
            &input,
            now,
        );
        assert_eq!(total(&awards[0]), 10);
    }

    #[test]
    fn needs_no_activities_and_rejects_ambiguous_configuration() {
        let plugin = scoring_rule(plugins::ATTRIBUTE_MATCH);
        let rule = config(&[("field", "title"), ("contains", "VP"), ("points", "5")]);
        let requirements = plugin.check_config(&rule).expect("no trap").expect("accepted");
        assert_eq!(requirements.activity_kinds, Some(Vec::new()));
        let message = rejection(
            &plugin,
            &config(&[
                ("field", "title"),
                ("contains", "VP"),
                ("equals", "VP"),
                ("points", "5"),
            ]),
        );
        assert!(message.starts_with("invalid config"), "{message}");
        let message = rejection(&plugin, &config(&[("field", "title"), ("contains", "VP")]));
        assert!(message.contains("`points`"), "{message}");
    }
}

mod standard_lead_mapping {
    use super::*;

    fn mapping() -> FieldMappingPlugin {
        runtime_with_cache(shared_cache_directory())
            .load_field_mapping(plugins::STANDARD_LEAD_MAPPING.as_ref())
            .expect("the plugin loads")
    }

    fn inputs(json_lines: &str) -> Vec<MappingInput> {
        read_contacts_json_lines(json_lines.as_bytes(), "test")
            .expect("valid test contacts")
            .iter()
            .map(|(contact, _)| contact.to_mapping_input().expect("valid"))
            .collect()
    }

    fn field<'a>(fields: &'a [LeadField], name: &str) -> Option<&'a FieldValue> {
        fields
            .iter()
            .find(|field| field.name == name)
            .map(|field| &field.value)
    }

    fn text(value: &str) -> Option<FieldValue> {
        Some(FieldValue::Text(value.to_owned()))
    }

    fn describe(name: &str, length: u32, createable: bool) -> FieldDescription {
        FieldDescription {
            name: name.to_owned(),
            label: name.to_owned(),
            field_type: FieldType::Text,
            length,
            required: false,
            createable,
            updateable: createable,
            picklist_values: Vec::new(),
            restricted_picklist: false,
        }
    }

    const CONTACTS: &str = r#"
{"id":"c-1","email":"ada@example.com","first_name":"Ada","last_name":"Lovelace","company":"Engines","title":" IT Director ","city":"London","scores":{"Office buyers":3000}}
{"id":"c-2","email":"anon@example.com"}
"#;

    #[test]
    fn maps_contact_fields_to_lead_fields() {
        let plugin = mapping();
        let mapped = plugin
            .map_batch(
                &config(&[("external-id-field", "Leadgate_Contact_Id__c")]),
                &inputs(CONTACTS),
                &[],
                0,
            )
            .expect("no trap");
        let fields = mapped.results[0].as_ref().expect("mapped");
        assert_eq!(field(fields, "LastName"), text("Lovelace").as_ref());
        assert_eq!(field(fields, "FirstName"), text("Ada").as_ref());
        assert_eq!(field(fields, "Company"), text("Engines").as_ref());
        assert_eq!(
            field(fields, "Title"),
            text("IT Director").as_ref(),
            "values are trimmed"
        );
        assert_eq!(field(fields, "City"), text("London").as_ref());
        assert_eq!(field(fields, "LeadSource"), text("Web").as_ref());
        assert_eq!(field(fields, "Leadgate_Contact_Id__c"), text("c-1").as_ref());
        assert_eq!(
            field(fields, "Description"),
            text("leadgate score Office buyers: 3000 points").as_ref()
        );
        assert_eq!(
            field(fields, "Phone"),
            None,
            "absent values are left out, not nulled"
        );
    }

    #[test]
    fn a_contact_without_last_name_is_invalid_unless_a_default_is_set() {
        let plugin = mapping();
        let mapped = plugin
            .map_batch(&config(&[]), &inputs(CONTACTS), &[], 0)
            .expect("no trap");
        match &mapped.results[1] {
            Err(ContactFailure::Plugin(error)) => {
                let message = leadgate_plugin_runtime::describe_plugin_error(error);
                assert!(message.starts_with("invalid input"), "{message}");
                assert!(message.contains("c-2"), "{message}");
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
        let mapped = plugin
            .map_batch(
                &config(&[("default-last-name", "Unknown")]),
                &inputs(CONTACTS),
                &[],
                0,
            )
            .expect("no trap");
        let fields = mapped.results[1].as_ref().expect("mapped with the default");
        assert_eq!(field(fields, "LastName"), text("Unknown").as_ref());
        assert_eq!(field(fields, "Company"), text("[not provided]").as_ref());
    }

    #[test]
    fn values_fit_the_org_describe() {
        let plugin = mapping();
        let describe = vec![
            describe("LastName", 4, true),
            describe("Company", 255, true),
            describe("Title", 128, false),
        ];
        let mapped = plugin
            .map_batch(
                &config(&[]),
                &inputs(r#"{"id":"c-3","last_name":"Łukasiewicz","company":"Logic","title":"Prof"}"#),
                &describe,
                0,
            )
            .expect("no trap");
        let fields = mapped.results[0].as_ref().expect("mapped");
        assert_eq!(
            field(fields, "LastName"),
            text("Łuka").as_ref(),
            "cut at 4 characters, not bytes"
        );
        assert_eq!(field(fields, "Title"), None, "not createable in this org");
        assert_eq!(field(fields, "Email"), None, "not in the describe");
        assert_eq!(field(fields, "Company"), text("Logic").as_ref());
    }
}
