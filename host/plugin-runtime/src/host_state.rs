//! What the host keeps in each plugin store: the sandboxed WASI context, the memory limiter,
//! the rule's configuration and the call's log. It implements the host imports.

use std::time::Duration;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{Deterministic, HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::call_log::CallLog;
use super::logging::Level;
use super::{RuleConfig, config_interface, logging, types};

/// Fixed bytes behind the guest's "random" numbers: plugins must be deterministic, so the same
/// input gives the same output on every run and every machine.
const RANDOM_BYTES: [u8; 8] = [0x6c, 0x65, 0x61, 0x64, 0x67, 0x61, 0x74, 0x65];

/// The state of one plugin store (one call or one batch).
pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    config: RuleConfig,
    pub(crate) log: CallLog,
    stderr: MemoryOutputPipe,
}

impl HostState {
    /// A sandbox with no capability: no files, environment, arguments, network or sockets;
    /// clocks frozen at `now_millis` and deterministic randomness. WASI is linked only because
    /// the Rust standard library of `wasm32-wasip2` imports it; nothing in it reaches the world.
    pub(crate) fn new(
        plugin_name: &str,
        config: RuleConfig,
        now_millis: i64,
        memory_bytes: usize,
        log_bytes: usize,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(log_bytes.max(1024));
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .wall_clock(FrozenWallClock::at(now_millis))
            .monotonic_clock(FrozenMonotonicClock)
            .secure_random(Deterministic::new(RANDOM_BYTES.to_vec()))
            .insecure_random(Deterministic::new(RANDOM_BYTES.to_vec()))
            .insecure_random_seed(0)
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(memory_bytes),
            config,
            log: CallLog::new(plugin_name, log_bytes),
            stderr,
        }
    }

    /// Moves what the guest wrote to stderr into the call log (for trap reports).
    pub(crate) fn collect_stderr(&mut self) {
        let written = self.stderr.contents();
        if !written.is_empty() {
            self.log.remember_stderr(&String::from_utf8_lossy(&written));
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl logging::Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        self.log.log(level, &message);
    }
}

impl config_interface::Host for HostState {
    fn get(&mut self, key: String) -> Option<String> {
        self.config.get(&key).map(str::to_owned)
    }

    fn entries(&mut self) -> Vec<(String, String)> {
        self.config
            .entries()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect()
    }
}

impl types::Host for HostState {}

/// Caps a plugin's linear memory and tables; exceeding the memory cap traps at once with
/// [`MemoryLimitHit`], so the host can name the limit.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    memory_bytes: usize,
}

/// Most table elements an instance may have: generous for any real plugin (function tables
/// hold a few thousand entries), small enough that tables cannot be used to exhaust memory.
const TABLE_ELEMENTS: usize = 100_000;

impl MemoryLimiter {
    fn new(memory_bytes: usize) -> Self {
        Self { memory_bytes }
    }
}

/// The trap payload when a plugin asks for more memory than allowed.
#[derive(Debug, thiserror::Error)]
#[error("memory limit of {limit} bytes exceeded: {requested} bytes requested")]
pub(crate) struct MemoryLimitHit {
    pub(crate) limit: usize,
    pub(crate) requested: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            return Err(MemoryLimitHit {
                limit: self.memory_bytes,
                requested: desired,
            }
            .into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= TABLE_ELEMENTS)
    }
}

/// A wall clock that always reads the call's `now`.
struct FrozenWallClock {
    since_epoch: Duration,
}

impl FrozenWallClock {
    fn at(now_millis: i64) -> Self {
        // Before 1970 the WASI wall clock cannot go; such a `now` reads as the epoch.
        let millis = u64::try_from(now_millis).unwrap_or(0);
        Self {
            since_epoch: Duration::from_millis(millis),
        }
    }
}

impl HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        self.since_epoch
    }
}

/// A monotonic clock that never moves: elapsed time is not a plugin's business.
struct FrozenMonotonicClock;

impl HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        0
    }
}
