//! Reading `[replication]` and its `budget` and `mapping` tables, every value checked and
//! located.

use std::ops::Range;
use std::time::Duration;

use leadgate_model::STANDARD_CONTACT_FIELDS;
use leadgate_plugin_runtime::RuleConfig;
use toml::de::DeValue;

use super::ConfigError;
use super::document::{Document, misplaced, rule_config};
use super::lead_mapping::{FieldSource, LeadMapping, MappedField};
use super::replication_settings::{
    ApiBudget, AssignmentRule, ConvertedLeadPolicy, DEFAULT_BULK_THRESHOLD, DEFAULT_DAILY_SHARE_PERCENT,
    DEFAULT_EXTERNAL_ID_FIELD, DEFAULT_INTERVAL, DEFAULT_REQUESTS_IN_FLIGHT, DeletedLeadPolicy,
    MAX_REPLICATION_BATCH_SIZE, MAX_REQUESTS_IN_FLIGHT, ReplicationSettings, TooLongText,
};
use super::score_definition::{ScoreDefinition, names_match};
use super::table_reader::TableReader;

pub(super) const REPLICATION: &str = "`[replication]`";
pub(super) const REPLICATION_KEYS: &[&str] = &[
    "enabled",
    "score",
    "min-points",
    "external-id-field",
    "keep-updated",
    "converted-leads",
    "deleted-leads",
    "match-by-email",
    "too-long-text",
    "assignment-rule",
    "batch-size",
    "requests-in-flight",
    "interval-minutes",
    "bulk-threshold",
    "budget",
    "mapping",
];
pub(super) const BUDGET: &str = "`[replication.budget]`";
pub(super) const BUDGET_KEYS: &[&str] = &["daily-share-percent", "max-calls-per-run"];
pub(super) const MAPPING: &str = "`[replication.mapping]`";
pub(super) const MAPPING_KEYS: &[&str] = &["plugin", "config", "fields"];
const FIELDS: &str = "`[replication.mapping.fields]`";
const SOURCE_KEYS: &[&str] = &["field", "attribute", "score", "constant"];
const MAPPED_FIELD_KEYS: &[&str] = &["field", "attribute", "score", "constant", "default"];
/// The longest `interval-minutes`: a day.
const MAX_INTERVAL_MINUTES: i128 = 24 * 60;

