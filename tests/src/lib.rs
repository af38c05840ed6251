//! Shared pieces of leadgate's end-to-end tests and benchmarks: the plugins built from source,
//! a runtime set up for tests, generated contact data and native reference implementations.

pub mod generate;
pub mod native;

use std::path::Path;

use leadgate::plugin::{PluginRuntime, RuntimeOptions};

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
