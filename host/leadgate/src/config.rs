//! `leadgate.toml`: the configuration file.
//!
//! The file says where the contact store lives, how plugins run, and which scores exist with
//! which rules. `examples/leadgate.toml` documents every key; in short:
//!
//! ```toml
//! data-dir = "leadgate-data"            # relative paths start at this file's directory
//!
//! [plugins]
//! cache-dir = "~/.cache/leadgate/plugins"
//! [plugins.limits]                      # leadgate_plugin_runtime::PluginLimits, deadline in ms
//! fuel-per-contact = 20_000_000
//!
//! [scoring]
//! batch-size = 100                      # contacts per plugin call, 1..=10000
//!
//! [[scores]]
//! name = "Office buyers"
//! alert-thresholds = [1000, 3000]
//!
//!   [[scores.rules]]
//!   name = "office-licenses"
//!   plugin = "plugins/purchase_count.wasm"
//!   config = { product = "Microsoft Office", points = 1 }
//! ```
//!
//! Keys are kebab-case and unknown keys are errors everywhere (except inside a rule's `config`,
//! which belongs to the plugin). Every error names the file, line and column, and most carry a
//! hint: see [`ConfigError`].
//!
//! Settings are layered: defaults ([`Config::default`]), then the file ([`Config::load`]), then
//! the environment ([`Config::apply_environment`]: [`environment::DATA_DIR`],
//! [`environment::CACHE_DIR`]), then the command line: [`crate::settings`] resolves all of them.

mod document;
mod error;
mod lead_mapping;
mod limits_table;
mod location;
mod paths;
mod replication_settings;
mod replication_table;
mod rule_value;
mod score_definition;
mod table_reader;

use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use lead_mapping::{FieldSource, LeadMapping, MappedField, NOT_PROVIDED};
pub use location::Location;
pub use replication_settings::{
    ApiBudget, AssignmentRule, ConvertedLeadPolicy, DEFAULT_BULK_THRESHOLD, DEFAULT_DAILY_SHARE_PERCENT,
    DEFAULT_EXTERNAL_ID_FIELD, DEFAULT_INTERVAL, DEFAULT_REQUESTS_IN_FLIGHT, DeletedLeadPolicy,
    MAX_REPLICATION_BATCH_SIZE, MAX_REQUESTS_IN_FLIGHT, ReplicationSettings, TooLongText,
};
pub use score_definition::{RuleDefinition, ScoreDefinition};

use leadgate_plugin_runtime::{PluginLimits, default_cache_directory};

use crate::environment;

/// The configuration file's usual name, looked for in the current directory.
pub const DEFAULT_FILE_NAME: &str = "leadgate.toml";
/// Where the contact store lives when nothing says otherwise, relative to the configuration
/// file's directory (or to the current directory, without a file).
pub const DEFAULT_DATA_DIR: &str = "leadgate-data";
/// Contacts per plugin call when `[scoring] batch-size` is not set.
pub const DEFAULT_BATCH_SIZE: usize = 100;
/// The largest `[scoring] batch-size` allowed.
pub const MAX_BATCH_SIZE: usize = 10_000;

/// Everything `leadgate.toml` configures, with paths resolved and values checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `data-dir`: the directory of the contact store (default `leadgate-data`, next to the
    /// file).
    pub data_dir: PathBuf,
    /// `[plugins]`: where compiled plugins are cached and the limits every call runs under.
    pub plugins: PluginsConfig,
    /// `[scoring]`: how the scoring engine calls rules.
    pub scoring: ScoringConfig,
    /// `[[scores]]`: the scores, in file order.
    pub scores: Vec<ScoreDefinition>,
    /// `[replication]`: which contacts become Salesforce Leads and how; `None` when the file
    /// has no such table (nothing is replicated).
    pub replication: Option<ReplicationSettings>,
    /// The file the configuration was loaded from; `None` for [`Config::default`] and
    /// [`Config::from_toml`].
    pub source: Option<PathBuf>,
}

/// `[plugins]`: how plugins are loaded and run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluginsConfig {
    /// `cache-dir`: where compiled plugins are kept; `None` means the default,
    /// `~/.cache/leadgate/plugins` (see [`PluginsConfig::effective_cache_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// `[plugins.limits]`: fuel, memory, deadline and output limits of every plugin call.
    pub limits: PluginLimits,
}

