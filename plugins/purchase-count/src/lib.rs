//! `purchase-count`: points per unit of a product a contact bought, e.g. "one point per
//! Microsoft Office license purchased".
//!
//! Only `purchase` activities count, and only those whose `subject`, trimmed, equals the
//! configured product ignoring case. Each purchase counts `quantity` units, or 1 when the
//! quantity is absent (a quantity of 0 counts 0).
//!
//! # Configuration
//!
//! | Key          | Required | Meaning |
//! |--------------|----------|---------|
//! | `product`    | yes      | The product to count, compared with the purchase's `subject` ignoring case and surrounding whitespace. |
//! | `points`     | no       | Integer points per unit, default `1`; may be negative. |
//! | `max-points` | no       | Cap on the total of the awards returned, `>= 0`; only valid when `points` is greater than 0. |
//! | `valid-days` | no       | Integer `> 0`: each purchase's points expire this many days after the purchase. |
//!
//! Any other key is rejected as invalid-config.
//!
//! # Awards
//!
//! Without `valid-days`: one award of `points × units` over all matching purchases, capped at
//! `max-points`, that never expires, with the reason `bought 3000 × Microsoft Office in 2
//! purchases` (`in 1 purchase` for one; purchases of 0 units are not counted). No award when the
//! contact bought no units.
//!
//! With `valid-days`: one award per matching purchase whose window is still open at `now`
//! (purchases whose points expired at or before `now` are skipped), newest first, each of
//! `points × quantity` and expiring `valid-days` days after the purchase, with the reason
//! `bought 12 × Microsoft Office on 2026-03-01` (the purchase's UTC date). `max-points` is shared
//! newest first: the award that reaches the cap is cut down to fit, later (older) ones are
//! dropped.
//!
//! An award the cap cut down says so: `… (capped at max-points 500)`. Awards of 0 points are
//! never returned (e.g. with `points = 0`).

use leadgate_plugin_sdk::text::{eq_ignore_case, push_integer};
use leadgate_plugin_sdk::{
    Activity, ActivityKind, Award, Config, ContactActivities, CountedEvent, EventPoints, PluginError, Result,
    ScoringRule, Timestamp, register_scoring_rule,
};

const PRODUCT: &str = "product";
/// The rule's own key first, then the shared point keys: errors list the known keys in this order.
const KNOWN_KEYS: &[&str] = &[
    PRODUCT,
    EventPoints::POINTS,
    EventPoints::MAX_POINTS,
    EventPoints::VALID_DAYS,
];

/// The rule, as configured for one rule of the host.
#[derive(Debug, Clone, PartialEq)]
struct PurchaseCount {
    /// The product as configured, trimmed: compared with subjects, and named in reasons.
    product: String,
    /// `points`, `max-points` and `valid-days`, and the awards they give.
    points: EventPoints,
}

impl ScoringRule for PurchaseCount {
    fn from_config(config: &Config) -> Result<Self> {
        config.reject_unknown(KNOWN_KEYS)?;
        let product = config.require(PRODUCT)?.trim();
        if product.is_empty() {
            return Err(PluginError::invalid_config_key(PRODUCT, "must not be empty"));
        }
        Ok(Self {
            product: product.to_owned(),
            points: EventPoints::from_config(config)?,
        })
    }

    fn activity_kinds(&self) -> Option<Vec<ActivityKind>> {
        Some(vec![ActivityKind::Purchase])
    }

    fn score(&self, input: &ContactActivities, now: Timestamp) -> Result<Vec<Award>> {
        let purchases = input
            .activities
            .iter()
            .filter_map(|activity| self.purchase(activity));
        if self.points.valid_for().is_some() {
            // Built with `push_str` rather than `format!`: one reason per purchase, and
            // `core::fmt` would cost more than the rest of the rule.
            return Ok(self.points.awards_per_event(purchases, now, |purchase| {
                let mut reason = String::with_capacity(self.product.len() + 32);
                reason.push_str("bought ");
                push_integer(&mut reason, purchase.units);
                reason.push_str(" × ");
                reason.push_str(&self.product);
                reason.push_str(" on ");
                purchase.date().push_to(&mut reason);
                reason
            }));
        }
        // `purchase` left out purchases of 0 units, so they are not counted as purchases here.
        let (mut units, mut count) = (0_u64, 0_u64);
        for purchase in purchases {
            units += u64::from(purchase.units);
            count += 1;
        }
        let total = self.points.total_award(units, || {
            let mut reason = String::with_capacity(self.product.len() + 48);
            reason.push_str("bought ");
            push_integer(&mut reason, units);
            reason.push_str(" × ");
            reason.push_str(&self.product);
            reason.push_str(" in ");
            push_integer(&mut reason, count);
            reason.push_str(if count == 1 { " purchase" } else { " purchases" });
            reason
        });
        Ok(total.into_iter().collect())
    }
}

