//! [`RuleOutcome`]: what one rule gave one contact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Award;

/// What one rule gave one contact at its last scoring. Stored as is (postcard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleOutcome {
    /// The rule's awards (possibly none).
    Awards(Vec<Award>),
    /// The rule could not score the contact: the plugin's error or a crash, as text.
    Failed {
        /// What went wrong.
        message: String,
    },
}

impl RuleOutcome {
    /// The points that count at `now` (a failed rule counts nothing).
    pub fn points_at(&self, now: i64) -> i64 {
        match self {
            Self::Awards(awards) => awards
                .iter()
                .filter(|award| award.counts_at(now))
                .map(|award| award.points)
                .fold(0i64, i64::saturating_add),
            Self::Failed { .. } => 0,
        }
    }
}

/// Each rule's outcome in one score, by rule name.
pub type ScoreOutcomes = BTreeMap<String, RuleOutcome>;

/// A contact's total in one score at `now`: the points of every rule that count then.
pub fn score_total(outcomes: &ScoreOutcomes, now: i64) -> i64 {
    outcomes
        .values()
        .map(|outcome| outcome.points_at(now))
        .fold(0, i64::saturating_add)
}
