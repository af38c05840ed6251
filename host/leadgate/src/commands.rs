//! The commands behind the CLI: thin layers that parse, call the library and print.
//!
//! Data goes to stdout, everything else (logs, progress, errors) to stderr. Exit codes:
//! 0 success, 1 failure, 2 bad usage (from clap), 3 finished but some contacts failed.

mod auth;
mod contacts;
mod import;
mod output;
mod plugin;
mod sandbox;
mod score;
mod sf;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use leadgate_plugin_runtime::{PluginRuntime, RuntimeOptions, default_cache_directory, parse_timestamp};
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::{Config, DEFAULT_FILE_NAME};
use crate::store::Store;

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

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugin(command) => plugin::run(command, &cli.global),
        Command::Import(command) => import::run(command, &cli.global),
        Command::Score(command) => score::run(command, &cli.global),
        Command::Contacts(command) => contacts::run(command, &cli.global),
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Auth(command) => auth::run(command, &cli.global),
        Command::Sf(command) => sf::run(command, &cli.global),
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

/// The plugin runtime as the global options ask for it: the cache directory from the command
/// line, else the configuration's, else the per-user default.
fn plugin_runtime(
    global: &GlobalArgs,
    configured_cache: Option<&std::path::Path>,
    mut options: RuntimeOptions,
) -> anyhow::Result<PluginRuntime> {
    options.cache_directory = if global.no_cache {
        None
    } else {
        global
            .cache_dir
            .clone()
            .or_else(|| configured_cache.map(std::path::Path::to_path_buf))
            .or_else(default_cache_directory)
    };
    PluginRuntime::new(options).context("cannot start the plugin runtime")
}

/// The configuration: `--config-file` (or `LEADGATE_CONFIG`), else `./leadgate.toml` when it exists,
/// else the defaults; then environment overrides; then `--data-dir`.
fn load_config(global: &GlobalArgs) -> anyhow::Result<Config> {
    let default_file = std::path::Path::new(DEFAULT_FILE_NAME);
    let mut config = match &global.config_file {
        Some(path) => Config::load(path)?,
        None if default_file.is_file() => Config::load(default_file)?,
        None => Config::default(),
    };
    config.apply_process_environment();
    if let Some(data_dir) = &global.data_dir {
        config.data_dir = data_dir.clone();
    }
    Ok(config)
}

/// Opens the configured data directory.
fn open_store(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open(&config.data_dir)?)
}

/// `--now TIME`, or the current time.
fn moment(now: Option<&String>) -> anyhow::Result<i64> {
    match now {
        Some(text) => parse_timestamp(text).map_err(|message| anyhow::anyhow!("--now: {message}")),
        None => Ok(jiff::Timestamp::now().as_millisecond()),
    }
}
