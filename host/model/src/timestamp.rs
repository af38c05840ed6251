//! Moments as people write them: one parser for imports, JSON contact lines and `--now`, so
//! every place that takes a time accepts the same forms.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Why text is not a moment. The messages continue the text they are about (callers write
/// ``"`{text}` {error}"``), so each place can quote the value its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Nothing but spaces.
    #[error("is empty")]
    Empty,
    /// An integer too large or small for the years -9999 to 9999.
    #[error("is out of range for milliseconds since the Unix epoch (years -9999 to 9999)")]
    OutOfRange,
    /// `dddd-dd-dd` that is no day of the calendar (`2026-02-30`).
    #[error("is not a valid date")]
    InvalidDate,
    /// A date and time without `Z` or an offset, which would mean a different moment in each
    /// time zone.
    #[error("has no UTC offset: add `Z` for UTC or an offset such as `+02:00`")]
    NoOffset,
    /// None of the accepted forms.
    #[error(
        "is not a time: use RFC 3339 such as `2026-03-01T10:00:00Z` (or with an offset such as `+02:00`), milliseconds since the Unix epoch, or a date such as `2026-03-01`"
    )]
    NotATime,
}

/// A moment in milliseconds since the Unix epoch, from RFC 3339 text (`2026-03-01T10:00:00Z`,
/// `2026-03-01T12:00:00+02:00`), an integer number of milliseconds (`1772359200000`), or a
/// plain date (`2026-03-01`, meaning midnight UTC). Surrounding spaces are ignored. Times must
/// lie between the years -9999 and 9999.
#[inline]
pub fn parse_timestamp(text: &str) -> Result<i64, TimestampError> {
    // Imports call this once per activity row; most values need no trimming.
    let value = match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    };
    if value.is_empty() {
        return Err(TimestampError::Empty);
    }
    let digits = value.strip_prefix('-').unwrap_or(value);
    if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return value
            .parse::<i64>()
            .ok()
            .and_then(|millis| Timestamp::from_millisecond(millis).ok())
            .map(Timestamp::as_millisecond)
            .ok_or(TimestampError::OutOfRange);
    }
    if looks_like_date(value) {
        return value
            .parse::<Date>()
            .ok()
            .and_then(|date| date.to_zoned(TimeZone::UTC).ok())
            .map(|zoned| zoned.timestamp().as_millisecond())
            .ok_or(TimestampError::InvalidDate);
    }
    if let Ok(timestamp) = value.parse::<Timestamp>() {
        return Ok(timestamp.as_millisecond());
    }
    if value.parse::<DateTime>().is_ok() {
        return Err(TimestampError::NoOffset);
    }
    Err(TimestampError::NotATime)
}

/// `dddd-dd-dd`.
fn looks_like_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(position, &byte)| {
            if position == 4 || position == 7 {
                byte == b'-'
            } else {
                byte.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_milliseconds_and_dates_are_moments() {
        assert_eq!(parse_timestamp("2026-03-01T10:00:00Z"), Ok(1_772_359_200_000));
        assert_eq!(
            parse_timestamp("2026-03-01T12:00:00+02:00"),
            Ok(1_772_359_200_000)
        );
        assert_eq!(parse_timestamp("2026-03-01T10:00:00.250Z"), Ok(1_772_359_200_250));
        assert_eq!(parse_timestamp(" 1772359200000 "), Ok(1_772_359_200_000));
        assert_eq!(parse_timestamp("-1000"), Ok(-1000));
        assert_eq!(parse_timestamp("2026-03-01"), Ok(1_772_323_200_000));
    }

    #[test]
    fn each_wrong_form_says_what_is_wrong() {
        assert_eq!(parse_timestamp("  "), Err(TimestampError::Empty));
        assert_eq!(parse_timestamp("-"), Err(TimestampError::NotATime));
        assert_eq!(
            parse_timestamp("2026-03-01T10:00:00"),
            Err(TimestampError::NoOffset)
        );
        assert_eq!(parse_timestamp("2026-02-30"), Err(TimestampError::InvalidDate));
        assert_eq!(
            parse_timestamp("99999999999999999999"),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(parse_timestamp("1.5e12"), Err(TimestampError::NotATime));
        assert_eq!(parse_timestamp("yesterday"), Err(TimestampError::NotATime));
        assert!(
            TimestampError::NotATime
                .to_string()
                .starts_with("is not a time: use RFC 3339")
        );
    }
}
