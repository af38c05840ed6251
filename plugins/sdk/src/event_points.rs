//! Points per counted event: the `points`, `max-points` and `valid-days` keys, and the awards
//! they give.
//!
//! Many rules have the same shape: find the activities that count (purchases of a product,
//! visits to some pages), give each a number of units, and award `points` per unit, optionally
//! capped at `max-points` and optionally expiring `valid-days` days after each event. Such rules
//! would otherwise each parse the same three keys and build their awards the same way, and
//! drift apart in the details that users see: error messages, which awards a cap cuts, how ties
//! are ordered, whether awards of 0 points come back. [`EventPoints`] keeps those details in one
//! place, so that a rule only says which activities count, how many units each is worth and how
//! to word its reasons.
//!
//! # Keys
//!
//! | Key          | Meaning |
//! |--------------|---------|
//! | `points`     | Integer points per unit, default `1`; may be negative. |
//! | `max-points` | Cap on the total of the awards returned, `>= 0`; only valid when `points` is greater than 0. |
//! | `valid-days` | Integer `> 0`: each event's points expire this many days after the event. |
//!
//! # Awards
//!
//! * [`EventPoints::total_award`]: one award for all events together, that never expires
//!   (what rules give without `valid-days`).
//! * [`EventPoints::awards_per_event`]: one award per event, newest first, each expiring
//!   `valid-days` after its event; events whose points expired at or before `now` get none.
//!
//! Both share `max-points` (newest first) and note a cut award in its reason, e.g.
//! `bought 7 × Office in 2 purchases (capped at max-points 50)`. Neither returns an award of
//! 0 points.
//!
//! ```
//! use leadgate_plugin_sdk::{Config, CountedEvent, EventPoints, MILLIS_PER_DAY};
//!
//! let config = Config::from_entries([("points", "5"), ("max-points", "12"), ("valid-days", "30")]);
//! let points = EventPoints::from_config(&config)?;
//!
//! // Two visits, oldest first as activities arrive, each worth one unit.
//! let march_1 = 1_772_323_200_000; // 2026-03-01T00:00:00Z
//! let visits = [
//!     CountedEvent::new(march_1, 1, "/pricing"),
//!     CountedEvent::new(march_1 + MILLIS_PER_DAY, 1, "/pricing#faq"),
//! ];
//! let awards = points.awards_per_event(visits, march_1, |visit| {
//!     format!("visited {} on {}", visit.payload, visit.date())
//! });
//! assert_eq!(awards[0].points, 5);
//! assert_eq!(awards[0].reason, "visited /pricing#faq on 2026-03-02");
//! assert_eq!(awards[1].points, 5);
//!
//! let total = points.total_award(4, || "visited 4 times".to_owned());
//! assert_eq!(
//!     total.map(|award| award.reason),
//!     Some("visited 4 times (capped at max-points 12)".to_owned())
//! );
//! # Ok::<(), leadgate_plugin_sdk::PluginError>(())
//! ```

use core::cmp::Reverse;

use crate::{Award, Config, Date, PluginError, PointsCap, Result, Timestamp, days};

/// How many points a rule awards per counted event, capped and expiring as configured by the
/// keys `points`, `max-points` and `valid-days` (see the [module docs](self)).
///
/// Built by [`EventPoints::from_config`], which validates the keys, so that a value always holds
/// a consistent configuration: `max-points` is only set, and only `>= 0`, when `points` is
/// greater than 0, and `valid-days` is only set when greater than 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventPoints {
    /// Points per unit; may be negative.
    points: i64,
    /// Cap on the total of the awards returned for one contact.
    max_points: Option<i64>,
    /// How long each event's points count, in milliseconds; `None` = forever.
    valid_for: Option<i64>,
}

/// One event a rule counts: when it happened, how many units it is worth, and whatever the rule
/// needs to word the reason of its award (the `payload`, e.g. the URL of a page visit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountedEvent<Payload> {
    /// When the event happened.
    pub occurred_at: Timestamp,
    /// How many units the event is worth, e.g. a purchase's quantity, or 1 per page visit.
    pub units: u32,
    /// What the rule wants to name in the reason of the event's award.
    pub payload: Payload,
}