impl PurchaseCount {
    /// `activity` as a counted purchase when it is a purchase of the product, else `None`.
    /// Purchases of 0 units are left out, so that they count in neither units nor purchases.
    fn purchase(&self, activity: &Activity) -> Option<CountedEvent<()>> {
        if activity.kind != ActivityKind::Purchase {
            return None;
        }
        let subject = activity.subject()?.trim();
        if !eq_ignore_case(subject, &self.product) {
            return None;
        }
        let units = activity.quantity.unwrap_or(1);
        (units > 0).then(|| CountedEvent::new(activity.occurred_at, units, ()))
    }
}

register_scoring_rule!(PurchaseCount);

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_plugin_sdk::{Contact, MILLIS_PER_DAY, run_scoring_batch};

    /// 2026-03-01T00:00:00Z.
    const MARCH_1: Timestamp = 1_772_323_200_000;

    fn rule(entries: &[(&str, &str)]) -> Result<PurchaseCount> {
        PurchaseCount::from_config(&Config::from_entries(entries.iter().copied()))
    }

    fn purchase(day: i64, subject: &str, quantity: Option<u32>) -> Activity {
        let activity = Activity::new(
            format!("p-{day}"),
            ActivityKind::Purchase,
            MARCH_1 + day * MILLIS_PER_DAY,
        )
        .with_subject(subject);
        match quantity {
            Some(quantity) => activity.with_quantity(quantity),
            None => activity,
        }
    }

    fn contact(activities: Vec<Activity>) -> ContactActivities {
        ContactActivities::new(Contact::new("c-1"), activities)
    }

    fn score(entries: &[(&str, &str)], activities: Vec<Activity>, now: Timestamp) -> Vec<Award> {
        match rule(entries).and_then(|rule| rule.score(&contact(activities), now)) {
            Ok(awards) => awards,
            Err(error) => panic!("scoring failed: {error}"),
        }
    }

    fn summary(awards: &[Award]) -> Vec<(i64, &str, Option<Timestamp>)> {
        awards
            .iter()
            .map(|award| (award.points, award.reason.as_str(), award.expires_at))
            .collect()
    }

    #[test]
    fn one_point_per_license() {
        let activities = vec![
            purchase(0, "Microsoft Office", Some(1000)),
            purchase(1, "Visio", Some(7)),
            purchase(2, "  microsoft OFFICE ", Some(2000)),
            Activity::new("v", ActivityKind::PageVisit, MARCH_1).with_subject("Microsoft Office"),
        ];
        let awards = score(&[("product", "Microsoft Office")], activities, MARCH_1);
        assert_eq!(
            summary(&awards),
            [(3000, "bought 3000 × Microsoft Office in 2 purchases", None)]
        );
    }

    #[test]
    fn missing_quantity_is_one_and_zero_is_zero() {
        let activities = vec![purchase(0, "Office", None), purchase(1, "Office", Some(0))];
        let awards = score(&[("product", "office"), ("points", "5")], activities, MARCH_1);
        assert_eq!(summary(&awards), [(5, "bought 1 × office in 1 purchase", None)]);

        let only_zero = vec![purchase(0, "Office", Some(0))];
        assert!(score(&[("product", "Office")], only_zero, MARCH_1).is_empty());
        assert!(score(&[("product", "Office")], Vec::new(), MARCH_1).is_empty());
    }

    #[test]
    fn negative_points_and_caps() {
        let activities = vec![purchase(0, "Office", Some(3)), purchase(1, "Office", Some(4))];
        let awards = score(
            &[("product", "Office"), ("points", "-2")],
            activities.clone(),
            MARCH_1,
        );
        assert_eq!(
            summary(&awards),
            [(-14, "bought 7 × Office in 2 purchases", None)]
        );

        let awards = score(
            &[("product", "Office"), ("points", "10"), ("max-points", "50")],
            activities.clone(),
            MARCH_1,
        );
        assert_eq!(
            summary(&awards),
            [(
                50,
                "bought 7 × Office in 2 purchases (capped at max-points 50)",
                None
            )]
        );

        let awards = score(
            &[("product", "Office"), ("points", "10"), ("max-points", "70")],
            activities.clone(),
            MARCH_1,
        );
        assert_eq!(summary(&awards), [(70, "bought 7 × Office in 2 purchases", None)]);

        assert!(score(&[("product", "Office"), ("max-points", "0")], activities, MARCH_1).is_empty());
    }

    #[test]
    fn huge_quantities_saturate() {
        let activities = vec![
            purchase(0, "Office", Some(u32::MAX)),
            purchase(1, "Office", Some(u32::MAX)),
        ];
        let awards = score(
            &[("product", "Office"), ("points", "9223372036854775807")],
            activities,
            MARCH_1,
        );
        assert_eq!(awards.first().map(|award| award.points), Some(i64::MAX));
    }

    #[test]
    fn valid_days_gives_one_award_per_purchase_newest_first() {
        let activities = vec![
            purchase(-40, "Office", Some(5)), // expired 10 days before `now`
            purchase(-20, "Office", Some(3)),
            purchase(0, "Office", None),
            purchase(1, "Office", Some(0)), // counts 0 units: no award
        ];
        let now = MARCH_1 + 2 * MILLIS_PER_DAY;
        let awards = score(
            &[("product", "Office"), ("points", "2"), ("valid-days", "30")],
            activities,
            now,
        );
        assert_eq!(
            summary(&awards),
            [
                (
                    2,
                    "bought 1 × Office on 2026-03-01",
                    Some(MARCH_1 + 30 * MILLIS_PER_DAY)
                ),
                (
                    6,
                    "bought 3 × Office on 2026-02-09",
                    Some(MARCH_1 + 10 * MILLIS_PER_DAY)
                ),
            ]
        );
    }

    #[test]
    fn window_ending_exactly_now_is_skipped() {
        let now = MARCH_1 + 30 * MILLIS_PER_DAY;
        let awards = score(
            &[("product", "Office"), ("valid-days", "30")],
            vec![purchase(0, "Office", Some(1)), purchase(1, "Office", Some(1))],
            now,
        );
        assert_eq!(
            summary(&awards),
            [(1, "bought 1 × Office on 2026-03-02", Some(now + MILLIS_PER_DAY))]
        );
    }

    #[test]
    fn cap_is_shared_newest_first() {
        // Given out of order: the rule sorts newest first itself.
        let activities = vec![
            purchase(2, "Office", Some(4)),
            purchase(0, "Office", Some(4)),
            purchase(3, "Office", Some(4)),
            purchase(1, "Office", Some(4)),
        ];
        let awards = score(
            &[
                ("product", "Office"),
                ("points", "10"),
                ("max-points", "100"),
                ("valid-days", "365"),
            ],
            activities,
            MARCH_1,
        );
        assert_eq!(
            awards.iter().map(|award| award.points).collect::<Vec<_>>(),
            [40, 40, 20]
        );
        assert_eq!(awards[0].reason, "bought 4 × Office on 2026-03-04");
        assert_eq!(awards[1].reason, "bought 4 × Office on 2026-03-03");
        assert_eq!(
            awards[2].reason,
            "bought 4 × Office on 2026-03-02 (capped at max-points 100)"
        );
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let message = |entries: &[(&str, &str)]| match rule(entries) {
            Ok(rule) => panic!("accepted {rule:?}"),
            Err(error) => error.message().to_owned(),
        };
        assert_eq!(message(&[]), "config key `product` is required but not set");
        assert_eq!(
            message(&[("product", "  ")]),
            "config key `product`: must not be empty"
        );
        assert_eq!(
            message(&[("product", "x"), ("points", "abc")]),
            "config key `points`: expected an integer, got `abc`"
        );
        assert_eq!(
            message(&[("product", "x"), ("max-points", "-1")]),
            "config key `max-points`: must be 0 or more, got `-1`"
        );
        assert_eq!(
            message(&[("product", "x"), ("points", "-1"), ("max-points", "5")]),
            "config key `max-points`: only valid when `points` is greater than 0, but it is `-1`"
        );
        assert_eq!(
            message(&[("product", "x"), ("valid-days", "0")]),
            "config key `valid-days`: must be greater than 0, got `0`"
        );
        assert!(
            message(&[("product", "x"), ("max-point", "5")])
                .starts_with("config key `max-point` is not known")
        );
        assert!(matches!(rule(&[]), Err(PluginError::InvalidConfig(_))));
    }

    #[test]
    fn a_bad_configuration_fails_every_contact() {
        let contacts = vec![contact(Vec::new()), contact(Vec::new())];
        let results = run_scoring_batch::<PurchaseCount>(&Config::default(), &contacts, MARCH_1);
        assert_eq!(results.len(), 2);
        assert!(
            results
                .iter()
                .all(|result| matches!(result, Err(PluginError::InvalidConfig(_))))
        );
    }
}
