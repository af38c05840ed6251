//! Fault injection: server errors, row locks, slow answers, dropped connections (before the
//! work, or after it was committed — the ambiguous write) and forced token expiry.
//!
//! Faults are drawn from a pseudo-random sequence seeded by [`FaultSettings::seed`]: request
//! `n` (counted from the start or the last change of settings) always gets the same draws, so
//! a test that sends the same requests in the same order sees the same faults. Faults queued
//! with [`FaultInjector::queue`] come first and are used up one per request, for tests that
//! want one particular fault at one particular moment; a queued `UNABLE_TO_LOCK_ROW` waits for
//! the next write, since reads never lock rows.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// Rates (0.0 … 1.0) of each fault, and the seed.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FaultSettings {
    /// Seed of the pseudo-random draws.
    pub seed: u64,
    /// 503 `SERVER_UNAVAILABLE` "Server too busy".
    pub server_unavailable_rate: f64,
    /// `UNABLE_TO_LOCK_ROW` on writes (400 for single records, a per-record error in collections).
    pub lock_row_rate: f64,
    /// A delay of `slow_millis` before the answer.
    pub slow_rate: f64,
    /// The delay of a slow answer, in milliseconds.
    pub slow_millis: u64,
    /// The connection is dropped before the request is processed: nothing happened, and the
    /// request is not counted against the API allocation.
    pub drop_connection_rate: f64,
    /// Writes only: the work is committed, then the connection is dropped without an answer.
    pub commit_then_drop_rate: f64,
    /// Every access token expires, and the request gets the 401 `INVALID_SESSION_ID`.
    pub token_expiry_rate: f64,
    /// 502 with an HTML body, as a proxy in front of the org might answer.
    pub html_error_rate: f64,
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// 503 `SERVER_UNAVAILABLE`.
    ServerUnavailable,
    /// `UNABLE_TO_LOCK_ROW` (writes; reads are unaffected).
    UnableToLockRow,
    /// Drop the connection before processing.
    DropConnection,
    /// Commit, then drop the connection (writes; reads just drop).
    CommitThenDrop,
    /// Expire every access token.
    ExpireTokens,
    /// 502 with an HTML body.
    HtmlError,
}

impl Fault {
    /// The name used in counts.
    pub fn name(self) -> &'static str {
        match self {
            Self::ServerUnavailable => "serverUnavailable",
            Self::UnableToLockRow => "unableToLockRow",
            Self::DropConnection => "dropConnection",
            Self::CommitThenDrop => "commitThenDrop",
            Self::ExpireTokens => "expireTokens",
            Self::HtmlError => "htmlError",
        }
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decision {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Then inject this fault.
    pub fault: Option<Fault>,
}

/// Decides the faults of each request.
#[derive(Debug, Default)]
pub struct FaultInjector {
    settings: FaultSettings,
    sequence: u64,
    queued: VecDeque<Fault>,
    injected: BTreeMap<&'static str, u64>,
}

impl FaultInjector {
    /// An injector with these settings.
    pub fn new(settings: FaultSettings) -> Self {
        Self {
            settings,
            ..Self::default()
        }
    }

    /// The settings.
    pub fn settings(&self) -> &FaultSettings {
        &self.settings
    }

    /// Replaces the settings and starts the sequence again.
    pub fn set(&mut self, settings: FaultSettings) {
        self.settings = settings;
        self.sequence = 0;
    }

    /// Injects `fault` into the next request to the data API (after those queued before); an
    /// [`Fault::UnableToLockRow`] at the head of the queue waits for the next write, and the
    /// reads before it pass untouched.
    pub fn queue(&mut self, fault: Fault) {
        self.queued.push_back(fault);
    }

    /// Faults injected so far, by name.
    pub fn injected(&self) -> BTreeMap<String, u64> {
        self.injected
            .iter()
            .map(|(name, count)| ((*name).to_owned(), *count))
            .collect()
    }

