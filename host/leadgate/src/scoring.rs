//! The scoring engine: runs every enabled score's rules over the contacts that need it and
//! stores the outcomes.
//!
//! - A change to a contact or its activities is logged; a run scores the contacts the log names
//!   with every enabled score, then clears the entries it read (a contact changed during the
//!   run stays pending). An interrupted run leaves the log as it was: the next run scores those
//!   contacts again, which is harmless.
//! - A score whose rules, rule configuration or plugin binaries changed since it was last
//!   computed (its fingerprint differs) is recalculated for every contact.
//! - Each rule gets only the activity kinds its plugin asks for.
//! - A plugin error or crash on one contact is stored as that contact's outcome for that rule
//!   and does not stop the others.
//! - Totals are "as of now": expired awards drop out at read time, without rerunning plugins.
//! - Batches run on one worker thread per core: reading the store and running plugins overlap.

mod batch_queue;
mod error;
mod prepared_score;
mod rule_inputs;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub use error::ScoringError;
pub use prepared_score::{PreparedRule, PreparedScore};

use crate::config::Config;
use crate::store::{ContactScoring, PendingChanges, RunRecord, Store, StoredHistory};
use batch_queue::BatchQueue;
use leadgate_model::{Award, RuleOutcome, ScoreOutcomes};
use leadgate_plugin_runtime::{ContactActivitiesView, PluginRuntime, ScoringRulePlugin};
use rule_inputs::{RuleInputs, ScoreNeeds};

/// What a run did, per score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRunReport {
    /// The score.
    pub score: String,
    /// How the run went, as stored in the run log.
    pub run: RunRecord,
}

/// Progress callbacks of a run: `(contacts done, contacts to do)`. Called from the worker
/// threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Scores the contacts that need it, as of `now`, with every enabled score of `config`.
///
/// `batch_size` contacts go to each plugin call. Scores no longer configured lose their stored
/// outcomes; rules no longer configured, likewise.
pub fn run(
    store: &Store,
    config: &Config,
    runtime: &PluginRuntime,
    now: i64,
    progress: Progress<'_>,
) -> Result<Vec<ScoreRunReport>, ScoringError> {
    let started = Instant::now();
    let _one_run_at_a_time = store.scoring_guard();
    let scores = prepare_scores(store, config, runtime)?;
    prune_unconfigured(store, config)?;
    for score in &scores {
        store.mark_scored(&score.name)?;
    }

    let recalculating = scores.iter().any(|score| score.recalculate);
    // When every score is recalculated, every contact is scored: which ones changed does not
    // matter, only the log entries to clear after. Reading 100,000 ids costs a run a few percent.
    let changes = if scores.iter().all(|score| score.recalculate) {
        PendingChanges {
            contact_ids: BTreeSet::new(),
            entries: store.change_log_entries()?,
        }
    } else {
        store.pending_changes()?
    };
    // Contacts to visit: every contact when a score is recalculated, else the dirty ones.
    let contact_ids: Vec<String> = if recalculating {
        store.contact_ids().collect::<Result<_, _>>()?
    } else {
        changes.contact_ids.iter().cloned().collect()
    };
    let context = RunContext {
        store,
        scores: &scores,
        needs: scores.iter().map(ScoreNeeds::of).collect(),
        dirty: changes.contact_ids.iter().map(String::as_str).collect(),
        configured_scores: config.scores.len(),
        now,
        batch_size: config.scoring.batch_size.max(1),
    };

    let batches: Vec<&[String]> = contact_ids.chunks(context.batch_size).collect();
    progress(0, contact_ids.len());
    // Batches are independent: workers take the next one until none is left, reading the store,
    // running plugins and writing outcomes side by side.
    let done = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(batches.len().max(1));
    let queue = BatchQueue::new(batches.len(), workers);
    let worker_counts: Vec<Result<Vec<(u64, u64)>, ScoringError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let (queue, done, context, batches) = (&queue, &done, &context, &batches);
                let (score_count, total) = (scores.len(), contact_ids.len());
                scope.spawn(move || {
                    let mut counts: Vec<(u64, u64)> = vec![(0, 0); score_count];
                    loop {
                        let Some(batch) = queue.next(worker).and_then(|index| batches.get(index)) else {
                            return Ok(counts);
                        };
                        score_batch(context, batch, &mut counts)?;
                        let finished = done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len();
                        progress(finished, total);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(ScoringError::WorkerPanicked))
            })
            .collect()
    });
    let mut counts: Vec<(u64, u64)> = vec![(0, 0); scores.len()];
    for worker in worker_counts {
        for (total, (contacts, failures)) in counts.iter_mut().zip(worker?) {
            total.0 += contacts;
            total.1 += failures;
        }
    }

    // Every contact the log named is scored: its entries can go. Entries written during the run
    // were not read, so their contacts stay pending.
    store.clear_changes(&changes.entries)?;

    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let finished_at = jiff::Timestamp::now().as_millisecond();
    let mut reports = Vec::with_capacity(scores.len());
    for (score, (contacts, failures)) in scores.iter().zip(counts) {
        if score.recalculate {
            store.set_fingerprint(&score.name, &score.fingerprint)?;
        }
        let run = RunRecord {
            finished_at,
            contacts,
            failures,
            recalculated: score.recalculate,
            elapsed_ms,
        };
        store.record_run(&score.name, &run)?;
        reports.push(ScoreRunReport {
            score: score.name.clone(),
            run,
        });
    }
    store.flush()?;
    Ok(reports)
}

