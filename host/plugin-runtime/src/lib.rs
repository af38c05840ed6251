//! The WebAssembly plugin runtime: loads scoring rules and field mappings written against the
//! contract in `wit/` (package `leadgate:plugin`), and runs them in a sandbox.
//!
//! - One [`PluginRuntime`] per process: one wasmtime engine, one linker, a deadline clock and a
//!   cache of compiled plugins on disk (keyed by the plugin's SHA-256 and the engine's
//!   compatibility hash).
//! - Loading checks the plugin's role and contract version and says plainly what is wrong.
//! - Every call runs in a fresh store: no state survives from one batch to the next, and a
//!   plugin that crashed is as good as new on the next call.
//! - Limits ([`PluginLimits`]): fuel per contact, memory, a wall-clock deadline per call,
//!   output per contact and log volume per call. A plugin can fail its own contacts; it cannot
//!   crash or stall the host.
//! - No capability: no files, environment, network or sockets; clocks frozen at the call's
//!   `now`; deterministic randomness. Plugin logs go to `tracing` under `plugin::<name>`.

mod artifact_cache;
mod batching;
pub mod bindings;
mod call;
mod call_log;
mod contact_json;
mod contract_types;
mod error;
mod field_mapping_plugin;
mod host_state;
mod input_view;
mod limits;
mod rule_config;
mod runtime;
mod scoring_rule_plugin;
mod ticker;

use std::fmt;

pub use batching::PluginRun;
pub use bindings::types;
pub use bindings::{config_interface, logging};
pub use call::CallStats;
pub use contact_json::{
    ActivityJson, AttributeValue, ContactJson, ContactJsonError, ContactLineError, TimeJson,
    read_contacts_json_lines,
};
pub use contract_types::activity_kind_name;
pub use error::{
    BatchLabel, ContactFailure, PluginLoadError, PluginTrap, RuleConfigError, TrapKind, describe_plugin_error,
};
pub use field_mapping_plugin::{FieldMappingPlugin, MappedBatch};
pub use input_view::{ContactActivitiesView, ScoringInput};
/// The one parser of moments, re-exported for callers that read JSON contact lines.
pub use leadgate_model::{TimestampError, parse_timestamp};
pub use limits::PluginLimits;
pub use rule_config::RuleConfig;
pub use runtime::{
    Plugin, PluginDetails, PluginRuntime, RuntimeError, RuntimeOptions, WasmtimeError,
    default_cache_directory,
};
pub use scoring_rule_plugin::{Requirements, ScoredBatch, ScoringRulePlugin};
pub use types::Role;

/// The version of the plugin contract (`leadgate:plugin`) this host binds.
pub const CONTRACT_VERSION: &str = "0.1.0";

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::ScoringRule => "scoring-rule",
            Self::FieldMapping => "field-mapping",
        })
    }
}
