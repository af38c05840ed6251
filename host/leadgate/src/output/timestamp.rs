//! Moments as text.

/// A moment (milliseconds since the Unix epoch) as RFC 3339 text in UTC; a moment jiff cannot
/// represent is shown as its number of milliseconds rather than refused.
pub fn timestamp(millis: i64) -> String {
    jiff::Timestamp::from_millisecond(millis).map_or_else(|_| format!("{millis} ms"), |time| time.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_print_in_utc_and_out_of_range_ones_as_numbers() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_500), "1970-01-01T00:00:01.5Z");
        assert_eq!(timestamp(i64::MAX), format!("{} ms", i64::MAX));
    }
}
