//! Shared pieces of leadgate's end-to-end tests and benchmarks: the plugins built from source,
//! a runtime set up for tests, generated contact data and native reference implementations.

pub mod generate;
pub mod native;

use std::path::Path;

use leadgate_plugin_runtime::{PluginRuntime, RuntimeOptions};

/// Paths of the plugins `build.rs` built from `plugins/` and `tests/fixture-plugins/`.
pub mod plugins {
    include!(concat!(env!("OUT_DIR"), "/plugins.rs"));
}

/// A runtime with default limits and its artifact cache in `cache_directory`.
pub fn runtime_with_cache(cache_directory: &Path) -> PluginRuntime {
    runtime(RuntimeOptions {
        cache_directory: Some(cache_directory.to_owned()),
        ..RuntimeOptions::default()
    })
}

/// A runtime with the given options; test set-up failing is a test failure.
pub fn runtime(options: RuntimeOptions) -> PluginRuntime {
    match PluginRuntime::new(options) {
        Ok(runtime) => runtime,
        Err(error) => panic!("cannot start the plugin runtime: {error}"),
    }
}

/// A directory shared by every test of this build for compiled plugins, so each plugin is
/// compiled once per test run rather than once per test.
pub fn shared_cache_directory() -> &'static Path {
    Path::new(concat!(env!("OUT_DIR"), "/artifact-cache"))
}

/// CPU time this process has used so far (user + system, all threads), read from
/// `/proc/self/stat`; `None` where that file does not exist. Benchmarks print it next to the
/// wall-clock time: it shows how busy the cores were, and it varies less than the wall clock
/// on a machine that is doing other work.
pub fn process_cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may contain spaces; the fields after it are plain numbers.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name's `)`.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 100 per second on every Linux architecture leadgate runs on.
    Some(std::time::Duration::from_millis((user + system) * 10))
}
