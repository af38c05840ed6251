//! The resource limits every plugin call runs under.

use std::time::Duration;

use serde::Deserialize;

/// Limits that keep a plugin from hurting the host: a misbehaving plugin fails its own
/// contacts, and never crashes or stalls the process.
///
/// Every field has a safe default; in `leadgate.toml` they live under `[plugins.limits]`
/// with kebab-case names (`fuel-per-contact = 50_000_000`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PluginLimits {
    /// Wasm instructions a call may execute per contact in its batch (a batch of 100 contacts
    /// gets 100 times this, plus [`PluginLimits::fuel_per_call`]).
    ///
    /// Deterministic: the same plugin on the same input stops at the same instruction. The
    /// default (20 million) is about twice Shopify Functions' budget for one cart and far above
    /// what a scoring rule over a few hundred activities needs.
    pub fuel_per_contact: u64,
    /// Fixed fuel for one call on top of the per-contact budget: instantiation, configuration
    /// parsing and other work that does not grow with the batch.
    pub fuel_per_call: u64,
    /// The largest linear memory an instance may grow to, in bytes (default 64 MiB).
    pub memory_bytes: usize,
    /// Wall-clock time one call may take, whatever its batch size (default 10 s).
    #[serde(with = "milliseconds")]
    pub deadline: Duration,
    /// The most bytes of output (awards or Lead fields, counted as the text they hold plus a
    /// small fixed cost per item) one contact's result may have (default 64 KiB).
    pub output_bytes_per_contact: usize,
    /// The most bytes of log messages one call may write; the rest are counted and dropped
    /// (default 64 KiB).
    pub log_bytes_per_call: usize,
    /// The largest plugin file the host will compile, in bytes (default 32 MiB): compiling is
    /// the one cost a plugin could impose before any limit above applies.
    pub component_bytes: usize,
}

impl PluginLimits {
    /// The first limit that would stop every plugin call before it starts, as `(key, why)`
    /// with the key as `leadgate.toml` spells it; `None` when every limit can be met.
    pub fn unusable_limit(&self) -> Option<(&'static str, &'static str)> {
        let zero = "must be greater than 0: with 0, no plugin call could run";
        if self.fuel_per_contact == 0 {
            return Some(("fuel-per-contact", zero));
        }
        if self.memory_bytes < WASM_PAGE_BYTES {
            return Some((
                "memory-bytes",
                "must be at least 65536 (one WebAssembly page): no plugin fits in less",
            ));
        }
        if self.deadline.is_zero() {
            return Some(("deadline", zero));
        }
        if self.output_bytes_per_contact == 0 {
            return Some(("output-bytes-per-contact", zero));
        }
        if self.component_bytes == 0 {
            return Some(("component-bytes", zero));
        }
        None
    }

    /// The fuel one call on a batch of `contacts` contacts gets.
    pub fn fuel_for_batch(&self, contacts: usize) -> u64 {
        let contacts = u64::try_from(contacts.max(1)).unwrap_or(u64::MAX);
        self.fuel_per_contact
            .saturating_mul(contacts)
            .saturating_add(self.fuel_per_call)
    }
}

/// The size of a WebAssembly memory page.
const WASM_PAGE_BYTES: usize = 65_536;

impl Default for PluginLimits {
    fn default() -> Self {
        Self {
            fuel_per_contact: 20_000_000,
            fuel_per_call: 5_000_000,
            memory_bytes: 64 * 1024 * 1024,
            deadline: Duration::from_secs(10),
            output_bytes_per_contact: 64 * 1024,
            log_bytes_per_call: 64 * 1024,
            component_bytes: 32 * 1024 * 1024,
        }
    }
}

/// `deadline = 500` in milliseconds, which reads better in a config file than a struct.
mod milliseconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_fuel_grows_with_the_batch_and_never_overflows() {
        let limits = PluginLimits::default();
        assert_eq!(limits.fuel_for_batch(0), limits.fuel_for_batch(1));
        assert_eq!(
            limits.fuel_for_batch(100),
            100 * limits.fuel_per_contact + limits.fuel_per_call
        );
        let huge = PluginLimits {
            fuel_per_contact: u64::MAX / 2,
            ..PluginLimits::default()
        };
        assert_eq!(huge.fuel_for_batch(usize::MAX), u64::MAX);
    }
}
