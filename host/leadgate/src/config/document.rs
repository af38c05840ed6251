//! The shape of `leadgate.toml`: from the parsed TOML document to a [`Config`], checking every
//! key, type and value on the way.

use std::ops::Range;
use std::path::{Path, PathBuf};

use leadgate_plugin_runtime::{PluginLimits, RuleConfig};
use toml::de::{DeTable, DeValue};

use super::location::{Location, SourceText};
use super::paths::{NoHomeDirectory, resolve};
use super::replication_table::{BUDGET, BUDGET_KEYS, MAPPING, MAPPING_KEYS, REPLICATION, REPLICATION_KEYS};
use super::rule_value::rule_config_text;
use super::score_definition::name_key;
use super::table_reader::TableReader;
use super::{
    Config, ConfigError, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, PluginsConfig, RuleDefinition, ScoreDefinition,
    ScoringConfig,
};

const TOP_LEVEL: &str = "the top level";
const TOP_LEVEL_KEYS: &[&str] = &["data-dir", "plugins", "scoring", "scores", "replication"];
const PLUGINS: &str = "`[plugins]`";
const PLUGINS_KEYS: &[&str] = &["cache-dir", "limits"];
const SCORING: &str = "`[scoring]`";
const SCORING_KEYS: &[&str] = &["batch-size"];
const SCORES: &str = "`[[scores]]`";
const SCORE_KEYS: &[&str] = &["name", "description", "enabled", "alert-thresholds", "rules"];
const RULES: &str = "`[[scores.rules]]`";
const RULE_KEYS: &[&str] = &["name", "plugin", "config"];
/// The keys of [`PluginLimits`], only to tell users who write one elsewhere where it belongs
/// (the limits themselves are checked by `PluginLimits`' own `Deserialize`).
const LIMITS_KEYS_FOR_HINTS: &[&str] = &[
    "fuel-per-contact",
    "fuel-per-call",
    "memory-bytes",
    "deadline",
    "output-bytes-per-contact",
    "log-bytes-per-call",
    "component-bytes",
];

/// Reads the configuration in `text` (the file `source_name`, whose relative paths start at
/// `base_dir`; `~` is `home`).
pub(super) fn read_config(
    text: &str,
    source_name: &str,
    base_dir: &Path,
    home: Option<&Path>,
) -> Result<Config, ConfigError> {
    let source = SourceText::new(source_name, text);
    let root = DeTable::parse(text).map_err(|error| syntax_error(source, text, &error))?;
    let document = Document {
        source,
        base_dir,
        home,
    };
    document.config(TableReader::new(source, root.get_ref(), TOP_LEVEL, root.span()))
}

/// A TOML syntax error, on one line without the parser's source excerpt.
fn syntax_error(source: SourceText<'_>, text: &str, error: &toml::de::Error) -> ConfigError {
    let offset = error.span().map_or(text.len(), |span| span.start);
    let message = error
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_owned();
    let hint = if message.starts_with("duplicate key") {
        Some(
            "a key may appear only once in a table; to define another score or rule, start it with \
             `[[scores]]` or `[[scores.rules]]`"
                .to_owned(),
        )
    } else if message.starts_with("string values must be quoted") {
        let rest_of_line = text
            .get(offset..)
            .and_then(|rest| rest.lines().next())
            .unwrap_or("");
        if rest_of_line.trim().is_empty() || rest_of_line.trim_start().starts_with('#') {
            Some("the value is missing: write one after the `=`".to_owned())
        } else {
            Some("put text in quotes: `name = \"Office buyers\"`".to_owned())
        }
    } else {
        None
    };
    ConfigError::Syntax {
        location: source.location(offset),
        message,
        hint,
    }
}

/// What reading the document needs besides the tables themselves.
pub(super) struct Document<'a> {
    pub(super) source: SourceText<'a>,
    base_dir: &'a Path,
    home: Option<&'a Path>,
}

