//! The borrowed views scoring hands to plugins (`leadgate_plugin_runtime::ContactActivitiesView`,
//! with its hand-written activity lowering) reach a plugin as exactly the same values as the
//! owned contract types, whose lowering wasmtime derives.

use leadgate_model::{
    ActivityKindView, ActivityView, AddressView, AttributeView, ContactHistory, ContactView,
};
use leadgate_plugin_runtime::types::{
    Activity, ActivityKind, Address, Attribute, Contact, ContactActivities,
};
use leadgate_plugin_runtime::{ContactActivitiesView, RuleConfig, ScoringRulePlugin, activity_kind_name};
use leadgate_tests::generate::START_OF_2026;
use leadgate_tests::{plugins, runtime_with_cache, shared_cache_directory};

fn echo_plugin() -> (ScoringRulePlugin, RuleConfig) {
    let plugin = runtime_with_cache(shared_cache_directory())
        .load_scoring_rule(plugins::HOSTILE_SCORING.as_ref())
        .expect("the hostile fixture loads");
    let mut config = RuleConfig::new();
    config.insert("mode", "echo");
    (plugin, config)
}

fn attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.to_owned(),
        value: value.to_owned(),
    }
}

fn activity(
    id: &str,
    kind: ActivityKind,
    subject: Option<&str>,
    quantity: Option<u32>,
    value: Option<f64>,
    attributes: Vec<Attribute>,
) -> Activity {
    Activity {
        id: id.to_owned(),
        kind,
        occurred_at: START_OF_2026 + id.len() as i64,
        subject: subject.map(str::to_owned),
        quantity,
        value,
        attributes,
    }
}

/// Every field set and unset, empty and non-ASCII text, every kind, extreme numbers.
fn inputs() -> Vec<ContactActivities> {
    let full = ContactActivities {
        contact: Contact {
            id: "c-ünïcødé".to_owned(),
            email: Some("jane@example.com".to_owned()),
            first_name: Some("Jane".to_owned()),
            last_name: Some(String::new()),
            company: Some("Ächme GmbH".to_owned()),
            title: Some("CTO".to_owned()),
            phone: Some("+49 30 1234".to_owned()),
            address: Address {
                street: Some("Hauptstraße 1".to_owned()),
                city: Some("Berlin".to_owned()),
                state: Some("BE".to_owned()),
                postal_code: Some("10115".to_owned()),
                country: Some("DE".to_owned()),
            },
            attributes: vec![attribute("segment", "enterprise"), attribute("", "")],
        },
        activities: vec![
            activity(
                "a-purchase",
                ActivityKind::Purchase,
                Some("Microsoft Office"),
                Some(u32::MAX),
                Some(-1.5),
                vec![attribute("channel", "reseller")],
            ),
            activity(
                "a-visit",
                ActivityKind::PageVisit,
                Some(""),
                Some(0),
                Some(f64::MAX),
                Vec::new(),
            ),
            activity("", ActivityKind::FormSubmission, None, None, None, Vec::new()),
            activity(
                "a-open",
                ActivityKind::EmailOpen,
                Some("campaign ✉"),
                None,
                Some(0.0),
                Vec::new(),
            ),
            activity(
                "a-click",
                ActivityKind::EmailClick,
                None,
                Some(7),
                None,
                Vec::new(),
            ),
            activity(
                "a-event",
                ActivityKind::EventAttendance,
                Some("Summit"),
                None,
                None,
                vec![attribute("a", "1"), attribute("b", "2"), attribute("c", "3")],
            ),
            activity(
                "a-custom",
                ActivityKind::Custom("webinar-replay".to_owned()),
                Some("Rust at scale"),
                Some(3),
                Some(f64::MIN_POSITIVE),
                Vec::new(),
            ),
        ],
    };
    let bare = ContactActivities {
        contact: Contact {
            id: "c-bare".to_owned(),
            email: None,
            first_name: None,
            last_name: None,
            company: None,
            title: None,
            phone: None,
            address: Address {
                street: None,
                city: None,
                state: None,
                postal_code: None,
                country: None,
            },
            attributes: Vec::new(),
        },
        activities: Vec::new(),
    };
    vec![full, bare]
}

