//! What every command receives: the settings, resolved once, the store, opened once, and the
//! printer.

use std::cell::OnceCell;
use std::sync::Arc;

use anyhow::Context as _;
use leadgate_plugin_runtime::{PluginLimits, PluginRuntime, RuntimeOptions};

use super::printer::Printer;
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::environment;
use crate::settings::{Settings, SettingsOverrides};
use crate::store::Store;

/// The edge between the command line and the library, built once per invocation.
///
/// The settings and the store are made on first use, not up front: `plugin inspect` or
/// `sf … --instance-url` never read the configuration, so a broken `leadgate.toml` in the
/// current directory cannot stop them, and read-only commands that fail early never open the
/// store. Each is still resolved at most once.
pub(super) struct CommandContext {
    overrides: SettingsOverrides,
    settings: OnceCell<Settings>,
    store: OnceCell<Arc<Store>>,
    printer: Printer,
}

impl CommandContext {
    /// The context for the global flags, reading the process environment.
    pub(super) fn new(global: &GlobalArgs) -> Self {
        Self {
            overrides: SettingsOverrides {
                config_file: global.config_file.clone(),
                data_dir: global.data_dir.clone(),
                cache_dir: global.cache_dir.clone(),
                no_cache: global.no_cache,
            },
            settings: OnceCell::new(),
            store: OnceCell::new(),
            printer: Printer,
        }
    }

    /// The settings: flags, environment, `leadgate.toml` (or `./leadgate.toml`), defaults.
    pub(super) fn settings(&self) -> anyhow::Result<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let settings = Settings::resolve(&self.overrides, environment::process_lookup)?;
        Ok(self.settings.get_or_init(|| settings))
    }

    /// The configuration of [`Self::settings`].
    pub(super) fn config(&self) -> anyhow::Result<&Config> {
        Ok(&self.settings()?.config)
    }

    /// The store in the configured data directory.
    pub(super) fn store(&self) -> anyhow::Result<&Store> {
        Ok(self.shared_store()?.as_ref())
    }

    /// The store, for what holds on to it (the credential store); a data directory can be open
    /// only once per process, so everything shares this one.
    pub(super) fn shared_store(&self) -> anyhow::Result<&Arc<Store>> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Arc::new(Store::open(&self.config()?.data_dir)?);
        Ok(self.store.get_or_init(|| store))
    }

    /// Where output goes.
    pub(super) fn printer(&self) -> &Printer {
        &self.printer
    }

    /// The plugin runtime for the configured scores: the configured limits and cache.
    pub(super) fn configured_plugin_runtime(&self) -> anyhow::Result<PluginRuntime> {
        let settings = self.settings()?;
        runtime(RuntimeOptions {
            limits: settings.config.plugins.limits.clone(),
            cache_directory: settings.cache_directory.clone(),
            ..RuntimeOptions::default()
        })
    }

    /// A plugin runtime for commands that take a plugin file instead of the configuration
    /// (`plugin inspect`, `plugin run`): the given limits, the cache from the flags and the
    /// environment, and no configuration file read.
    pub(super) fn standalone_plugin_runtime(&self, limits: PluginLimits) -> anyhow::Result<PluginRuntime> {
        let settings = Settings::without_file(&self.overrides, environment::process_lookup);
        runtime(RuntimeOptions {
            limits,
            cache_directory: settings.cache_directory,
            ..RuntimeOptions::default()
        })
    }
}

fn runtime(options: RuntimeOptions) -> anyhow::Result<PluginRuntime> {
    PluginRuntime::new(options).context("cannot start the plugin runtime")
}
