//! `attribute-match`: points when a contact field or custom attribute matches a value, e.g.
//! "+20 when the title contains Director" or "-50 for e-mail addresses at a competitor".
//!
//! # Configuration
//!
//! | Key              | Required         | Meaning |
//! |------------------|------------------|---------|
//! | `field`          | yes              | What to look at: one of `email`, `first-name`, `last-name`, `company`, `title`, `phone`, `street`, `city`, `state`, `postal-code`, `country`, `id`; any other name is a custom attribute (case-sensitive). `attribute:NAME` always means the attribute `NAME`, even when it is spelt like a field. |
//! | `equals`         | exactly one of 5 | The value equals this text. |
//! | `contains`       | exactly one of 5 | The value contains this text. |
//! | `starts-with`    | exactly one of 5 | The value starts with this text. |
//! | `ends-with`      | exactly one of 5 | The value ends with this text. |
//! | `pattern`        | exactly one of 5 | The value matches this glob: `*` = any run of characters (also none), `?` = exactly one. |
//! | `case-sensitive` | no               | `true` or `false` (default): whether letter case matters. |
//! | `points`         | yes              | Integer points when it matches; may be negative. |
//!
//! The text to compare with must not be empty. Any other key is rejected as invalid-config;
//! `valid-days` in particular is not supported (these awards describe who the contact is, not
//! something they did, so they do not expire).
//!
//! # Awards
//!
//! The contact's value is trimmed first; a missing or blank value never matches. When it
//! matches, one award of `points` that never expires, with a reason naming the field, the test
//! and the text: `title contains "Director"`, `email ends with "@competitor.com"`,
//! `industry equals "Software"`, `title starts with "VP"`, `city matches "San *"`. Otherwise no
//! award.

use leadgate_plugin_sdk::text::{
    contains_ignore_case, ends_with_ignore_case, eq_ignore_case, non_blank, starts_with_ignore_case,
};
use leadgate_plugin_sdk::{
    ActivityKind, Award, Config, Contact, ContactActivities, ContactField, Glob, PluginError, Result,
    ScoringRule, Timestamp, register_scoring_rule,
};

const FIELD: &str = "field";
const CASE_SENSITIVE: &str = "case-sensitive";
const POINTS: &str = "points";
const VALID_DAYS: &str = "valid-days";
/// The prefix that makes `field` name a custom attribute whatever it is called.
const ATTRIBUTE_PREFIX: &str = "attribute:";

/// The comparisons, by config key, with the words that describe them in reasons.
const COMPARISONS: [(&str, Comparison, &str); 5] = [
    ("equals", Comparison::Equals, "equals"),
    ("contains", Comparison::Contains, "contains"),
    ("starts-with", Comparison::StartsWith, "starts with"),
    ("ends-with", Comparison::EndsWith, "ends with"),
    ("pattern", Comparison::Pattern, "matches"),
];

const KNOWN_KEYS: &[&str] = &[
    FIELD,
    "equals",
    "contains",
    "starts-with",
    "ends-with",
    "pattern",
    CASE_SENSITIVE,
    POINTS,
];

/// Where the value to test comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A standard contact field.
    Field(ContactField),
    /// A custom attribute, by its case-sensitive name.
    Attribute(String),
}

impl Source {
    /// Parses the `field` key.
    fn parse(field: &str) -> Result<Self> {
        if let Some(name) = field.strip_prefix(ATTRIBUTE_PREFIX) {
            let name = name.trim();
            if name.is_empty() {
                return Err(PluginError::invalid_config_key(
                    FIELD,
                    format_args!("no attribute name after `{ATTRIBUTE_PREFIX}`"),
                ));
            }
            return Ok(Self::Attribute(name.to_owned()));
        }
        Ok(match ContactField::from_name(field) {
            Some(contact_field) => Self::Field(contact_field),
            None => Self::Attribute(field.to_owned()),
        })
    }

    /// The name used in reasons.
    fn name(&self) -> &str {
        match self {
            Self::Field(field) => field.name(),
            Self::Attribute(name) => name,
        }
    }

    /// The contact's value, trimmed; `None` when absent or blank.
    fn value<'a>(&self, contact: &'a Contact) -> Option<&'a str> {
        let value = match self {
            Self::Field(field) => contact.field(*field),
            Self::Attribute(name) => contact.attribute(name),
        };
        non_blank(value)
    }
}

/// How the value is compared with the configured text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
    Pattern,
}

/// The rule, as configured for one rule of the host.
#[derive(Debug, Clone, PartialEq)]
struct AttributeMatch {
    source: Source,
    comparison: Comparison,
    /// The text to compare with, as configured.
    operand: String,
    /// The compiled pattern, for [`Comparison::Pattern`].
    pattern: Option<Glob>,
    case_sensitive: bool,
    points: i64,
    /// Built once: every matching contact gets the same reason.
    reason: String,
}

