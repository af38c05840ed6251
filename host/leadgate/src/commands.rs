//! The commands behind the CLI: thin layers that parse, call the library and print.
//!
//! Data goes to stdout, everything else (logs, progress, errors) to stderr. Exit codes:
//! 0 success, 1 failure, 2 bad usage (from clap), 3 finished but some contacts failed.

mod auth;
mod contacts;
mod context;
mod import;
mod plugin;
mod printer;
mod progress;
mod replicate;
mod salesforce_connection;
mod sandbox;
mod score;
mod sf;
mod table;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use leadgate_model::parse_timestamp;
use tracing_subscriber::EnvFilter;

use self::context::CommandContext;
use crate::cli::{Cli, Command};

/// Exit code: something failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command ran to the end, but some contacts failed.
pub const EXIT_PARTIAL: u8 = 3;

/// The whole command: parse the arguments, set up logging, run, report the error and exit.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Runs the parsed command line. Every command gets the same [`CommandContext`]: the settings
/// resolved once from the flags, the environment and the file, the store, and the printer.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let context = CommandContext::new(&cli.global);
    match cli.command {
        Command::Plugin(command) => plugin::run(command, &context),
        Command::Import(command) => import::run(command, &context),
        Command::Score(command) => score::run(command, &context),
        Command::Contacts(command) => contacts::run(command, &context),
        Command::Sandbox(args) => sandbox::run(&args, &context),
        Command::Auth(command) => auth::run(command, &context),
        Command::Sf(command) => sf::run(command, &context),
        Command::Replicate(args) => replicate::run(&args, &context),
    }
}

/// Logs to stderr: warnings by default, more with each `-v`; `RUST_LOG` overrides; colours only
/// on a terminal and never with `NO_COLOR` set.
pub fn init_logging(verbosity: u8) {
    let default = match verbosity {
        0 => "warn",
        1 => "info,wasmtime=warn,cranelift=warn",
        2 => "debug,wasmtime=info,cranelift=warn",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let color =
        std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .try_init();
}

/// True when the error comes from writing to a closed pipe (`leadgate … | head`), which is not
/// a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs `future` to its end on a multi-threaded tokio runtime: the commands that talk HTTP
/// (`auth`, `sf`, `replicate`, `sandbox`) are async inside and blocking outside.
fn block_on<T>(future: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}

/// `--now TIME` (any form [`parse_timestamp`] takes), or the current time.
fn moment(now: Option<&String>) -> anyhow::Result<i64> {
    match now {
        Some(text) => {
            parse_timestamp(text).map_err(|error| anyhow::anyhow!("--now: `{}` {error}", text.trim()))
        }
        None => Ok(jiff::Timestamp::now().as_millisecond()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_takes_every_form_an_import_takes() {
        // Dates and milliseconds were refused here once, while imports took them.
        for (text, millis) in [
            ("2026-03-01T10:00:00Z", 1_772_359_200_000),
            ("2026-03-01T12:00:00+02:00", 1_772_359_200_000),
            ("1772359200000", 1_772_359_200_000),
            ("2026-03-01", 1_772_323_200_000),
        ] {
            assert_eq!(moment(Some(&text.to_owned())).ok(), Some(millis), "{text}");
        }
        let error = moment(Some(&"2026-03-01T10:00:00".to_owned())).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--now: `2026-03-01T10:00:00` has no UTC offset: add `Z` for UTC or an offset such as `+02:00`"
        );
    }
}
