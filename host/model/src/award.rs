//! [`Award`]: points a rule gave a contact.

use serde::{Deserialize, Serialize};

/// Points a rule gave a contact, with the reason and when they stop counting. Stored as is
/// (postcard, in field order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// The points; may be negative.
    pub points: i64,
    /// Why they were given.
    pub reason: String,
    /// When they stop counting (ms since the Unix epoch); none = never.
    pub expires_at: Option<i64>,
}

impl Award {
    /// True when the award still counts at `now`.
    pub fn counts_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|expires_at| expires_at > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_award_stops_counting_at_its_expiry() {
        let award = |expires_at| Award {
            points: 1,
            reason: String::new(),
            expires_at,
        };
        assert!(award(None).counts_at(i64::MAX));
        assert!(award(Some(10)).counts_at(9));
        assert!(!award(Some(10)).counts_at(10));
    }
}
