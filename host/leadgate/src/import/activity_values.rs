//! The typed fields of an activity: kind, time, quantity and value, from text.
//!
//! JSON numbers and booleans reach these as their text (`250`, `12.5`, `true`), so CSV and JSON
//! Lines accept exactly the same values.

use leadgate_model::{STANDARD_ACTIVITY_KINDS, TimestampError, parse_timestamp};

use super::field_rules::trimmed;
use super::import_issue::quoted;

/// The longest activity kind name, in characters.
pub const MAX_KIND_CHARS: usize = 64;

/// An activity kind: trimmed and lowercased, with `_` and spaces turned into `-`
/// (`Page_Visit` → `page-visit`); then one of the standard kinds or a custom name of lowercase
/// letters, digits and single inner hyphens, at most [`MAX_KIND_CHARS`] characters.
pub(crate) fn kind(value: &str) -> Result<String, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    if is_kebab_case(value) {
        return Ok(value.to_owned());
    }
    let normalized: String = value
        .chars()
        .map(|character| match character {
            '_' | ' ' => '-',
            other => other.to_ascii_lowercase(),
        })
        .collect();
    if is_kebab_case(&normalized) {
        return Ok(normalized);
    }
    Err(format!(
        "{} is not an activity kind: use {}, or a custom name of lowercase letters, digits and hyphens (at most {MAX_KIND_CHARS} characters)",
        quoted(value),
        STANDARD_ACTIVITY_KINDS
            .iter()
            .map(|kind| format!("`{kind}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Lowercase ASCII letters and digits in parts joined by single hyphens, at most
/// [`MAX_KIND_CHARS`] long.
fn is_kebab_case(kind: &str) -> bool {
    kind.len() <= MAX_KIND_CHARS
        && kind.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
        })
}

/// A moment in milliseconds since the Unix epoch, in any form [`parse_timestamp`] takes
/// (RFC 3339, milliseconds, or a date), the value quoted in the message.
pub(crate) fn occurred_at(value: &str) -> Result<i64, String> {
    parse_timestamp(value).map_err(|error| match error {
        TimestampError::Empty => error.to_string(),
        _ => format!("{} {error}", quoted(trimmed(value))),
    })
}

/// A quantity: trimmed; empty means absent; otherwise an integer from 0 to `u32::MAX`.
pub(crate) fn quantity(value: &str) -> Result<Option<u32>, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Ok(None);
    }
    if let Ok(quantity) = value.parse::<u32>() {
        return Ok(Some(quantity));
    }
    if value.parse::<i128>().is_ok() {
        return Err(format!(
            "{} is out of range: a quantity is an integer from 0 to {}",
            quoted(value),
            u32::MAX
        ));
    }
    Err(format!("{} is not an integer", quoted(value)))
}

