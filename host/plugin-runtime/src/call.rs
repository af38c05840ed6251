//! One call into a plugin: a fresh store with its limits, the call, and the classification of
//! whatever went wrong.

use std::time::{Duration, Instant};

use wasmtime::{Store, Trap};

use super::RuleConfig;
use super::error::{BatchLabel, ContactFailure, PluginTrap, TrapKind};
use super::host_state::{HostState, MemoryLimitHit};
use super::runtime::RuntimeShared;
use super::types::PluginError;

/// What one call cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Fuel (WebAssembly instructions, roughly) the call used, instantiation included.
    pub fuel_used: u64,
    /// Wall-clock time of the call, instantiation included.
    pub elapsed: Duration,
    /// Log messages dropped or cut by the log-volume cap.
    pub log_messages_dropped: usize,
}

impl CallStats {
    /// Adds another call's cost to this one.
    pub fn add(&mut self, other: &CallStats) {
        self.fuel_used = self.fuel_used.saturating_add(other.fuel_used);
        self.elapsed += other.elapsed;
        self.log_messages_dropped += other.log_messages_dropped;
    }
}

/// Who is being called, for the store's setup and for error messages.
pub(crate) struct CallTarget<'a> {
    pub(crate) plugin: &'a str,
    pub(crate) version: &'a str,
    pub(crate) function: &'static str,
}

/// Runs `body` in a fresh store limited by the runtime's limits and a fuel budget for
/// `batch.size` contacts. Nothing a plugin did in an earlier call can leak into this one.
pub(crate) fn call_plugin<R>(
    runtime: &RuntimeShared,
    target: &CallTarget<'_>,
    batch: BatchLabel,
    config: &RuleConfig,
    now_millis: i64,
    body: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<R>,
) -> Result<(R, CallStats), Box<PluginTrap>> {
    let limits = &runtime.limits;
    let fuel = limits.fuel_for_batch(batch.size);
    let state = HostState::new(
        target.plugin,
        config.clone(),
        now_millis,
        limits.memory_bytes,
        limits.log_bytes_per_call,
    );
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|state| &mut state.limiter);
    store.epoch_deadline_trap();
    store.set_epoch_deadline(runtime.deadline_ticks());
    let started = Instant::now();
    let outcome = store.set_fuel(fuel).and_then(|()| body(&mut store));
    let elapsed = started.elapsed();
    let fuel_used = fuel.saturating_sub(store.get_fuel().unwrap_or(0));
    store.data_mut().collect_stderr();
    let state = store.data();
    state.log.finish();
    match outcome {
        Ok(result) => Ok((
            result,
            CallStats {
                fuel_used,
                elapsed,
                log_messages_dropped: state.log.dropped_messages(),
            },
        )),
        Err(error) => Err(Box::new(PluginTrap {
            plugin: target.plugin.to_owned(),
            version: target.version.to_owned(),
            function: target.function,
            batch,
            kind: classify(&error, fuel, limits.deadline, state),
            fuel_used,
            elapsed,
            recent_logs: state.log.recent(),
        })),
    }
}

/// Names what stopped a call, so the report can say which limit was hit.
fn classify(error: &wasmtime::Error, fuel: u64, deadline: Duration, state: &HostState) -> TrapKind {
    if let Some(hit) = error.downcast_ref::<MemoryLimitHit>() {
        return TrapKind::MemoryLimitExceeded {
            limit: hit.limit,
            requested: hit.requested,
        };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => TrapKind::OutOfFuel { limit: fuel },
        Some(Trap::Interrupt) => TrapKind::DeadlineExceeded { limit: deadline },
        Some(Trap::StackOverflow) => TrapKind::StackOverflow,
        Some(trap) => match state.log.panic_message() {
            // Rust plugins panic by executing `unreachable` after the panic hook (and std)
            // reported the message; show the message rather than the instruction.
            Some(message) if *trap == Trap::UnreachableCodeReached => TrapKind::Panicked { message },
            _ => TrapKind::WasmTrap {
                description: trap.to_string(),
            },
        },
        None => TrapKind::Other {
            message: format!("{error:#}"),
        },
    }
}

/// Turns a batch call's answers into per-contact results: checks that there is exactly one
/// answer per contact (otherwise answers cannot be matched to contacts, and none are kept) and
/// that each answer fits the output cap of `limit` bytes, as measured by `size`.
pub(crate) fn contact_results<T>(
    answers: Vec<Result<T, PluginError>>,
    contacts: usize,
    target: &CallTarget<'_>,
    batch: BatchLabel,
    stats: &CallStats,
    limit: usize,
    size: impl Fn(&T) -> usize,
) -> Result<Vec<Result<T, ContactFailure>>, Box<PluginTrap>> {
    if answers.len() != contacts {
        let message = format!("returned {} results for {contacts} contacts", answers.len());
        return Err(contract_violation(target, batch, stats, message));
    }
    Ok(answers
        .into_iter()
        .map(|answer| match answer {
            Err(error) => Err(ContactFailure::Plugin(error)),
            Ok(value) => {
                let bytes = size(&value);
                if bytes > limit {
                    Err(ContactFailure::OutputTooLarge { bytes, limit })
                } else {
                    Ok(value)
                }
            }
        })
        .collect())
}

/// A trap for a call that returned, but not what the contract promises.
fn contract_violation(
    target: &CallTarget<'_>,
    batch: BatchLabel,
    stats: &CallStats,
    message: String,
) -> Box<PluginTrap> {
    Box::new(PluginTrap {
        plugin: target.plugin.to_owned(),
        version: target.version.to_owned(),
        function: target.function,
        batch,
        kind: TrapKind::ContractViolation { message },
        fuel_used: stats.fuel_used,
        elapsed: stats.elapsed,
        recent_logs: Vec::new(),
    })
}
