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

use std::cmp::Reverse;

use leadgate_plugin_sdk::text::eq_ignore_case;
use leadgate_plugin_sdk::{
    Activity, ActivityKind, Award, Config, ContactActivities, Date, PluginError, PointsCap, Result,
    ScoringRule, Timestamp, days, register_scoring_rule,
};

const PRODUCT: &str = "product";
const POINTS: &str = "points";
const MAX_POINTS: &str = "max-points";
const VALID_DAYS: &str = "valid-days";
const KNOWN_KEYS: &[&str] = &[PRODUCT, POINTS, MAX_POINTS, VALID_DAYS];

/// The rule, as configured for one rule of the host.
#[derive(Debug, Clone, PartialEq)]
struct PurchaseCount {
    /// The product as configured, trimmed: compared with subjects, and named in reasons.
    product: String,
    points: i64,
    max_points: Option<i64>,
    /// How long each purchase's points count, in milliseconds; `None` = forever.
    valid_for: Option<i64>,
}

impl ScoringRule for PurchaseCount {
    fn from_config(config: &Config) -> Result<Self> {
        config.reject_unknown(KNOWN_KEYS)?;
        let product = config.require(PRODUCT)?.trim();
        if product.is_empty() {
            return Err(PluginError::invalid_config_key(PRODUCT, "must not be empty"));
        }
        let points = config.get_or(POINTS, 1_i64)?;
        let max_points = config.get_parsed::<i64>(MAX_POINTS)?;
        if let Some(max_points) = max_points {
            if max_points < 0 {
                return Err(PluginError::invalid_config_key(
                    MAX_POINTS,
                    format_args!("must be 0 or more, got `{max_points}`"),
                ));
            }
            if points <= 0 {
                return Err(PluginError::invalid_config_key(
                    MAX_POINTS,
                    format_args!("only valid when `{POINTS}` is greater than 0, but it is `{points}`"),
                ));
            }
        }
        let valid_for = match config.get_parsed::<i64>(VALID_DAYS)? {
            Some(valid_days) if valid_days <= 0 => {
                return Err(PluginError::invalid_config_key(
                    VALID_DAYS,
                    format_args!("must be greater than 0, got `{valid_days}`"),
                ));
            }
            Some(valid_days) => Some(days(valid_days)),
            None => None,
        };
        Ok(Self {
            product: product.to_owned(),
            points,
            max_points,
            valid_for,
        })
    }

    fn activity_kinds(&self) -> Option<Vec<ActivityKind>> {
        Some(vec![ActivityKind::Purchase])
    }

    fn score(&self, input: &ContactActivities, now: Timestamp) -> Result<Vec<Award>> {
        Ok(match self.valid_for {
            None => self.total_award(&input.activities).into_iter().collect(),
            Some(valid_for) => self.expiring_awards(&input.activities, valid_for, now),
        })
    }
}

impl PurchaseCount {
    /// The units of `activity` when it is a purchase of the product, else `None`.
    fn units(&self, activity: &Activity) -> Option<u32> {
        if activity.kind != ActivityKind::Purchase {
            return None;
        }
        let subject = activity.subject()?.trim();
        eq_ignore_case(subject, &self.product).then(|| activity.quantity.unwrap_or(1))
    }

    /// One never-expiring award for all purchases of the product (without `valid-days`).
    fn total_award(&self, activities: &[Activity]) -> Option<Award> {
        let mut units: u64 = 0;
        let mut purchases: u64 = 0;
        for purchase_units in activities.iter().filter_map(|activity| self.units(activity)) {
            if purchase_units > 0 {
                units += u64::from(purchase_units);
                purchases += 1;
            }
        }
        if units == 0 {
            return None;
        }
        let points = self
            .points
            .saturating_mul(i64::try_from(units).unwrap_or(i64::MAX));
        let granted = PointsCap::new(self.max_points).take(points);
        if granted.points == 0 {
            return None;
        }
        let plural = if purchases == 1 { "" } else { "s" };
        let mut reason = format!(
            "bought {units} × {} in {purchases} purchase{plural}",
            self.product
        );
        if granted.capped {
            push_cap_note(&mut reason, self.max_points);
        }
        Some(Award::new(granted.points, reason))
    }

    /// One award per purchase still valid at `now`, newest first, sharing `max-points`.
    fn expiring_awards(&self, activities: &[Activity], valid_for: i64, now: Timestamp) -> Vec<Award> {
        // Activities arrive oldest first; walking them backwards usually gives newest first
        // already, and the stable sort makes sure of it (ties keep the later activity first).
        let mut purchases: Vec<(Timestamp, u32, Timestamp)> = activities
            .iter()
            .rev()
            .filter_map(|activity| {
                let units = self.units(activity).filter(|&units| units > 0)?;
                let expires_at = activity.occurred_at.saturating_add(valid_for);
                (expires_at > now).then_some((activity.occurred_at, units, expires_at))
            })
            .collect();
        purchases.sort_by_key(|&(occurred_at, ..)| Reverse(occurred_at));

        let mut cap = PointsCap::new(self.max_points);
        let mut awards = Vec::with_capacity(purchases.len());
        for (occurred_at, units, expires_at) in purchases {
            if cap.is_exhausted() {
                break;
            }
            let granted = cap.take(self.points.saturating_mul(i64::from(units)));
            if granted.points == 0 {
                continue;
            }
            let mut reason = format!(
                "bought {units} × {} on {}",
                self.product,
                Date::from_timestamp(occurred_at)
            );
            if granted.capped {
                push_cap_note(&mut reason, self.max_points);
            }
            awards.push(Award::new(granted.points, reason).expires_at(expires_at));
        }
        awards
    }
}

/// Appends the note that the cap cut the award down.
fn push_cap_note(reason: &mut String, max_points: Option<i64>) {
    if let Some(max_points) = max_points {
        reason.push_str(&format!(" (capped at {MAX_POINTS} {max_points})"));
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
