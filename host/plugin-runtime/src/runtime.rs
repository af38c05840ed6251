//! The plugin runtime: one engine, one linker, one deadline clock and the compiled-artifact
//! cache, shared by every plugin the process loads.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine};

use super::artifact_cache::ArtifactCache;
use super::bindings::field_mapping::FieldMappingPre;
use super::bindings::scoring_rule::{ScoringRule, ScoringRulePre};
use super::call::{CallTarget, call_plugin};
use super::error::{BatchLabel, PluginLoadError};
use super::field_mapping_plugin::FieldMappingPlugin;
use super::host_state::HostState;
use super::scoring_rule_plugin::ScoringRulePlugin;
use super::types::{PluginInfo, Role};
use super::{CONTRACT_VERSION, PluginLimits, RuleConfig};

/// How a [`PluginRuntime`] is set up.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// The limits every call runs under.
    pub limits: PluginLimits,
    /// Where compiled plugins are kept between runs; `None` compiles on every load.
    pub cache_directory: Option<PathBuf>,
    /// How often the deadline clock ticks: a call stops between `deadline` and
    /// `deadline + epoch_interval` after it started.
    pub epoch_interval: Duration,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            limits: PluginLimits::default(),
            cache_directory: default_cache_directory(),
            epoch_interval: Duration::from_millis(10),
        }
    }
}

/// The per-user cache directory for compiled plugins (`~/.cache/leadgate/plugins` on Linux).
pub fn default_cache_directory() -> Option<PathBuf> {
    dirs::cache_dir().map(|directory| directory.join("leadgate").join("plugins"))
}

/// An error wasmtime reported, with its chain of causes kept as the error's sources (wasmtime's
/// own error type does not implement [`std::error::Error`]).
pub type WasmtimeError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The runtime could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The WebAssembly engine rejected its configuration.
    #[error("cannot set up the WebAssembly engine")]
    Engine(#[source] WasmtimeError),
    /// The host imports could not be linked.
    #[error("cannot link the plugin host imports")]
    Link(#[source] WasmtimeError),
    /// The deadline clock thread could not start.
    #[error("cannot start the plugin deadline clock")]
    Ticker(#[source] std::io::Error),
}

/// Loads and runs plugins. Cheap to clone; every clone shares one engine.
///
/// ```no_run
/// use leadgate_plugin_runtime::types::ContactActivities;
/// use leadgate_plugin_runtime::{PluginRuntime, RuntimeOptions, RuleConfig};
///
/// let runtime = PluginRuntime::new(RuntimeOptions::default())?;
/// let rule = runtime.load_scoring_rule("purchase_count.wasm".as_ref())?;
/// let mut config = RuleConfig::new();
/// config.insert("product", "Microsoft Office");
/// let contacts: Vec<ContactActivities> = Vec::new();
/// let batch = rule.score_batch(&config, &contacts, 1_767_225_600_000)?;
/// assert!(batch.results.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PluginRuntime {
    shared: Arc<RuntimeShared>,
}

impl std::fmt::Debug for PluginRuntime {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PluginRuntime")
            .field("limits", &self.shared.limits)
            .field("cache", &self.shared.cache)
            .finish_non_exhaustive()
    }
}

/// The parts of the runtime every plugin and call needs.
pub(crate) struct RuntimeShared {
    pub(crate) engine: Engine,
    linker: Linker<HostState>,
    pub(crate) limits: PluginLimits,
    cache: Option<ArtifactCache>,
    epoch_interval: Duration,
    _ticker: super::ticker::EpochTicker,
}

impl RuntimeShared {
    /// Epoch ticks until a call's deadline: one more than the deadline spans, because the
    /// first tick may come at once, so a call never stops before its deadline.
    pub(crate) fn deadline_ticks(&self) -> u64 {
        let interval = self.epoch_interval.as_nanos().max(1);
        let ticks = self.limits.deadline.as_nanos().div_ceil(interval);
        u64::try_from(ticks).unwrap_or(u64::MAX).saturating_add(1)
    }
}

