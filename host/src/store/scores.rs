//! Scores: each rule's awards per contact, totals as of any moment, score fingerprints and the
//! run log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keys::{self, Table};
use super::{Store, StoreError, codec};

/// One award as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAward {
    /// The points; may be negative.
    pub points: i64,
    /// Why they were given.
    pub reason: String,
    /// When they stop counting (ms since the Unix epoch); none = never.
    pub expires_at: Option<i64>,
}

impl StoredAward {
    /// True when the award still counts at `now`.
    pub fn counts_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|expires_at| expires_at > now)
    }
}

/// What one rule gave one contact at its last scoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleOutcome {
    /// The rule's awards (possibly none).
    Awards(Vec<StoredAward>),
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

/// The new outcomes of one contact in one score, written together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactScoring {
    /// The score.
    pub score: String,
    /// The contact.
    pub contact_id: String,
    /// Each rule of the score and its outcome.
    pub rules: Vec<(String, RuleOutcome)>,
}

/// A summary of one scoring run of one score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// When the run finished (ms since the Unix epoch).
    pub finished_at: i64,
    /// Contacts scored.
    pub contacts: u64,
    /// Rule outcomes that failed.
    pub failures: u64,
    /// True when the run recalculated every contact (a changed rule, config or plugin).
    pub recalculated: bool,
    /// Wall-clock time, in milliseconds.
    pub elapsed_ms: u64,
}

fn fingerprint_key(score: &str) -> Vec<u8> {
    let mut key = b"fingerprint/".to_vec();
    key.extend_from_slice(score.as_bytes());
    key
}

fn run_key(score: &str) -> Vec<u8> {
    let mut key = b"run/".to_vec();
    key.extend_from_slice(score.as_bytes());
    key
}

impl Store {
    /// Writes contacts' new outcomes in one atomic batch.
    pub fn write_scoring(&self, scorings: &[ContactScoring]) -> Result<(), StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        for scoring in scorings {
            // One value per score and contact, holding every rule: one write per contact, and
            // rules no longer configured drop out with the old value.
            let outcomes: BTreeMap<&str, &RuleOutcome> = scoring
                .rules
                .iter()
                .map(|(rule, outcome)| (rule.as_str(), outcome))
                .collect();
            batch.insert(
                keys::score_contact(&scoring.score, &scoring.contact_id),
                codec::encode(&outcomes)?,
            );
        }
        self.data.apply_batch(batch)?;
        Ok(())
    }

    /// Clears change-log entries read with [`Store::pending_changes`], once every contact they
    /// name is scored.
    pub fn clear_changes(&self, entries: &[Vec<u8>]) -> Result<(), StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        for entry in entries {
            batch.remove(entry.as_slice());
        }
        self.data.apply_batch(batch)?;
        Ok(())
    }

    /// Each rule's outcome for one contact in one score, by rule name.
    pub fn outcomes(
        &self,
        score: &str,
        contact_id: &str,
    ) -> Result<BTreeMap<String, RuleOutcome>, StoreError> {
        let key = keys::score_contact(score, contact_id);
        match self.data.get(&key)? {
            Some(value) => codec::decode(Table::Awards.name(), &key, &value),
            None => Ok(BTreeMap::new()),
        }
    }

    /// Every scored contact's total in `score` as of `now` (expired awards do not count), with
    /// the number of failed rules, in contact id order.
    pub fn totals(&self, score: &str, now: i64) -> Result<Vec<ScoreTotal>, StoreError> {
        let mut totals: Vec<ScoreTotal> = Vec::new();
        for entry in self.data.scan_prefix(keys::score(score)) {
            let (key, value) = entry?;
            let parts = keys::parts(&key);
            let [_, contact_id] = parts.as_slice() else {
                return Err(StoreError::Corrupt {
                    tree: Table::Awards.name(),
                    key: keys::printable(&key),
                    reason: "not a score/contact key".into(),
                });
            };
            let outcomes: BTreeMap<String, RuleOutcome> = codec::decode(Table::Awards.name(), &key, &value)?;
            totals.push(ScoreTotal {
                contact_id: contact_id.clone(),
                points: outcomes
                    .values()
                    .map(|outcome| outcome.points_at(now))
                    .fold(0, i64::saturating_add),
                failed_rules: outcomes
                    .values()
                    .filter(|outcome| matches!(outcome, RuleOutcome::Failed { .. }))
                    .count()
                    .try_into()
                    .unwrap_or(u32::MAX),
            });
        }
        Ok(totals)
    }

    /// Deletes every stored outcome of rules no longer configured for `score` (`rules`), or of
    /// the whole score when `rules` is `None`. Returns how many rule outcomes (or, for a whole
    /// score, contact entries) were deleted.
    pub fn prune_awards(&self, score: &str, rules: Option<&[&str]>) -> Result<usize, StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        let mut removed = 0;
        for entry in self.data.scan_prefix(keys::score(score)) {
            let (key, value) = entry?;
            let Some(rules) = rules else {
                removed += 1;
                batch.remove(key);
                continue;
            };
            let mut outcomes: BTreeMap<String, RuleOutcome> =
                codec::decode(Table::Awards.name(), &key, &value)?;
            let before = outcomes.len();
            outcomes.retain(|rule, _| rules.contains(&rule.as_str()));
            if outcomes.len() != before {
                removed += before - outcomes.len();
                if outcomes.is_empty() {
                    batch.remove(key);
                } else {
                    batch.insert(key, codec::encode(&outcomes)?);
                }
            }
        }
        self.data.apply_batch(batch)?;
        Ok(removed)
    }

    /// The names of every score with stored outcomes.
    pub fn scored_score_names(&self) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> = Vec::new();
        let mut next: Option<Vec<u8>> = Some(Table::Awards.prefix().to_vec());
        while let Some(start) = next.take() {
            let Some(entry) = self.data.range(start..).next() else {
                break;
            };
            let (key, _) = entry?;
            if key.first() != Some(&(Table::Awards as u8)) {
                break;
            }
            let Some(name) = keys::parts(&key).into_iter().next() else {
                break;
            };
            // Skip to the first key after this score's prefix: what follows the prefix is a
            // contact id's length, whose first byte is 0 (ids are capped far below 65,280 bytes).
            let mut after = keys::score(&name);
            after.push(0xff);
            names.push(name);
            next = Some(after);
        }
        // Keys order names by length first; people expect alphabetical.
        names.sort();
        Ok(names)
    }

    /// The fingerprint (rules, configuration, plugin hashes) a score was last fully computed with.
    pub fn fingerprint(&self, score: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(fingerprint_key(score))?
            .map(|value| String::from_utf8_lossy(&value).into_owned()))
    }

    /// Records the fingerprint a score is now fully computed with.
    pub fn set_fingerprint(&self, score: &str, fingerprint: &str) -> Result<(), StoreError> {
        self.meta.insert(fingerprint_key(score), fingerprint.as_bytes())?;
        Ok(())
    }

    /// Forgets a score's fingerprint, so that the next run recalculates it for every contact.
    pub fn clear_fingerprint(&self, score: &str) -> Result<(), StoreError> {
        self.meta.remove(fingerprint_key(score))?;
        Ok(())
    }

    /// Records the summary of a score's latest run.
    pub fn record_run(&self, score: &str, run: &RunRecord) -> Result<(), StoreError> {
        self.meta.insert(run_key(score), codec::encode(run)?)?;
        Ok(())
    }

    /// The summary of a score's latest run.
    pub fn last_run(&self, score: &str) -> Result<Option<RunRecord>, StoreError> {
        let key = run_key(score);
        self.meta
            .get(&key)?
            .map(|value| codec::decode("meta", &key, &value))
            .transpose()
    }
}