impl Document<'_> {
    /// `[replication]`, if the file has it; `scores` are the configured scores, which the
    /// gating score and score sources must name.
    pub(super) fn replication(
        &self,
        root: &TableReader<'_, '_>,
        scores: &[ScoreDefinition],
    ) -> Result<Option<ReplicationSettings>, ConfigError> {
        let Some((table, span)) = root.table(
            "replication",
            Some("write `[replication]` on a line of its own, then its keys"),
        )?
        else {
            return Ok(None);
        };
        let table = TableReader::new(self.source, table, REPLICATION, span);
        table.reject_unknown_keys(REPLICATION_KEYS, |key| misplaced(key, REPLICATION), |_| None)?;

        let (score, score_span) = table.required_string("score", "score = \"Office buyers\"")?;
        let score = configured_score(&table, score, &score_span, scores)?;
        let min_points = match table.integer("min-points")? {
            Some((points, span)) => i64::try_from(points).map_err(|_| {
                ConfigError::invalid(
                    table.location_of(&span),
                    format!("`min-points` is out of range: {points}"),
                    None,
                )
            })?,
            None => {
                return Err(ConfigError::schema(
                    table.location(),
                    format!("missing required key `min-points` in {REPLICATION}"),
                    Some("say how many points qualify a contact, e.g. `min-points = 3000`".to_owned()),
                ));
            }
        };
        let external_id_field = match table.string("external-id-field")? {
            Some((name, span)) => external_id_field(&table, name, &span)?,
            None => DEFAULT_EXTERNAL_ID_FIELD.to_owned(),
        };
        let converted_leads = choice(
            &table,
            "converted-leads",
            &[
                ("stop", ConvertedLeadPolicy::Stop),
                ("follow-contact", ConvertedLeadPolicy::FollowContact),
            ],
        )?
        .unwrap_or(ConvertedLeadPolicy::Stop);
        let deleted_leads = choice(
            &table,
            "deleted-leads",
            &[
                ("disable", DeletedLeadPolicy::Disable),
                ("recreate", DeletedLeadPolicy::Recreate),
            ],
        )?
        .unwrap_or(DeletedLeadPolicy::Disable);
        let too_long_text = choice(
            &table,
            "too-long-text",
            &[
                ("truncate", TooLongText::Truncate),
                ("suspend", TooLongText::Suspend),
            ],
        )?
        .unwrap_or(TooLongText::Truncate);
        let assignment_rule = match table.string("assignment-rule")? {
            Some((written, span)) => assignment_rule(&table, written, &span)?,
            None => AssignmentRule::Default,
        };
        let batch_size = bounded(
            &table,
            "batch-size",
            1,
            MAX_REPLICATION_BATCH_SIZE as i128,
            "records per sObject Collections call; Salesforce takes at most 200",
        )?
        .map_or(MAX_REPLICATION_BATCH_SIZE, |size| size as usize);
        let requests_in_flight = bounded(&table, "requests-in-flight", 1, MAX_REQUESTS_IN_FLIGHT as i128, "concurrent calls to the org; Salesforce allows 25 long-running requests per org for every client together")?
            .map_or(DEFAULT_REQUESTS_IN_FLIGHT, |count| count as usize);
        let interval = bounded(
            &table,
            "interval-minutes",
            1,
            MAX_INTERVAL_MINUTES,
            "how often `leadgate serve` replicates, in minutes",
        )?
        .map_or(DEFAULT_INTERVAL, |minutes| {
            Duration::from_secs(minutes as u64 * 60)
        });
        let bulk_threshold = bounded(
            &table,
            "bulk-threshold",
            0,
            i128::from(u32::MAX),
            "the number of contacts to write in one run above which Bulk API 2.0 is used; 0 always uses it",
        )?
        .map_or(DEFAULT_BULK_THRESHOLD, |threshold| threshold as u64);
        let budget = self.budget(&table)?;
        let mapping = self.mapping(&table, &external_id_field, scores)?;
        Ok(Some(ReplicationSettings {
            enabled: table.boolean("enabled")?.unwrap_or(true),
            score,
            min_points,
            external_id_field,
            keep_updated: table.boolean("keep-updated")?.unwrap_or(true),
            converted_leads,
            deleted_leads,
            match_by_email: table.boolean("match-by-email")?.unwrap_or(true),
            too_long_text,
            assignment_rule,
            batch_size,
            requests_in_flight,
            budget,
            interval,
            bulk_threshold,
            mapping,
        }))
    }

    fn budget(&self, replication: &TableReader<'_, '_>) -> Result<ApiBudget, ConfigError> {
        let Some((table, span)) = replication.table(
            "budget",
            Some("write `[replication.budget]` on a line of its own, then its keys"),
        )?
        else {
            return Ok(ApiBudget::default());
        };
        let budget = TableReader::new(self.source, table, BUDGET, span);
        budget.reject_unknown_keys(BUDGET_KEYS, |key| misplaced(key, BUDGET), |_| None)?;
        let daily_share_percent = bounded(
            &budget,
            "daily-share-percent",
            1,
            100,
            "the share of the org's daily API allocation, in percent, that the org's usage may reach before a run stops",
        )?
        .map_or(DEFAULT_DAILY_SHARE_PERCENT, |percent| percent as u8);
        let max_calls_per_run = bounded(
            &budget,
            "max-calls-per-run",
            1,
            i128::from(u32::MAX),
            "the most API calls one run makes; leave it out for no cap",
        )?
        .map(|calls| calls as u64);
        Ok(ApiBudget {
            daily_share_percent,
            max_calls_per_run,
        })
    }

    fn mapping(
        &self,
        replication: &TableReader<'_, '_>,
        external_id_field: &str,
        scores: &[ScoreDefinition],
    ) -> Result<LeadMapping, ConfigError> {
        let Some((table, span)) = replication.table(
            "mapping",
            Some("write `[replication.mapping]` on a line of its own, then its keys"),
        )?
        else {
            return Ok(LeadMapping::standard());
        };
        let mapping = TableReader::new(self.source, table, MAPPING, span);
        mapping.reject_unknown_keys(MAPPING_KEYS, |key| misplaced(key, MAPPING), |_| None)?;
        let fields = mapping.table(
            "fields",
            Some("write `[replication.mapping.fields]` on a line of its own, then one `LeadField = …` per line"),
        )?;
        match (mapping.string("plugin")?, fields) {
            (Some(_), Some((_, fields_span))) => Err(ConfigError::invalid(
                mapping.location_of(&fields_span),
                format!("{MAPPING} has both a `plugin` and `fields`"),
                Some(
                    "a mapping is either a table of fields or a `field-mapping` plugin: keep one".to_owned(),
                ),
            )),
            (Some((written, span)), None) => {
                let plugin = self.path(&mapping, "plugin", written, span)?;
                let config = match mapping.table(
                    "config",
                    Some("write it as a table: `config = { default-company = \"Unknown\" }`"),
                )? {
                    Some((table, _)) => rule_config(&mapping, table)?,
                    None => RuleConfig::new(),
                };
                Ok(LeadMapping::Plugin { plugin, config })
            }
            (None, Some((fields, fields_span))) => {
                if let Some(span) = mapping.key_span("config") {
                    return Err(ConfigError::invalid(
                        mapping.location_of(&span),
                        "`config` configures a mapping plugin, and this mapping has none",
                        Some("remove `config`, or map with `plugin = \"…\"` instead of `fields`".to_owned()),
                    ));
                }
                let fields = TableReader::new(self.source, fields, FIELDS, fields_span);
                mapped_fields(&fields, external_id_field, scores).map(LeadMapping::Fields)
            }
            (None, None) => Err(ConfigError::schema(
                mapping.location(),
                format!("{MAPPING} needs `fields` or a `plugin`"),
                Some(
                    "add `[replication.mapping.fields]` with lines such as `LastName = \"last_name\"`, or \
                     `plugin = \"plugins/my_mapping.wasm\"`; without `[replication.mapping]` the standard \
                     mapping is used"
                        .to_owned(),
                ),
            )),
        }
    }
}