/// Makes the next run recalculate `score` (or every score) for every contact.
pub fn request_recalculation(
    store: &Store,
    config: &Config,
    score: Option<&str>,
) -> Result<(), ScoringError> {
    match score {
        Some(name) => {
            let definition = config.score(name).ok_or_else(|| ScoringError::UnknownScore {
                name: name.to_owned(),
                known: config.scores.iter().map(|score| score.name.clone()).collect(),
            })?;
            store.clear_fingerprint(&definition.name)?;
        }
        None => {
            for definition in &config.scores {
                store.clear_fingerprint(&definition.name)?;
            }
        }
    }
    Ok(())
}

/// What every batch of a run shares.
struct RunContext<'a> {
    store: &'a Store,
    scores: &'a [PreparedScore],
    needs: Vec<ScoreNeeds<'a>>,
    dirty: HashSet<&'a str>,
    /// Every configured score, enabled or not: a contact scored in all of them has its stored
    /// outcomes replaced without reading them.
    configured_scores: usize,
    now: i64,
    batch_size: usize,
}

/// Scores one batch of contacts with every prepared score and writes the outcomes.
fn score_batch(
    run: &RunContext<'_>,
    batch: &[String],
    counts: &mut [(u64, u64)],
) -> Result<(), ScoringError> {
    let RunContext {
        store,
        scores,
        needs,
        dirty,
        configured_scores,
        now,
        batch_size,
    } = run;
    let mut stored = Vec::with_capacity(batch.len());
    for contact_id in batch {
        // A contact deleted since the ids were read has nothing to score.
        if let Some(history) = store.stored_history(contact_id)? {
            stored.push(history);
        }
    }
    // Decoded in place: every string the plugins get points into the bytes read above.
    let histories = stored
        .iter()
        .map(StoredHistory::decode)
        .collect::<Result<Vec<_>, _>>()?;
    let RuleInputs { members, inputs } = RuleInputs::distribute(needs, &histories, dirty);
    // One scoring per contact, gathering its outcomes in every score.
    let mut scorings: Vec<ContactScoring> = Vec::with_capacity(batch.len());
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    for (((score, members), inputs), count) in scores.iter().zip(members).zip(inputs).zip(counts.iter_mut()) {
        if members.is_empty() {
            continue;
        }
        count.0 += members.len() as u64;
        let (outcomes, failures) = score_contacts(score, &inputs, members.len(), *now, *batch_size);
        count.1 += failures;
        for (contact_id, outcomes) in members.into_iter().zip(outcomes) {
            let index = *position.entry(contact_id).or_insert_with(|| {
                scorings.push(ContactScoring {
                    contact_id: contact_id.to_owned(),
                    scores: Vec::with_capacity(scores.len()),
                    replaces_all: false,
                });
                scorings.len() - 1
            });
            scorings[index].scores.push((score.name.clone(), outcomes));
        }
    }
    for scoring in &mut scorings {
        scoring.replaces_all = scoring.scores.len() == *configured_scores;
    }
    store.write_scoring(scorings)?;
    Ok(())
}