impl PluginsConfig {
    /// The cache directory to use: `cache-dir` if set, else the platform's default
    /// (`~/.cache/leadgate/plugins` on Linux); `None` when there is no home directory either.
    pub fn effective_cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone().or_else(default_cache_directory)
    }
}

/// `[scoring]`: how the scoring engine calls rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoringConfig {
    /// `batch-size`: contacts per plugin call, `1..=10000` (default 100). Larger batches cross
    /// the Wasm boundary less often; smaller ones lose less work when a plugin traps.
    pub batch_size: usize,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

impl Default for Config {
    /// The configuration without a file: the store in `leadgate-data` in the current directory,
    /// default plugin settings, no scores.
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            plugins: PluginsConfig::default(),
            scoring: ScoringConfig::default(),
            scores: Vec::new(),
            replication: None,
            source: None,
        }
    }
}

impl Config {
    /// Reads and checks the configuration file at `path`. Relative paths in it are resolved
    /// against the file's directory, made absolute, so the configuration stays valid when the
    /// process changes its current directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // Without a current directory the relative form still works for this process.
        let base_dir = std::path::absolute(directory).unwrap_or_else(|_| directory.to_path_buf());
        let mut config = Self::from_toml(&text, &path.display().to_string(), &base_dir)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Reads and checks the configuration in `text`, as if it were the file `source_name` in
    /// the directory `base_dir`: errors name `source_name`, and relative paths are joined to
    /// `base_dir`. `~` and `~/…` start at the home directory.
    pub fn from_toml(text: &str, source_name: &str, base_dir: &Path) -> Result<Self, ConfigError> {
        document::read_config(text, source_name, base_dir, dirs::home_dir().as_deref())
    }

    /// Applies the environment variables that override the file: [`environment::DATA_DIR`]
    /// replaces `data-dir` and [`environment::CACHE_DIR`] replaces `[plugins] cache-dir`. `lookup` returns a
    /// variable's value (pass `|name| std::env::var(name).ok()`, or a fake in tests).
    ///
    /// Empty values count as unset. A relative path in a variable is relative to the current
    /// directory, as in a shell; `~/` starts at the home directory.
    pub fn apply_environment(&mut self, lookup: impl Fn(&str) -> Option<String>) {
        let home = dirs::home_dir();
        let path_from = |name: &str| {
            environment::non_blank(&lookup, name).map(|value| {
                paths::resolve(&value, Path::new(""), home.as_deref()).unwrap_or_else(|_| value.into())
            })
        };
        if let Some(data_dir) = path_from(environment::DATA_DIR) {
            self.data_dir = data_dir;
        }
        if let Some(cache_dir) = path_from(environment::CACHE_DIR) {
            self.plugins.cache_dir = Some(cache_dir);
        }
    }

    /// [`Config::apply_environment`] with the process's environment.
    pub fn apply_process_environment(&mut self) {
        self.apply_environment(environment::process_lookup);
    }

