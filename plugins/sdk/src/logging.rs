//! Logging into the host's log, and the panic hook that reports panics there.

use std::sync::Once;

/// How important a log message is (the WIT `logging.level`).
pub use crate::bindings::scoring::leadgate::plugin::logging::Level as LogLevel;

/// Writes `message` to the host's log at `level`, under the target `plugin::<name>`.
///
/// Prefer the macros [`trace!`](crate::trace), [`debug!`](crate::debug), [`info!`](crate::info),
/// [`warn!`](crate::warn) and [`error!`](crate::error). The host caps how much one call may log.
/// Outside WebAssembly (native unit tests) the message goes to standard error instead.
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    crate::bindings::scoring::leadgate::plugin::logging::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    std::eprintln!("[{level:?}] {message}");
}

static PANIC_HOOK: Once = Once::new();

/// Installs, once per instance, a panic hook that logs the panic's message and location at
/// error level. Plugins are built with `panic = "abort"`, so a panic ends in a trap the host
/// only sees as `unreachable`; the log line tells it (and the plugin author) what happened.
pub(crate) fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload_as_str()
                .unwrap_or("(a panic payload that is not text)");
            let text = match info.location() {
                Some(location) => format!(
                    "panicked at {}:{}:{}: {message}",
                    location.file(),
                    location.line(),
                    location.column()
                ),
                None => format!("panicked: {message}"),
            };
            log(LogLevel::Error, &text);
        }));
    });
}

/// Logs a `format!`-style message at trace level: very detailed tracing, usually off.
#[macro_export]
macro_rules! trace {
    ($($argument:tt)+) => {
        $crate::log($crate::LogLevel::Trace, &::std::format!($($argument)+))
    };
}

/// Logs a `format!`-style message at debug level: details that help a plugin author.
#[macro_export]
macro_rules! debug {
    ($($argument:tt)+) => {
        $crate::log($crate::LogLevel::Debug, &::std::format!($($argument)+))
    };
}

/// Logs a `format!`-style message at info level: normal operation.
#[macro_export]
macro_rules! info {
    ($($argument:tt)+) => {
        $crate::log($crate::LogLevel::Info, &::std::format!($($argument)+))
    };
}

/// Logs a `format!`-style message at warn level: something looks wrong but the plugin carried on.
#[macro_export]
macro_rules! warn {
    ($($argument:tt)+) => {
        $crate::log($crate::LogLevel::Warn, &::std::format!($($argument)+))
    };
}

/// Logs a `format!`-style message at error level: something failed.
#[macro_export]
macro_rules! error {
    ($($argument:tt)+) => {
        $crate::log($crate::LogLevel::Error, &::std::format!($($argument)+))
    };
}