/// A value: trimmed; empty means absent; otherwise a finite decimal number with `.` as the
/// decimal separator (an exponent such as `1e3` is accepted).
pub(crate) fn value(value: &str) -> Result<Option<f64>, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(Some(number)),
        Ok(_) => Err(format!("{} is not a finite number", quoted(value))),
        Err(_) if value.contains(',') => Err(format!(
            "{} is not a number (use `.` as the decimal separator, and no thousands separators)",
            quoted(value)
        )),
        Err(_) => Err(format!("{} is not a number", quoted(value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_normalized_to_kebab_case() {
        for (raw, kind_name) in [
            ("purchase", "purchase"),
            (" page_visit ", "page-visit"),
            ("Form-Submission", "form-submission"),
            ("EMAIL_OPEN", "email-open"),
            ("email click", "email-click"),
            ("webinar-replay-2", "webinar-replay-2"),
        ] {
            assert_eq!(kind(raw).as_deref(), Ok(kind_name), "{raw}");
        }
        assert_eq!(kind(&"k".repeat(64)).map(|kind| kind.len()), Ok(64));
    }

    #[test]
    fn malformed_kinds_list_the_standard_ones() {
        assert_eq!(kind(" ").unwrap_err(), "is empty");
        for raw in [
            "page--visit",
            "-visit",
            "visit-",
            "visit!",
            "besuch-ü",
            &"k".repeat(65),
        ] {
            let reason = kind(raw).unwrap_err();
            assert!(
                reason.contains("is not an activity kind: use `purchase`, `page-visit`"),
                "{reason}"
            );
        }
    }

    #[test]
    fn times_come_as_rfc3339_milliseconds_or_dates() {
        assert_eq!(occurred_at("2026-03-01T10:00:00Z"), Ok(1_772_359_200_000));
        assert_eq!(occurred_at("2026-03-01T12:00:00+02:00"), Ok(1_772_359_200_000));
        assert_eq!(occurred_at("2026-03-01T10:00:00.250Z"), Ok(1_772_359_200_250));
        assert_eq!(occurred_at(" 1772359200000 "), Ok(1_772_359_200_000));
        assert_eq!(occurred_at("0"), Ok(0));
        assert_eq!(occurred_at("-1000"), Ok(-1000));
        assert_eq!(occurred_at("2026-03-01"), Ok(1_772_323_200_000));
    }

    #[test]
    fn malformed_times_say_what_is_accepted() {
        assert_eq!(occurred_at("").unwrap_err(), "is empty");
        assert!(
            occurred_at("yesterday")
                .unwrap_err()
                .starts_with("`yesterday` is not a time: use RFC 3339")
        );
        assert_eq!(
            occurred_at("2026-03-01T10:00:00").unwrap_err(),
            "`2026-03-01T10:00:00` has no UTC offset: add `Z` for UTC or an offset such as `+02:00`"
        );
        assert_eq!(
            occurred_at("2026-02-30").unwrap_err(),
            "`2026-02-30` is not a valid date"
        );
        assert_eq!(
            occurred_at("99999999999999999999").unwrap_err(),
            "`99999999999999999999` is out of range for milliseconds since the Unix epoch (years -9999 to 9999)"
        );
        assert!(occurred_at("1.5e12").unwrap_err().contains("is not a time"));
        assert!(
            occurred_at("2026-13-01T00:00:00Z")
                .unwrap_err()
                .contains("is not a time")
        );
    }

    #[test]
    fn quantities_are_integers_within_u32() {
        assert_eq!(quantity(""), Ok(None));
        assert_eq!(quantity(" 3000 "), Ok(Some(3000)));
        assert_eq!(quantity("4294967295"), Ok(Some(u32::MAX)));
        assert_eq!(
            quantity("4294967296").unwrap_err(),
            "`4294967296` is out of range: a quantity is an integer from 0 to 4294967295"
        );
        assert_eq!(
            quantity("-1").unwrap_err(),
            "`-1` is out of range: a quantity is an integer from 0 to 4294967295"
        );
        assert_eq!(quantity("2.5").unwrap_err(), "`2.5` is not an integer");
        assert_eq!(quantity("3,000").unwrap_err(), "`3,000` is not an integer");
    }

    #[test]
    fn values_are_finite_decimals() {
        assert_eq!(value(" "), Ok(None));
        assert_eq!(value("12.50"), Ok(Some(12.5)));
        assert_eq!(value("-3"), Ok(Some(-3.0)));
        assert_eq!(value("1e3"), Ok(Some(1000.0)));
        assert_eq!(value("NaN").unwrap_err(), "`NaN` is not a finite number");
        assert_eq!(value("inf").unwrap_err(), "`inf` is not a finite number");
        assert_eq!(value("1e999").unwrap_err(), "`1e999` is not a finite number");
        assert_eq!(
            value("12,50").unwrap_err(),
            "`12,50` is not a number (use `.` as the decimal separator, and no thousands separators)"
        );
        assert_eq!(value("abc").unwrap_err(), "`abc` is not a number");
    }
}
