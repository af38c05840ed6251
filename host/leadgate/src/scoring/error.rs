//! What can stop a scoring run.

use leadgate_plugin_runtime::{PluginLoadError, PluginTrap};

use crate::store::StoreError;

/// A scoring run could not start or finish. Problems with single contacts never end up here:
/// they are stored as those contacts' outcomes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScoringError {
    /// A rule's plugin could not be loaded.
    #[error("score `{score}`, rule `{rule}`: cannot load its plugin")]
    Plugin {
        /// The score.
        score: String,
        /// The rule.
        rule: String,
        /// Why.
        #[source]
        source: PluginLoadError,
    },
    /// A rule's plugin rejected the rule's configuration.
    #[error("score `{score}`, rule `{rule}`: plugin `{plugin}` rejects the configuration: {message}")]
    RuleConfig {
        /// The score.
        score: String,
        /// The rule.
        rule: String,
        /// The plugin.
        plugin: String,
        /// The plugin's verdict.
        message: String,
    },
    /// A rule's plugin crashed while checking its configuration.
    #[error("score `{score}`, rule `{rule}`: the plugin crashed checking its configuration")]
    RuleConfigTrap {
        /// The score.
        score: String,
        /// The rule.
        rule: String,
        /// The crash.
        #[source]
        source: Box<PluginTrap>,
    },
    /// No score of that name is configured.
    #[error("no score named `{name}` in the configuration (configured: {})", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownScore {
        /// The name asked for.
        name: String,
        /// The configured names.
        known: Vec<String>,
    },
    /// A scoring worker thread panicked (a bug in leadgate, not in a plugin: plugin crashes are
    /// contained and recorded per contact).
    #[error("a scoring worker stopped unexpectedly; the outcomes written so far are kept")]
    WorkerPanicked,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