/// One contact's total in one score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreTotal {
    /// The contact.
    pub contact_id: String,
    /// Points that count now.
    pub points: i64,
    /// Rules that failed for this contact at their last run.
    pub failed_rules: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::ContactRecord;

    fn awards(points: &[(i64, Option<i64>)]) -> RuleOutcome {
        RuleOutcome::Awards(
            points
                .iter()
                .map(|&(points, expires_at)| StoredAward {
                    points,
                    reason: format!("{points} points"),
                    expires_at,
                })
                .collect(),
        )
    }

    #[test]
    fn totals_are_as_of_the_asked_moment_and_failures_count_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let scorings = [
            ContactScoring {
                score: "S".into(),
                contact_id: "c-1".into(),
                rules: vec![
                    ("a".into(), awards(&[(10, None), (5, Some(100))])),
                    ("b".into(), awards(&[(-3, None)])),
                ],
            },
            ContactScoring {
                score: "S".into(),
                contact_id: "c-2".into(),
                rules: vec![(
                    "a".into(),
                    RuleOutcome::Failed {
                        message: "boom".into(),
                    },
                )],
            },
            ContactScoring {
                score: "Other".into(),
                contact_id: "c-1".into(),
                rules: vec![("x".into(), awards(&[(1, None)]))],
            },
        ];
        store.write_scoring(&scorings).unwrap();
        let before = store.totals("S", 99).unwrap();
        assert_eq!((before[0].contact_id.as_str(), before[0].points), ("c-1", 12));
        assert_eq!((before[1].points, before[1].failed_rules), (0, 1));
        assert_eq!(
            store.totals("S", 100).unwrap()[0].points,
            7,
            "the award expiring at 100 no longer counts"
        );
        assert_eq!(store.scored_score_names().unwrap(), ["Other", "S"]);
        assert_eq!(store.prune_awards("S", Some(&["a"])).unwrap(), 1);
        assert_eq!(store.outcomes("S", "c-1").unwrap().len(), 1);
        assert_eq!(store.prune_awards("Other", None).unwrap(), 1);
        assert_eq!(
            store.outcomes("S", "c-1").unwrap().keys().collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(store.scored_score_names().unwrap(), ["S"]);
    }

    #[test]
    fn a_contact_changed_during_scoring_stays_dirty() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let contact = |title: &str| ContactRecord {
            id: "c-1".into(),
            title: Some(title.into()),
            ..ContactRecord::default()
        };
        store.upsert_contacts(&[contact("CTO")]).unwrap();
        let seen = store.pending_changes().unwrap();
        store.upsert_contacts(&[contact("CEO")]).unwrap();
        store.clear_changes(&seen.entries).unwrap();
        assert_eq!(
            store.dirty_count().unwrap(),
            1,
            "changed after it was read: still dirty"
        );
        let seen = store.pending_changes().unwrap();
        store.clear_changes(&seen.entries).unwrap();
        assert_eq!(store.dirty_count().unwrap(), 0);
    }
}