    /// No faults, nothing queued, nothing counted.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The faults of the next request; `write` tells whether it changes data.
    pub fn decide(&mut self, write: bool) -> Decision {
        let sequence = self.sequence;
        self.sequence += 1;
        let settings = &self.settings;
        let mut draw = {
            let mut index = 0u64;
            move || {
                index += 1;
                unit(settings.seed, sequence, index)
            }
        };
        // Every request takes the same number of draws, so request n's draws never depend on
        // what happened to the requests before it.
        let slow = draw() < settings.slow_rate;
        let rolled = [
            (draw() < settings.token_expiry_rate, Fault::ExpireTokens),
            (
                draw() < settings.server_unavailable_rate,
                Fault::ServerUnavailable,
            ),
            (draw() < settings.html_error_rate, Fault::HtmlError),
            (draw() < settings.drop_connection_rate, Fault::DropConnection),
            (write && draw() < settings.lock_row_rate, Fault::UnableToLockRow),
            (
                write && draw() < settings.commit_then_drop_rate,
                Fault::CommitThenDrop,
            ),
        ];
        let delay = slow.then(|| Duration::from_millis(settings.slow_millis));
        // A queued lock stays queued through reads: "reads are unaffected" holds for queued
        // faults as it does for drawn ones.
        let queued_applies = self
            .queued
            .front()
            .is_some_and(|fault| write || *fault != Fault::UnableToLockRow);
        let queued = if queued_applies {
            self.queued.pop_front()
        } else {
            None
        };
        let fault = queued.or_else(|| rolled.iter().find(|(hit, _)| *hit).map(|(_, fault)| *fault));
        if let Some(fault) = fault {
            *self.injected.entry(fault.name()).or_default() += 1;
        }
        Decision { delay, fault }
    }
}

/// A uniform number in [0, 1) from the seed, the request's sequence number and the draw's index
/// (splitmix64 finalizer over their combination).
fn unit(seed: u64, sequence: u64, index: u64) -> f64 {
    let mut value = seed
        .wrapping_add(sequence.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    value = (value ^ (value >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    value = (value ^ (value >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    value ^= value >> 31;
    (value >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(settings: &FaultSettings) -> Vec<Option<Fault>> {
        let mut injector = FaultInjector::new(settings.clone());
        (0..200)
            .map(|index| injector.decide(index % 2 == 0).fault)
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let settings = FaultSettings {
            seed: 7,
            server_unavailable_rate: 0.2,
            lock_row_rate: 0.2,
            ..FaultSettings::default()
        };
        let first = sequence(&settings);
        assert_eq!(first, sequence(&settings));
        let hits = first.iter().flatten().count();
        assert!((40..=120).contains(&hits), "{hits}");
        let other = sequence(&FaultSettings { seed: 8, ..settings });
        assert_ne!(first, other);
    }

    #[test]
    fn queued_faults_come_first_and_reads_never_lock() {
        let mut injector = FaultInjector::new(FaultSettings {
            lock_row_rate: 1.0,
            ..FaultSettings::default()
        });
        injector.queue(Fault::ServerUnavailable);
        assert_eq!(injector.decide(false).fault, Some(Fault::ServerUnavailable));
        assert_eq!(injector.decide(false).fault, None);
        assert_eq!(injector.decide(true).fault, Some(Fault::UnableToLockRow));
        assert_eq!(injector.injected().get("unableToLockRow"), Some(&1));
    }

    #[test]
    fn a_queued_lock_waits_for_the_next_write() {
        let mut injector = FaultInjector::default();
        injector.queue(Fault::UnableToLockRow);
        injector.queue(Fault::ServerUnavailable);
        assert_eq!(injector.decide(false).fault, None);
        assert_eq!(injector.decide(false).fault, None);
        assert_eq!(injector.decide(true).fault, Some(Fault::UnableToLockRow));
        assert_eq!(injector.decide(false).fault, Some(Fault::ServerUnavailable));
        assert_eq!(injector.decide(true).fault, None);
        assert_eq!(injector.injected().get("unableToLockRow"), Some(&1));
    }
}