impl Document<'_> {
    fn config(&self, root: TableReader<'_, '_>) -> Result<Config, ConfigError> {
        root.reject_unknown_keys(TOP_LEVEL_KEYS, |key| misplaced(key, TOP_LEVEL), |_| None)?;
        let data_dir = match root.string("data-dir")? {
            Some((written, span)) => self.path(&root, "data-dir", written, span)?,
            None => self.base_dir.join(super::DEFAULT_DATA_DIR),
        };
        let plugins = self.plugins(&root)?;
        let scoring = self.scoring(&root)?;
        let scores = self.scores(&root)?;
        let replication = self.replication(&root, &scores)?;
        Ok(Config {
            data_dir,
            plugins,
            scoring,
            scores,
            replication,
            source: None,
        })
    }

    fn plugins(&self, root: &TableReader<'_, '_>) -> Result<PluginsConfig, ConfigError> {
        let Some((table, span)) = root.table(
            "plugins",
            Some("write `[plugins]` on a line of its own, then its keys"),
        )?
        else {
            return Ok(PluginsConfig::default());
        };
        let plugins = TableReader::new(self.source, table, PLUGINS, span);
        plugins.reject_unknown_keys(PLUGINS_KEYS, |key| misplaced(key, PLUGINS), |_| None)?;
        let cache_dir = match plugins.string("cache-dir")? {
            Some((written, span)) => Some(self.path(&plugins, "cache-dir", written, span)?),
            None => None,
        };
        let limits = match plugins.value("limits") {
            Some(value) if value.get_ref().is_table() => {
                super::limits_table::read_limits(self.source, value)?
            }
            Some(value) => {
                return Err(plugins.wrong_type(
                    "limits",
                    value,
                    "a table",
                    Some("write `[plugins.limits]` on a line of its own, then its keys".to_owned()),
                ));
            }
            None => PluginLimits::default(),
        };
        Ok(PluginsConfig { cache_dir, limits })
    }

    fn scoring(&self, root: &TableReader<'_, '_>) -> Result<ScoringConfig, ConfigError> {
        let Some((table, span)) = root.table(
            "scoring",
            Some("write `[scoring]` on a line of its own, then its keys"),
        )?
        else {
            return Ok(ScoringConfig::default());
        };
        let scoring = TableReader::new(self.source, table, SCORING, span);
        scoring.reject_unknown_keys(SCORING_KEYS, |key| misplaced(key, SCORING), |_| None)?;
        let batch_size = match scoring.integer("batch-size")? {
            None => DEFAULT_BATCH_SIZE,
            Some((size, span)) => usize::try_from(size)
                .ok()
                .filter(|size| (1..=MAX_BATCH_SIZE).contains(size))
                .ok_or_else(|| {
                    ConfigError::invalid(
                        scoring.location_of(&span),
                        format!("`batch-size` must be between 1 and {MAX_BATCH_SIZE}, found {size}"),
                        Some(format!(
                            "it is the number of contacts per plugin call; {DEFAULT_BATCH_SIZE} suits most rules"
                        )),
                    )
                })?,
        };
        Ok(ScoringConfig { batch_size })
    }

    fn scores(&self, root: &TableReader<'_, '_>) -> Result<Vec<ScoreDefinition>, ConfigError> {
        let items = root.array_of_tables(
            "scores",
            SCORES,
            "start each score with a `[[scores]]` header (two brackets)",
        )?;
        let mut scores = Vec::with_capacity(items.len());
        let mut names = SeenNames::default();
        for reader in &items {
            let score = self.score(reader)?;
            names
                .check(reader, &score.name)
                .map_err(|(location, first_line)| {
                    ConfigError::invalid(
                        location,
                        format!(
                            "duplicate score name `{}` (first defined at line {first_line})",
                            score.name
                        ),
                        Some(
                            "score names are compared ignoring case; give each score its own name".to_owned(),
                        ),
                    )
                })?;
            scores.push(score);
        }
        Ok(scores)
    }

    fn score(&self, score: &TableReader<'_, '_>) -> Result<ScoreDefinition, ConfigError> {
        score.reject_unknown_keys(SCORE_KEYS, |key| misplaced(key, SCORES), |_| None)?;
        let name = non_empty_name(score, "a score's", "name = \"Office buyers\"")?;
        let description = score.string("description")?.map(|(text, _)| text.to_owned());
        let enabled = score.boolean("enabled")?.unwrap_or(true);
        let alert_thresholds = alert_thresholds(score)?;

        let items = score.array_of_tables(
            "rules",
            RULES,
            "start each rule with a `[[scores.rules]]` header (two brackets) after its score",
        )?;
        let mut rules = Vec::with_capacity(items.len());
        let mut names = SeenNames::default();
        for reader in &items {
            let rule = self.rule(reader)?;
            names
                .check(reader, &rule.name)
                .map_err(|(location, first_line)| {
                    ConfigError::invalid(
                        location,
                        format!(
                            "duplicate rule name `{}` in score `{name}` (first defined at line {first_line})",
                            rule.name
                        ),
                        Some(
                            "rule names are compared ignoring case; give each rule of a score its own name"
                                .to_owned(),
                        ),
                    )
                })?;
            rules.push(rule);
        }
        Ok(ScoreDefinition {
            name,
            description,
            enabled,
            alert_thresholds,
            rules,
            defined_at: Some(score.location()),
        })
    }

    fn rule(&self, rule: &TableReader<'_, '_>) -> Result<RuleDefinition, ConfigError> {
        rule.reject_unknown_keys(
            RULE_KEYS,
            |key| misplaced(key, RULES),
            |key| {
                Some(format!(
                    "the plugin's own settings go in the rule's `config`: `config = {{ {key} = … }}`"
                ))
            },
        )?;
        let name = non_empty_name(rule, "a rule's", "name = \"office-licenses\"")?;
        let (written, span) = rule.required_string("plugin", "plugin = \"plugins/purchase_count.wasm\"")?;
        let plugin = self.path(rule, "plugin", written, span)?;
        let config = match rule.table(
            "config",
            Some("write it as a table: `config = { product = \"Microsoft Office\", points = 1 }`"),
        )? {
            Some((table, _)) => rule_config(rule, table)?,
            None => RuleConfig::new(),
        };
        Ok(RuleDefinition {
            name,
            plugin,
            config,
            defined_at: Some(rule.location()),
        })
    }

    /// The path `written` as the value of `key`, resolved against the file's directory.
    pub(super) fn path(
        &self,
        table: &TableReader<'_, '_>,
        key: &str,
        written: &str,
        span: Range<usize>,
    ) -> Result<PathBuf, ConfigError> {
        if written.trim().is_empty() {
            return Err(ConfigError::invalid(
                table.location_of(&span),
                format!("`{key}` must not be empty"),
                Some("write a path, relative to the directory of this file or absolute".to_owned()),
            ));
        }
        resolve(written, self.base_dir, self.home).map_err(|NoHomeDirectory| {
            ConfigError::invalid(
                table.location_of(&span),
                format!("`{key}` starts with `~`, but the home directory is unknown"),
                Some("write an absolute path".to_owned()),
            )
        })
    }
}

