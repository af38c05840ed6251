//! Running many contacts through a plugin in batches, so that one bad contact fails alone.

use super::call::CallStats;
use super::error::{ContactFailure, PluginTrap, TrapKind};

/// The per-contact results of one call, or the trap that ended it.
pub(crate) type BatchCall<T> = Result<(Vec<Result<T, ContactFailure>>, CallStats), Box<PluginTrap>>;

/// The outcome of running a list of contacts through a plugin.
#[derive(Debug, Clone)]
pub struct PluginRun<T> {
    /// One result per contact, in input order.
    pub results: Vec<Result<T, ContactFailure>>,
    /// The total cost of every call made, retries included.
    pub stats: CallStats,
    /// How many calls were made.
    pub calls: usize,
    /// How many of those calls trapped.
    pub traps: usize,
}

/// Runs `inputs` in batches of `batch_size` through `call`.
///
/// When a batch traps, its halves are retried in fresh stores until the contacts that crash are
/// alone, so a plugin that fails on contact X fails only X. The exception is a trap at the
/// wall-clock deadline: a batch that ran out of time fails whole, because retrying halves would
/// multiply the time a runaway plugin costs.
pub(crate) fn run_in_batches<I, T>(
    inputs: &[I],
    batch_size: usize,
    mut call: impl FnMut(&[I]) -> BatchCall<T>,
) -> PluginRun<T> {
    let mut run = PluginRun {
        results: Vec::with_capacity(inputs.len()),
        stats: CallStats::default(),
        calls: 0,
        traps: 0,
    };
    for batch in inputs.chunks(batch_size.max(1)) {
        run_isolating(batch, &mut call, &mut run);
    }
    run
}

fn run_isolating<I, T>(batch: &[I], call: &mut impl FnMut(&[I]) -> BatchCall<T>, run: &mut PluginRun<T>) {
    run.calls += 1;
    match call(batch) {
        Ok((results, stats)) => {
            run.stats.add(&stats);
            run.results.extend(results);
        }
        Err(trap) => {
            run.traps += 1;
            run.stats.add(&CallStats {
                fuel_used: trap.fuel_used,
                elapsed: trap.elapsed,
                log_messages_dropped: 0,
            });
            let deadline = matches!(trap.kind, TrapKind::DeadlineExceeded { .. });
            if batch.len() > 1 && !deadline {
                let (left, right) = batch.split_at(batch.len() / 2);
                run_isolating(left, call, run);
                run_isolating(right, call, run);
            } else {
                run.results
                    .extend(batch.iter().map(|_| Err(ContactFailure::Trap(trap.clone()))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::BatchLabel;

    fn trap(kind: TrapKind) -> Box<PluginTrap> {
        Box::new(PluginTrap {
            plugin: "test".into(),
            version: "0".into(),
            function: "score-batch",
            batch: BatchLabel::none(),
            kind,
            fuel_used: 10,
            elapsed: Duration::from_millis(1),
            recent_logs: Vec::new(),
        })
    }

    /// A fake plugin that doubles its inputs and crashes on any batch holding a 7.
    fn doubling(batch: &[u32]) -> BatchCall<u32> {
        if batch.contains(&7) {
            return Err(trap(TrapKind::StackOverflow));
        }
        Ok((
            batch.iter().map(|value| Ok(value * 2)).collect(),
            CallStats::default(),
        ))
    }

    #[test]
    fn a_crashing_contact_fails_alone_and_order_is_kept() {
        let inputs: Vec<u32> = (0..10).collect();
        let run = run_in_batches(&inputs, 4, doubling);
        assert_eq!(run.results.len(), 10);
        for (value, result) in inputs.iter().zip(&run.results) {
            if *value == 7 {
                assert!(
                    matches!(result, Err(ContactFailure::Trap(trap)) if trap.kind == TrapKind::StackOverflow),
                    "{result:?}"
                );
            } else {
                assert_eq!(result.as_ref().ok(), Some(&(value * 2)));
            }
        }
        // Batches [0..4) ok, [4..8) traps → [4,5] ok, [6,7] traps → [6] ok, [7] traps; [8,9] ok.
        assert_eq!(run.calls, 7);
        assert_eq!(run.traps, 3);
    }

    #[test]
    fn a_batch_past_its_deadline_fails_whole_without_retries() {
        let inputs: Vec<u32> = (0..8).collect();
        let run = run_in_batches(&inputs, 8, |_batch: &[u32]| -> BatchCall<u32> {
            Err(trap(TrapKind::DeadlineExceeded {
                limit: Duration::from_millis(5),
            }))
        });
        assert_eq!(run.calls, 1);
        assert!(
            run.results
                .iter()
                .all(|result| matches!(result, Err(ContactFailure::Trap(_))))
        );
        assert_eq!(run.results.len(), 8);
    }
}
