//! The error a plugin answers with, and the `Result` alias used throughout the SDK.

use core::fmt;

/// Why a plugin could not produce a result for one contact, or could not accept its configuration.
///
/// This is the WIT `plugin-error` variant. It is an answer, not a crash: the host records it on
/// the contact and goes on with the others. Build one with [`PluginError::invalid_input`],
/// [`PluginError::invalid_config`] or [`PluginError::other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PluginError {
    /// The contact's data cannot be handled (e.g. a required attribute is missing).
    InvalidInput(String),
    /// The plugin's configuration is wrong (e.g. a missing or malformed key); every contact
    /// fails the same way until it is fixed.
    InvalidConfig(String),
    /// Anything else.
    Other(String),
}

impl PluginError {
    /// The contact's data cannot be handled, e.g. "contact `c-17` has no last name".
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput(message.into())
    }

    /// The configuration is wrong. The message should name the key, e.g.
    /// "config key `points`: expected an integer, got `abc`".
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::InvalidConfig(message.into())
    }

    /// An invalid configuration value, phrased the standard way: "config key `{key}`: {problem}".
    pub fn invalid_config_key(key: &str, problem: impl fmt::Display) -> Self {
        Self::InvalidConfig(format!("config key `{key}`: {problem}"))
    }

    /// Any other failure.
    pub fn other(message: impl Into<String>) -> Self {
        Self::Other(message.into())
    }

    /// The message, without the kind of error.
    pub fn message(&self) -> &str {
        match self {
            Self::InvalidInput(message) | Self::InvalidConfig(message) | Self::Other(message) => message,
        }
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput(message) => write!(formatter, "invalid input: {message}"),
            Self::InvalidConfig(message) => write!(formatter, "invalid config: {message}"),
            Self::Other(message) => formatter.write_str(message),
        }
    }
}

impl core::error::Error for PluginError {}

/// The result of plugin code: the error type defaults to [`PluginError`].
pub type Result<T, E = PluginError> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_kind() {
        assert_eq!(
            PluginError::invalid_input("no e-mail").to_string(),
            "invalid input: no e-mail"
        );
        assert_eq!(
            PluginError::invalid_config_key("points", "expected an integer, got `abc`").to_string(),
            "invalid config: config key `points`: expected an integer, got `abc`"
        );
        assert_eq!(PluginError::other("boom").to_string(), "boom");
        assert_eq!(PluginError::other("boom").message(), "boom");
    }
}
