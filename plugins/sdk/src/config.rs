//! Typed access to the configuration of the rule or mapping a plugin runs for.

use core::any::type_name;
use core::str::FromStr;

use crate::{PluginError, Result};

/// The configuration of the rule or mapping being run: text values by key.
///
/// The host gives each call the configuration of the rule it runs for. Values are text: TOML
/// strings as they are, numbers and booleans in their TOML text form (`1`, `2.5`, `true`), arrays
/// and tables as JSON. The registration macros read it once per batch and hand it to
/// `from_config`; tests build one with [`Config::from_entries`].
///
/// Every error names the key (and the bad value), e.g.
/// "config key `points`: expected an integer, got `abc`".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Sorted by key, keys unique, so lookups are binary searches.
    entries: Vec<(String, String)>,
}

impl Config {
    /// Reads the configuration from the host (the `config.entries` import).
    ///
    /// Only callable inside a plugin running in the host; natively it traps.
    pub fn from_host() -> Self {
        Self::from_sorted(crate::bindings::scoring::leadgate::plugin::config::entries())
    }

    /// A configuration made of `entries`, e.g. for tests. When a key is given twice, the last
    /// value counts.
    ///
    /// ```
    /// use leadgate_plugin_sdk::Config;
    ///
    /// let config = Config::from_entries([("product", "Microsoft Office"), ("points", "2")]);
    /// assert_eq!(config.get("product"), Some("Microsoft Office"));
    /// assert_eq!(config.get_or("points", 1_i64), Ok(2));
    /// ```
    pub fn from_entries<I, K, V>(entries: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut entries: Vec<(String, String)> = entries
            .into_iter()
            .map(|(key, value)| (key.into(), value.into()))
            .collect();
        // Reverse, then a stable sort and `dedup` (which keeps the first of equal keys), so the
        // last value given for a key wins.
        entries.reverse();
        entries.sort_by(|left, right| left.0.cmp(&right.0));
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        Self { entries }
    }

    /// Trusts the host's promise (sorted, unique keys) but checks it, since a broken promise
    /// would make lookups silently miss.
    fn from_sorted(entries: Vec<(String, String)>) -> Self {
        if entries.windows(2).all(|pair| pair[0].0 < pair[1].0) {
            Self { entries }
        } else {
            Self::from_entries(entries)
        }
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of keys set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every key and value, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }

    /// The text value of `key`, or `None` when it is not set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .binary_search_by(|(candidate, _)| candidate.as_str().cmp(key))
            .ok()
            .map(|index| self.entries[index].1.as_str())
    }

    /// True when `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The text value of `key`, or invalid-config "config key `key` is required but not set".
    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key)
            .ok_or_else(|| PluginError::invalid_config(format!("config key `{key}` is required but not set")))
    }

    /// The value of `key` parsed as `T` (surrounding whitespace ignored), or `None` when not set.
    ///
    /// A value that does not parse is invalid-config, e.g.
    /// "config key `points`: expected an integer, got `abc`".
    pub fn get_parsed<T: FromStr>(&self, key: &str) -> Result<Option<T>> {
        self.get(key).map(|value| parse_value(key, value)).transpose()
    }

    /// The value of `key` parsed as `T`; missing or unparsable values are invalid-config.
    pub fn require_parsed<T: FromStr>(&self, key: &str) -> Result<T> {
        parse_value(key, self.require(key)?)
    }

    /// The value of `key` parsed as `T`, or `default` when not set; unparsable values are
    /// invalid-config.
    pub fn get_or<T: FromStr>(&self, key: &str, default: T) -> Result<T> {
        Ok(self.get_parsed(key)?.unwrap_or(default))
    }

    /// The value of `key` as a boolean (`true` or `false`, in any case), or `None` when not set.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>> {
        let Some(value) = self.get(key) else {
            return Ok(None);
        };
        match value.trim() {
            text if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
            text if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
            _ => Err(PluginError::invalid_config_key(
                key,
                format_args!("expected `true` or `false`, got `{value}`"),
            )),
        }
    }

    /// Fails with invalid-config naming the first key (in sorted order) that is not in `known`,
    /// so a misspelt key (`max-point`) is reported instead of silently ignored.
    pub fn reject_unknown(&self, known: &[&str]) -> Result<()> {
        let Some((unknown, _)) = self
            .entries
            .iter()
            .find(|(key, _)| !known.contains(&key.as_str()))
        else {
            return Ok(());
        };
        let message = if known.is_empty() {
            format!("config key `{unknown}` is not known: this plugin takes no configuration")
        } else {
            let known_list = known
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ");
            format!("config key `{unknown}` is not known; known keys: {known_list}")
        };
        Err(PluginError::invalid_config(message))
    }
}

