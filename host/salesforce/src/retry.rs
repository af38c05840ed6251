//! When the client sends a request again by itself: only idempotent requests (reads, update,
//! upsert by External ID, delete), only after a retryable failure
//! ([`SalesforceError::is_retryable`](crate::SalesforceError::is_retryable)),
//! with exponential backoff — or, when a 429 or 503 answer says how long to wait with
//! `Retry-After`, that long, never more than the policy's longest wait. Creates and composite
//! requests are never repeated, because a lost answer does not tell whether the write happened.

use std::time::Duration;

/// Backoff for retryable failures of idempotent requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first one (0 turns retrying off).
    pub max_retries: u32,
    /// The wait before the first retry; it doubles with each further one.
    pub initial_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned at once.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (0 for the first).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        self.initial_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before retry number `retry` when the answer asked for `retry_after`: that
    /// wait, capped at `max_delay` so that a server cannot park the client for an hour; else
    /// the backoff of [`Self::delay`].
    pub fn delay_after(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.max_delay),
            None => self.delay(retry),
        }
    }
}

/// A `Retry-After` value in seconds (`120`). Only that form is read: an HTTP date, or anything
/// else, gives `None`, and the backoff applies instead.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0), Duration::from_millis(500));
        assert_eq!(policy.delay(1), Duration::from_secs(1));
        assert_eq!(policy.delay(4), Duration::from_secs(8));
        assert_eq!(policy.delay(40), Duration::from_secs(8));
    }

    #[test]
    fn retry_after_replaces_the_backoff_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_after(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay_after(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(8)
        );
        assert_eq!(policy.delay_after(1, None), Duration::from_secs(1));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