fn contact_view(contact: &Contact) -> ContactView<'_> {
    ContactView {
        id: &contact.id,
        email: contact.email.as_deref(),
        first_name: contact.first_name.as_deref(),
        last_name: contact.last_name.as_deref(),
        company: contact.company.as_deref(),
        title: contact.title.as_deref(),
        phone: contact.phone.as_deref(),
        address: AddressView {
            street: contact.address.street.as_deref(),
            city: contact.address.city.as_deref(),
            state: contact.address.state.as_deref(),
            postal_code: contact.address.postal_code.as_deref(),
            country: contact.address.country.as_deref(),
        },
        attributes: attribute_views(&contact.attributes),
    }
}

fn attribute_views(attributes: &[Attribute]) -> Vec<AttributeView<'_>> {
    attributes
        .iter()
        .map(|attribute| AttributeView {
            name: &attribute.name,
            value: &attribute.value,
        })
        .collect()
}

fn history(input: &ContactActivities) -> ContactHistory<'_> {
    ContactHistory {
        contact: contact_view(&input.contact),
        activities: input
            .activities
            .iter()
            .map(|activity| ActivityView {
                id: &activity.id,
                kind: ActivityKindView::from_name(activity_kind_name(&activity.kind)),
                occurred_at: activity.occurred_at,
                subject: activity.subject.as_deref(),
                quantity: activity.quantity,
                value: activity.value,
                attributes: attribute_views(&activity.attributes),
            })
            .collect(),
    }
}

/// What the plugin saw of each contact: the `Debug` text of each activity, then the contact.
fn echoed(
    results: Vec<Result<Vec<leadgate_plugin_runtime::types::Award>, leadgate_plugin_runtime::ContactFailure>>,
) -> Vec<Vec<String>> {
    results
        .into_iter()
        .map(|result| {
            result
                .expect("echo scores every contact")
                .into_iter()
                .map(|award| award.reason)
                .collect()
        })
        .collect()
}

#[test]
fn views_reach_the_plugin_exactly_as_the_owned_types_do() {
    let (plugin, config) = echo_plugin();
    let owned = inputs();
    let histories: Vec<ContactHistory<'_>> = owned.iter().map(history).collect();
    let views: Vec<_> = histories
        .iter()
        .map(|history| ContactActivitiesView::select(history, |_| true))
        .collect();

    let through_owned = echoed(
        plugin
            .score_batch(&config, &owned, START_OF_2026)
            .expect("the owned batch runs")
            .results,
    );
    let through_views = echoed(
        plugin
            .score_batch(&config, &views, START_OF_2026)
            .expect("the view batch runs")
            .results,
    );
    assert_eq!(through_views, through_owned);

    // The echo shows real values, so the comparison above compares something.
    let full = &through_views[0];
    assert_eq!(full.len(), 8, "seven activities and the contact: {full:#?}");
    for expected in [
        r#"id: "a-purchase""#,
        "quantity: Some(4294967295)",
        "value: Some(-1.5)",
        r#"name: "channel", value: "reseller""#,
    ] {
        assert!(full[0].contains(expected), "{expected} in {}", full[0]);
    }
    assert!(full[1].contains(r#"subject: Some("")"#), "{}", full[1]);
    assert!(
        full[2].contains(r#"id: """#) && full[2].contains("subject: None"),
        "{}",
        full[2]
    );
    assert!(full[3].contains("campaign ✉"), "{}", full[3]);
    assert!(full[5].contains(r#"name: "c", value: "3""#), "{}", full[5]);
    assert!(full[6].contains(r#"Custom("webinar-replay")"#), "{}", full[6]);
    assert!(
        full[7].contains("Hauptstraße 1") && full[7].contains("enterprise"),
        "{}",
        full[7]
    );
    assert_eq!(through_views[1].len(), 1, "the bare contact has no activities");
    assert!(
        through_views[1][0].contains(r#"id: "c-bare""#),
        "{}",
        through_views[1][0]
    );
}

#[test]
fn a_rule_sees_only_the_kinds_it_selected_in_order() {
    let (plugin, config) = echo_plugin();
    let owned = inputs();
    let history = history(&owned[0]);
    let purchases_and_custom = ContactActivitiesView::select(&history, |kind| {
        matches!(kind, ActivityKindView::Purchase | ActivityKindView::Custom(_))
    });
    let seen = echoed(
        plugin
            .score_batch(&config, &[purchases_and_custom], START_OF_2026)
            .expect("the batch runs")
            .results,
    );
    assert_eq!(seen[0].len(), 3, "{:#?}", seen[0]);
    assert!(seen[0][0].contains("a-purchase"), "{}", seen[0][0]);
    assert!(seen[0][1].contains("a-custom"), "{}", seen[0][1]);
}