impl ScoringRule for AttributeMatch {
    fn from_config(config: &Config) -> Result<Self> {
        if config.contains(VALID_DAYS) {
            return Err(PluginError::invalid_config_key(
                VALID_DAYS,
                "not supported by attribute-match: its awards describe the contact and do not expire",
            ));
        }
        config.reject_unknown(KNOWN_KEYS)?;

        let field = config.require(FIELD)?.trim();
        if field.is_empty() {
            return Err(PluginError::invalid_config_key(FIELD, "must not be empty"));
        }
        let source = Source::parse(field)?;

        let mut chosen: Option<(&str, Comparison, &str, &str)> = None;
        for (key, comparison, wording) in COMPARISONS {
            let Some(operand) = config.get(key) else {
                continue;
            };
            if let Some((first_key, ..)) = chosen {
                return Err(PluginError::invalid_config(format!(
                    "config keys `{first_key}` and `{key}` cannot be used together: set exactly one of {}",
                    comparison_keys()
                )));
            }
            if operand.is_empty() {
                return Err(PluginError::invalid_config_key(key, "must not be empty"));
            }
            chosen = Some((key, comparison, wording, operand));
        }
        let Some((_, comparison, wording, operand)) = chosen else {
            return Err(PluginError::invalid_config(format!(
                "set exactly one of {} (none is set)",
                comparison_keys()
            )));
        };

        let case_sensitive = config.get_bool(CASE_SENSITIVE)?.unwrap_or(false);
        let points = config.require_parsed::<i64>(POINTS)?;
        let pattern = (comparison == Comparison::Pattern).then(|| Glob::new(operand, !case_sensitive));
        let reason = format!("{} {wording} \"{operand}\"", source.name());
        Ok(Self {
            source,
            comparison,
            operand: operand.to_owned(),
            pattern,
            case_sensitive,
            points,
            reason,
        })
    }

    /// Only the contact's fields matter: the host need not send a single activity.
    fn activity_kinds(&self) -> Option<Vec<ActivityKind>> {
        Some(Vec::new())
    }

    fn score(&self, input: &ContactActivities, _now: Timestamp) -> Result<Vec<Award>> {
        Ok(if self.matches(&input.contact) {
            vec![Award::new(self.points, self.reason.as_str())]
        } else {
            Vec::new()
        })
    }
}

impl AttributeMatch {
    /// True when the contact's value passes the comparison; a missing value never does.
    fn matches(&self, contact: &Contact) -> bool {
        let Some(value) = self.source.value(contact) else {
            return false;
        };
        let operand = self.operand.as_str();
        match (self.comparison, self.case_sensitive) {
            (Comparison::Pattern, _) => self
                .pattern
                .as_ref()
                .is_some_and(|pattern| pattern.matches(value)),
            (Comparison::Equals, true) => value == operand,
            (Comparison::Equals, false) => eq_ignore_case(value, operand),
            (Comparison::Contains, true) => value.contains(operand),
            (Comparison::Contains, false) => contains_ignore_case(value, operand),
            (Comparison::StartsWith, true) => value.starts_with(operand),
            (Comparison::StartsWith, false) => starts_with_ignore_case(value, operand),
            (Comparison::EndsWith, true) => value.ends_with(operand),
            (Comparison::EndsWith, false) => ends_with_ignore_case(value, operand),
        }
    }
}

