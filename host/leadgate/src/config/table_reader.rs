//! Typed, located access to one table of a parsed TOML document.
//!
//! `leadgate.toml` is read from the parser's syntax tree rather than with `#[derive(Deserialize)]`
//! so that every error can name the table it happened in, point at the key or value at fault,
//! and suggest a fix (serde's errors know neither the table nor what the user meant).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use super::location::{Location, SourceText};

/// One table of the document, with what is needed to report errors about it.
#[derive(Clone)]
pub(super) struct TableReader<'a, 'i> {
    source: SourceText<'a>,
    table: &'a DeTable<'i>,
    /// How messages name the table: "`[[scores]]`", "the top level".
    name: &'a str,
    /// Where the table starts (its header; `0..0` for the top level).
    span: Range<usize>,
}

impl<'a, 'i> TableReader<'a, 'i> {
    /// A reader for `table`, named `name` in messages, which starts at `span`.
    pub(super) fn new(
        source: SourceText<'a>,
        table: &'a DeTable<'i>,
        name: &'a str,
        span: Range<usize>,
    ) -> Self {
        Self {
            source,
            table,
            name,
            span,
        }
    }

    /// The location of the table itself (its header).
    pub(super) fn location(&self) -> Location {
        self.source.start_of(&self.span)
    }

    /// The location of `span`.
    pub(super) fn location_of(&self, span: &Range<usize>) -> Location {
        self.source.start_of(span)
    }

    /// Rejects the first key (in file order) that is not in `known`. The hint suggests, in this
    /// order: a known key one edit away; where the key belongs, from `misplaced`; a known key
    /// with a similar spelling; whatever `otherwise` says.
    pub(super) fn reject_unknown_keys(
        &self,
        known: &[&str],
        misplaced: impl Fn(&str) -> Option<String>,
        otherwise: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let mut keys: Vec<&Spanned<_>> = self.table.keys().collect();
        keys.sort_by_key(|key| key.span().start);
        let Some(unknown) = keys
            .into_iter()
            .find(|key| !known.contains(&key.get_ref().as_ref()))
        else {
            return Ok(());
        };
        let key = unknown.get_ref().as_ref();
        // A one-letter slip of a key of this table is the likeliest story; then a key of another
        // table; then a looser resemblance.
        let hint = did_you_mean_within(key, known, Some(1))
            .or_else(|| misplaced(key))
            .or_else(|| did_you_mean(key, known))
            .or_else(|| otherwise(key));
        Err(ConfigError::schema(
            self.location_of(&unknown.span()),
            unknown_key_message(key, self.name, known.iter().copied()),
            hint,
        ))
    }

    /// The text the table was read from, for readers of the tables inside it.
    pub(super) fn source(&self) -> SourceText<'a> {
        self.source
    }

    /// Every key and value of the table, in no particular order.
    pub(super) fn entries(
        &self,
    ) -> impl Iterator<Item = (&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>)> {
        self.table.iter()
    }

    /// The value of `key`, if the table has it.
    pub(super) fn value(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// Where `key` itself is written, if the table has it.
    pub(super) fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.table.get_key_value(key).map(|(key, _)| key.span())
    }

    /// The string value of `key`, with its span.
    pub(super) fn string(&self, key: &str) -> Result<Option<(&'a str, Range<usize>)>, ConfigError> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::String(text) => Ok(Some((text.as_ref(), value.span()))),
            other => Err(self.wrong_type(key, value, "a string", string_hint(key, other))),
        }
    }

    /// The string value of `key`, which must be there; `example` shows a valid line for the
    /// hint when it is missing.
    pub(super) fn required_string(
        &self,
        key: &str,
        example: &str,
    ) -> Result<(&'a str, Range<usize>), ConfigError> {
        self.string(key)?.ok_or_else(|| {
            ConfigError::schema(
                self.location(),
                format!("missing required key `{key}` {}", place(self.name)),
                Some(format!("add a line such as `{example}`")),
            )
        })
    }

    /// The boolean value of `key`.
    pub(super) fn boolean(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Boolean(boolean) => Ok(Some(*boolean)),
            DeValue::String(text) if matches!(text.as_ref(), "true" | "false") => Err(self.wrong_type(
                key,
                value,
                "a boolean (`true` or `false`)",
                Some(format!("write it without quotes: `{key} = {text}`")),
            )),
            _ => Err(self.wrong_type(key, value, "a boolean (`true` or `false`)", None)),
        }
    }

    /// The integer value of `key`, with its span.
    pub(super) fn integer(&self, key: &str) -> Result<Option<(i128, Range<usize>)>, ConfigError> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        self.integer_in(key, value).map(Some)
    }

    /// `value`, the value of `key` or an item of it, as an integer.
    pub(super) fn integer_in(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<(i128, Range<usize>), ConfigError> {
        match value.get_ref() {
            DeValue::Integer(integer) => i128::from_str_radix(integer.as_str(), integer.radix())
                .map(|number| (number, value.span()))
                .map_err(|_| {
                    ConfigError::invalid(
                        self.location_of(&value.span()),
                        format!("`{key}` is out of range: {}", integer.as_str()),
                        None,
                    )
                }),
            DeValue::String(text) if text.trim().parse::<i64>().is_ok() => Err(self.wrong_type(
                key,
                value,
                "an integer",
                Some(format!("write the number without quotes: {}", text.trim())),
            )),
            _ => Err(self.wrong_type(key, value, "an integer", None)),
        }
    }

    /// The tables of `key`, an array of tables (`[[scores]]`), each with a reader named
    /// `name`; none when the key is absent. `hint` says how to write one.
    pub(super) fn array_of_tables(
        &self,
        key: &str,
        name: &'a str,
        hint: &str,
    ) -> Result<Vec<TableReader<'a, 'i>>, ConfigError> {
        let Some(value) = self.value(key) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(key, value, "an array of tables", Some(hint.to_owned())));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(table) => Ok(TableReader::new(self.source, table, name, item.span())),
                _ => Err(self.wrong_type(key, item, "an array of tables", Some(hint.to_owned()))),
            })
            .collect()
    }

    /// The table value of `key` with its span; `hint` says how to write one when it has
    /// another type.
    pub(super) fn table(
        &self,
        key: &str,
        hint: Option<&str>,
    ) -> Result<Option<(&'a DeTable<'i>, Range<usize>)>, ConfigError> {
        let Some(value) = self.value(key) else {
            return Ok(None);
        };
        match value.get_ref() {
            DeValue::Table(table) => Ok(Some((table, value.span()))),
            _ => Err(self.wrong_type(key, value, "a table", hint.map(str::to_owned))),
        }
    }

    /// "`key` must be `expected`, found `what value is`".
    pub(super) fn wrong_type(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
        hint: Option<String>,
    ) -> ConfigError {
        ConfigError::schema(
            self.location_of(&value.span()),
            format!("`{key}` must be {expected}, found {}", describe(value.get_ref())),
            hint,
        )
    }
}

