//! `page-visits`: points per visit to pages whose URL matches a glob pattern, e.g. "5 points per
//! visit to a pricing page".
//!
//! Only `page-visit` activities count, and only those whose `subject` (the URL, trimmed) matches
//! the pattern. A visit without a URL never matches.
//!
//! # Configuration
//!
//! | Key          | Required | Meaning |
//! |--------------|----------|---------|
//! | `pattern`    | yes      | Glob over the whole URL, ignoring case: `*` = any run of characters (also none), `?` = exactly one; e.g. `*/pricing*`. |
//! | `points`     | no       | Integer points per matching visit, default `1`; may be negative. |
//! | `max-points` | no       | Cap on the total of the awards returned, `>= 0`; only valid when `points` is greater than 0. |
//! | `valid-days` | no       | Integer `> 0`: each visit's points expire this many days after the visit (decay). |
//!
//! Any other key is rejected as invalid-config.
//!
//! # Awards
//!
//! Without `valid-days`: one award of `points × visits`, capped at `max-points`, that never
//! expires, with the reason `visited */pricing* 4 times` (`once` for one visit). No award
//! without a matching visit.
//!
//! With `valid-days`: one award of `points` per matching visit whose window is still open at
//! `now` (visits whose points expired at or before `now` are skipped), newest first, expiring
//! `valid-days` days after the visit, with the reason
//! `visited https://example.com/pricing on 2026-03-01` (the visit's UTC date). `max-points` is
//! shared newest first: the award that reaches the cap is cut down to fit, older ones are
//! dropped.
//!
//! An award the cap cut down says so: `… (capped at max-points 20)`. Awards of 0 points are
//! never returned (e.g. with `points = 0`).

use leadgate_plugin_sdk::text::push_integer;
use leadgate_plugin_sdk::{
    Activity, ActivityKind, Award, Config, ContactActivities, CountedEvent, EventPoints, Glob, PluginError,
    Result, ScoringRule, Timestamp, register_scoring_rule,
};

const PATTERN: &str = "pattern";
/// The rule's own key first, then the shared point keys: errors list the known keys in this order.
const KNOWN_KEYS: &[&str] = &[
    PATTERN,
    EventPoints::POINTS,
    EventPoints::MAX_POINTS,
    EventPoints::VALID_DAYS,
];

/// The rule, as configured for one rule of the host.
#[derive(Debug, Clone, PartialEq)]
struct PageVisits {
    /// The compiled, case-insensitive pattern; its source is named in reasons.
    pattern: Glob,
    /// `points`, `max-points` and `valid-days`, and the awards they give.
    points: EventPoints,
}

impl ScoringRule for PageVisits {
    fn from_config(config: &Config) -> Result<Self> {
        config.reject_unknown(KNOWN_KEYS)?;
        let pattern = config.require(PATTERN)?.trim();
        if pattern.is_empty() {
            return Err(PluginError::invalid_config_key(PATTERN, "must not be empty"));
        }
        Ok(Self {
            pattern: Glob::new(pattern, true),
            points: EventPoints::from_config(config)?,
        })
    }

    fn activity_kinds(&self) -> Option<Vec<ActivityKind>> {
        Some(vec![ActivityKind::PageVisit])
    }

    fn score(&self, input: &ContactActivities, now: Timestamp) -> Result<Vec<Award>> {
        let visits = input
            .activities
            .iter()
            .filter_map(|activity| self.visit(activity));
        if self.points.valid_for().is_some() {
            // Built with `push_str` rather than `format!`: one reason per visit, and `core::fmt`
            // would cost more than the rest of the rule.
            return Ok(self.points.awards_per_event(visits, now, |visit| {
                let mut reason = String::with_capacity(visit.payload.len() + 22);
                reason.push_str("visited ");
                reason.push_str(visit.payload);
                reason.push_str(" on ");
                visit.date().push_to(&mut reason);
                reason
            }));
        }
        let count = visits.count();
        // Each visit is one unit. A `usize` always fits in a `u64` where plugins run; the
        // fallback only avoids a panic path.
        let units = u64::try_from(count).unwrap_or(u64::MAX);
        let pattern = self.pattern.as_str();
        let total = self.points.total_award(units, || {
            let mut reason = String::with_capacity(pattern.len() + 24);
            reason.push_str("visited ");
            reason.push_str(pattern);
            if count == 1 {
                reason.push_str(" once");
            } else {
                reason.push(' ');
                push_integer(&mut reason, count);
                reason.push_str(" times");
            }
            reason
        });
        Ok(total.into_iter().collect())
    }
}

impl PageVisits {
    /// `activity` as a counted visit (one unit, carrying its URL) when it is a visit to a
    /// matching page, else `None`.
    fn visit<'a>(&self, activity: &'a Activity) -> Option<CountedEvent<&'a str>> {
        if activity.kind != ActivityKind::PageVisit {
            return None;
        }
        let url = activity.subject()?.trim();
        self.pattern
            .matches(url)
            .then(|| CountedEvent::new(activity.occurred_at, 1, url))
    }
}