/// Every `LeadField = …` line of `[replication.mapping.fields]`, in file order.
fn mapped_fields(
    fields: &TableReader<'_, '_>,
    external_id_field: &str,
    scores: &[ScoreDefinition],
) -> Result<Vec<MappedField>, ConfigError> {
    let mut entries: Vec<_> = fields.entries().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    if entries.is_empty() {
        return Err(ConfigError::invalid(
            fields.location(),
            format!("{FIELDS} maps no field"),
            Some("add one line per Lead field, e.g. `LastName = \"last_name\"`".to_owned()),
        ));
    }
    let mut mapped: Vec<(MappedField, usize)> = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let lead_field = key.get_ref().as_ref();
        let location = fields.location_of(&key.span());
        if !is_field_api_name(lead_field) {
            return Err(ConfigError::invalid(
                location,
                format!("`{lead_field}` is not a Salesforce field name"),
                Some(
                    "use the field's API name as `sf describe Lead` shows it, e.g. `LastName` or `Lead_Score__c`"
                        .to_owned(),
                ),
            ));
        }
        if lead_field.eq_ignore_ascii_case(external_id_field) {
            return Err(ConfigError::invalid(
                location,
                format!("`{lead_field}` is the external-id field, which leadgate fills with the contact id"),
                Some("remove this line; to map the id elsewhere, use another field".to_owned()),
            ));
        }
        if let Some((_, first_line)) = mapped
            .iter()
            .find(|(field, _)| field.lead_field.eq_ignore_ascii_case(lead_field))
        {
            return Err(ConfigError::invalid(
                location,
                format!("`{lead_field}` is mapped twice (first at line {first_line})"),
                Some("Salesforce field names ignore case; map each field once".to_owned()),
            ));
        }
        let field = mapped_field(fields, lead_field, value, scores)?;
        mapped.push((field, location.line));
    }
    Ok(mapped.into_iter().map(|(field, _)| field).collect())
}