fn parse_value<T: FromStr>(key: &str, value: &str) -> Result<T> {
    value.trim().parse().map_err(|_| {
        PluginError::invalid_config_key(
            key,
            format_args!("expected {}, got `{value}`", expected_description::<T>()),
        )
    })
}

/// How to describe what a value of type `T` looks like in an error message.
fn expected_description<T>() -> &'static str {
    match type_name::<T>() {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "an integer",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a non-negative integer",
        "f32" | "f64" => "a number",
        "bool" => "`true` or `false`",
        "char" => "a single character",
        _ => "a valid value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::from_entries([
            ("points", " 12 "),
            ("product", "Microsoft Office"),
            ("bad", "abc"),
            ("flag", "TRUE"),
            ("off", "false"),
        ])
    }

    #[test]
    fn lookups() {
        let config = config();
        assert_eq!(config.len(), 5);
        assert_eq!(config.get("product"), Some("Microsoft Office"));
        assert_eq!(config.get("missing"), None);
        assert!(config.contains("flag"));
        assert_eq!(config.require("product"), Ok("Microsoft Office"));
        assert_eq!(
            config.require("missing"),
            Err(PluginError::invalid_config(
                "config key `missing` is required but not set"
            ))
        );
        let keys: Vec<&str> = config.iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["bad", "flag", "off", "points", "product"]);
    }

    #[test]
    fn last_value_wins() {
        let config = Config::from_entries([("a", "1"), ("b", "2"), ("a", "3")]);
        assert_eq!(config.get("a"), Some("3"));
        assert_eq!(config.len(), 2);
    }

    #[test]
    fn parsing() {
        let config = config();
        assert_eq!(config.get_parsed::<i64>("points"), Ok(Some(12)));
        assert_eq!(config.get_parsed::<i64>("missing"), Ok(None));
        assert_eq!(config.require_parsed::<u32>("points"), Ok(12));
        assert_eq!(config.get_or("missing", 7_i64), Ok(7));
        assert_eq!(config.get_or("points", 7_i64), Ok(12));
        assert_eq!(
            config.get_parsed::<i64>("bad"),
            Err(PluginError::invalid_config(
                "config key `bad`: expected an integer, got `abc`"
            ))
        );
        assert_eq!(
            config.require_parsed::<f64>("bad"),
            Err(PluginError::invalid_config(
                "config key `bad`: expected a number, got `abc`"
            ))
        );
        assert!(config.require_parsed::<i64>("missing").is_err());
    }

    #[test]
    fn booleans() {
        let config = config();
        assert_eq!(config.get_bool("flag"), Ok(Some(true)));
        assert_eq!(config.get_bool("off"), Ok(Some(false)));
        assert_eq!(config.get_bool("missing"), Ok(None));
        assert_eq!(
            config.get_bool("points"),
            Err(PluginError::invalid_config(
                "config key `points`: expected `true` or `false`, got ` 12 `"
            ))
        );
    }

    #[test]
    fn unknown_keys() {
        let config = Config::from_entries([("product", "x"), ("max-point", "3")]);
        assert_eq!(config.reject_unknown(&["product", "max-point"]), Ok(()));
        assert_eq!(
            config.reject_unknown(&["product", "max-points"]),
            Err(PluginError::invalid_config(
                "config key `max-point` is not known; known keys: `product`, `max-points`"
            ))
        );
        assert!(config.reject_unknown(&[]).is_err());
        assert_eq!(Config::default().reject_unknown(&[]), Ok(()));
    }
}