register_scoring_rule!(PageVisits);

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_plugin_sdk::{Contact, MILLIS_PER_DAY, run_scoring_batch};

    /// 2026-03-01T00:00:00Z.
    const MARCH_1: Timestamp = 1_772_323_200_000;

    fn rule(entries: &[(&str, &str)]) -> Result<PageVisits> {
        PageVisits::from_config(&Config::from_entries(entries.iter().copied()))
    }

    fn visit(day: i64, url: &str) -> Activity {
        Activity::new(
            format!("v-{day}"),
            ActivityKind::PageVisit,
            MARCH_1 + day * MILLIS_PER_DAY,
        )
        .with_subject(url)
    }

    fn score(entries: &[(&str, &str)], activities: Vec<Activity>, now: Timestamp) -> Vec<Award> {
        let input = ContactActivities::new(Contact::new("c-1"), activities);
        match rule(entries).and_then(|rule| rule.score(&input, now)) {
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

    fn visits() -> Vec<Activity> {
        vec![
            visit(-3, "https://example.com/pricing"),
            visit(-2, "https://example.com/about"),
            Activity::new("no-url", ActivityKind::PageVisit, MARCH_1),
            visit(-1, " HTTPS://EXAMPLE.COM/Pricing?plan=pro "),
            Activity::new("click", ActivityKind::EmailClick, MARCH_1)
                .with_subject("https://example.com/pricing"),
            visit(0, "https://example.com/pricing/enterprise"),
            visit(1, "https://example.com/pricing#faq"),
        ]
    }

    #[test]
    fn counts_matching_visits() {
        let awards = score(&[("pattern", "*/pricing*")], visits(), MARCH_1);
        assert_eq!(summary(&awards), [(4, "visited */pricing* 4 times", None)]);

        let awards = score(&[("pattern", "*/about"), ("points", "-3")], visits(), MARCH_1);
        assert_eq!(summary(&awards), [(-3, "visited */about once", None)]);

        assert!(score(&[("pattern", "*/careers*")], visits(), MARCH_1).is_empty());
        assert!(score(&[("pattern", "*")], Vec::new(), MARCH_1).is_empty());
    }

    #[test]
    fn caps_the_total() {
        let awards = score(
            &[("pattern", "*/pricing*"), ("points", "5"), ("max-points", "12")],
            visits(),
            MARCH_1,
        );
        assert_eq!(
            summary(&awards),
            [(12, "visited */pricing* 4 times (capped at max-points 12)", None)]
        );
    }

    #[test]
    fn decays_per_visit_newest_first() {
        let now = MARCH_1 + 2 * MILLIS_PER_DAY;
        let awards = score(
            &[
                ("pattern", "*/pricing*"),
                ("points", "5"),
                ("valid-days", "4"),
                ("max-points", "12"),
            ],
            visits(),
            now,
        );
        // The visit on day -3 expired at day 1, before `now` (day 2).
        assert_eq!(
            summary(&awards),
            [
                (
                    5,
                    "visited https://example.com/pricing#faq on 2026-03-02",
                    Some(MARCH_1 + 5 * MILLIS_PER_DAY)
                ),
                (
                    5,
                    "visited https://example.com/pricing/enterprise on 2026-03-01",
                    Some(MARCH_1 + 4 * MILLIS_PER_DAY)
                ),
                (
                    2,
                    "visited HTTPS://EXAMPLE.COM/Pricing?plan=pro on 2026-02-28 (capped at max-points 12)",
                    Some(MARCH_1 + 3 * MILLIS_PER_DAY)
                ),
            ]
        );
    }

    #[test]
    fn zero_points_give_no_awards() {
        assert!(score(&[("pattern", "*"), ("points", "0")], visits(), MARCH_1).is_empty());
        assert!(
            score(
                &[("pattern", "*"), ("points", "0"), ("valid-days", "9")],
                visits(),
                MARCH_1
            )
            .is_empty()
        );
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let message = |entries: &[(&str, &str)]| match rule(entries) {
            Ok(rule) => panic!("accepted {rule:?}"),
            Err(error) => error.message().to_owned(),
        };
        assert_eq!(message(&[]), "config key `pattern` is required but not set");
        assert_eq!(
            message(&[("pattern", "")]),
            "config key `pattern`: must not be empty"
        );
        assert_eq!(
            message(&[("pattern", "*"), ("valid-days", "-2")]),
            "config key `valid-days`: must be greater than 0, got `-2`"
        );
        assert_eq!(
            message(&[("pattern", "*"), ("points", "0"), ("max-points", "3")]),
            "config key `max-points`: only valid when `points` is greater than 0, but it is `0`"
        );
        assert_eq!(
            message(&[("pattern", "*"), ("url", "x")]),
            "config key `url` is not known; known keys: `pattern`, `points`, `max-points`, `valid-days`"
        );
    }

    #[test]
    fn one_result_per_contact() {
        let config = Config::from_entries([("pattern", "*/pricing*")]);
        let contacts = vec![
            ContactActivities::new(Contact::new("a"), visits()),
            ContactActivities::new(Contact::new("b"), Vec::new()),
        ];
        let results = run_scoring_batch::<PageVisits>(&config, &contacts, MARCH_1);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].as_ref().map(Vec::len), Ok(1));
        assert_eq!(results[1].as_ref().map(Vec::len), Ok(0));
    }
}