/// The names of the scores (or of one score's rules) read so far, to reject a second use.
#[derive(Default)]
struct SeenNames {
    /// The compared form of each name ([`name_key`]) and the line of its `name` key.
    names: Vec<(String, usize)>,
}

impl SeenNames {
    /// Records `name`, the name of the table `table`; if it was seen before, returns the location
    /// of this `name` key and the line of the first.
    fn check(&mut self, table: &TableReader<'_, '_>, name: &str) -> Result<(), (Location, usize)> {
        let location = table
            .key_span("name")
            .map_or_else(|| table.location(), |span| table.location_of(&span));
        let key = name_key(name);
        if let Some((_, first_line)) = self.names.iter().find(|(seen, _)| *seen == key) {
            return Err((location, *first_line));
        }
        self.names.push((key, location.line));
        Ok(())
    }
}

/// The `name` of a score or rule, which must be there and not blank.
fn non_empty_name(table: &TableReader<'_, '_>, whose: &str, example: &str) -> Result<String, ConfigError> {
    let (name, span) = table.required_string("name", example)?;
    if name.trim().is_empty() {
        return Err(ConfigError::invalid(
            table.location_of(&span),
            format!("{whose} `name` must not be empty"),
            Some(format!("name it as reports should show it, e.g. `{example}`")),
        ));
    }
    Ok(name.to_owned())
}

