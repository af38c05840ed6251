//! `score run|recalc|list|show|contacts --json`.

use std::collections::BTreeMap;

use leadgate_model::{Award, RuleOutcome, ScoreOutcomes};
use serde::Serialize;

use super::timestamp;
use crate::config::{RuleDefinition, ScoreDefinition};
use crate::scoring::ScoreRunReport;
use crate::store::{RunRecord, ScoreTotal};

/// One score's part of a scoring run.
#[derive(Debug, Serialize)]
pub struct ScoreRunDocument<'a> {
    contacts: u64,
    elapsed_ms: u64,
    failures: u64,
    recalculated: bool,
    score: &'a str,
}

impl<'a> From<&'a ScoreRunReport> for ScoreRunDocument<'a> {
    fn from(report: &'a ScoreRunReport) -> Self {
        Self {
            contacts: report.run.contacts,
            elapsed_ms: report.run.elapsed_ms,
            failures: report.run.failures,
            recalculated: report.run.recalculated,
            score: &report.score,
        }
    }
}

/// A configured score with what the store knows of it, for `score list`.
#[derive(Debug, Serialize)]
pub struct ScoreListDocument<'a> {
    alert_thresholds: &'a [i64],
    contacts_scored: usize,
    contacts_with_points: usize,
    description: Option<&'a str>,
    enabled: bool,
    last_run: Option<LastRunDocument>,
    name: &'a str,
    rules: Vec<RuleDocument<'a>>,
}

impl<'a> ScoreListDocument<'a> {
    /// `score` with the number of contacts scored and with points, and its last run.
    pub fn new(
        score: &'a ScoreDefinition,
        contacts_scored: usize,
        contacts_with_points: usize,
        last_run: Option<&RunRecord>,
    ) -> Self {
        Self {
            alert_thresholds: &score.alert_thresholds,
            contacts_scored,
            contacts_with_points,
            description: score.description.as_deref(),
            enabled: score.enabled,
            last_run: last_run.map(LastRunDocument::from),
            name: &score.name,
            rules: score.rules.iter().map(RuleDocument::from).collect(),
        }
    }
}

/// When a score last ran, and how it went.
#[derive(Debug, Serialize)]
pub struct LastRunDocument {
    contacts: u64,
    failures: u64,
    finished_at: String,
    recalculated: bool,
}

impl From<&RunRecord> for LastRunDocument {
    fn from(run: &RunRecord) -> Self {
        Self {
            contacts: run.contacts,
            failures: run.failures,
            finished_at: timestamp(run.finished_at),
            recalculated: run.recalculated,
        }
    }
}

/// A configured rule: its plugin file and configuration.
#[derive(Debug, Serialize)]
pub struct RuleDocument<'a> {
    config: BTreeMap<&'a str, &'a str>,
    name: &'a str,
    plugin: String,
}

impl<'a> From<&'a RuleDefinition> for RuleDocument<'a> {
    fn from(rule: &'a RuleDefinition) -> Self {
        Self {
            config: rule.config.entries().collect(),
            name: &rule.name,
            plugin: rule.plugin.display().to_string(),
        }
    }
}

/// `score show --json`: one contact's points in one score, rule by rule.
#[derive(Debug, Serialize)]
pub struct ScoreShowDocument<'a> {
    as_of: String,
    contact: &'a str,
    rules: Vec<RuleOutcomeDocument<'a>>,
    score: &'a str,
    total: i64,
}

impl<'a> ScoreShowDocument<'a> {
    /// The document for `contact` in `score` as of `now`, from its stored `outcomes`.
    pub fn new(
        score: &'a ScoreDefinition,
        contact: &'a str,
        outcomes: &'a ScoreOutcomes,
        now: i64,
        total: i64,
    ) -> Self {
        Self {
            as_of: timestamp(now),
            contact,
            rules: score
                .rules
                .iter()
                .map(|rule| RuleOutcomeDocument::new(&rule.name, outcomes.get(&rule.name), now))
                .collect(),
            score: &score.name,
            total,
        }
    }
}

