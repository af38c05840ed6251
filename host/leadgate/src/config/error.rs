//! What can go wrong reading `leadgate.toml`.

use std::fmt;
use std::path::PathBuf;

use super::Location;

/// `leadgate.toml` could not be read, or says something leadgate cannot use.
///
/// Every variant but [`ConfigError::Read`] names the file, line and column, and may carry a hint
/// on what to write instead. They display on one line as `file:line:column: message`, followed by
/// `hint: …` on a second line when there is a hint:
///
/// ```text
/// leadgate.toml:7:3: unknown key `plugins` in `[[scores.rules]]`; expected one of `name`, `plugin`, `config`
/// hint: did you mean `plugin`?
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{location}: {message}{}", HintLine(hint.as_deref()))]
    Syntax {
        /// Where the parser stopped.
        location: Location,
        /// What the parser expected.
        message: String,
        /// What to write instead, when it is clear.
        hint: Option<String>,
    },
    /// The file is valid TOML but does not have the shape of `leadgate.toml`: an unknown key, a
    /// value of the wrong type, or a missing required key.
    #[error("{location}: {message}{}", HintLine(hint.as_deref()))]
    Schema {
        /// The key or value at fault (for a missing key, the table that lacks it).
        location: Location,
        /// What is wrong.
        message: String,
        /// What to write instead, when it is clear.
        hint: Option<String>,
    },
    /// A value has the right type but is not allowed: an empty or duplicate name, thresholds out
    /// of order, a number out of range.
    #[error("{location}: {message}{}", HintLine(hint.as_deref()))]
    Invalid {
        /// The value at fault.
        location: Location,
        /// What is wrong.
        message: String,
        /// What to write instead, when it is clear.
        hint: Option<String>,
    },
}

impl ConfigError {
    /// Where in the file the problem is; `None` when the file could not be read at all.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Read { .. } => None,
            Self::Syntax { location, .. }
            | Self::Schema { location, .. }
            | Self::Invalid { location, .. } => Some(location),
        }
    }

    /// What to write instead, when the error comes with a hint.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Self::Read { .. } => None,
            Self::Syntax { hint, .. } | Self::Schema { hint, .. } | Self::Invalid { hint, .. } => {
                hint.as_deref()
            }
        }
    }

    /// A [`ConfigError::Schema`] error.
    pub(super) fn schema(location: Location, message: impl Into<String>, hint: Option<String>) -> Self {
        Self::Schema {
            location,
            message: message.into(),
            hint,
        }
    }

    /// A [`ConfigError::Invalid`] error.
    pub(super) fn invalid(location: Location, message: impl Into<String>, hint: Option<String>) -> Self {
        Self::Invalid {
            location,
            message: message.into(),
            hint,
        }
    }
}

/// The optional second line of an error: `\nhint: …`.
struct HintLine<'a>(Option<&'a str>);

impl fmt::Display for HintLine<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(hint) => write!(formatter, "\nhint: {hint}"),
            None => Ok(()),
        }
    }
}
