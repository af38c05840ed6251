//! `[plugins.limits]`: [`PluginLimits`] read with its own `Deserialize`, and serde's messages
//! turned into the one-line, located messages of the rest of the file.

use leadgate_plugin_runtime::PluginLimits;
use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::ConfigError;
use super::location::SourceText;
use super::table_reader::{did_you_mean, unknown_key_message};

/// How messages name the table.
const TABLE_NAME: &str = "`[plugins.limits]`";

/// Reads `value`, the value of `plugins.limits`, which the caller checked is a table.
pub(super) fn read_limits(
    source: SourceText<'_>,
    value: &Spanned<DeValue<'_>>,
) -> Result<PluginLimits, ConfigError> {
    let limits = PluginLimits::deserialize(value.clone().into_deserializer())
        .map_err(|error| translate(source, value, &error))?;
    if let Some((key, why)) = limits.unusable_limit() {
        let span = match value.get_ref() {
            DeValue::Table(table) => table
                .iter()
                .find(|(name, _)| name.get_ref() == key)
                .map(|(_, value)| value.span()),
            _ => None,
        }
        .unwrap_or_else(|| value.span());
        return Err(ConfigError::invalid(
            source.start_of(&span),
            format!("`{key}` {why}"),
            None,
        ));
    }
    Ok(limits)
}

/// A [`ConfigError`] for what serde said about `[plugins.limits]`.
fn translate(source: SourceText<'_>, limits: &Spanned<DeValue<'_>>, error: &toml::de::Error) -> ConfigError {
    let span = error.span().unwrap_or_else(|| limits.span());
    let location = source.start_of(&span);
    let message = error.message();

    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(expected);
        return ConfigError::schema(
            location,
            unknown_key_message(key, TABLE_NAME, known.iter().copied()),
            did_you_mean(key, &known),
        );
    }

    let key = match limits.get_ref() {
        DeValue::Table(table) => key_at(table, &span),
        _ => None,
    };
    let invalid = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    match (key, invalid.and_then(|rest| rest.rsplit_once(", expected "))) {
        (Some(key), Some((found, expected))) => {
            if found.ends_with(" as i128") || found.ends_with(" as u128") {
                let number = found.split('`').nth(1).unwrap_or(found);
                return ConfigError::invalid(location, format!("`{key}` is out of range: {number}"), None);
            }
            let expected = match expected {
                "u64" | "u32" | "usize" => "a non-negative integer",
                other => other,
            };
            let hint = (key == "deadline")
                .then(|| "the deadline is in milliseconds: `deadline = 10_000`".to_owned());
            ConfigError::schema(
                location,
                format!("`{key}` must be {expected}, found {found}"),
                hint,
            )
        }
        _ => ConfigError::schema(location, format!("{message} in {TABLE_NAME}"), None),
    }
}

/// Every `name` written in backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The key of `table` whose value holds `span`.
fn key_at(table: &DeTable<'_>, span: &std::ops::Range<usize>) -> Option<String> {
    table
        .iter()
        .find(|(_, value)| {
            let value_span = value.span();
            value_span.start <= span.start && span.end <= value_span.end
        })
        .map(|(key, _)| key.get_ref().to_string())
}