/// What one rule gave one contact: nothing yet, a failure, or awards.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum RuleOutcomeDocument<'a> {
    /// The rule has not scored the contact yet.
    NotScored {
        /// The rule's name.
        rule: &'a str,
        /// Always false.
        scored: bool,
    },
    /// The rule failed for the contact.
    Failed {
        /// Why, as the plugin or the runtime said it.
        error: &'a str,
        /// The rule's name.
        rule: &'a str,
    },
    /// The rule awarded points (possibly none).
    Awards {
        /// Every award, expired ones included.
        awards: Vec<AwardDocument<'a>>,
        /// The points that count at the moment shown.
        points: i64,
        /// The rule's name.
        rule: &'a str,
    },
}

impl<'a> RuleOutcomeDocument<'a> {
    fn new(rule: &'a str, outcome: Option<&'a RuleOutcome>, now: i64) -> Self {
        match outcome {
            None => Self::NotScored { rule, scored: false },
            Some(RuleOutcome::Failed { message }) => Self::Failed { error: message, rule },
            Some(outcome @ RuleOutcome::Awards(awards)) => Self::Awards {
                awards: awards
                    .iter()
                    .map(|award| AwardDocument::new(award, now))
                    .collect(),
                points: outcome.points_at(now),
                rule,
            },
        }
    }
}

/// One stored award, and whether it still counts.
#[derive(Debug, Serialize)]
pub struct AwardDocument<'a> {
    expired: bool,
    expires_at: Option<String>,
    points: i64,
    reason: &'a str,
}

impl<'a> AwardDocument<'a> {
    fn new(award: &'a Award, now: i64) -> Self {
        Self {
            expired: !award.counts_at(now),
            expires_at: award.expires_at.map(timestamp),
            points: award.points,
            reason: &award.reason,
        }
    }
}

/// A contact in `score contacts --json`.
#[derive(Debug, Serialize)]
pub struct ScoreContactDocument<'a> {
    contact: &'a str,
    failed_rules: u32,
    points: i64,
}

impl<'a> From<&'a ScoreTotal> for ScoreContactDocument<'a> {
    fn from(total: &'a ScoreTotal) -> Self {
        Self {
            contact: &total.contact_id,
            failed_rules: total.failed_rules,
            points: total.points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn every_outcome_prints_its_keys_in_order() {
        let awards = RuleOutcome::Awards(vec![
            Award {
                points: 3,
                reason: "bought".into(),
                expires_at: None,
            },
            Award {
                points: 2,
                reason: "visited".into(),
                expires_at: Some(10),
            },
        ]);
        let failed = RuleOutcome::Failed {
            message: "trap".into(),
        };
        let scored = RuleOutcomeDocument::new("r", Some(&awards), 20);
        assert_eq!(keys(&scored), ["awards", "points", "rule"]);
        assert!(in_order(&scored));
        let value = serde_json::to_value(&scored).unwrap();
        assert_eq!(value["points"], 3);
        assert_eq!(value["awards"][1]["expired"], true);
        assert_eq!(
            keys(&RuleOutcomeDocument::new("r", Some(&failed), 20)),
            ["error", "rule"]
        );
        assert_eq!(keys(&RuleOutcomeDocument::new("r", None, 20)), ["rule", "scored"]);
    }

    #[test]
    fn run_and_total_documents_keep_their_keys() {
        let run = RunRecord {
            finished_at: 0,
            contacts: 4,
            failures: 1,
            recalculated: true,
            elapsed_ms: 7,
        };
        let report = ScoreRunReport {
            score: "s".into(),
            run: run.clone(),
        };
        assert_eq!(
            keys(&ScoreRunDocument::from(&report)),
            ["contacts", "elapsed_ms", "failures", "recalculated", "score"]
        );
        assert!(in_order(&LastRunDocument::from(&run)));
        let total = ScoreTotal {
            contact_id: "c-1".into(),
            points: 5,
            failed_rules: 0,
        };
        assert_eq!(
            keys(&ScoreContactDocument::from(&total)),
            ["contact", "failed_rules", "points"]
        );
    }
}
