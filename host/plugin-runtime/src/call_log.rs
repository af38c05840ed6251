//! Plugin log messages: routed into `tracing` under the target `plugin::<name>`, with a volume
//! cap per call and the last few lines kept for trap reports.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};

use tracing_core::callsite::{Callsite, DefaultCallsite};
use tracing_core::field::{FieldSet, Value};
use tracing_core::metadata::Kind;
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Level, LevelFilter, Metadata};

use super::logging::Level as PluginLevel;

/// How many recent messages a call keeps for its trap report.
const RECENT_MESSAGES: usize = 8;
/// How long a message kept for a trap report may be, in bytes.
const RECENT_MESSAGE_BYTES: usize = 512;

/// The log of one plugin call: forwards messages to `tracing` until the call's byte budget is
/// spent, then only counts them.
#[derive(Debug)]
pub(crate) struct CallLog {
    target: &'static PluginLogTarget,
    budget_bytes: usize,
    used_bytes: usize,
    dropped_messages: usize,
    recent: VecDeque<String>,
}

impl CallLog {
    pub(crate) fn new(plugin_name: &str, budget_bytes: usize) -> Self {
        Self {
            target: PluginLogTarget::for_plugin(plugin_name),
            budget_bytes,
            used_bytes: 0,
            dropped_messages: 0,
            recent: VecDeque::with_capacity(RECENT_MESSAGES),
        }
    }

    /// Records one message from the plugin.
    pub(crate) fn log(&mut self, level: PluginLevel, message: &str) {
        let remaining = self.budget_bytes.saturating_sub(self.used_bytes);
        if remaining == 0 {
            self.dropped_messages += 1;
            return;
        }
        let kept = truncate_at_char_boundary(message, remaining);
        self.used_bytes += kept.len().max(1);
        if kept.len() < message.len() {
            self.dropped_messages += 1;
        }
        self.remember(format!("{}: {}", level_name(level), kept));
        self.target.emit(tracing_level(level), kept);
    }

    /// Records what the plugin wrote to stderr (e.g. a panic message from a guest without the
    /// SDK's panic hook), for trap reports only.
    pub(crate) fn remember_stderr(&mut self, text: &str) {
        let joined = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.is_empty() {
            self.remember(format!("stderr: {joined}"));
        }
    }

    /// The last messages, oldest first.
    pub(crate) fn recent(&self) -> Vec<String> {
        self.recent.iter().cloned().collect()
    }

    /// The panic message the plugin logged, if it logged one (the SDK's panic hook logs
    /// `panicked at …` at error level before trapping; std writes the same to stderr).
    pub(crate) fn panic_message(&self) -> Option<String> {
        self.recent.iter().rev().find_map(|line| {
            let start = line.find("panicked at")?;
            let message = &line[start..];
            // std's hint about backtraces means nothing inside a plugin.
            let end = message
                .find(" note: run with `RUST_BACKTRACE")
                .unwrap_or(message.len());
            Some(message[..end].trim_end().to_owned())
        })
    }

    /// Messages dropped or cut because the call's byte budget was spent.
    pub(crate) fn dropped_messages(&self) -> usize {
        self.dropped_messages
    }

    /// Says, once per call, that the budget cut messages off.
    pub(crate) fn finish(&self) {
        if self.dropped_messages > 0 {
            self.target.emit(
                Level::WARN,
                &format!(
                    "{} log message(s) dropped or cut: the call logged more than {} bytes (limit `log-bytes-per-call`)",
                    self.dropped_messages, self.budget_bytes
                ),
            );
        }
    }

    fn remember(&mut self, line: String) {
        if self.recent.len() == RECENT_MESSAGES {
            self.recent.pop_front();
        }
        let line = truncate_at_char_boundary(&line, RECENT_MESSAGE_BYTES).to_owned();
        self.recent.push_back(line);
    }
}

fn truncate_at_char_boundary(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn tracing_level(level: PluginLevel) -> Level {
    match level {
        PluginLevel::Trace => Level::TRACE,
        PluginLevel::Debug => Level::DEBUG,
        PluginLevel::Info => Level::INFO,
        PluginLevel::Warn => Level::WARN,
        PluginLevel::Error => Level::ERROR,
    }
}

fn level_name(level: PluginLevel) -> &'static str {
    match level {
        PluginLevel::Trace => "trace",
        PluginLevel::Debug => "debug",
        PluginLevel::Info => "info",
        PluginLevel::Warn => "warn",
        PluginLevel::Error => "error",
    }
}

