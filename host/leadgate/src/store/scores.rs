//! Scores: each rule's awards per contact, totals as of any moment, score fingerprints and the
//! run log.

use std::collections::BTreeMap;

use leadgate_model::{RuleOutcome, ScoreOutcomes, score_total};
use serde::{Deserialize, Serialize};

use super::keys::{self, Table};
use super::{Store, StoreError, codec};

/// A contact's outcomes in every score it was scored in, by score name: how they are stored.
pub(super) type ContactOutcomes = BTreeMap<String, ScoreOutcomes>;

/// The new outcomes of one contact, in one or more scores, written together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactScoring {
    /// The contact.
    pub contact_id: String,
    /// Each score scored, with each of its rules' outcome.
    pub scores: Vec<(String, ScoreOutcomes)>,
    /// True when `scores` holds every configured score: what is stored is replaced without
    /// being read (outcomes of scores no longer configured go with it). False when other scores
    /// keep their stored outcomes (a disabled score, or a score that only rescored dirty
    /// contacts while another recalculated): the stored value is read and merged.
    pub replaces_all: bool,
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

const SCORED_PREFIX: &[u8] = b"scored/";

/// The marker of a score that may have stored outcomes (see [`Store::mark_scored`]).
pub(super) fn scored_key(score: &str) -> Vec<u8> {
    let mut key = SCORED_PREFIX.to_vec();
    key.extend_from_slice(score.as_bytes());
    key
}

impl Store {
    /// Writes contacts' new outcomes: one value per contact, each written atomically.
    ///
    /// Values are written one by one rather than in a batch: a sled batch holds a lock that
    /// stops every reader, which kept the other scoring workers from loading their next
    /// contacts (a contact's value stands alone, so nothing needs the batch's atomicity).
    /// Callers scoring concurrently must score different contacts; [`crate::scoring::run`]
    /// holds the store's scoring lock for that.
    pub fn write_scoring(&self, scorings: Vec<ContactScoring>) -> Result<(), StoreError> {
        for scoring in scorings {
            let key = keys::outcomes(&scoring.contact_id);
            let mut outcomes: ContactOutcomes = if scoring.replaces_all {
                ContactOutcomes::new()
            } else {
                self.stored_outcomes(&key)?
            };
            outcomes.extend(scoring.scores);
            self.data.insert(key, codec::encode(&outcomes)?)?;
        }
        Ok(())
    }