impl PluginRuntime {
    /// Sets up the engine (fuel and epoch interruption on, deterministic floating point), links
    /// the host imports and starts the deadline clock.
    pub fn new(options: RuntimeOptions) -> Result<Self, RuntimeError> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            // Same input, same output, on every machine: NaN bit patterns and relaxed SIMD are
            // the two places where hardware could otherwise leak into results.
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true);
        let engine = Engine::new(&config).map_err(|error| RuntimeError::Engine(error.into()))?;

        let mut linker = Linker::<HostState>::new(&engine);
        let link_error = |error: wasmtime::Error| RuntimeError::Link(error.into());
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link_error)?;
        ScoringRule::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)
            .map_err(link_error)?;

        let cache = options.cache_directory.as_deref().and_then(|directory| {
            ArtifactCache::open(directory, &engine)
                .inspect_err(|error| {
                    tracing::warn!(directory = %directory.display(), %error, "plugin artifact cache unavailable; plugins will be compiled on every load");
                })
                .ok()
        });
        let ticker = super::ticker::EpochTicker::start(engine.clone(), options.epoch_interval)
            .map_err(RuntimeError::Ticker)?;
        Ok(Self {
            shared: Arc::new(RuntimeShared {
                engine,
                linker,
                limits: options.limits,
                cache,
                epoch_interval: options.epoch_interval,
                _ticker: ticker,
            }),
        })
    }

    /// The limits calls run under.
    pub fn limits(&self) -> &PluginLimits {
        &self.shared.limits
    }

    /// Loads a plugin file of either role.
    pub fn load(&self, path: &Path) -> Result<Plugin, PluginLoadError> {
        let label = path.display().to_string();
        let size = std::fs::metadata(path)
            .map_err(|source| PluginLoadError::Read {
                path: path.to_owned(),
                source,
            })?
            .len();
        let limit = self.shared.limits.component_bytes;
        if usize::try_from(size).map_or(true, |size| size > limit) {
            return Err(PluginLoadError::TooLarge {
                plugin: label,
                size: usize::try_from(size).unwrap_or(usize::MAX),
                limit,
            });
        }
        let bytes = std::fs::read(path).map_err(|source| PluginLoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.load_bytes(&label, &bytes)
    }

    /// Loads a plugin from its bytes; `label` names it in errors until its `info` is known.
    pub fn load_bytes(&self, label: &str, bytes: &[u8]) -> Result<Plugin, PluginLoadError> {
        let started = Instant::now();
        let limit = self.shared.limits.component_bytes;
        if bytes.len() > limit {
            return Err(PluginLoadError::TooLarge {
                plugin: label.to_owned(),
                size: bytes.len(),
                limit,
            });
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        let (component, from_cache) = self.compile(label, bytes, &sha256)?;

        let component_type = component.component_type();
        let engine = &self.shared.engine;
        let exports: Vec<String> = component_type
            .exports(engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let imports: Vec<String> = component_type
            .imports(engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        let role = role_from_exports(label, &exports)?;

        let link = |error: wasmtime::Error| PluginLoadError::Link {
            plugin: label.to_owned(),
            message: format!("{error:#}"),
        };
        let instance_pre = self.shared.linker.instantiate_pre(&component).map_err(link)?;
        let details = |info: PluginInfo| PluginDetails {
            name: info.name,
            version: info.version,
            description: info.description,
            role,
            contract_version: CONTRACT_VERSION.to_owned(),
            sha256: sha256.clone(),
            size_bytes: bytes.len(),
            imports: imports.clone(),
            exports: exports.clone(),
            source: label.to_owned(),
            loaded_from_cache: from_cache,
            load_time: started.elapsed(),
        };
        let plugin = match role {
            Role::ScoringRule => {
                let pre = ScoringRulePre::new(instance_pre).map_err(link)?;
                let info = self.describe(label, |store| {
                    pre.instantiate(&mut *store)?
                        .leadgate_plugin_scoring()
                        .call_info(&mut *store)
                })?;
                check_declared_role(label, role, info.role)?;
                Plugin::ScoringRule(
                    ScoringRulePlugin::new(self.shared.clone(), details(info), pre).map_err(link)?,
                )
            }
            Role::FieldMapping => {
                let pre = FieldMappingPre::new(instance_pre).map_err(link)?;
                let info = self.describe(label, |store| {
                    pre.instantiate(&mut *store)?
                        .leadgate_plugin_mapping()
                        .call_info(&mut *store)
                })?;
                check_declared_role(label, role, info.role)?;
                Plugin::FieldMapping(FieldMappingPlugin::new(self.shared.clone(), details(info), pre))
            }
        };
        tracing::debug!(plugin = %plugin.details().name, version = %plugin.details().version, from_cache, elapsed = ?started.elapsed(), "plugin loaded");
        Ok(plugin)
    }

    /// Loads a plugin that must be a scoring rule.
    pub fn load_scoring_rule(&self, path: &Path) -> Result<ScoringRulePlugin, PluginLoadError> {
        match self.load(path)? {
            Plugin::ScoringRule(plugin) => Ok(plugin),
            Plugin::FieldMapping(plugin) => Err(PluginLoadError::WrongRole {
                plugin: plugin.details().source.clone(),
                expected: Role::ScoringRule,
                found: Role::FieldMapping,
            }),
        }
    }

    /// Loads a plugin that must be a field mapping.
    pub fn load_field_mapping(&self, path: &Path) -> Result<FieldMappingPlugin, PluginLoadError> {
        match self.load(path)? {
            Plugin::FieldMapping(plugin) => Ok(plugin),
            Plugin::ScoringRule(plugin) => Err(PluginLoadError::WrongRole {
                plugin: plugin.details().source.clone(),
                expected: Role::FieldMapping,
                found: Role::ScoringRule,
            }),
        }
    }

    /// Compiles the component, or loads its compiled artifact from the cache.
    fn compile(&self, label: &str, bytes: &[u8], sha256: &str) -> Result<(Component, bool), PluginLoadError> {
        let engine = &self.shared.engine;
        if let Some(cache) = &self.shared.cache
            && let Some(component) = cache.load(engine, sha256)
        {
            return Ok((component, true));
        }
        let component = Component::new(engine, bytes).map_err(|error| PluginLoadError::Invalid {
            plugin: label.to_owned(),
            message: format!("{error:#}"),
        })?;
        if let Some(cache) = &self.shared.cache
            && let Err(error) = cache.store(sha256, &component)
        {
            tracing::warn!(plugin = label, %error, "cannot write the compiled plugin to the cache");
        }
        Ok((component, false))
    }

    /// Calls a plugin's `info` in a store of its own.
    fn describe(
        &self,
        label: &str,
        body: impl FnOnce(&mut wasmtime::Store<HostState>) -> wasmtime::Result<PluginInfo>,
    ) -> Result<PluginInfo, PluginLoadError> {
        let target = CallTarget {
            plugin: label,
            version: "(unknown version)",
            function: "info",
        };
        call_plugin(
            &self.shared,
            &target,
            BatchLabel::none(),
            &RuleConfig::new(),
            0,
            body,
        )
        .map(|(info, _)| info)
        .map_err(|trap| PluginLoadError::Describe {
            plugin: label.to_owned(),
            source: trap,
        })
    }
}

/// Finds the role a component plays from the leadgate interface it exports.
fn role_from_exports(label: &str, exports: &[String]) -> Result<Role, PluginLoadError> {
    for export in exports {
        let Some(rest) = export.strip_prefix("leadgate:plugin/") else {
            continue;
        };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        let role = match interface {
            "scoring" => Role::ScoringRule,
            "mapping" => Role::FieldMapping,
            _ => continue,
        };
        if version != CONTRACT_VERSION {
            return Err(PluginLoadError::UnsupportedContract {
                plugin: label.to_owned(),
                found: if version.is_empty() {
                    "(unversioned)".to_owned()
                } else {
                    version.to_owned()
                },
                supported: CONTRACT_VERSION.to_owned(),
            });
        }
        return Ok(role);
    }
    Err(PluginLoadError::NotAPlugin {
        plugin: label.to_owned(),
        exports: exports.to_vec(),
    })
}

fn check_declared_role(label: &str, exported: Role, declared: Role) -> Result<(), PluginLoadError> {
    if exported == declared {
        Ok(())
    } else {
        Err(PluginLoadError::InconsistentRole {
            plugin: label.to_owned(),
            exported,
            declared,
        })
    }
}

/// Everything known about a loaded plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginDetails {
    /// The name the plugin gives itself.
    pub name: String,
    /// The plugin's version.
    pub version: String,
    /// What the plugin says it does.
    pub description: String,
    /// The role it plays.
    pub role: Role,
    /// The contract version it was built against.
    pub contract_version: String,
    /// SHA-256 of its bytes (hex): changes whenever the plugin changes.
    pub sha256: String,
    /// Its size in bytes.
    pub size_bytes: usize,
    /// What it imports (interface names).
    pub imports: Vec<String>,
    /// What it exports (interface names).
    pub exports: Vec<String>,
    /// Where it was loaded from (a path, or a label).
    pub source: String,
    /// True when the compiled code came from the artifact cache.
    pub loaded_from_cache: bool,
    /// How long loading took (compile or cache load, link, `info`).
    pub load_time: Duration,
}

/// A loaded plugin of either role.
#[derive(Debug, Clone)]
pub enum Plugin {
    /// A scoring rule.
    ScoringRule(ScoringRulePlugin),
    /// A field mapping.
    FieldMapping(FieldMappingPlugin),
}

impl Plugin {
    /// What is known about the plugin.
    pub fn details(&self) -> &PluginDetails {
        match self {
            Self::ScoringRule(plugin) => plugin.details(),
            Self::FieldMapping(plugin) => plugin.details(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn engine_errors_keep_wasmtimes_causes_as_sources() {
        let cause = wasmtime::Error::msg("unsupported target").context("invalid configuration");
        let error = RuntimeError::Engine(cause.into());
        assert_eq!(error.to_string(), "cannot set up the WebAssembly engine");
        let mut chain = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            chain.push(cause.to_string());
            source = cause.source();
        }
        assert_eq!(chain, ["invalid configuration", "unsupported target"]);
    }
}
