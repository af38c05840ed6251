//! `leadgate replicate status`: where the contacts stand, without calling Salesforce.

use serde::Serialize;

use super::error::ReplicationError;
use crate::config::Config;
use crate::store::{ReplicationState, Store};

/// How many contacts are in each replication state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplicationStatus {
    /// Their Lead was converted: no longer written.
    pub converted: u64,
    /// Their Lead was deleted: no longer written.
    pub disabled: u64,
    /// Batches sent by a run that ended before recording their results; the next run sends
    /// them again.
    pub interrupted_batches: u64,
    /// At or above the gate and not in the org yet (never written, or suspended).
    pub pending: u64,
    /// In the org.
    pub replicated: u64,
    /// Refused, waiting for a change or a retry.
    pub suspended: u64,
}

/// Counts the contacts per state; `pending` counts the contacts at or above the gate (as of
/// `now`) that are not replicated, disabled or converted.
pub fn replication_status(
    store: &Store,
    config: &Config,
    now: i64,
) -> Result<ReplicationStatus, ReplicationError> {
    let settings = config
        .replication
        .as_ref()
        .ok_or(ReplicationError::NotConfigured)?;
    let mut status = ReplicationStatus {
        interrupted_batches: store.journaled_batches()?.len() as u64,
        ..ReplicationStatus::default()
    };
    for entry in store.replication_records() {
        let (_, record) = entry?;
        match record.state {
            ReplicationState::Replicated => status.replicated += 1,
            ReplicationState::Suspended => status.suspended += 1,
            ReplicationState::Disabled => status.disabled += 1,
            ReplicationState::Converted => status.converted += 1,
        }
    }
    for total in store.totals(&settings.score, now)? {
        if total.points < settings.min_points {
            continue;
        }
        let written = store
            .replication_record(&total.contact_id)?
            .is_some_and(|record| record.state.is_settled());
        if !written {
            status.pending += 1;
        }
    }
    Ok(status)
}
