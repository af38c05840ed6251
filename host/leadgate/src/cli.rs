//! The command line, as clap types only: parsing lives here, behaviour in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::environment;

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
    /// The configuration file [default: ./leadgate.toml when it exists]. (Not `--config`:
    /// `plugin run --config KEY=VALUE` sets plugin configuration.)
    #[arg(long, env = environment::CONFIG_FILE, global = true, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// The data directory (overrides `data-dir` of the configuration).
    #[arg(long, env = environment::DATA_DIR, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where compiled plugins are cached [default: ~/.cache/leadgate/plugins].
    #[arg(long, env = environment::CACHE_DIR, global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile plugins on every load instead of caching them.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import contacts or activities from CSV or JSON Lines files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Score contacts and look at their scores.
    #[command(subcommand)]
    Score(ScoreCommand),
    /// Look at stored contacts.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Inspect and try out WebAssembly plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Run a local Salesforce-compatible org (the sandbox) until Ctrl-C.
    Sandbox(SandboxArgs),
    /// Authorize leadgate with Salesforce, and show or remove the stored authorization.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Talk to Salesforce: describe objects, run SOQL queries, show the org's limits.
    #[command(subcommand)]
    Sf(SfCommand),
    /// Write the contacts that reach `[replication]`'s gate into Salesforce as Leads.
    Replicate(ReplicateArgs),
}

/// `leadgate replicate`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReplicateArgs {
    /// Look at replication instead of running it.
    #[command(subcommand)]
    pub action: Option<ReplicateAction>,
    /// Decide and report what would be created, updated and suspended, and the calls it would
    /// cost; write nothing (the Lead describe may be read, and matching by e-mail is skipped).
    #[arg(long)]
    pub dry_run: bool,
    /// Only this contact; repeat for more.
    #[arg(long = "contact", value_name = "ID")]
    pub contacts: Vec<String>,
    /// With --contact: write the contacts whatever their score.
    #[arg(long, requires = "contacts")]
    pub force: bool,
    /// Gate on the totals as of this moment [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print the run summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// The org.
    #[command(flatten)]
    pub connection: SfConnectionArgs,
}

/// `leadgate sf …`
#[derive(Debug, Subcommand)]
pub enum SfCommand {
    /// Show an object's fields.
    Describe(SfDescribeArgs),
    /// Run a SOQL query and print its records (every page).
    Query(SfQueryArgs),
    /// Show the org's limits and the API usage.
    Limits(SfLimitsArgs),
}

/// Which org `leadgate sf` talks to.
#[derive(Debug, Args)]
pub struct SfConnectionArgs {
    /// Use this instance with the access token in `LEADGATE_ACCESS_TOKEN` instead of the
    /// authorization stored by `leadgate auth`.
    #[arg(long, env = environment::INSTANCE_URL, value_name = "URL")]
    pub instance_url: Option<String>,
    /// The REST API version, e.g. 62.0.
    #[arg(long, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// Also trust this root certificate (PEM), e.g. the sandbox's `--certificate-out` file.
    #[arg(long, value_name = "FILE")]
    pub ca_certificate: Option<PathBuf>,
}

/// `leadgate sf describe`
#[derive(Debug, Args)]
pub struct SfDescribeArgs {
    /// The object's API name, e.g. Lead.
    pub object: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The org.
    #[command(flatten)]
    pub connection: SfConnectionArgs,
}

/// `leadgate sf query`
#[derive(Debug, Args)]
pub struct SfQueryArgs {
    /// The SOQL query, e.g. "SELECT Id, LastName FROM Lead".
    pub soql: String,
    /// Print a JSON array of records.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV with a header row.
    #[arg(long)]
    pub csv: bool,
    /// Include deleted and archived records (queryAll).
    #[arg(long)]
    pub all: bool,
    /// The org.
    #[command(flatten)]
    pub connection: SfConnectionArgs,
}