/// `alert-thresholds = [1000, 3000]`: 64-bit integers, strictly ascending.
fn alert_thresholds(score: &TableReader<'_, '_>) -> Result<Vec<i64>, ConfigError> {
    const KEY: &str = "alert-thresholds";
    let Some(value) = score.value(KEY) else {
        return Ok(Vec::new());
    };
    let (DeValue::Array(items), span) = (value.get_ref(), value.span()) else {
        return Err(score.wrong_type(
            KEY,
            value,
            "a list of integers",
            Some("write them in brackets: `alert-thresholds = [1000, 3000]`".to_owned()),
        ));
    };
    let mut thresholds = Vec::with_capacity(items.len());
    for item in items.iter() {
        if !item.get_ref().is_integer() {
            let hint = item
                .get_ref()
                .as_str()
                .filter(|text| text.trim().parse::<i64>().is_ok())
                .map(|text| format!("write the numbers without quotes: {}", text.trim()));
            return Err(score.wrong_type(KEY, item, "a list of integers", hint));
        }
        let (value, value_span) = score.integer_in(KEY, item)?;
        let value = i64::try_from(value).map_err(|_| {
            ConfigError::invalid(
                score.location_of(&value_span),
                format!("`{KEY}` is out of range: {value}"),
                None,
            )
        })?;
        thresholds.push(value);
    }
    if let Some(pair) = thresholds.windows(2).find(|pair| pair[0] >= pair[1]) {
        let (before, after) = (pair[0], pair[1]);
        let problem = if before == after {
            format!("{after} appears twice")
        } else {
            format!("{before} comes before {after}")
        };
        let mut sorted = thresholds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let sorted: Vec<String> = sorted.iter().map(i64::to_string).collect();
        return Err(ConfigError::invalid(
            score.location_of(&span),
            format!("`{KEY}` must be strictly ascending: {problem}"),
            Some(format!(
                "list each threshold once, smallest first: `{KEY} = [{}]`",
                sorted.join(", ")
            )),
        ));
    }
    Ok(thresholds)
}

/// A rule's (or a mapping plugin's) `config` table as the text a plugin reads.
pub(super) fn rule_config(
    rule: &TableReader<'_, '_>,
    table: &DeTable<'_>,
) -> Result<RuleConfig, ConfigError> {
    let mut config = RuleConfig::new();
    for (key, value) in table.iter() {
        if key.get_ref().trim().is_empty() {
            return Err(ConfigError::invalid(
                rule.location_of(&key.span()),
                "`config` keys must not be empty",
                None,
            ));
        }
        config.insert(key.get_ref().as_ref(), rule_config_text(value.get_ref()));
    }
    Ok(config)
}

/// Where `key`, unknown in `table`, does belong, as a hint.
pub(super) fn misplaced(key: &str, table: &str) -> Option<String> {
    if table == RULES && SCORE_KEYS.contains(&key) {
        return Some(format!(
            "`{key}` is a key of the score, but the keys after a `[[scores.rules]]` header belong to \
             that rule: move it above the score's first `[[scores.rules]]`"
        ));
    }
    if table == SCORES && RULE_KEYS.contains(&key) {
        return Some(format!(
            "`{key}` is a key of a rule: start the rule with a `[[scores.rules]]` header"
        ));
    }
    let homes: [(&str, &[&str]); 9] = [
        (TOP_LEVEL, TOP_LEVEL_KEYS),
        (PLUGINS, PLUGINS_KEYS),
        ("`[plugins.limits]`", LIMITS_KEYS_FOR_HINTS),
        (SCORING, SCORING_KEYS),
        (SCORES, SCORE_KEYS),
        (RULES, RULE_KEYS),
        (REPLICATION, REPLICATION_KEYS),
        (BUDGET, BUDGET_KEYS),
        (MAPPING, MAPPING_KEYS),
    ];
    let (home, _) = homes
        .iter()
        .find(|(home, keys)| *home != table && keys.contains(&key))?;
    Some(if *home == TOP_LEVEL {
        format!("`{key}` belongs at the top level, before the first `[table]` header")
    } else {
        format!("`{key}` belongs in {home}")
    })
}