/// The `tracing` callsites of one plugin name, one per level.
///
/// `tracing` macros need their target at compile time; plugin names are only known at run time,
/// so the callsites are built by hand, once per plugin name for the life of the process (a few
/// hundred bytes each), and registered so that `RUST_LOG=plugin::purchase-count=debug` filters
/// them like any other target.
#[derive(Debug)]
struct PluginLogTarget {
    callsites: [&'static PluginCallsite; 5],
}

impl PluginLogTarget {
    fn for_plugin(plugin_name: &str) -> &'static Self {
        static TARGETS: OnceLock<Mutex<HashMap<String, &'static PluginLogTarget>>> = OnceLock::new();
        let targets = TARGETS.get_or_init(Default::default);
        // A poisoned lock only means another thread panicked while inserting; the map is still
        // usable, so recover it rather than losing plugin logs.
        let mut targets = targets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(target) = targets.get(plugin_name) {
            return target;
        }
        let target_name: &'static str = Box::leak(format!("plugin::{plugin_name}").into_boxed_str());
        let target: &'static Self = Box::leak(Box::new(Self {
            callsites: [Level::TRACE, Level::DEBUG, Level::INFO, Level::WARN, Level::ERROR]
                .map(|level| PluginCallsite::register(target_name, level)),
        }));
        targets.insert(plugin_name.to_owned(), target);
        target
    }

    fn emit(&self, level: Level, message: &str) {
        if level > LevelFilter::current() {
            return;
        }
        let index = match level {
            Level::TRACE => 0,
            Level::DEBUG => 1,
            Level::INFO => 2,
            Level::WARN => 3,
            _ => 4,
        };
        let metadata = self.callsites[index].metadata();
        tracing_core::dispatcher::get_default(|dispatch| {
            if !dispatch.enabled(metadata) {
                return;
            }
            let fields = metadata.fields();
            let Some(field) = fields.field("message") else {
                return;
            };
            let arguments = format_args!("{message}");
            let values = [(&field, Some(&arguments as &dyn Value))];
            dispatch.event(&Event::new(metadata, &fields.value_set(&values)));
        });
    }
}

/// A `tracing` callsite created at run time.
#[derive(Debug)]
struct PluginCallsite {
    metadata: OnceLock<Metadata<'static>>,
}

impl PluginCallsite {
    fn register(target: &'static str, level: Level) -> &'static Self {
        let callsite: &'static Self = Box::leak(Box::new(Self {
            metadata: OnceLock::new(),
        }));
        let metadata = Metadata::new(
            "plugin log",
            target,
            level,
            None,
            None,
            Some(target),
            FieldSet::new(&["message"], tracing_core::identify_callsite!(callsite)),
            Kind::EVENT,
        );
        let _ = callsite.metadata.set(metadata);
        tracing_core::callsite::register(callsite);
        callsite
    }
}

impl Callsite for PluginCallsite {
    fn set_interest(&self, _interest: Interest) {
        // Interest is not cached: `emit` asks the dispatcher each time, which keeps dynamic
        // callsites correct when the subscriber changes (as it does between tests).
    }

    fn metadata(&self) -> &Metadata<'static> {
        self.metadata.get().unwrap_or(&UNSET_METADATA)
    }
}

/// Stands in for a callsite's metadata in the instant between its creation and registration;
/// never seen by a subscriber.
static UNSET_METADATA: Metadata<'static> = Metadata::new(
    "plugin log",
    "plugin",
    Level::TRACE,
    None,
    None,
    None,
    FieldSet::new(&["message"], tracing_core::identify_callsite!(&UNSET_CALLSITE)),
    Kind::EVENT,
);
static UNSET_CALLSITE: DefaultCallsite = DefaultCallsite::new(&UNSET_METADATA);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_budget_cuts_messages_and_counts_the_rest() {
        let mut log = CallLog::new("budget-test", 10);
        log.log(PluginLevel::Info, "12345");
        log.log(PluginLevel::Info, "1234567890");
        log.log(PluginLevel::Info, "dropped");
        assert_eq!(log.dropped_messages(), 2);
        assert_eq!(
            log.recent(),
            vec!["info: 12345".to_owned(), "info: 12345".to_owned()]
        );
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate_at_char_boundary("äöü", 3), "ä");
        assert_eq!(truncate_at_char_boundary("abc", 10), "abc");
    }

    #[test]
    fn panic_messages_are_found_in_logs_and_stderr() {
        let mut log = CallLog::new("panic-test", 1000);
        log.remember_stderr(
            "\nthread '<unnamed>' panicked at src/lib.rs:3:5:\nboom\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n",
        );
        assert_eq!(
            log.panic_message().as_deref(),
            Some("panicked at src/lib.rs:3:5: boom")
        );
    }

    #[test]
    fn one_target_per_plugin_name() {
        let first = PluginLogTarget::for_plugin("same-name");
        let second = PluginLogTarget::for_plugin("same-name");
        assert!(std::ptr::eq(first, second));
        assert_eq!(first.callsites[3].metadata().target(), "plugin::same-name");
        assert_eq!(*first.callsites[3].metadata().level(), Level::WARN);
    }
}