/// `leadgate sf limits`
#[derive(Debug, Args)]
pub struct SfLimitsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The org.
    #[command(flatten)]
    pub connection: SfConnectionArgs,
}

/// `leadgate sandbox`
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: std::net::IpAddr,
    /// Keep the org's Leads in this JSON file: read at start, written at shutdown.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Serve HTTPS with a generated self-signed certificate.
    #[arg(long)]
    pub tls: bool,
    /// With --tls: write the certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub certificate_out: Option<PathBuf>,
    /// The daily API request allocation.
    #[arg(long, default_value_t = 15_000, value_name = "N")]
    pub api_limit: u64,
    /// How long access tokens stay valid, in minutes.
    #[arg(long, default_value_t = 120, value_name = "MINUTES")]
    pub session_minutes: u64,
    /// Approve OAuth authorization requests without showing the approval page.
    #[arg(long)]
    pub auto_approve: bool,
    /// Rotate refresh tokens: each refresh returns a new one and invalidates the old one.
    #[arg(long)]
    pub rotate_refresh_tokens: bool,
    /// Verify JWT bearer assertions with this certificate (PEM) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub jwt_certificate: Option<PathBuf>,
    /// Turn off the duplicate rule on Lead e-mail addresses.
    #[arg(long)]
    pub no_duplicate_rule: bool,
    /// Fault injection settings as JSON, e.g. '{"seed":1,"serverUnavailableRate":0.05}'.
    #[arg(long, value_name = "JSON")]
    pub faults: Option<String>,
    /// Also print the connected app's client secret and the user's password.
    #[arg(long)]
    pub show_secrets: bool,
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
    /// Override the fuel (instructions) a call gets per contact (at least 1).
    #[arg(long, value_name = "FUEL", value_parser = clap::value_parser!(u64).range(1..))]
    pub fuel_per_contact: Option<u64>,
    /// Override the memory cap, in MiB (at least 1).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub memory_mib: Option<u64>,
    /// Override the wall-clock deadline of a call, in milliseconds (at least 1).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline_ms: Option<u64>,
}

/// `leadgate import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import contacts (CSV with a header row, or JSON Lines).
    Contacts(ImportArgs),
    /// Import activities of stored contacts (CSV with a header row, or JSON Lines).
    Activities(ImportArgs),
}

