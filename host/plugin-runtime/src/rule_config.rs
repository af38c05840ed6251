//! The configuration one rule or mapping gives its plugin.

use std::collections::BTreeMap;

use super::error::RuleConfigError;

/// Key/value configuration a plugin reads through the `config` import.
///
/// One plugin serves many rules, each with its own configuration: `purchase-count` with
/// `product = "Microsoft Office"` for one score and `product = "Visio"` for another. Values are
/// text; numbers and booleans arrive in their TOML text form and the plugin parses them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleConfig {
    entries: BTreeMap<String, String>,
}

impl RuleConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.entries.insert(key.into(), value.into());
        self
    }

    /// Builds a configuration from `key=value` arguments, as `leadgate plugin run --config`
    /// takes them. The value is everything after the first `=` and may be empty.
    pub fn from_assignments<I, S>(assignments: I) -> Result<Self, RuleConfigError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut config = Self::new();
        for assignment in assignments {
            let assignment = assignment.as_ref();
            let Some((key, value)) = assignment.split_once('=') else {
                return Err(RuleConfigError::MissingEquals {
                    assignment: assignment.to_owned(),
                });
            };
            let key = key.trim();
            if key.is_empty() {
                return Err(RuleConfigError::EmptyKey {
                    assignment: assignment.to_owned(),
                });
            }
            config.insert(key, value);
        }
        Ok(config)
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// Every entry, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_split_at_the_first_equals_sign() -> Result<(), RuleConfigError> {
        let config = RuleConfig::from_assignments(["product=Microsoft Office", "formula=a=b", "empty="])?;
        assert_eq!(config.get("product"), Some("Microsoft Office"));
        assert_eq!(config.get("formula"), Some("a=b"));
        assert_eq!(config.get("empty"), Some(""));
        assert_eq!(config.entries().count(), 3);
        Ok(())
    }

    #[test]
    fn assignments_without_a_key_or_equals_sign_are_rejected() {
        assert!(matches!(
            RuleConfig::from_assignments(["product"]),
            Err(RuleConfigError::MissingEquals { .. })
        ));
        assert!(matches!(
            RuleConfig::from_assignments([" =1"]),
            Err(RuleConfigError::EmptyKey { .. })
        ));
    }
}