/// Runs every rule of `score` over its members (each rule's `inputs`, in member order); returns
/// each member's outcomes and how many rule outcomes failed.
fn score_contacts(
    score: &PreparedScore,
    inputs: &[Vec<ContactActivitiesView<'_>>],
    member_count: usize,
    now: i64,
    batch_size: usize,
) -> (Vec<ScoreOutcomes>, u64) {
    let mut outcomes = vec![ScoreOutcomes::new(); member_count];
    let mut failures = 0;
    for (rule, rule_inputs) in score.rules.iter().zip(inputs) {
        let run = rule
            .plugin
            .score_contacts(&rule.config, rule_inputs, now, batch_size);
        for (contact_outcomes, result) in outcomes.iter_mut().zip(run.results) {
            let outcome = match result {
                Ok(awards) => RuleOutcome::Awards(
                    awards
                        .into_iter()
                        .map(|award| Award {
                            points: award.points,
                            reason: award.reason,
                            expires_at: award.expires_at,
                        })
                        .collect(),
                ),
                Err(failure) => {
                    failures += 1;
                    RuleOutcome::Failed {
                        message: failure.to_string(),
                    }
                }
            };
            contact_outcomes.insert(rule.name.clone(), outcome);
        }
    }
    (outcomes, failures)
}

/// Loads every enabled score's plugins (each file once), checks each rule's configuration, and
/// works out which scores need recalculating.
fn prepare_scores(
    store: &Store,
    config: &Config,
    runtime: &PluginRuntime,
) -> Result<Vec<PreparedScore>, ScoringError> {
    let mut plugins: HashMap<std::path::PathBuf, ScoringRulePlugin> = HashMap::new();
    let mut prepared = Vec::new();
    for score in config.scores.iter().filter(|score| score.enabled) {
        let mut rules = Vec::with_capacity(score.rules.len());
        for rule in &score.rules {
            let plugin = match plugins.get(&rule.plugin) {
                Some(plugin) => plugin.clone(),
                None => {
                    let plugin =
                        runtime
                            .load_scoring_rule(&rule.plugin)
                            .map_err(|source| ScoringError::Plugin {
                                score: score.name.clone(),
                                rule: rule.name.clone(),
                                source,
                            })?;
                    plugins.insert(rule.plugin.clone(), plugin.clone());
                    plugin
                }
            };
            rules.push(PreparedRule::new(score, rule, plugin)?);
        }
        let fingerprint = PreparedScore::fingerprint_of(score, &rules);
        let recalculate = store.fingerprint(&score.name)?.as_deref() != Some(fingerprint.as_str());
        prepared.push(PreparedScore {
            name: score.name.clone(),
            rules,
            fingerprint,
            recalculate,
        });
    }
    Ok(prepared)
}

/// Deletes the outcomes of scores that are no longer configured (disabled scores keep theirs:
/// disabling pauses a score, it does not delete it).
///
/// Rules removed from a score need no pruning: the score's fingerprint changes, so it is
/// recalculated, and each contact's outcomes in it are replaced by the configured rules' ones.
fn prune_unconfigured(store: &Store, config: &Config) -> Result<(), ScoringError> {
    for name in store.scored_score_names()? {
        if config.score(&name).is_none() {
            store.remove_score(&name)?;
        }
    }
    Ok(())
}
