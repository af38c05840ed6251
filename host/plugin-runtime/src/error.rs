//! What can go wrong loading and calling a plugin.
//!
//! Three kinds of failure are kept apart, because they call for different reactions:
//! - [`PluginLoadError`]: the plugin cannot be used at all (bad file, wrong role or contract);
//! - [`PluginTrap`]: a call crashed (panic, out of fuel, memory or time) — the plugin's fault,
//!   reported with plugin, version, function and batch;
//! - [`ContactFailure`]: the plugin answered for one contact, but with an error (its own
//!   `plugin-error`) or with more output than allowed. Other contacts are unaffected.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::Role;
use super::types::PluginError;

/// A plugin could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginLoadError {
    /// The file could not be read.
    #[error("cannot read plugin `{}`", path.display())]
    Read {
        /// The plugin file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`PluginLimits::component_bytes`](super::PluginLimits::component_bytes).
    #[error("plugin `{plugin}` is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The plugin's file or label.
        plugin: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The bytes are not a valid WebAssembly component (or are a core module).
    #[error("plugin `{plugin}` is not a valid WebAssembly component: {message}")]
    Invalid {
        /// The plugin's file or label.
        plugin: String,
        /// What the compiler said.
        message: String,
    },
    /// The component exports no leadgate plugin interface at all.
    #[error(
        "plugin `{plugin}` exports no leadgate plugin interface (found: {}); \
         build it with leadgate-plugin-sdk for the `scoring-rule` or `field-mapping` world",
        display_list(exports)
    )]
    NotAPlugin {
        /// The plugin's file or label.
        plugin: String,
        /// What the component does export.
        exports: Vec<String>,
    },
    /// The component was built against a contract version this host cannot run.
    #[error(
        "plugin `{plugin}` was built against `leadgate:plugin@{found}`, \
         but this host supports `leadgate:plugin@{supported}`; rebuild it with a \
         leadgate-plugin-sdk release for contract {supported}"
    )]
    UnsupportedContract {
        /// The plugin's file or label.
        plugin: String,
        /// The contract version the plugin exports.
        found: String,
        /// The contract version(s) this host binds.
        supported: String,
    },
    /// The component plays another role than the caller asked for.
    #[error("plugin `{plugin}` is a {found} plugin, not a {expected} plugin")]
    WrongRole {
        /// The plugin's file or label.
        plugin: String,
        /// The role the caller needs.
        expected: Role,
        /// The role the component was built for.
        found: Role,
    },
    /// The component imports something the host does not provide (e.g. a WASI proposal it
    /// has no business with, or another package).
    #[error("plugin `{plugin}` cannot be linked: {message}")]
    Link {
        /// The plugin's file or label.
        plugin: String,
        /// What the linker said, naming the missing import.
        message: String,
    },
    /// Calling `info` or checking the plugin's self-description failed.
    #[error("plugin `{plugin}` failed to describe itself")]
    Describe {
        /// The plugin's file or label.
        plugin: String,
        /// The trap.
        #[source]
        source: Box<PluginTrap>,
    },
    /// `info` names another role than the export the component has.
    #[error("plugin `{plugin}` exports the {exported} interface but says it is a {declared} plugin")]
    InconsistentRole {
        /// The plugin's file or label.
        plugin: String,
        /// The role its exports imply.
        exported: Role,
        /// The role `info` reports.
        declared: Role,
    },
}

/// A call into a plugin crashed instead of returning.
///
/// Every field a person needs to act is here: which plugin, which version, which function,
/// which contacts, which limit, and the last lines the plugin logged.
#[derive(Debug, Clone, thiserror::Error)]
#[error("plugin `{plugin}` {version} crashed in `{function}` on {batch}: {kind}")]
pub struct PluginTrap {
    /// The plugin's name (from its `info`, or the file name before that is known).
    pub plugin: String,
    /// The plugin's version.
    pub version: String,
    /// The exported function that was running.
    pub function: &'static str,
    /// The contacts of the call.
    pub batch: BatchLabel,
    /// What happened.
    pub kind: TrapKind,
    /// Fuel spent before the trap.
    pub fuel_used: u64,
    /// Wall-clock time of the call until the trap.
    pub elapsed: Duration,
    /// The last messages the plugin logged (and wrote to stderr) in this call, oldest first.
    pub recent_logs: Vec<String>,
}

/// Why a plugin call trapped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrapKind {
    /// The call executed more instructions than its fuel allowed.
    OutOfFuel {
        /// The fuel the call had.
        limit: u64,
    },
    /// The call ran past its wall-clock deadline.
    DeadlineExceeded {
        /// The deadline.
        limit: Duration,
    },
    /// The plugin tried to grow its memory past the cap.
    MemoryLimitExceeded {
        /// The cap in bytes.
        limit: usize,
        /// The size it asked for, in bytes.
        requested: usize,
    },
    /// The plugin recursed too deeply.
    StackOverflow,
    /// The plugin panicked (the message is what it logged or wrote to stderr).
    Panicked {
        /// The panic message.
        message: String,
    },
    /// Another WebAssembly trap (unreachable, out-of-bounds access, division by zero …).
    WasmTrap {
        /// Wasmtime's description of the trap.
        description: String,
    },
    /// The plugin broke the contract: e.g. returned a different number of results than
    /// contacts it was given.
    ContractViolation {
        /// What was wrong.
        message: String,
    },
    /// Anything else the runtime reported.
    Other {
        /// The runtime's message.
        message: String,
    },
}