    fn stored_outcomes(&self, key: &[u8]) -> Result<ContactOutcomes, StoreError> {
        match self.data.get(key)? {
            Some(value) => codec::decode(Table::Outcomes.name(), key, &value),
            None => Ok(ContactOutcomes::new()),
        }
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
    pub fn outcomes(&self, score: &str, contact_id: &str) -> Result<ScoreOutcomes, StoreError> {
        Ok(self
            .stored_outcomes(&keys::outcomes(contact_id))?
            .remove(score)
            .unwrap_or_default())
    }

    /// Each score's outcomes for one contact, by score name: one read, however many scores.
    pub fn outcomes_by_score(&self, contact_id: &str) -> Result<BTreeMap<String, ScoreOutcomes>, StoreError> {
        self.stored_outcomes(&keys::outcomes(contact_id))
    }

    /// Every scored contact's total in `score` as of `now` (expired awards do not count), with
    /// the number of failed rules, in contact id order.
    pub fn totals(&self, score: &str, now: i64) -> Result<Vec<ScoreTotal>, StoreError> {
        let mut totals: Vec<ScoreTotal> = Vec::new();
        for entry in self.data.scan_prefix(Table::Outcomes.prefix()) {
            let (key, value) = entry?;
            let mut outcomes: ContactOutcomes = codec::decode(Table::Outcomes.name(), &key, &value)?;
            let Some(outcomes) = outcomes.remove(score) else {
                continue;
            };
            let contact_id = keys::parts(&key)
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::Corrupt {
                    tree: Table::Outcomes.name(),
                    key: keys::printable(&key),
                    reason: "no contact id".into(),
                })?;
            totals.push(ScoreTotal {
                contact_id,
                points: score_total(&outcomes, now),
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

    /// Notes that `score` is about to store outcomes, before it does, so that
    /// [`Store::scored_score_names`] knows every score whose outcomes may need removing, even
    /// after a run that was interrupted.
    pub fn mark_scored(&self, score: &str) -> Result<(), StoreError> {
        self.meta.insert(scored_key(score), &[])?;
        Ok(())
    }

    /// Deletes every stored outcome of `score` (a score no longer configured), with its
    /// fingerprint, run record and marker. Returns how many contacts had outcomes in it.
    pub fn remove_score(&self, score: &str) -> Result<usize, StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        let mut removed = 0;
        for entry in self.data.scan_prefix(Table::Outcomes.prefix()) {
            let (key, value) = entry?;
            let mut outcomes: ContactOutcomes = codec::decode(Table::Outcomes.name(), &key, &value)?;
            if outcomes.remove(score).is_some() {
                removed += 1;
                if outcomes.is_empty() {
                    batch.remove(key);
                } else {
                    batch.insert(key, codec::encode(&outcomes)?);
                }
            }
        }
        self.data.apply_batch(batch)?;
        // Only once the outcomes are gone: an interruption before this leaves the marker, and
        // the next run removes them again.
        self.meta.remove(fingerprint_key(score))?;
        self.meta.remove(run_key(score))?;
        self.meta.remove(scored_key(score))?;
        Ok(removed)
    }

    /// The names of every score that may have stored outcomes, alphabetically.
    pub fn scored_score_names(&self) -> Result<Vec<String>, StoreError> {
        self.meta
            .scan_prefix(SCORED_PREFIX)
            .keys()
            .map(|key| {
                let key = key?;
                Ok(String::from_utf8_lossy(&key[SCORED_PREFIX.len()..]).into_owned())
            })
            .collect()
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
    use leadgate_model::ContactRecord;

    fn awards(points: &[(i64, Option<i64>)]) -> RuleOutcome {
        RuleOutcome::Awards(
            points
                .iter()
                .map(|&(points, expires_at)| leadgate_model::Award {
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
        let rules = |outcomes: Vec<(&str, RuleOutcome)>| -> ScoreOutcomes {
            outcomes
                .into_iter()
                .map(|(rule, outcome)| (rule.to_owned(), outcome))
                .collect()
        };
        store.mark_scored("S").unwrap();
        store.mark_scored("Other").unwrap();
        let scorings = vec![
            ContactScoring {
                contact_id: "c-1".into(),
                scores: vec![
                    (
                        "S".into(),
                        rules(vec![
                            ("a", awards(&[(10, None), (5, Some(100))])),
                            ("b", awards(&[(-3, None)])),
                        ]),
                    ),
                    ("Other".into(), rules(vec![("x", awards(&[(1, None)]))])),
                ],
                replaces_all: true,
            },
            ContactScoring {
                contact_id: "c-2".into(),
                scores: vec![(
                    "S".into(),
                    rules(vec![(
                        "a",
                        RuleOutcome::Failed {
                            message: "boom".into(),
                        },
                    )]),
                )],
                replaces_all: true,
            },
        ];
        store.write_scoring(scorings).unwrap();
        let before = store.totals("S", 99).unwrap();
        assert_eq!((before[0].contact_id.as_str(), before[0].points), ("c-1", 12));
        assert_eq!((before[1].points, before[1].failed_rules), (0, 1));
        assert_eq!(
            store.totals("S", 100).unwrap()[0].points,
            7,
            "the award expiring at 100 no longer counts"
        );
        assert_eq!(
            store.totals("Other", 0).unwrap().len(),
            1,
            "c-2 was not scored in Other"
        );
        assert_eq!(store.scored_score_names().unwrap(), ["Other", "S"]);

        // Rescoring only `S` keeps `Other`'s outcomes; replacing everything drops them.
        let only_s = |replaces_all| ContactScoring {
            contact_id: "c-1".into(),
            scores: vec![("S".into(), rules(vec![("a", awards(&[(1, None)]))]))],
            replaces_all,
        };
        store.write_scoring(vec![only_s(false)]).unwrap();
        assert_eq!(store.outcomes("S", "c-1").unwrap().len(), 1, "rule b is gone");
        assert_eq!(store.outcomes("Other", "c-1").unwrap().len(), 1);

        assert_eq!(store.remove_score("Other").unwrap(), 1);
        assert!(store.outcomes("Other", "c-1").unwrap().is_empty());
        assert_eq!(store.outcomes("S", "c-1").unwrap().len(), 1);
        assert_eq!(store.scored_score_names().unwrap(), ["S"]);
        store.write_scoring(vec![only_s(true)]).unwrap();
        assert_eq!(store.totals("S", 0).unwrap()[0].points, 1);
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