/// One line: `Email = "email"` (a contact field) or `Industry = { attribute = "industry" }`.
fn mapped_field(
    fields: &TableReader<'_, '_>,
    lead_field: &str,
    value: &toml::Spanned<DeValue<'_>>,
    scores: &[ScoreDefinition],
) -> Result<MappedField, ConfigError> {
    let example = format!(
        "write `{lead_field} = \"company\"` for a contact field, or a table such as \
         `{lead_field} = {{ attribute = \"industry\" }}` (`field`, `attribute`, `score` or `constant`, \
         and an optional `default`)"
    );
    match value.get_ref() {
        DeValue::String(name) => Ok(MappedField {
            lead_field: lead_field.to_owned(),
            source: FieldSource::Contact(contact_field(fields, name, &value.span())?),
            default: None,
        }),
        DeValue::Table(table) => {
            let entry = TableReader::new(fields.source(), table, FIELDS, value.span());
            entry.reject_unknown_keys(MAPPED_FIELD_KEYS, |_| None, |_| Some(example.clone()))?;
            let given: Vec<&str> = SOURCE_KEYS
                .iter()
                .copied()
                .filter(|key| entry.value(key).is_some())
                .collect();
            let [source_key] = given.as_slice() else {
                return Err(ConfigError::invalid(
                    fields.location_of(&value.span()),
                    if given.is_empty() {
                        format!("`{lead_field}` says no source")
                    } else {
                        format!("`{lead_field}` has {} sources: {}", given.len(), given.join(", "))
                    },
                    Some("give exactly one of `field`, `attribute`, `score` or `constant`".to_owned()),
                ));
            };
            let (text, span) = entry.required_string(source_key, &format!("{source_key} = \"…\""))?;
            let source = match *source_key {
                "field" => FieldSource::Contact(contact_field(&entry, text, &span)?),
                "attribute" => {
                    FieldSource::Attribute(non_blank(&entry, "attribute", text, &span)?.to_owned())
                }
                "score" => FieldSource::ScoreTotal(configured_score(&entry, text, &span, scores)?),
                _ => FieldSource::Constant(text.to_owned()),
            };
            let default = entry.string("default")?.map(|(text, _)| text.to_owned());
            if default.is_some() && matches!(source, FieldSource::Constant(_)) {
                return Err(ConfigError::invalid(
                    entry.location_of(&entry.key_span("default").unwrap_or(span)),
                    format!("`{lead_field}` is a constant, which always has a value"),
                    Some("remove `default`".to_owned()),
                ));
            }
            Ok(MappedField {
                lead_field: lead_field.to_owned(),
                source,
                default,
            })
        }
        _ => Err(fields.wrong_type(
            lead_field,
            value,
            "a contact field name or a table",
            Some(example),
        )),
    }
}

