//! Turning the TOML values of a rule's `config` table into the text a plugin reads.
//!
//! The contract (`wit/config.wit`) gives plugins text: strings as they are, integers, floats and
//! booleans in their TOML text form (`1`, `2.5`, `true`), datetimes in their TOML text form
//! (`2026-01-31T00:00:00Z`), arrays and tables as JSON (`["a",1]`, `{"a":1}`).
//!
//! Integers are written in decimal without `_` separators, whatever the file says (`0x10` and
//! `1_000` become `16` and `1000`), so a plugin can parse them with any integer parser. Table
//! keys in JSON are sorted.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value as Json};
use toml::de::{DeInteger, DeValue};

/// The text a plugin gets for `value`.
pub(super) fn rule_config_text(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => text.to_string(),
        DeValue::Integer(integer) => integer_text(integer),
        DeValue::Float(float) => float.as_str().to_owned(),
        DeValue::Boolean(boolean) => boolean.to_string(),
        DeValue::Datetime(datetime) => datetime.to_string(),
        DeValue::Array(_) | DeValue::Table(_) => to_json(value).to_string(),
    }
}

/// An integer in decimal; the literal as written (without separators) if it does not even fit
/// in 128 bits, which TOML does not allow anyway.
fn integer_text(integer: &DeInteger<'_>) -> String {
    i128::from_str_radix(integer.as_str(), integer.radix())
        .map_or_else(|_| integer.as_str().to_owned(), |number| number.to_string())
}

/// `value` as JSON. TOML has no null, so nothing maps to it. Datetimes become strings in their
/// TOML form; infinite and NaN floats, which JSON cannot hold, become strings too (`"inf"`), as
/// do integers outside the 64-bit range.
fn to_json(value: &DeValue<'_>) -> Json {
    match value {
        DeValue::String(text) => Json::String(text.to_string()),
        DeValue::Integer(integer) => {
            let text = integer_text(integer);
            if let Ok(number) = text.parse::<i64>() {
                Json::Number(number.into())
            } else if let Ok(number) = text.parse::<u64>() {
                Json::Number(number.into())
            } else {
                Json::String(text)
            }
        }
        DeValue::Float(float) => float
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Json::String(float.as_str().to_owned()), Json::Number),
        DeValue::Boolean(boolean) => Json::Bool(*boolean),
        DeValue::Datetime(datetime) => Json::String(datetime.to_string()),
        DeValue::Array(items) => Json::Array(items.iter().map(|item| to_json(item.get_ref())).collect()),
        // Sorted by key whatever order the file (or a map feature of `toml` or `serde_json`)
        // keeps, so that the same table always gives the same text and rule fingerprint.
        DeValue::Table(table) => Json::Object(
            table
                .iter()
                .map(|(key, item)| (key.get_ref().to_string(), to_json(item.get_ref())))
                .collect::<BTreeMap<String, Json>>()
                .into_iter()
                .collect::<Map<String, Json>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text for the value of `value = …` written as `toml`.
    fn text_of(toml: &str) -> String {
        let document = toml::de::DeTable::parse(toml).expect("valid TOML");
        let value = document.get_ref().get("value").expect("a `value` key");
        rule_config_text(value.get_ref())
    }

    #[test]
    fn strings_stay_as_they_are() {
        assert_eq!(text_of(r#"value = "Microsoft Office""#), "Microsoft Office");
        assert_eq!(text_of(r#"value = 'C:\x'"#), r"C:\x");
        assert_eq!(text_of(r#"value = """#), "");
    }

    #[test]
    fn integers_become_plain_decimal_text() {
        assert_eq!(text_of("value = 1"), "1");
        assert_eq!(text_of("value = -50"), "-50");
        assert_eq!(text_of("value = +7"), "7");
        assert_eq!(text_of("value = 20_000_000"), "20000000");
        assert_eq!(text_of("value = 0x1F"), "31");
        assert_eq!(text_of("value = 0o17"), "15");
        assert_eq!(text_of("value = 0b101"), "5");
    }

    #[test]
    fn floats_and_booleans_keep_their_toml_text() {
        assert_eq!(text_of("value = 2.5"), "2.5");
        assert_eq!(text_of("value = 1e3"), "1e3");
        assert_eq!(text_of("value = 1_000.5"), "1000.5");
        assert_eq!(text_of("value = -inf"), "-inf");
        assert_eq!(text_of("value = true"), "true");
        assert_eq!(text_of("value = false"), "false");
    }

    #[test]
    fn datetimes_keep_their_toml_text() {
        assert_eq!(text_of("value = 2026-01-31T08:30:00Z"), "2026-01-31T08:30:00Z");
        assert_eq!(text_of("value = 2026-01-31"), "2026-01-31");
        assert_eq!(text_of("value = 08:30:00"), "08:30:00");
    }

    #[test]
    fn arrays_and_tables_become_json_text() {
        assert_eq!(text_of(r#"value = ["a", 1, 2.5, true]"#), r#"["a",1,2.5,true]"#);
        assert_eq!(text_of("value = []"), "[]");
        assert_eq!(
            text_of(r#"value = { b = 1, a = { c = [1, "x"] }, d = 2026-01-31 }"#),
            r#"{"a":{"c":[1,"x"]},"b":1,"d":"2026-01-31"}"#
        );
        assert_eq!(text_of("value = [nan, 0x10]"), r#"["nan",16]"#);
        assert_eq!(
            text_of("[value]\nx = 1\n[value.y]\nz = 'w'\n"),
            r#"{"x":1,"y":{"z":"w"}}"#
        );
    }
}
