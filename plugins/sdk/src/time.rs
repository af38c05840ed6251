//! Time as the host passes it: milliseconds since the Unix epoch, UTC, and calendar dates.

use core::fmt;

use crate::Date;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z (UTC), may be negative.
pub type Timestamp = i64;

/// Milliseconds in one day (24 hours; the host's timestamps have no leap seconds).
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// The length of `count` days in milliseconds, saturating at the limits of `i64`.
///
/// ```
/// use leadgate_plugin_sdk::{MILLIS_PER_DAY, days};
///
/// let occurred_at = 1_772_323_200_000; // 2026-03-01T00:00:00Z
/// assert_eq!(occurred_at + days(30), occurred_at + 30 * MILLIS_PER_DAY);
/// ```
pub const fn days(count: i64) -> i64 {
    count.saturating_mul(MILLIS_PER_DAY)
}

/// The number of days between 0000-03-01 and 1970-01-01 in the proleptic Gregorian calendar:
/// the civil-date algorithms below count from a March 1st so leap days fall at the end of a year.
const DAYS_FROM_MARCH_ZERO_TO_EPOCH: i64 = 719_468;
/// Days in a 400-year Gregorian cycle.
const DAYS_PER_ERA: i64 = 146_097;

/// The civil (proleptic Gregorian) date of a day number counted from 1970-01-01.
///
/// Howard Hinnant's `civil_from_days`: exact for every `i64` day that `Timestamp` can reach.
fn civil_from_days(day_number: i64) -> (i64, u8, u8) {
    let shifted = day_number + DAYS_FROM_MARCH_ZERO_TO_EPOCH;
    let era = shifted.div_euclid(DAYS_PER_ERA);
    let day_of_era = shifted.rem_euclid(DAYS_PER_ERA); // [0, 146096]
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // [0, 399]
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // [0, 365]
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11]
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // [1, 31]
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    }; // [1, 12]
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are in range by construction (see the bracketed bounds above).
    (year, month as u8, day as u8)
}

/// The day number, counted from 1970-01-01, of a civil (proleptic Gregorian) date.
///
/// Howard Hinnant's `days_from_civil`; the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let month = i64::from(month);
    let day = i64::from(day);
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400); // [0, 399]
    let month_from_march = if month > 2 { month - 3 } else { month + 9 }; // [0, 11]
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1; // [0, 365]
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - DAYS_FROM_MARCH_ZERO_TO_EPOCH
}

impl Date {
    /// The UTC calendar date of `timestamp`.
    pub fn from_timestamp(timestamp: Timestamp) -> Self {
        let (year, month, day) = civil_from_days(timestamp.div_euclid(MILLIS_PER_DAY));
        // |timestamp| <= 2^63 ms is about 292 million years, well inside `i32`.
        Self {
            year: year as i32,
            month,
            day,
        }
    }

    /// Midnight UTC at the start of this date, saturating at the limits of `Timestamp`.
    ///
    /// A month or day out of range rolls over (2026-02-30 is 2026-03-02), as in most date
    /// libraries' "lenient" mode.
    pub fn to_timestamp(&self) -> Timestamp {
        days(days_from_civil(i64::from(self.year), self.month, self.day))
    }
}

/// Formats as ISO 8601, `YYYY-MM-DD` (e.g. `2026-03-01`), with a `-` before years before 1 BC.
impl Date {
    /// Appends the date to `text` as `Display` writes it (`2026-03-01`; `-0044-03-15` before
    /// year 0), without going through `core::fmt`, which costs thousands of instructions per
    /// call in WebAssembly: rules that date every award's reason use this.
    pub fn push_to(&self, text: &mut String) {
        if self.year < 0 {
            text.push('-');
        }
        let year = self.year.unsigned_abs();
        // At least four digits for the year, two for month and day, as ISO 8601 writes them.
        for threshold in [1000, 100, 10] {
            if year < threshold {
                text.push('0');
            }
        }
        crate::text::push_integer(text, year);
        for part in [self.month, self.day] {
            text.push('-');
            if part < 10 {
                text.push('0');
            }
            crate::text::push_integer(text, part);
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(16);
        self.push_to(&mut text);
        formatter.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Date::from_timestamp(0), date(1970, 1, 1));
        assert_eq!(Date::from_timestamp(MILLIS_PER_DAY - 1), date(1970, 1, 1));
        assert_eq!(Date::from_timestamp(-1), date(1969, 12, 31));
        // 2026-03-01T00:00:00Z and one millisecond before it.
        assert_eq!(Date::from_timestamp(1_772_323_200_000), date(2026, 3, 1));
        assert_eq!(Date::from_timestamp(1_772_323_199_999), date(2026, 2, 28));
        // A leap day: 2024-02-29T12:00:00Z.
        assert_eq!(Date::from_timestamp(1_709_208_000_000), date(2024, 2, 29));
        // 2000 is a leap year, 1900 is not.
        assert_eq!(Date::from_timestamp(951_782_400_000), date(2000, 2, 29));
        assert_eq!(
            date(1900, 3, 1).to_timestamp() - date(1900, 2, 28).to_timestamp(),
            days(1)
        );
    }

    #[test]
    fn round_trips_every_day_over_four_centuries() {
        let start = date(1800, 1, 1).to_timestamp() / MILLIS_PER_DAY;
        let end = date(2200, 1, 1).to_timestamp() / MILLIS_PER_DAY;
        let mut previous = Date::from_timestamp(days(start - 1));
        for day_number in start..end {
            let current = Date::from_timestamp(days(day_number));
            assert!(current > previous, "{current} after {previous}");
            assert_eq!(current.to_timestamp(), days(day_number), "{current}");
            previous = current;
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        let latest = Date::from_timestamp(i64::MAX);
        let earliest = Date::from_timestamp(i64::MIN);
        assert!(latest.year > 292_000_000, "{latest}");
        assert!(earliest.year < -292_000_000, "{earliest}");
        assert!((1..=12).contains(&latest.month) && (1..=31).contains(&latest.day));
        assert!((1..=12).contains(&earliest.month) && (1..=31).contains(&earliest.day));
    }

    #[test]
    fn display_is_iso_8601() {
        assert_eq!(date(2026, 3, 1).to_string(), "2026-03-01");
        assert_eq!(date(987, 12, 31).to_string(), "0987-12-31");
        assert_eq!(date(-44, 3, 15).to_string(), "-0044-03-15");
        assert_eq!(date(0, 1, 9).to_string(), "0000-01-09");
        assert_eq!(date(12_345, 10, 10).to_string(), "12345-10-10");
        assert_eq!(date(i32::MIN, 1, 1).to_string(), "-2147483648-01-01");
    }

    #[test]
    fn push_to_writes_what_the_format_machinery_would() {
        let mut text = String::from("on ");
        for year in (-10_050..10_050).step_by(7) {
            for (month, day) in [(1, 1), (9, 30), (10, 9), (12, 31)] {
                text.truncate(3);
                date(year, month, day).push_to(&mut text);
                let sign = if year < 0 { "-" } else { "" };
                let expected = format!("on {sign}{:04}-{month:02}-{day:02}", year.unsigned_abs());
                assert_eq!(text, expected);
            }
        }
    }

    #[test]
    fn days_saturates() {
        assert_eq!(days(2), 172_800_000);
        assert_eq!(days(i64::MAX), i64::MAX);
        assert_eq!(days(-3), -259_200_000);
    }
}