/// A standard contact field name.
fn contact_field(
    table: &TableReader<'_, '_>,
    name: &str,
    span: &Range<usize>,
) -> Result<&'static str, ConfigError> {
    STANDARD_CONTACT_FIELDS
        .iter()
        .copied()
        .find(|field| *field == name.trim())
        .ok_or_else(|| {
            ConfigError::invalid(
                table.location_of(span),
                format!("`{name}` is not a contact field"),
                Some(format!(
                    "the contact fields are {}; for anything else an import stored, write `{{ attribute = \"{}\" }}`",
                    STANDARD_CONTACT_FIELDS
                        .iter()
                        .map(|field| format!("`{field}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    name.trim()
                )),
            )
        })
}

/// The name of a configured score, as configured.
fn configured_score(
    table: &TableReader<'_, '_>,
    name: &str,
    span: &Range<usize>,
    scores: &[ScoreDefinition],
) -> Result<String, ConfigError> {
    if let Some(score) = scores.iter().find(|score| names_match(&score.name, name)) {
        return Ok(score.name.clone());
    }
    let known: Vec<String> = scores.iter().map(|score| format!("`{}`", score.name)).collect();
    Err(ConfigError::invalid(
        table.location_of(span),
        format!("no score named `{name}` is configured"),
        Some(if known.is_empty() {
            "define the score with `[[scores]]` first".to_owned()
        } else {
            format!("the configured scores are {}", known.join(", "))
        }),
    ))
}

fn non_blank<'t>(
    table: &TableReader<'_, '_>,
    key: &str,
    text: &'t str,
    span: &Range<usize>,
) -> Result<&'t str, ConfigError> {
    if text.trim().is_empty() {
        return Err(ConfigError::invalid(
            table.location_of(span),
            format!("`{key}` must not be empty"),
            None,
        ));
    }
    Ok(text)
}

/// `external-id-field`: a custom field's API name.
fn external_id_field(
    table: &TableReader<'_, '_>,
    name: &str,
    span: &Range<usize>,
) -> Result<String, ConfigError> {
    if is_field_api_name(name) && name.ends_with("__c") {
        return Ok(name.to_owned());
    }
    Err(ConfigError::invalid(
        table.location_of(span),
        format!("`{name}` is not the API name of a custom field"),
        Some(format!(
            "External ID fields are custom fields, named like `{DEFAULT_EXTERNAL_ID_FIELD}` (letters, digits and \
             underscores, ending in `__c`): create a unique External ID Text field of 255 characters on the Lead"
        )),
    ))
}

/// `assignment-rule`: `default`, `none`, or an AssignmentRule id.
fn assignment_rule(
    table: &TableReader<'_, '_>,
    written: &str,
    span: &Range<usize>,
) -> Result<AssignmentRule, ConfigError> {
    match written.trim() {
        "default" => Ok(AssignmentRule::Default),
        "none" => Ok(AssignmentRule::None),
        id if id.starts_with("01Q")
            && matches!(id.len(), 15 | 18)
            && id.bytes().all(|byte| byte.is_ascii_alphanumeric()) =>
        {
            Ok(AssignmentRule::Rule(id.to_owned()))
        }
        other => Err(ConfigError::invalid(
            table.location_of(span),
            format!(
                "`assignment-rule` must be \"default\", \"none\" or an assignment rule id, found `{other}`"
            ),
            Some(
                "an assignment rule id starts with `01Q` and has 15 or 18 characters (Setup → Lead \
                 Assignment Rules shows it in the rule's URL)"
                    .to_owned(),
            ),
        )),
    }
}

/// A string `key` that must be one of `choices`.
fn choice<T: Copy>(
    table: &TableReader<'_, '_>,
    key: &str,
    choices: &[(&str, T)],
) -> Result<Option<T>, ConfigError> {
    let Some((written, span)) = table.string(key)? else {
        return Ok(None);
    };
    if let Some((_, value)) = choices.iter().find(|(name, _)| *name == written.trim()) {
        return Ok(Some(*value));
    }
    let names: Vec<String> = choices.iter().map(|(name, _)| format!("\"{name}\"")).collect();
    Err(ConfigError::invalid(
        table.location_of(&span),
        format!("`{key}` must be {}, found `{written}`", names.join(" or ")),
        None,
    ))
}

/// An integer `key` within `min..=max`; `meaning` says what it is, for the hint.
fn bounded(
    table: &TableReader<'_, '_>,
    key: &str,
    min: i128,
    max: i128,
    meaning: &str,
) -> Result<Option<i128>, ConfigError> {
    let Some((value, span)) = table.integer(key)? else {
        return Ok(None);
    };
    if (min..=max).contains(&value) {
        return Ok(Some(value));
    }
    Err(ConfigError::invalid(
        table.location_of(&span),
        format!("`{key}` must be between {min} and {max}, found {value}"),
        Some(format!("it is {meaning}")),
    ))
}