/// The file format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// `leadgate import contacts|activities`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (`-` for standard input, with `--format`).
    pub file: PathBuf,
    /// The format [default: from the file extension: .csv, .jsonl/.ndjson].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Import nothing unless every row is valid.
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate score …`
#[derive(Debug, Subcommand)]
pub enum ScoreCommand {
    /// Score the contacts that changed (and every contact of a score whose rules changed).
    Run(ScoreRunArgs),
    /// Recalculate a score (or every score) for every contact now.
    Recalc(ScoreRecalcArgs),
    /// List the configured scores with their rules, contacts scored and last run.
    List(JsonArg),
    /// Show one contact's points in a score: each rule's awards, reasons and expiries.
    Show(ScoreShowArgs),
    /// List the contacts at or above a number of points, highest first.
    Contacts(ScoreContactsArgs),
}

/// `--json`
#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate score run`
#[derive(Debug, Args)]
pub struct ScoreRunArgs {
    /// Score as of this moment (RFC 3339) [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print the run summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate score recalc`
#[derive(Debug, Args)]
pub struct ScoreRecalcArgs {
    /// The score to recalculate [default: every score].
    pub score: Option<String>,
    /// Score as of this moment (RFC 3339) [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print the run summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate score show`
#[derive(Debug, Args)]
pub struct ScoreShowArgs {
    /// The score.
    pub score: String,
    /// The contact's id.
    #[arg(long)]
    pub contact: String,
    /// Count the points as of this moment (RFC 3339) [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate score contacts`
#[derive(Debug, Args)]
pub struct ScoreContactsArgs {
    /// The score.
    pub score: String,
    /// Only contacts with at least this many points.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub min: i64,
    /// At most this many contacts.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Count the points as of this moment (RFC 3339) [default: now].
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate contacts …`
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Show one contact with its activities.
    Show(ContactsShowArgs),
    /// List contacts, optionally filtered.
    List(ContactsListArgs),
}

/// `leadgate contacts show`
#[derive(Debug, Args)]
pub struct ContactsShowArgs {
    /// The contact's id.
    pub id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate contacts list`
#[derive(Debug, Args)]
pub struct ContactsListArgs {
    /// Only contacts whose field contains the text, as FIELD=TEXT (case-insensitive; fields:
    /// id, email, first_name, last_name, company, title, city, country, or an attribute name).
    /// Repeat to require several.
    #[arg(long, value_name = "FIELD=TEXT")]
    pub filter: Vec<String>,
    /// At most this many contacts.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Only contacts in this replication state; `pending`: at or above the `[replication]` gate
    /// and not in the org yet.
    #[arg(long, value_enum, value_name = "STATE")]
    pub replication: Option<ReplicationStateArg>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate replicate …` besides a run.
#[derive(Debug, Subcommand)]
pub enum ReplicateAction {
    /// How many contacts are in each replication state, and whether a run was interrupted.
    Status(JsonArg),
    /// Check the org's set-up (one describe call): the External ID field, the mapped fields,
    /// the required ones.
    Check(ReplicateCheckArgs),
    /// The latest runs, newest first.
    Runs(ReplicateRunsArgs),
    /// Try suspended contacts again on the next run, and write disabled ones (their Lead was
    /// deleted) as new Leads.
    Resume(ReplicateResumeArgs),
}

/// `leadgate replicate runs`
#[derive(Debug, Args)]
pub struct ReplicateRunsArgs {
    /// At most this many runs.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate replicate resume`
#[derive(Debug, Args)]
pub struct ReplicateResumeArgs {
    /// The contacts to resume.
    #[arg(required_unless_present = "all", conflicts_with = "all", value_name = "ID")]
    pub contacts: Vec<String>,
    /// Every suspended and disabled contact.
    #[arg(long)]
    pub all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `leadgate replicate check`
#[derive(Debug, Args)]
pub struct ReplicateCheckArgs {
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// The org.
    #[command(flatten)]
    pub connection: SfConnectionArgs,
}

/// `contacts list --replication STATE`
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplicationStateArg {
    /// At or above the gate, and not written (or refused and due for a retry).
    Pending,
    /// In the org with its current fields.
    Replicated,
    /// Refused; see `contacts show ID`.
    Suspended,
    /// Not written any more: its Lead was deleted.
    Disabled,
    /// Not written any more: its Lead was converted.
    Converted,
}

/// `leadgate auth …`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Log in through the browser (web-server flow with PKCE) and store the tokens.
    Login(AuthLoginArgs),
    /// Authorize server to server with a JWT signed by your key (JWT bearer flow).
    Jwt(AuthJwtArgs),
    /// Authorize with a username, password and security token (username-password flow).
    Password(AuthPasswordArgs),
    /// Authorize as the connected app's run-as user (client credentials flow).
    ClientCredentials(AuthClientCredentialsArgs),
    /// Store an access token you already have, read from `LEADGATE_ACCESS_TOKEN` or stdin.
    Token(AuthTokenArgs),
    /// Show the stored authorization: user, org, instance, flow, token age, API usage.
    Status(AuthStatusArgs),
    /// Revoke the stored tokens at Salesforce and delete them.
    Logout,
}

/// Where to log in.
#[derive(Debug, Args)]
pub struct LoginHostArgs {
    /// Log in at https://test.salesforce.com, the login host of Salesforce sandboxes and
    /// scratch orgs. (Not leadgate's local sandbox org: for that, pass
    /// `--login-url http://127.0.0.1:7878`.)
    #[arg(long, conflicts_with = "login_url")]
    pub sandbox: bool,
    /// The login URL: a My Domain (https://NAME.my.salesforce.com), another login host, or the
    /// local sandbox org's address; HTTPS except on loopback [default: https://login.salesforce.com].
    #[arg(long, value_name = "URL")]
    pub login_url: Option<String>,
    /// Also trust this root certificate (PEM), e.g. the local sandbox's `--certificate-out` file.
    #[arg(long, value_name = "FILE")]
    pub ca_certificate: Option<PathBuf>,
}

/// `leadgate auth login`
#[derive(Debug, Args)]
pub struct AuthLoginArgs {
    /// Where to log in.
    #[command(flatten)]
    pub host: LoginHostArgs,
    /// The connected app's consumer key.
    #[arg(long, env = environment::CLIENT_ID, value_name = "ID")]
    pub client_id: String,
    /// The environment variable that holds the connected app's consumer secret, when the app
    /// wants one (PKCE needs none).
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    pub timeout: u64,
    /// Only print the authorization URL; do not try to open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// A scope to ask for; repeat for more [default: api refresh_token].
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
}

/// `leadgate auth jwt`
#[derive(Debug, Args)]
pub struct AuthJwtArgs {
    /// Where to log in.
    #[command(flatten)]
    pub host: LoginHostArgs,
    /// The connected app's consumer key.
    #[arg(long, env = environment::CLIENT_ID, value_name = "ID")]
    pub client_id: String,
    /// The Salesforce username to act as.
    #[arg(long, value_name = "USERNAME")]
    pub username: String,
    /// The RSA private key (PEM) whose certificate is uploaded to the connected app.
    #[arg(long, value_name = "PEM")]
    pub key_file: PathBuf,
    /// The assertion's audience [default: https://login.salesforce.com, or
    /// https://test.salesforce.com for sandboxes].
    #[arg(long, value_name = "URL")]
    pub audience: Option<String>,
}

/// `leadgate auth password`
#[derive(Debug, Args)]
pub struct AuthPasswordArgs {
    /// Where to log in.
    #[command(flatten)]
    pub host: LoginHostArgs,
    /// The connected app's consumer key.
    #[arg(long, env = environment::CLIENT_ID, value_name = "ID")]
    pub client_id: String,
    /// The environment variable that holds the connected app's consumer secret.
    #[arg(long, default_value = environment::CLIENT_SECRET, value_name = "VAR")]
    pub client_secret_env: String,
    /// The Salesforce username.
    #[arg(long, value_name = "USERNAME")]
    pub username: String,
    /// The environment variable that holds the password; without it, the password is asked
    /// for on the terminal (never taken as an argument).
    #[arg(long, default_value = environment::SF_PASSWORD, value_name = "VAR")]
    pub password_env: String,
    /// The environment variable that holds the security token; without it, it is asked for
    /// on the terminal (empty when the network is trusted).
    #[arg(long, default_value = environment::SF_SECURITY_TOKEN, value_name = "VAR")]
    pub security_token_env: String,
}

/// `leadgate auth client-credentials`
#[derive(Debug, Args)]
pub struct AuthClientCredentialsArgs {
    /// Where to log in (Salesforce wants the My Domain URL for this flow).
    #[command(flatten)]
    pub host: LoginHostArgs,
    /// The connected app's consumer key.
    #[arg(long, env = environment::CLIENT_ID, value_name = "ID")]
    pub client_id: String,
    /// The environment variable that holds the connected app's consumer secret.
    #[arg(long, default_value = environment::CLIENT_SECRET, value_name = "VAR")]
    pub client_secret_env: String,
}

/// `leadgate auth token`
#[derive(Debug, Args)]
pub struct AuthTokenArgs {
    /// The org's instance URL, e.g. https://NAME.my.salesforce.com.
    #[arg(long, value_name = "URL")]
    pub instance_url: String,
}

/// `leadgate auth status`
#[derive(Debug, Args)]
pub struct AuthStatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not call Salesforce (no token check, no API usage).
    #[arg(long)]
    pub offline: bool,
}