/// "`equals`, `contains`, `starts-with`, `ends-with` or `pattern`", for messages.
fn comparison_keys() -> String {
    let keys: Vec<String> = COMPARISONS.iter().map(|(key, ..)| format!("`{key}`")).collect();
    match keys.split_last() {
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

register_scoring_rule!(AttributeMatch);

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_plugin_sdk::Attribute;

    fn rule(entries: &[(&str, &str)]) -> Result<AttributeMatch> {
        AttributeMatch::from_config(&Config::from_entries(entries.iter().copied()))
    }

    fn contact() -> Contact {
        let mut contact = Contact {
            email: Some("jane@Competitor.com".into()),
            title: Some("  Senior IT Director ".into()),
            company: Some("   ".into()),
            attributes: vec![
                Attribute::new("industry", "Software"),
                Attribute::new("title", "attribute title"),
            ],
            ..Contact::new("c-42")
        };
        contact.address.city = Some("San José".into());
        contact
    }

    /// The awards for [`contact`] under the rule configured by `entries`.
    fn awards(entries: &[(&str, &str)]) -> Vec<(i64, String)> {
        let input = ContactActivities::new(contact(), Vec::new());
        match rule(entries).and_then(|rule| rule.score(&input, 0)) {
            Ok(awards) => awards
                .into_iter()
                .map(|award| {
                    assert_eq!(award.expires_at, None);
                    (award.points, award.reason)
                })
                .collect(),
            Err(error) => panic!("scoring failed: {error}"),
        }
    }

    fn award(points: i64, reason: &str) -> Vec<(i64, String)> {
        vec![(points, reason.to_owned())]
    }

    #[test]
    fn comparisons_ignore_case_by_default() {
        assert_eq!(
            awards(&[("field", "title"), ("contains", "director"), ("points", "20")]),
            award(20, "title contains \"director\"")
        );
        assert_eq!(
            awards(&[
                ("field", "email"),
                ("ends-with", "@competitor.COM"),
                ("points", "-50")
            ]),
            award(-50, "email ends with \"@competitor.COM\"")
        );
        assert_eq!(
            awards(&[("field", "title"), ("starts-with", "senior"), ("points", "5")]),
            award(5, "title starts with \"senior\"")
        );
        assert_eq!(
            awards(&[("field", "industry"), ("equals", "SOFTWARE"), ("points", "7")]),
            award(7, "industry equals \"SOFTWARE\"")
        );
        assert_eq!(
            awards(&[("field", "city"), ("pattern", "san jos?"), ("points", "1")]),
            award(1, "city matches \"san jos?\"")
        );
        // The value is trimmed: "Senior IT Director" equals, ignoring case.
        assert_eq!(
            awards(&[
                ("field", "title"),
                ("equals", "senior it director"),
                ("points", "1")
            ])
            .len(),
            1
        );
    }

    #[test]
    fn case_sensitive_comparisons() {
        let sensitive = |key: &str, operand: &str| {
            awards(&[
                ("field", "title"),
                (key, operand),
                ("points", "1"),
                ("case-sensitive", "true"),
            ])
            .len()
        };
        assert_eq!(sensitive("contains", "director"), 0);
        assert_eq!(sensitive("contains", "Director"), 1);
        assert_eq!(sensitive("equals", "Senior IT Director"), 1);
        assert_eq!(sensitive("equals", "senior it director"), 0);
        assert_eq!(sensitive("starts-with", "Senior"), 1);
        assert_eq!(sensitive("starts-with", "senior"), 0);
        assert_eq!(sensitive("ends-with", "Director"), 1);
        assert_eq!(sensitive("ends-with", "DIRECTOR"), 0);
        assert_eq!(sensitive("pattern", "*IT*"), 1);
        assert_eq!(sensitive("pattern", "*it*"), 0);
    }

    #[test]
    fn missing_or_blank_values_never_match() {
        assert!(awards(&[("field", "phone"), ("pattern", "*"), ("points", "1")]).is_empty());
        assert!(awards(&[("field", "company"), ("pattern", "*"), ("points", "1")]).is_empty());
        assert!(awards(&[("field", "size"), ("pattern", "*"), ("points", "1")]).is_empty());
        assert!(awards(&[("field", "title"), ("contains", "VP"), ("points", "1")]).is_empty());
    }

    #[test]
    fn attribute_prefix_and_id() {
        assert_eq!(
            awards(&[
                ("field", "attribute:title"),
                ("equals", "attribute title"),
                ("points", "3")
            ]),
            award(3, "title equals \"attribute title\"")
        );
        assert_eq!(
            awards(&[("field", "id"), ("equals", "C-42"), ("points", "3")]),
            award(3, "id equals \"C-42\"")
        );
    }

    #[test]
    fn configuration_errors_name_the_key() {
        let message = |entries: &[(&str, &str)]| match rule(entries) {
            Ok(rule) => panic!("accepted {rule:?}"),
            Err(PluginError::InvalidConfig(message)) => message,
            Err(other) => panic!("not invalid-config: {other}"),
        };
        assert_eq!(
            message(&[("contains", "x"), ("points", "1")]),
            "config key `field` is required but not set"
        );
        assert_eq!(
            message(&[("field", "title"), ("points", "1")]),
            "set exactly one of `equals`, `contains`, `starts-with`, `ends-with` or `pattern` (none is set)"
        );
        assert_eq!(
            message(&[
                ("field", "title"),
                ("equals", "a"),
                ("pattern", "b"),
                ("points", "1")
            ]),
            "config keys `equals` and `pattern` cannot be used together: set exactly one of `equals`, `contains`, `starts-with`, `ends-with` or `pattern`"
        );
        assert_eq!(
            message(&[("field", "title"), ("contains", ""), ("points", "1")]),
            "config key `contains`: must not be empty"
        );
        assert_eq!(
            message(&[("field", "title"), ("contains", "x")]),
            "config key `points` is required but not set"
        );
        assert_eq!(
            message(&[
                ("field", "title"),
                ("contains", "x"),
                ("points", "1"),
                ("case-sensitive", "yes")
            ]),
            "config key `case-sensitive`: expected `true` or `false`, got `yes`"
        );
        assert_eq!(
            message(&[("field", "attribute: "), ("contains", "x"), ("points", "1")]),
            "config key `field`: no attribute name after `attribute:`"
        );
        assert!(
            message(&[
                ("field", "title"),
                ("contains", "x"),
                ("points", "1"),
                ("valid-days", "3")
            ])
            .starts_with("config key `valid-days`: not supported")
        );
        assert!(
            message(&[
                ("field", "title"),
                ("contains", "x"),
                ("points", "1"),
                ("value", "3")
            ])
            .starts_with("config key `value` is not known")
        );
    }
}