/// A Salesforce field API name: a letter, then letters, digits and single underscores, with an
/// optional `__c` (custom) suffix.
fn is_field_api_name(name: &str) -> bool {
    let base = name.strip_suffix("__c").unwrap_or(name);
    base.chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && base
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_')
        && !base.contains("__")
        && !base.ends_with('_')
        && name.len() <= 80
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    const SCORES: &str = "[[scores]]\nname = \"Office buyers\"\n[[scores]]\nname = \"Fit\"\n";

    fn parse(replication: &str) -> Result<Config, ConfigError> {
        Config::from_toml(
            &format!("{SCORES}{replication}"),
            "leadgate.toml",
            Path::new("/srv/leadgate"),
        )
    }

    fn settings(replication: &str) -> ReplicationSettings {
        parse(replication).unwrap().replication.unwrap()
    }

    fn error_of(replication: &str) -> String {
        parse(replication).unwrap_err().to_string()
    }

    /// The line of `needle` in the whole file (scores included), for the expected locations.
    fn line_of(replication: &str, needle: &str) -> usize {
        format!("{SCORES}{replication}")
            .lines()
            .position(|line| line.contains(needle))
            .unwrap()
            + 1
    }

    #[test]
    fn without_the_table_nothing_is_replicated() {
        assert_eq!(parse("").unwrap().replication, None);
    }

    #[test]
    fn the_gate_alone_gives_the_documented_defaults() {
        let settings = settings("[replication]\nscore = \"office BUYERS\"\nmin-points = 3000\n");
        assert_eq!(
            settings,
            ReplicationSettings {
                enabled: true,
                score: "Office buyers".into(),
                min_points: 3000,
                external_id_field: DEFAULT_EXTERNAL_ID_FIELD.into(),
                keep_updated: true,
                converted_leads: ConvertedLeadPolicy::Stop,
                deleted_leads: DeletedLeadPolicy::Disable,
                match_by_email: true,
                too_long_text: TooLongText::Truncate,
                assignment_rule: AssignmentRule::Default,
                batch_size: 200,
                requests_in_flight: DEFAULT_REQUESTS_IN_FLIGHT,
                budget: ApiBudget::default(),
                interval: DEFAULT_INTERVAL,
                bulk_threshold: DEFAULT_BULK_THRESHOLD,
                mapping: LeadMapping::standard(),
            }
        );
    }

    #[test]
    fn every_setting_is_read() {
        let settings = settings(
            "[replication]\nenabled = false\nscore = \"Fit\"\nmin-points = -5\nexternal-id-field = \"Web_Id__c\"\n\
             keep-updated = false\nconverted-leads = \"follow-contact\"\ndeleted-leads = \"recreate\"\n\
             match-by-email = false\ntoo-long-text = \"suspend\"\nassignment-rule = \"01Q5e000000AbCdEAG\"\n\
             batch-size = 50\nrequests-in-flight = 2\ninterval-minutes = 60\nbulk-threshold = 0\n\
             [replication.budget]\ndaily-share-percent = 80\nmax-calls-per-run = 500\n",
        );
        assert!(!settings.enabled);
        assert_eq!((settings.score.as_str(), settings.min_points), ("Fit", -5));
        assert_eq!(settings.external_id_field, "Web_Id__c");
        assert!(!settings.keep_updated && !settings.match_by_email);
        assert_eq!(settings.converted_leads, ConvertedLeadPolicy::FollowContact);
        assert_eq!(settings.deleted_leads, DeletedLeadPolicy::Recreate);
        assert_eq!(settings.too_long_text, TooLongText::Suspend);
        assert_eq!(
            settings.assignment_rule,
            AssignmentRule::Rule("01Q5e000000AbCdEAG".into())
        );
        assert_eq!((settings.batch_size, settings.requests_in_flight), (50, 2));
        assert_eq!(settings.interval, Duration::from_secs(3600));
        assert_eq!(settings.bulk_threshold, 0);
        assert_eq!(
            settings.budget,
            ApiBudget {
                daily_share_percent: 80,
                max_calls_per_run: Some(500),
            }
        );
        assert_eq!(
            self::settings("[replication]\nscore = \"Fit\"\nmin-points = 1\nassignment-rule = \"none\"\n")
                .assignment_rule,
            AssignmentRule::None
        );
    }

    #[test]
    fn the_gate_must_name_a_configured_score_and_a_minimum() {
        let text = "[replication]\nscore = \"Office\"\nmin-points = 1\n";
        let error = error_of(text);
        assert!(
            error.starts_with(&format!(
                "leadgate.toml:{}:9: no score named `Office` is configured",
                line_of(text, "score =")
            )),
            "{error}"
        );
        assert!(
            error.contains("the configured scores are `Office buyers`, `Fit`"),
            "{error}"
        );
        let missing = error_of("[replication]\nscore = \"Fit\"\n");
        assert!(
            missing.contains("missing required key `min-points` in `[replication]`"),
            "{missing}"
        );
        let no_score = error_of("[replication]\nmin-points = 1\n");
        assert!(no_score.contains("missing required key `score`"), "{no_score}");
    }

    #[test]
    fn out_of_range_and_unknown_values_are_refused_where_they_are() {
        let text = "[replication]\nscore = \"Fit\"\nmin-points = 1\nbatch-size = 201\n";
        let error = error_of(text);
        assert!(
            error.starts_with(&format!(
                "leadgate.toml:{}:14: `batch-size` must be between 1 and 200, found 201",
                line_of(text, "batch-size")
            )),
            "{error}"
        );
        let choice =
            error_of("[replication]\nscore = \"Fit\"\nmin-points = 1\nconverted-leads = \"ignore\"\n");
        assert!(
            choice.contains("`converted-leads` must be \"stop\" or \"follow-contact\", found `ignore`"),
            "{choice}"
        );
        let rule =
            error_of("[replication]\nscore = \"Fit\"\nmin-points = 1\nassignment-rule = \"01Qshort\"\n");
        assert!(rule.contains("an assignment rule id starts with `01Q`"), "{rule}");
        let share = error_of(
            "[replication]\nscore = \"Fit\"\nmin-points = 1\n[replication.budget]\ndaily-share-percent = 0\n",
        );
        assert!(
            share.contains("`daily-share-percent` must be between 1 and 100, found 0"),
            "{share}"
        );
        let field =
            error_of("[replication]\nscore = \"Fit\"\nmin-points = 1\nexternal-id-field = \"Email\"\n");
        assert!(
            field.contains("`Email` is not the API name of a custom field"),
            "{field}"
        );
    }

    #[test]
    fn unknown_keys_get_a_suggestion_or_their_home() {
        let typo = error_of("[replication]\nscore = \"Fit\"\nmin-point = 1\n");
        assert!(
            typo.contains("unknown key `min-point` in `[replication]`"),
            "{typo}"
        );
        assert!(typo.contains("did you mean `min-points`?"), "{typo}");
        let misplaced = error_of("[replication]\nscore = \"Fit\"\nmin-points = 1\nmax-calls-per-run = 5\n");
        assert!(
            misplaced.contains("`max-calls-per-run` belongs in `[replication.budget]`"),
            "{misplaced}"
        );
    }

    #[test]
    fn a_field_table_maps_fields_attributes_scores_and_constants_in_file_order() {
        let settings = settings(
            "[replication]\nscore = \"Fit\"\nmin-points = 1\n[replication.mapping.fields]\n\
             LastName = { field = \"last_name\", default = \"Unknown\" }\nEmail = \"email\"\n\
             Industry = { attribute = \"industry\" }\nOffice_Score__c = { score = \"office buyers\" }\n\
             LeadSource = { constant = \"Web\" }\n",
        );
        let LeadMapping::Fields(fields) = settings.mapping else {
            panic!("a field mapping");
        };
        let summary: Vec<(&str, &FieldSource, Option<&str>)> = fields
            .iter()
            .map(|field| (field.lead_field.as_str(), &field.source, field.default.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("LastName", &FieldSource::Contact("last_name"), Some("Unknown")),
                ("Email", &FieldSource::Contact("email"), None),
                ("Industry", &FieldSource::Attribute("industry".into()), None),
                (
                    "Office_Score__c",
                    &FieldSource::ScoreTotal("Office buyers".into()),
                    None
                ),
                ("LeadSource", &FieldSource::Constant("Web".into()), None),
            ]
        );
    }

    #[test]
    fn a_plugin_mapping_takes_its_path_and_config() {
        let settings = settings(
            "[replication]\nscore = \"Fit\"\nmin-points = 1\n[replication.mapping]\n\
             plugin = \"plugins/map.wasm\"\nconfig = { default-company = \"Acme\", max = 3 }\n",
        );
        let LeadMapping::Plugin { plugin, config } = settings.mapping else {
            panic!("a plugin mapping");
        };
        assert_eq!(plugin, Path::new("/srv/leadgate/plugins/map.wasm"));
        assert_eq!(config.get("default-company"), Some("Acme"));
        assert_eq!(config.get("max"), Some("3"));
    }

    #[test]
    fn bad_mappings_say_what_to_write() {
        let head = "[replication]\nscore = \"Fit\"\nmin-points = 1\n";
        let both = error_of(&format!(
            "{head}[replication.mapping]\nplugin = \"m.wasm\"\n[replication.mapping.fields]\nLastName = \"last_name\"\n"
        ));
        assert!(both.contains("has both a `plugin` and `fields`"), "{both}");
        let neither = error_of(&format!("{head}[replication.mapping]\n"));
        assert!(neither.contains("needs `fields` or a `plugin`"), "{neither}");
        let fields = format!("{head}[replication.mapping.fields]\n");
        let cases = [
            ("LastName = \"surname\"", "`surname` is not a contact field"),
            (
                "LastName = { attribute = \"a\", constant = \"b\" }",
                "`LastName` has 2 sources: attribute, constant",
            ),
            ("LastName = { default = \"x\" }", "`LastName` says no source"),
            (
                "LeadgateId__c = \"id\"",
                "`LeadgateId__c` is the external-id field",
            ),
            (
                "\"Last Name\" = \"last_name\"",
                "`Last Name` is not a Salesforce field name",
            ),
            (
                "Score__c = { score = \"nope\" }",
                "no score named `nope` is configured",
            ),
            (
                "LeadSource = { constant = \"Web\", default = \"x\" }",
                "is a constant, which always has a value",
            ),
            (
                "LastName = { field = \"last_name\", fallback = \"x\" }",
                "unknown key `fallback`",
            ),
            (
                "LastName = 3",
                "`LastName` must be a contact field name or a table, found an integer",
            ),
        ];
        for (line, expected) in cases {
            let text = format!("{fields}{line}\n");
            let error = error_of(&text);
            assert!(error.contains(expected), "{line}: {error}");
            assert!(
                error.starts_with(&format!("leadgate.toml:{}:", line_of(&text, line))),
                "{line}: {error}"
            );
        }
        let twice = error_of(&format!("{fields}Email = \"email\"\nEMAIL = \"email\"\n"));
        assert!(
            twice.contains("`EMAIL` is mapped twice (first at line"),
            "{twice}"
        );
    }

    #[test]
    fn field_api_names_are_letters_digits_and_single_underscores() {
        for name in ["LastName", "Lead_Score__c", "LeadgateId__c", "X1"] {
            assert!(is_field_api_name(name), "{name}");
        }
        for name in [
            "",
            "1st",
            "Last Name",
            "Bad__Name",
            "Trailing_",
            "Trailing___c",
            "Ünicode",
            "a.b",
        ] {
            assert!(!is_field_api_name(name), "{name}");
        }
    }
}
