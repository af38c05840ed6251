//! A score made ready to run: its rules' plugins loaded and configurations checked.

use leadgate_plugin_runtime::{Requirements, RuleConfig, ScoringRulePlugin, describe_plugin_error};
use sha2::{Digest, Sha256};

use super::ScoringError;
use crate::config::{RuleDefinition, ScoreDefinition};

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct PreparedRule {
    /// The rule's name.
    pub name: String,
    /// Its plugin.
    pub plugin: ScoringRulePlugin,
    /// Its configuration.
    pub config: RuleConfig,
    /// What the plugin needs for this configuration.
    pub requirements: Requirements,
}

impl PreparedRule {
    /// Checks the rule's configuration with its plugin.
    pub fn new(
        score: &ScoreDefinition,
        rule: &RuleDefinition,
        plugin: ScoringRulePlugin,
    ) -> Result<Self, ScoringError> {
        let requirements = match plugin.check_config(&rule.config) {
            Ok(Ok(requirements)) => requirements,
            Ok(Err(error)) => {
                return Err(ScoringError::RuleConfig {
                    score: score.name.clone(),
                    rule: rule.name.clone(),
                    plugin: plugin.details().name.clone(),
                    message: describe_plugin_error(&error),
                });
            }
            Err(trap) => {
                return Err(ScoringError::RuleConfigTrap {
                    score: score.name.clone(),
                    rule: rule.name.clone(),
                    source: trap,
                });
            }
        };
        Ok(Self {
            name: rule.name.clone(),
            plugin,
            config: rule.config.clone(),
            requirements,
        })
    }
}

/// An enabled score ready to run.
#[derive(Debug, Clone)]
pub struct PreparedScore {
    /// The score's name.
    pub name: String,
    /// Its rules, in configuration order.
    pub rules: Vec<PreparedRule>,
    /// What the score is computed with: rules, configurations and plugin binaries.
    pub fingerprint: String,
    /// True when the stored outcomes were computed with something else, so every contact must
    /// be scored again.
    pub recalculate: bool,
}

impl PreparedScore {
    /// The fingerprint of a score: its definition's, plus the hash of every rule's plugin binary.
    pub fn fingerprint_of(score: &ScoreDefinition, rules: &[PreparedRule]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(score.fingerprint().as_bytes());
        for rule in rules {
            hasher.update(b"\0");
            hasher.update(rule.plugin.details().sha256.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}