impl<Payload> CountedEvent<Payload> {
    /// An event that happened at `occurred_at`, worth `units`, carrying `payload`.
    pub fn new(occurred_at: Timestamp, units: u32, payload: Payload) -> Self {
        Self {
            occurred_at,
            units,
            payload,
        }
    }

    /// The UTC calendar date of the event, as reasons name it (`2026-03-01`).
    pub fn date(&self) -> Date {
        Date::from_timestamp(self.occurred_at)
    }
}

impl EventPoints {
    /// The key of the points per unit.
    pub const POINTS: &'static str = "points";
    /// The key of the cap on the total of the awards.
    pub const MAX_POINTS: &'static str = "max-points";
    /// The key of the number of days each event's points count.
    pub const VALID_DAYS: &'static str = "valid-days";
    /// Every key [`EventPoints::from_config`] reads, in the order rules list them for
    /// [`Config::reject_unknown`]: after their own keys, which errors name first, e.g.
    /// `&["product", EventPoints::POINTS, EventPoints::MAX_POINTS, EventPoints::VALID_DAYS]`.
    /// A rule without keys of its own passes `EventPoints::KEYS` as is.
    pub const KEYS: &'static [&'static str] = &[Self::POINTS, Self::MAX_POINTS, Self::VALID_DAYS];

    /// Reads and validates `points` (default 1), `max-points` and `valid-days`.
    ///
    /// It rejects no other key, since only the rule knows its own: the rule calls
    /// [`Config::reject_unknown`] with its own keys and those of [`EventPoints::KEYS`]. Errors
    /// name the key, e.g.
    /// "config key `max-points`: only valid when `points` is greater than 0, but it is `-1`".
    pub fn from_config(config: &Config) -> Result<Self> {
        let points = config.get_or(Self::POINTS, 1_i64)?;
        let max_points = config.get_parsed::<i64>(Self::MAX_POINTS)?;
        if let Some(max_points) = max_points {
            if max_points < 0 {
                return Err(PluginError::invalid_config_key(
                    Self::MAX_POINTS,
                    format_args!("must be 0 or more, got `{max_points}`"),
                ));
            }
            // A cap limits gains, not penalties: with 0 or negative points it would do nothing,
            // which is most likely a mistake in the configuration.
            if points <= 0 {
                return Err(PluginError::invalid_config_key(
                    Self::MAX_POINTS,
                    format_args!(
                        "only valid when `{}` is greater than 0, but it is `{points}`",
                        Self::POINTS
                    ),
                ));
            }
        }
        let valid_for = match config.get_parsed::<i64>(Self::VALID_DAYS)? {
            Some(valid_days) if valid_days <= 0 => {
                return Err(PluginError::invalid_config_key(
                    Self::VALID_DAYS,
                    format_args!("must be greater than 0, got `{valid_days}`"),
                ));
            }
            Some(valid_days) => Some(days(valid_days)),
            None => None,
        };
        Ok(Self {
            points,
            max_points,
            valid_for,
        })
    }

    /// Points per unit (`points`); may be negative.
    pub fn points(&self) -> i64 {
        self.points
    }

    /// The cap on the total of the awards for one contact (`max-points`), if any.
    pub fn max_points(&self) -> Option<i64> {
        self.max_points
    }

    /// How long each event's points count, in milliseconds (`valid-days`); `None` = forever.
    ///
    /// Rules give [`EventPoints::total_award`] when it is `None` and
    /// [`EventPoints::awards_per_event`] when it is set.
    pub fn valid_for(&self) -> Option<i64> {
        self.valid_for
    }

    /// One award, that never expires, of `points × units` (saturating) for all of a contact's
    /// events together, capped at `max-points`; `None` when that comes to 0 points (no units,
    /// `points = 0` or `max-points = 0`).
    ///
    /// `reason` words the award; it is only called when there is an award. A cap that cut the
    /// award is noted after it: `… (capped at max-points 50)`. `valid-days` plays no part here.
    pub fn total_award(&self, units: u64, reason: impl FnOnce() -> String) -> Option<Award> {
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
        let mut reason = reason();
        if granted.capped {
            self.push_cap_note(&mut reason);
        }
        Some(Award::new(granted.points, reason))
    }

    /// One award per event, newest first, of `points × units` (saturating) each.
    ///
    /// `events` come in the order of the contact's activities, oldest first. With `valid-days`,
    /// each award expires `valid-days` after its event, and events whose points expired at or
    /// before `now` get no award; without it, the awards never expire. Events at the same time
    /// keep the later one (in `events`) first.
    ///
    /// `max-points` is shared newest first: the award that reaches the cap is cut down to fit
    /// and its reason says so (`… (capped at max-points 50)`), older ones get nothing. Awards of
    /// 0 points (events of 0 units, `points = 0`) are left out. `reason` words each award and is
    /// only called for awards returned.
    pub fn awards_per_event<Payload>(
        &self,
        events: impl IntoIterator<Item = CountedEvent<Payload>>,
        now: Timestamp,
        mut reason: impl FnMut(&CountedEvent<Payload>) -> String,
    ) -> Vec<Award> {
        // Every award would be 0 points: skip looking at the events at all.
        if self.points == 0 {
            return Vec::new();
        }
        let mut live_events: Vec<(CountedEvent<Payload>, Option<Timestamp>)> = events
            .into_iter()
            .filter_map(|event| match self.valid_for {
                None => Some((event, None)),
                Some(valid_for) => {
                    let expires_at = event.occurred_at.saturating_add(valid_for);
                    (expires_at > now).then_some((event, Some(expires_at)))
                }
            })
            .collect();
        // Events usually arrive oldest first, so reversed they are usually newest first already;
        // the stable sort makes sure of it, and keeps the later of two events at the same time
        // first, as the cap must pick one of them deterministically.
        live_events.reverse();
        live_events.sort_by_key(|(event, _)| Reverse(event.occurred_at));

        let mut cap = PointsCap::new(self.max_points);
        let mut awards = Vec::with_capacity(live_events.len());
        for (event, expires_at) in live_events {
            if cap.is_exhausted() {
                break;
            }
            let granted = cap.take(self.points.saturating_mul(i64::from(event.units)));
            if granted.points == 0 {
                continue;
            }
            let mut reason = reason(&event);
            if granted.capped {
                self.push_cap_note(&mut reason);
            }
            let award = Award::new(granted.points, reason);
            awards.push(match expires_at {
                Some(expires_at) => award.expires_at(expires_at),
                None => award,
            });
        }
        awards
    }

    /// Appends the note that the cap cut the award down, so users see why it is smaller than
    /// `points × units`.
    fn push_cap_note(&self, reason: &mut String) {
        if let Some(max_points) = self.max_points {
            reason.push_str(" (capped at ");
            reason.push_str(Self::MAX_POINTS);
            reason.push(' ');
            crate::text::push_integer(reason, max_points);
            reason.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MILLIS_PER_DAY;

    /// 2026-03-01T00:00:00Z.
    const MARCH_1: Timestamp = 1_772_323_200_000;

    fn event_points(entries: &[(&str, &str)]) -> Result<EventPoints> {
        EventPoints::from_config(&Config::from_entries(entries.iter().copied()))
    }

    fn configured(entries: &[(&str, &str)]) -> EventPoints {
        match event_points(entries) {
            Ok(event_points) => event_points,
            Err(error) => panic!("rejected: {error}"),
        }
    }

    fn error_message(entries: &[(&str, &str)]) -> String {
        match event_points(entries) {
            Ok(event_points) => panic!("accepted {event_points:?}"),
            Err(error) => {
                assert!(matches!(error, PluginError::InvalidConfig(_)), "{error:?}");
                error.message().to_owned()
            }
        }
    }

    /// An event `day` days after March 1st, named after the day.
    fn event(day: i64, units: u32) -> CountedEvent<String> {
        CountedEvent::new(MARCH_1 + day * MILLIS_PER_DAY, units, format!("day {day}"))
    }

    fn per_event(
        entries: &[(&str, &str)],
        events: Vec<CountedEvent<String>>,
        now: Timestamp,
    ) -> Vec<(i64, String, Option<Timestamp>)> {
        configured(entries)
            .awards_per_event(events, now, |event| {
                format!("{} × {} on {}", event.units, event.payload, event.date())
            })
            .into_iter()
            .map(|award| (award.points, award.reason, award.expires_at))
            .collect()
    }

    fn total(entries: &[(&str, &str)], units: u64) -> Option<(i64, String, Option<Timestamp>)> {
        configured(entries)
            .total_award(units, || format!("{units} units"))
            .map(|award| (award.points, award.reason, award.expires_at))
    }

    #[test]
    fn defaults() {
        let event_points = configured(&[]);
        assert_eq!(event_points.points(), 1);
        assert_eq!(event_points.max_points(), None);
        assert_eq!(event_points.valid_for(), None);
    }

    #[test]
    fn reads_every_key() {
        let event_points = configured(&[("points", " 3 "), ("max-points", "0"), ("valid-days", "2")]);
        assert_eq!(event_points.points(), 3);
        assert_eq!(event_points.max_points(), Some(0));
        assert_eq!(event_points.valid_for(), Some(2 * MILLIS_PER_DAY));
        assert_eq!(configured(&[("points", "-4")]).points(), -4);
        assert_eq!(EventPoints::KEYS, ["points", "max-points", "valid-days"]);
    }

    #[test]
    fn configuration_errors_name_the_key() {
        assert_eq!(
            error_message(&[("points", "abc")]),
            "config key `points`: expected an integer, got `abc`"
        );
        assert_eq!(
            error_message(&[("max-points", "1.5")]),
            "config key `max-points`: expected an integer, got `1.5`"
        );
        assert_eq!(
            error_message(&[("max-points", "-1")]),
            "config key `max-points`: must be 0 or more, got `-1`"
        );
        assert_eq!(
            error_message(&[("points", "-1"), ("max-points", "5")]),
            "config key `max-points`: only valid when `points` is greater than 0, but it is `-1`"
        );
        assert_eq!(
            error_message(&[("points", "0"), ("max-points", "3")]),
            "config key `max-points`: only valid when `points` is greater than 0, but it is `0`"
        );
        assert_eq!(
            error_message(&[("valid-days", "0")]),
            "config key `valid-days`: must be greater than 0, got `0`"
        );
        assert_eq!(
            error_message(&[("valid-days", "-2")]),
            "config key `valid-days`: must be greater than 0, got `-2`"
        );
        // Other keys are the rule's business.
        assert!(event_points(&[("product", "x")]).is_ok());
    }

    #[test]
    fn total_award_multiplies_and_never_expires() {
        assert_eq!(total(&[], 3), Some((3, "3 units".to_owned(), None)));
        assert_eq!(
            total(&[("points", "-2"), ("valid-days", "1")], 7),
            Some((-14, "7 units".to_owned(), None))
        );
        assert_eq!(total(&[], 0), None);
        assert_eq!(total(&[("points", "0")], 5), None);
    }

    #[test]
    fn total_award_is_capped_with_a_note() {
        assert_eq!(
            total(&[("points", "10"), ("max-points", "50")], 7),
            Some((50, "7 units (capped at max-points 50)".to_owned(), None))
        );
        // Exactly reaching the cap is not being cut.
        assert_eq!(
            total(&[("points", "10"), ("max-points", "70")], 7),
            Some((70, "7 units".to_owned(), None))
        );
        assert_eq!(total(&[("max-points", "0")], 7), None);
    }

    #[test]
    fn total_award_saturates() {
        let points = i64::MAX.to_string();
        assert_eq!(
            total(&[("points", points.as_str())], 2).map(|(points, ..)| points),
            Some(i64::MAX)
        );
        assert_eq!(
            total(&[("points", "-1")], u64::MAX).map(|(points, ..)| points),
            Some(-i64::MAX)
        );
    }

    #[test]
    fn total_award_calls_reason_only_for_an_award() {
        let mut calls = 0;
        let award = configured(&[("points", "0")]).total_award(5, || {
            calls += 1;
            String::new()
        });
        assert_eq!(award, None);
        assert_eq!(calls, 0);
    }

    #[test]
    fn awards_per_event_expire_and_come_newest_first() {
        let events = vec![
            event(-40, 5), // expired on day -10, before `now` (day 2)
            event(-20, 3),
            event(0, 1),
            event(1, 0), // 0 units: no award
        ];
        let now = MARCH_1 + 2 * MILLIS_PER_DAY;
        assert_eq!(
            per_event(&[("points", "2"), ("valid-days", "30")], events, now),
            [
                (
                    2,
                    "1 × day 0 on 2026-03-01".to_owned(),
                    Some(MARCH_1 + 30 * MILLIS_PER_DAY)
                ),
                (
                    6,
                    "3 × day -20 on 2026-02-09".to_owned(),
                    Some(MARCH_1 + 10 * MILLIS_PER_DAY)
                ),
            ]
        );
    }

    #[test]
    fn a_window_ending_exactly_now_is_closed() {
        let now = MARCH_1 + 30 * MILLIS_PER_DAY;
        let awards = per_event(&[("valid-days", "30")], vec![event(0, 1), event(1, 1)], now);
        assert_eq!(
            awards,
            [(
                1,
                "1 × day 1 on 2026-03-02".to_owned(),
                Some(now + MILLIS_PER_DAY)
            )]
        );
    }

    #[test]
    fn without_valid_days_awards_per_event_never_expire() {
        let awards = per_event(&[("points", "-1")], vec![event(-400, 2), event(0, 1)], MARCH_1);
        assert_eq!(
            awards,
            [
                (-1, "1 × day 0 on 2026-03-01".to_owned(), None),
                (-2, "2 × day -400 on 2025-01-25".to_owned(), None),
            ]
        );
    }

    #[test]
    fn the_cap_is_shared_newest_first() {
        // Out of order: sorted newest first before the cap is applied.
        let events = vec![event(2, 4), event(0, 4), event(3, 4), event(1, 4)];
        let entries = [("points", "10"), ("max-points", "100"), ("valid-days", "365")];
        let awards = per_event(&entries, events, MARCH_1);
        let summary: Vec<(i64, &str)> = awards
            .iter()
            .map(|(points, reason, _)| (*points, reason.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (40, "4 × day 3 on 2026-03-04"),
                (40, "4 × day 2 on 2026-03-03"),
                (20, "4 × day 1 on 2026-03-02 (capped at max-points 100)"),
            ]
        );
        assert!(per_event(&[("max-points", "0")], vec![event(0, 1)], MARCH_1).is_empty());
    }

    #[test]
    fn events_at_the_same_time_keep_the_later_first() {
        let events = vec![
            CountedEvent::new(MARCH_1, 1, "first".to_owned()),
            CountedEvent::new(MARCH_1, 1, "second".to_owned()),
            CountedEvent::new(MARCH_1 - 1, 1, "earlier".to_owned()),
        ];
        let reasons: Vec<String> = per_event(&[("points", "1"), ("max-points", "2")], events, MARCH_1)
            .into_iter()
            .map(|(_, reason, _)| reason)
            .collect();
        assert_eq!(reasons, ["1 × second on 2026-03-01", "1 × first on 2026-03-01"]);
    }

    #[test]
    fn zero_points_give_no_awards_and_no_reasons() {
        let mut calls = 0;
        let awards = configured(&[("points", "0"), ("valid-days", "9")]).awards_per_event(
            vec![event(0, 1), event(1, 3)],
            MARCH_1,
            |_| {
                calls += 1;
                String::new()
            },
        );
        assert!(awards.is_empty());
        assert_eq!(calls, 0);
    }

    #[test]
    fn per_event_points_saturate_and_expiry_does_not_overflow() {
        let points = i64::MAX.to_string();
        let valid_days = i64::MAX.to_string();
        let entries = [("points", points.as_str()), ("valid-days", valid_days.as_str())];
        let awards = per_event(&entries, vec![event(0, u32::MAX)], MARCH_1);
        assert_eq!(awards.len(), 1);
        assert_eq!(awards[0].0, i64::MAX);
        assert_eq!(awards[0].2, Some(i64::MAX));
    }

    #[test]
    fn counted_event_date_is_the_utc_date() {
        assert_eq!(
            CountedEvent::new(MARCH_1 - 1, 1, ()).date().to_string(),
            "2026-02-28"
        );
    }
}