/// "a string", "an array of tables", … for messages.
pub(super) fn describe(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(array) if !array.is_empty() && array.iter().all(|item| item.get_ref().is_table()) => {
            "an array of tables"
        }
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A hint for a string key given a value of another type: names are quoted text.
fn string_hint(key: &str, value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
            Some(format!("put the value in quotes: `{key} = \"…\"`"))
        }
        _ => None,
    }
}

/// "in `[[scores]]`" or "at the top level": table names are written in backticks, the top level
/// in words.
fn place(table: &str) -> String {
    if table.starts_with('`') {
        format!("in {table}")
    } else {
        format!("at {table}")
    }
}

/// "unknown key `treshold` in `[[scores]]`; expected one of `name`, `description`".
pub(super) fn unknown_key_message<'k>(
    key: &str,
    table: &str,
    known: impl IntoIterator<Item = &'k str>,
) -> String {
    let place = place(table);
    let known: Vec<String> = known.into_iter().map(|key| format!("`{key}`")).collect();
    match known.as_slice() {
        [] => format!("unknown key `{key}` {place}; it takes no keys"),
        [only] => format!("unknown key `{key}` {place}; expected {only}"),
        _ => format!(
            "unknown key `{key}` {place}; expected one of {}",
            known.join(", ")
        ),
    }
}

/// "did you mean `alert-thresholds`?" when one known key is spelt almost like `key`.
pub(super) fn did_you_mean(key: &str, known: &[&str]) -> Option<String> {
    did_you_mean_within(key, known, None)
}

/// [`did_you_mean`], only for keys at most `max_distance` edits away when that is given (else
/// about a third of the key's length, or one key containing the other).
fn did_you_mean_within(key: &str, known: &[&str], max_distance: Option<usize>) -> Option<String> {
    let key_lower = key.to_lowercase().replace('_', "-");
    known
        .iter()
        .map(|candidate| (edit_distance(&key_lower, candidate), *candidate))
        .filter(|(distance, candidate)| match max_distance {
            Some(max_distance) => *distance <= max_distance,
            None => {
                *distance <= (candidate.chars().count() / 3).max(1)
                    || (key_lower.len() >= 4 && candidate.contains(key_lower.as_str()))
                    || (candidate.len() >= 4 && key_lower.contains(candidate))
            }
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| format!("did you mean `{candidate}`?"))
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            let deletion = previous[j + 1] + 1;
            let insertion = current[j] + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("enabled", "enabled"), 0);
    }

    #[test]
    fn close_spellings_and_underscores_get_a_suggestion() {
        let known = ["name", "description", "enabled", "alert-thresholds", "rules"];
        assert_eq!(
            did_you_mean("enabeld", &known).as_deref(),
            Some("did you mean `enabled`?")
        );
        assert_eq!(
            did_you_mean("alert_thresholds", &known).as_deref(),
            Some("did you mean `alert-thresholds`?")
        );
        assert_eq!(
            did_you_mean("thresholds", &known).as_deref(),
            Some("did you mean `alert-thresholds`?")
        );
        assert_eq!(did_you_mean("colour", &known), None);
    }
}
