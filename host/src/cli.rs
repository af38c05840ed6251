//! The command line, as clap types only: parsing lives here, behaviour in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Environment variable: the directory for compiled plugins.
pub const CACHE_DIR_ENV: &str = "LEADGATE_CACHE_DIR";

/// Score website contacts with WebAssembly plugins and replicate the qualified ones into
/// Salesforce as Leads.
#[derive(Debug, Parser)]
#[command(name = "leadgate", version, about, long_about = None)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options for every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output on stderr: -v info, -vv debug, -vvv trace (`RUST_LOG` overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Where compiled plugins are cached [default: ~/.cache/leadgate/plugins].
    #[arg(long, env = CACHE_DIR_ENV, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile plugins on every load instead of caching them.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect and try out WebAssembly plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
}

/// `leadgate plugin …`
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Show a plugin's role, contract version, name, version, size and imports.
    Inspect(PluginInspectArgs),
    /// Run a plugin on contacts from a JSON Lines file and print its awards or Lead fields.
    Run(PluginRunArgs),
}

/// `leadgate plugin inspect`
#[derive(Debug, Args)]
pub struct PluginInspectArgs {
    /// The plugin file (`.wasm` component).
    pub file: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate plugin run`
#[derive(Debug, Args)]
pub struct PluginRunArgs {
    /// The plugin file (`.wasm` component).
    pub file: PathBuf,
    /// Contacts with their activities (and scores, for mappings), one JSON object per line;
    /// `-` reads standard input.
    #[arg(long, short, value_name = "FILE")]
    pub input: PathBuf,
    /// A configuration value for the plugin, as key=value; repeat for more keys.
    #[arg(long = "config", short = 'c', value_name = "KEY=VALUE")]
    pub config: Vec<String>,
    /// The moment to score as of (RFC 3339, e.g. 2026-03-01T00:00:00Z) [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Contacts per plugin call.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch_size: u32,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Override the fuel (instructions) a call gets per contact.
    #[arg(long, value_name = "FUEL")]
    pub fuel_per_contact: Option<u64>,
    /// Override the memory cap, in MiB.
    #[arg(long, value_name = "MIB")]
    pub memory_mib: Option<usize>,
    /// Override the wall-clock deadline of a call, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub deadline_ms: Option<u64>,
}