    /// The score called `name` (ignoring case and surrounding spaces).
    pub fn score(&self, name: &str) -> Option<&ScoreDefinition> {
        self.scores
            .iter()
            .find(|score| score_definition::names_match(&score.name, name))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const EXAMPLE: &str = include_str!("../../../examples/leadgate.toml");

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, "leadgate.toml", Path::new("/srv/leadgate"))
    }

    /// The error `text` gives, as displayed: `file:line:column: message` and maybe a hint line.
    fn error_of(text: &str) -> String {
        match parse(text) {
            Ok(config) => panic!("expected an error, got {config:#?}"),
            Err(error) => error.to_string(),
        }
    }

    fn rule_config(config: &Config, score: &str, rule: &str) -> Vec<(String, String)> {
        let rule = config
            .score(score)
            .and_then(|score| score.rule(rule))
            .unwrap_or_else(|| panic!("no rule {rule} in score {score}"));
        rule.config
            .entries()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect()
    }

    fn pairs(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn the_example_file_replicates_office_buyers_with_its_field_table() {
        let config = Config::from_toml(EXAMPLE, "leadgate.toml", Path::new("/repo/examples")).unwrap();
        let replication = config.replication.unwrap();
        assert_eq!(
            (replication.score.as_str(), replication.min_points),
            ("Office buyers", 3000)
        );
        assert_eq!(replication.external_id_field, DEFAULT_EXTERNAL_ID_FIELD);
        assert_eq!(replication.budget.max_calls_per_run, Some(1_000));
        let LeadMapping::Fields(fields) = replication.mapping else {
            panic!("the example maps with a field table");
        };
        let office = fields
            .iter()
            .find(|field| field.lead_field == "Office_Licenses__c")
            .map(|field| &field.source);
        assert_eq!(office, Some(&FieldSource::ScoreTotal("Office buyers".into())));
        // The commented plugin alternative must parse too, once uncommented in place of the table.
        let start = EXAMPLE.find("[replication.mapping.fields]").unwrap();
        let alternative: String = EXAMPLE[start..]
            .lines()
            .skip_while(|line| !line.starts_with("# [replication.mapping]"))
            .map(|line| line.trim_start_matches("# "))
            .collect::<Vec<_>>()
            .join("\n");
        let with_plugin = format!("{}{alternative}\n", &EXAMPLE[..start]);
        let config = Config::from_toml(&with_plugin, "leadgate.toml", Path::new("/repo/examples")).unwrap();
        assert!(matches!(
            config.replication.map(|replication| replication.mapping),
            Some(LeadMapping::Plugin { plugin, .. }) if plugin.ends_with("standard_lead_mapping.wasm")
        ));
    }

    #[test]
    fn the_example_file_parses_with_its_scores_rules_and_config() {
        let config = Config::from_toml(EXAMPLE, "leadgate.toml", Path::new("/repo/examples")).unwrap();
        assert_eq!(config.data_dir, Path::new("/repo/examples/leadgate-data"));
        assert_eq!(config.scoring.batch_size, 100);
        assert_eq!(config.plugins.limits, PluginLimits::default());
        if let Some(home) = dirs::home_dir() {
            assert_eq!(
                config.plugins.cache_dir,
                Some(home.join(".cache/leadgate/plugins"))
            );
        }

        let names: Vec<&str> = config.scores.iter().map(|score| score.name.as_str()).collect();
        assert_eq!(names, ["Office buyers", "Engaged visitors", "Fit"]);

        let office = &config.scores[0];
        assert!(office.enabled);
        assert_eq!(office.alert_thresholds, [1000, 3000]);
        assert_eq!(
            office.description.as_deref(),
            Some("Bought Microsoft Office licenses: one point per license")
        );
        assert_eq!(office.rules.len(), 1);
        assert_eq!(office.rules[0].name, "office-licenses");
        assert_eq!(
            office.rules[0].plugin,
            Path::new("/repo/examples/../plugins/target/wasm32-wasip2/release/purchase_count.wasm")
        );
        assert_eq!(
            rule_config(&config, "Office buyers", "office-licenses"),
            pairs(&[("points", "1"), ("product", "Microsoft Office")])
        );
        let defined_at = office.defined_at.as_ref().map(ToString::to_string);
        let header_line = EXAMPLE.lines().position(|line| line == "[[scores]]").unwrap() + 1;
        assert_eq!(defined_at, Some(format!("leadgate.toml:{header_line}:1")));

        assert_eq!(
            rule_config(&config, "Engaged visitors", "pricing-page-visits"),
            pairs(&[
                ("max-points", "50"),
                ("pattern", "*/pricing*"),
                ("points", "5"),
                ("valid-days", "30")
            ])
        );
        let fit = config.score("fit").unwrap();
        assert_eq!(fit.rules.len(), 2);
        assert!(
            fit.rules
                .iter()
                .all(|rule| rule.plugin.ends_with("attribute_match.wasm"))
        );
        assert_eq!(
            rule_config(&config, "Fit", "director-title"),
            pairs(&[("contains", "Director"), ("field", "title"), ("points", "25")])
        );
        assert_eq!(
            rule_config(&config, "Fit", "competitor-email"),
            pairs(&[
                ("ends-with", "@competitor.example"),
                ("field", "email"),
                ("points", "-50")
            ])
        );
        let fingerprints: Vec<String> = config.scores.iter().map(ScoreDefinition::fingerprint).collect();
        assert_ne!(fingerprints[0], fingerprints[1]);
        assert_ne!(fingerprints[1], fingerprints[2]);
    }

    #[test]
    fn loading_a_file_resolves_its_paths_against_the_file_directory() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/leadgate.toml");
        let config = Config::load(&path).unwrap();
        assert_eq!(config.source.as_deref(), Some(path.as_path()));
        assert!(config.data_dir.is_absolute());
        assert!(config.data_dir.ends_with("examples/leadgate-data"));
        let plugin = &config.scores[0].rules[0].plugin;
        assert!(plugin.is_absolute());
        assert!(plugin.ends_with("examples/../plugins/target/wasm32-wasip2/release/purchase_count.wasm"));
        let location = config.scores[0].defined_at.as_ref().unwrap();
        assert_eq!(location.file, path.display().to_string());
    }

    #[test]
    fn a_missing_file_is_a_read_error_naming_the_path() {
        let error = Config::load(Path::new("/nonexistent/leadgate.toml")).unwrap_err();
        assert!(
            matches!(&error, ConfigError::Read { path, .. } if path == Path::new("/nonexistent/leadgate.toml"))
        );
        assert_eq!(error.to_string(), "cannot read `/nonexistent/leadgate.toml`");
        assert!(std::error::Error::source(&error).is_some());
        assert_eq!(error.location(), None);
    }

    #[test]
    fn an_empty_file_gives_the_defaults_with_the_store_next_to_the_file() {
        let config = parse("# nothing yet\n").unwrap();
        assert_eq!(
            config,
            Config {
                data_dir: PathBuf::from("/srv/leadgate/leadgate-data"),
                ..Config::default()
            }
        );
    }

    #[test]
    fn the_default_config_keeps_the_store_in_the_current_directory_and_has_no_scores() {
        let config = Config::default();
        assert_eq!(config.data_dir, Path::new("leadgate-data"));
        assert_eq!(config.plugins.cache_dir, None);
        assert_eq!(config.plugins.limits, PluginLimits::default());
        assert_eq!(config.scoring.batch_size, DEFAULT_BATCH_SIZE);
        assert!(config.scores.is_empty());
        assert_eq!(config.source, None);
    }

    #[test]
    fn rule_config_values_become_the_text_plugins_read() {
        let config = parse(
            r#"
[[scores]]
name = "s"
  [[scores.rules]]
  name = "r"
  plugin = "p.wasm"
  config = { text = "Microsoft Office", int = 1, big = 20_000_000, hex = 0xff, negative = -50, float = 2.5, exponent = 1e3, yes = true, no = false, list = ["a", 1, 2.5, false], table = { b = 2, a = "x" }, when = 2026-03-10T00:00:00Z, day = 2026-03-10 }
"#,
        )
        .unwrap();
        assert_eq!(
            rule_config(&config, "s", "r"),
            pairs(&[
                ("big", "20000000"),
                ("day", "2026-03-10"),
                ("exponent", "1e3"),
                ("float", "2.5"),
                ("hex", "255"),
                ("int", "1"),
                ("list", r#"["a",1,2.5,false]"#),
                ("negative", "-50"),
                ("no", "false"),
                ("table", r#"{"a":"x","b":2}"#),
                ("text", "Microsoft Office"),
                ("when", "2026-03-10T00:00:00Z"),
                ("yes", "true"),
            ])
        );
    }

    #[test]
    fn a_rule_config_can_be_a_sub_table_and_may_be_left_out() {
        let config = parse(
            "[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"with\"\nplugin = \"p.wasm\"\n\
             [scores.rules.config]\nfield = \"title\"\n[scores.rules.config.nested]\nx = 1\n\
             [[scores.rules]]\nname = \"without\"\nplugin = \"p.wasm\"\n",
        )
        .unwrap();
        assert_eq!(
            rule_config(&config, "s", "with"),
            pairs(&[("field", "title"), ("nested", r#"{"x":1}"#)])
        );
        assert!(config.scores[0].rules[1].config.is_empty());
    }

    #[test]
    fn relative_paths_start_at_the_base_directory_and_absolute_ones_stay() {
        let config = parse(
            "data-dir = \"./data\"\n[plugins]\ncache-dir = \"/var/cache/leadgate\"\n\
             [[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"a\"\nplugin = \"plugins/a.wasm\"\n\
             [[scores.rules]]\nname = \"b\"\nplugin = \"/opt/plugins/b.wasm\"\n",
        )
        .unwrap();
        assert_eq!(config.data_dir, Path::new("/srv/leadgate/data"));
        assert_eq!(
            config.plugins.cache_dir.as_deref(),
            Some(Path::new("/var/cache/leadgate"))
        );
        assert_eq!(
            config.scores[0].rules[0].plugin,
            Path::new("/srv/leadgate/plugins/a.wasm")
        );
        assert_eq!(config.scores[0].rules[1].plugin, Path::new("/opt/plugins/b.wasm"));

        let relative = Config::from_toml("data-dir = \"data\"\n", "leadgate.toml", Path::new("")).unwrap();
        assert_eq!(relative.data_dir, Path::new("data"));
    }

    #[test]
    fn a_leading_tilde_in_a_path_is_the_home_directory() {
        let Some(home) = dirs::home_dir() else {
            return;
        };
        let config = parse("[plugins]\ncache-dir = \"~/cache\"\n").unwrap();
        assert_eq!(config.plugins.cache_dir, Some(home.join("cache")));
    }

    #[test]
    fn environment_variables_override_the_data_and_cache_directories() {
        let mut config = parse("data-dir = \"data\"\n[plugins]\ncache-dir = \"cache\"\n").unwrap();
        config.apply_environment(|name| match name {
            environment::DATA_DIR => Some("/tmp/leadgate-data".to_owned()),
            environment::CACHE_DIR => Some("relative/cache".to_owned()),
            _ => None,
        });
        assert_eq!(config.data_dir, Path::new("/tmp/leadgate-data"));
        assert_eq!(
            config.plugins.cache_dir.as_deref(),
            Some(Path::new("relative/cache"))
        );
        assert_eq!(
            config.plugins.effective_cache_dir(),
            Some(PathBuf::from("relative/cache"))
        );
    }

    #[test]
    fn unset_or_empty_environment_variables_change_nothing() {
        let original = parse("data-dir = \"data\"\n[plugins]\ncache-dir = \"cache\"\n").unwrap();
        let mut config = original.clone();
        config.apply_environment(|_| None);
        assert_eq!(config, original);
        config.apply_environment(|_| Some(String::new()));
        assert_eq!(config, original);
    }

    #[test]
    fn plugin_limits_are_read_from_their_table_with_defaults_for_the_rest() {
        let config = parse("[plugins.limits]\nfuel-per-contact = 1_000\ndeadline = 500\n").unwrap();
        assert_eq!(
            config.plugins.limits,
            PluginLimits {
                fuel_per_contact: 1_000,
                deadline: Duration::from_millis(500),
                ..PluginLimits::default()
            }
        );
    }

    #[test]
    fn scores_are_enabled_by_default_and_may_have_no_rules() {
        let config =
            parse("[[scores]]\nname = \"Empty\"\n[[scores]]\nname = \"Off\"\nenabled = false\n").unwrap();
        assert!(config.scores[0].enabled);
        assert!(config.scores[0].rules.is_empty());
        assert!(config.scores[0].alert_thresholds.is_empty());
        assert!(!config.scores[1].enabled);
        assert!(config.score("OFF").is_some());
    }

    // One test per error class: the exact `file:line:column: message` and hint.

    #[test]
    fn a_syntax_error_names_file_line_and_column_without_an_ascii_art_excerpt() {
        let error = parse("data-dir = \"data\"\n\n[scoring]\nbatch-size = \n");
        assert!(matches!(error, Err(ConfigError::Syntax { .. })));
        assert_eq!(
            error_of("data-dir = \"data\"\n\n[scoring]\nbatch-size = \n"),
            "leadgate.toml:4:14: string values must be quoted, expected literal string\n\
             hint: the value is missing: write one after the `=`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = Office buyers\n"),
            "leadgate.toml:2:8: string values must be quoted, expected literal string\n\
             hint: put text in quotes: `name = \"Office buyers\"`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"a\"\nname = \"b\"\n"),
            "leadgate.toml:3:1: duplicate key\n\
             hint: a key may appear only once in a table; to define another score or rule, start it with \
             `[[scores]]` or `[[scores.rules]]`"
        );
    }

    #[test]
    fn an_unknown_top_level_key_is_named_with_the_keys_expected_there() {
        let error = parse("data-dir = \"d\"\ndata-directory = \"x\"\n");
        assert!(matches!(error, Err(ConfigError::Schema { .. })));
        assert_eq!(
            error_of("data-dir = \"d\"\ndata-directory = \"x\"\n"),
            "leadgate.toml:2:1: unknown key `data-directory` at the top level; expected one of `data-dir`, \
             `plugins`, `scoring`, `scores`, `replication`\n\
             hint: did you mean `data-dir`?"
        );
        assert_eq!(
            error_of("batch-size = 10\n"),
            "leadgate.toml:1:1: unknown key `batch-size` at the top level; expected one of `data-dir`, \
             `plugins`, `scoring`, `scores`, `replication`\n\
             hint: `batch-size` belongs in `[scoring]`"
        );
    }

    #[test]
    fn an_unknown_key_in_a_score_is_named_with_the_score_keys() {
        let text = "[[scores]]\nname = \"Office buyers\"\n  treshold = 3000\n";
        assert_eq!(
            error_of(text),
            "leadgate.toml:3:3: unknown key `treshold` in `[[scores]]`; expected one of `name`, `description`, \
             `enabled`, `alert-thresholds`, `rules`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\nplugin = \"p.wasm\"\n"),
            "leadgate.toml:3:1: unknown key `plugin` in `[[scores]]`; expected one of `name`, `description`, \
             `enabled`, `alert-thresholds`, `rules`\n\
             hint: `plugin` is a key of a rule: start the rule with a `[[scores.rules]]` header"
        );
    }

    #[test]
    fn an_unknown_key_in_a_rule_is_named_and_a_score_key_there_is_explained() {
        let text = "[[scores]]\nname = \"s\"\n\n  [[scores.rules]]\n  name = \"r\"\n  plugin = \"p.wasm\"\n  enabled = false\n";
        assert_eq!(
            error_of(text),
            "leadgate.toml:7:3: unknown key `enabled` in `[[scores.rules]]`; expected one of `name`, `plugin`, \
             `config`\n\
             hint: `enabled` is a key of the score, but the keys after a `[[scores.rules]]` header belong to \
             that rule: move it above the score's first `[[scores.rules]]`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"r\"\nplugins = \"p.wasm\"\n"),
            "leadgate.toml:5:1: unknown key `plugins` in `[[scores.rules]]`; expected one of `name`, `plugin`, \
             `config`\n\
             hint: did you mean `plugin`?"
        );
    }

    #[test]
    fn a_plugin_setting_written_directly_in_a_rule_is_pointed_to_config() {
        assert_eq!(
            error_of(
                "[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"r\"\nplugin = \"p.wasm\"\nproduct = \"x\"\n"
            ),
            "leadgate.toml:6:1: unknown key `product` in `[[scores.rules]]`; expected one of `name`, `plugin`, \
             `config`\n\
             hint: the plugin's own settings go in the rule's `config`: `config = { product = … }`"
        );
    }

    #[test]
    fn an_unknown_key_in_plugin_limits_is_named_with_the_limit_keys() {
        let text = "[plugins.limits]\nfuel-per-contact = 1\nmemory-mib = 64\n";
        let error = parse(text);
        assert!(matches!(error, Err(ConfigError::Schema { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:3:1: unknown key `memory-mib` in `[plugins.limits]`; expected one of \
             `fuel-per-contact`, `fuel-per-call`, `memory-bytes`, `deadline`, `output-bytes-per-contact`, \
             `log-bytes-per-call`, `component-bytes`"
        );
    }

    #[test]
    fn unknown_keys_in_plugins_and_scoring_are_named_too() {
        assert_eq!(
            error_of("[plugins]\ncache = \"c\"\n"),
            "leadgate.toml:2:1: unknown key `cache` in `[plugins]`; expected one of `cache-dir`, `limits`\n\
             hint: did you mean `cache-dir`?"
        );
        assert_eq!(
            error_of("[plugins]\nfuel-per-contact = 1\n"),
            "leadgate.toml:2:1: unknown key `fuel-per-contact` in `[plugins]`; expected one of `cache-dir`, \
             `limits`\n\
             hint: `fuel-per-contact` belongs in `[plugins.limits]`"
        );
        assert_eq!(
            error_of("[scoring]\nbatch = 10\n"),
            "leadgate.toml:2:1: unknown key `batch` in `[scoring]`; expected `batch-size`\n\
             hint: did you mean `batch-size`?"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_with_the_type_expected() {
        let text = "[[scores]]\nname = \"s\"\nenabled = \"yes\"\n";
        assert!(matches!(parse(text), Err(ConfigError::Schema { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:3:11: `enabled` must be a boolean (`true` or `false`), found a string"
        );
        assert_eq!(
            error_of("[scoring]\nbatch-size = \"100\"\n"),
            "leadgate.toml:2:14: `batch-size` must be an integer, found a string\n\
             hint: write the number without quotes: 100"
        );
        assert_eq!(
            error_of("[[scores]]\nname = 7\n"),
            "leadgate.toml:2:8: `name` must be a string, found an integer\n\
             hint: put the value in quotes: `name = \"…\"`"
        );
        assert_eq!(
            error_of("[plugins.limits]\ndeadline = \"10s\"\n"),
            "leadgate.toml:2:12: `deadline` must be a non-negative integer, found string \"10s\"\n\
             hint: the deadline is in milliseconds: `deadline = 10_000`"
        );
        assert_eq!(
            error_of("[plugins.limits]\nfuel-per-contact = 1\ndeadline = 0\n"),
            "leadgate.toml:3:12: `deadline` must be greater than 0: with 0, no plugin call could run"
        );
        assert_eq!(
            error_of("[plugins.limits]\nmemory-bytes = 1024\n"),
            "leadgate.toml:2:16: `memory-bytes` must be at least 65536 (one WebAssembly page): no plugin fits in less"
        );
        assert_eq!(
            error_of("[plugins.limits]\nmemory-bytes = -1\n"),
            "leadgate.toml:2:16: `memory-bytes` must be a non-negative integer, found integer `-1`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\nalert-thresholds = [1, 2.5]\n"),
            "leadgate.toml:3:24: `alert-thresholds` must be a list of integers, found a float"
        );
        assert_eq!(
            error_of(
                "[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"r\"\nplugin = \"p.wasm\"\nconfig = \"product=Office\"\n"
            ),
            "leadgate.toml:6:10: `config` must be a table, found a string\n\
             hint: write it as a table: `config = { product = \"Microsoft Office\", points = 1 }`"
        );
    }

    #[test]
    fn alert_thresholds_that_are_not_a_list_are_explained() {
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\nalert-thresholds = 3000\n"),
            "leadgate.toml:3:20: `alert-thresholds` must be a list of integers, found an integer\n\
             hint: write them in brackets: `alert-thresholds = [1000, 3000]`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\nalert-thresholds = [\"3000\"]\n"),
            "leadgate.toml:3:21: `alert-thresholds` must be a list of integers, found a string\n\
             hint: write the numbers without quotes: 3000"
        );
    }

    #[test]
    fn scores_written_as_a_single_table_are_explained() {
        assert_eq!(
            error_of("[scores]\nname = \"s\"\n"),
            "leadgate.toml:1:1: `scores` must be an array of tables, found a table\n\
             hint: start each score with a `[[scores]]` header (two brackets)"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n[scores.rules]\nname = \"r\"\n"),
            "leadgate.toml:3:1: `rules` must be an array of tables, found a table\n\
             hint: start each rule with a `[[scores.rules]]` header (two brackets) after its score"
        );
    }

    #[test]
    fn a_missing_score_name_points_at_the_score_header() {
        let text = "data-dir = \"d\"\n\n[[scores]]\ndescription = \"no name\"\n";
        assert!(matches!(parse(text), Err(ConfigError::Schema { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:3:1: missing required key `name` in `[[scores]]`\n\
             hint: add a line such as `name = \"Office buyers\"`"
        );
    }

    #[test]
    fn a_missing_rule_name_or_plugin_points_at_the_rule_header() {
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n\n  [[scores.rules]]\n  plugin = \"p.wasm\"\n"),
            "leadgate.toml:4:3: missing required key `name` in `[[scores.rules]]`\n\
             hint: add a line such as `name = \"office-licenses\"`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n\n  [[scores.rules]]\n  name = \"r\"\n"),
            "leadgate.toml:4:3: missing required key `plugin` in `[[scores.rules]]`\n\
             hint: add a line such as `plugin = \"plugins/purchase_count.wasm\"`"
        );
    }

    #[test]
    fn an_empty_name_or_path_is_invalid() {
        let text = "[[scores]]\nname = \"  \"\n";
        assert!(matches!(parse(text), Err(ConfigError::Invalid { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:2:8: a score's `name` must not be empty\n\
             hint: name it as reports should show it, e.g. `name = \"Office buyers\"`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"\"\nplugin = \"p.wasm\"\n"),
            "leadgate.toml:4:8: a rule's `name` must not be empty\n\
             hint: name it as reports should show it, e.g. `name = \"office-licenses\"`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\n[[scores.rules]]\nname = \"r\"\nplugin = \"\"\n"),
            "leadgate.toml:5:10: `plugin` must not be empty\n\
             hint: write a path, relative to the directory of this file or absolute"
        );
        assert_eq!(
            error_of("data-dir = \"\"\n"),
            "leadgate.toml:1:12: `data-dir` must not be empty\n\
             hint: write a path, relative to the directory of this file or absolute"
        );
    }

    #[test]
    fn a_duplicate_score_name_names_the_line_of_the_first() {
        let text = "[[scores]]\nname = \"Office buyers\"\n[[scores]]\nname = \"office BUYERS\"\n";
        assert!(matches!(parse(text), Err(ConfigError::Invalid { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:4:1: duplicate score name `office BUYERS` (first defined at line 2)\n\
             hint: score names are compared ignoring case; give each score its own name"
        );
    }

    #[test]
    fn a_duplicate_rule_name_within_a_score_names_the_line_of_the_first() {
        let rule = |name: &str| format!("  [[scores.rules]]\n  name = \"{name}\"\n  plugin = \"p.wasm\"\n");
        let text = format!(
            "[[scores]]\nname = \"Office buyers\"\n{}{}",
            rule("office-licenses"),
            rule("Office-Licenses")
        );
        assert_eq!(
            error_of(&text),
            "leadgate.toml:7:3: duplicate rule name `Office-Licenses` in score `Office buyers` (first defined \
             at line 4)\n\
             hint: rule names are compared ignoring case; give each rule of a score its own name"
        );
        // The same rule name in two scores is fine.
        let two_scores = format!(
            "[[scores]]\nname = \"a\"\n{}[[scores]]\nname = \"b\"\n{}",
            rule("r"),
            rule("r")
        );
        assert!(parse(&two_scores).is_ok());
    }

    #[test]
    fn alert_thresholds_must_be_strictly_ascending() {
        let text = "[[scores]]\nname = \"Office buyers\"\n\n\n\n\n\n\nalert-thresholds = [3000, 1000]\n";
        assert!(matches!(parse(text), Err(ConfigError::Invalid { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:9:20: `alert-thresholds` must be strictly ascending: 3000 comes before 1000\n\
             hint: list each threshold once, smallest first: `alert-thresholds = [1000, 3000]`"
        );
        assert_eq!(
            error_of("[[scores]]\nname = \"s\"\nalert-thresholds = [10, 10]\n"),
            "leadgate.toml:3:20: `alert-thresholds` must be strictly ascending: 10 appears twice\n\
             hint: list each threshold once, smallest first: `alert-thresholds = [10]`"
        );
        let config = parse("[[scores]]\nname = \"s\"\nalert-thresholds = [-5, 0, 1_000]\n").unwrap();
        assert_eq!(config.scores[0].alert_thresholds, [-5, 0, 1000]);
    }

    #[test]
    fn batch_size_must_be_between_one_and_ten_thousand() {
        let text = "[scoring]\nbatch-size = 0\n";
        assert!(matches!(parse(text), Err(ConfigError::Invalid { .. })));
        assert_eq!(
            error_of(text),
            "leadgate.toml:2:14: `batch-size` must be between 1 and 10000, found 0\n\
             hint: it is the number of contacts per plugin call; 100 suits most rules"
        );
        assert_eq!(
            error_of("[scoring]\nbatch-size = 10_001\n"),
            "leadgate.toml:2:14: `batch-size` must be between 1 and 10000, found 10001\n\
             hint: it is the number of contacts per plugin call; 100 suits most rules"
        );
        assert_eq!(
            parse("[scoring]\nbatch-size = 10_000\n")
                .unwrap()
                .scoring
                .batch_size,
            10_000
        );
        assert_eq!(
            parse("[scoring]\nbatch-size = 1\n").unwrap().scoring.batch_size,
            1
        );
    }

    #[test]
    fn errors_expose_their_location_and_hint() {
        let error = parse("[scoring]\nbatch-size = 0\n").unwrap_err();
        let location = error.location().unwrap();
        assert_eq!(
            (location.file.as_str(), location.line, location.column),
            ("leadgate.toml", 2, 14)
        );
        assert_eq!(
            error.hint(),
            Some("it is the number of contacts per plugin call; 100 suits most rules")
        );
    }
}