impl TrapKind {
    /// The limit name a person can look up in the configuration, when a limit was hit.
    pub fn limit_name(&self) -> Option<&'static str> {
        match self {
            Self::OutOfFuel { .. } => Some("fuel-per-contact"),
            Self::DeadlineExceeded { .. } => Some("deadline"),
            Self::MemoryLimitExceeded { .. } => Some("memory-bytes"),
            _ => None,
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OutOfFuel { limit } => write!(
                formatter,
                "ran out of fuel after {limit} instructions (limit `fuel-per-contact` × batch size)"
            ),
            Self::DeadlineExceeded { limit } => write!(
                formatter,
                "ran past its deadline of {} ms (limit `deadline`)",
                limit.as_millis()
            ),
            Self::MemoryLimitExceeded { limit, requested } => write!(
                formatter,
                "tried to grow its memory to {requested} bytes, over the limit of {limit} bytes (limit `memory-bytes`)"
            ),
            Self::StackOverflow => write!(formatter, "overflowed its stack (recursion too deep)"),
            Self::Panicked { message } if message.starts_with("panicked") => formatter.write_str(message),
            Self::Panicked { message } => write!(formatter, "panicked: {message}"),
            Self::WasmTrap { description } => write!(formatter, "hit a WebAssembly trap: {description}"),
            Self::ContractViolation { message } => write!(formatter, "broke the plugin contract: {message}"),
            Self::Other { message } => write!(formatter, "{message}"),
        }
    }
}

/// The contacts a call was made for, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLabel {
    /// How many contacts.
    pub size: usize,
    /// The first contact's id.
    pub first: Option<String>,
    /// The last contact's id.
    pub last: Option<String>,
}

impl BatchLabel {
    /// Labels a batch from its contact ids.
    pub fn from_ids<'a>(mut ids: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let size = ids.len();
        let first = ids.next().map(str::to_owned);
        let last = ids.last().map(str::to_owned).or_else(|| first.clone());
        Self { size, first, last }
    }

    /// A label for a call made for no contact (e.g. `info`).
    pub fn none() -> Self {
        Self {
            size: 0,
            first: None,
            last: None,
        }
    }
}

impl fmt::Display for BatchLabel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.size, &self.first, &self.last) {
            (0, _, _) | (_, None, _) | (_, _, None) => write!(formatter, "no contact"),
            (1, Some(first), _) => write!(formatter, "contact `{first}`"),
            (size, Some(first), Some(last)) => {
                write!(formatter, "a batch of {size} contacts (`{first}` … `{last}`)")
            }
        }
    }
}

/// Why one contact has no result from a plugin.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ContactFailure {
    /// The plugin answered with its own error for this contact.
    #[error("{}", describe_plugin_error(.0))]
    Plugin(PluginError),
    /// The plugin's result for this contact was larger than allowed.
    #[error("result of {bytes} bytes is over the limit of {limit} bytes (limit `output-bytes-per-contact`)")]
    OutputTooLarge {
        /// The result's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The call that held this contact crashed.
    #[error(transparent)]
    Trap(Box<PluginTrap>),
}

impl ContactFailure {
    /// The failure's kind in one word, as `--json` output names it: `plugin-error`,
    /// `output-too-large` or `trap`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Plugin(_) => "plugin-error",
            Self::OutputTooLarge { .. } => "output-too-large",
            Self::Trap(_) => "trap",
        }
    }
}

/// A bad `key=value` configuration argument.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleConfigError {
    /// No `=` in the argument.
    #[error("config argument `{assignment}` is not of the form key=value")]
    MissingEquals {
        /// The argument.
        assignment: String,
    },
    /// Nothing before the `=`.
    #[error("config argument `{assignment}` has an empty key")]
    EmptyKey {
        /// The argument.
        assignment: String,
    },
}

/// Renders a plugin's own error the way people read it: its kind, then its message.
pub fn describe_plugin_error(error: &PluginError) -> String {
    match error {
        PluginError::InvalidInput(message) => format!("invalid input: {message}"),
        PluginError::InvalidConfig(message) => format!("invalid config: {message}"),
        PluginError::Other(message) => message.clone(),
    }
}

fn display_list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".to_owned()
    } else {
        items
            .iter()
            .map(|item| format!("`{item}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_labels_name_the_contacts() {
        assert_eq!(
            BatchLabel::from_ids(["c-1"].into_iter()).to_string(),
            "contact `c-1`"
        );
        assert_eq!(
            BatchLabel::from_ids(["c-1", "c-2", "c-3"].into_iter()).to_string(),
            "a batch of 3 contacts (`c-1` … `c-3`)"
        );
        assert_eq!(BatchLabel::none().to_string(), "no contact");
    }

    #[test]
    fn trap_messages_name_plugin_version_function_batch_and_limit() {
        let trap = PluginTrap {
            plugin: "loop".into(),
            version: "0.1.0".into(),
            function: "score-batch",
            batch: BatchLabel::from_ids(["c-7"].into_iter()),
            kind: TrapKind::DeadlineExceeded {
                limit: Duration::from_millis(250),
            },
            fuel_used: 1,
            elapsed: Duration::from_millis(251),
            recent_logs: Vec::new(),
        };
        assert_eq!(
            trap.to_string(),
            "plugin `loop` 0.1.0 crashed in `score-batch` on contact `c-7`: \
             ran past its deadline of 250 ms (limit `deadline`)"
        );
        assert_eq!(trap.kind.limit_name(), Some("deadline"));
    }
}
