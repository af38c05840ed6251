//! `leadgate replicate resume`: lift suspensions and re-enable disabled contacts, so the next run
//! tries them again.

use serde::Serialize;

use super::error::ReplicationError;
use crate::store::{ReplicationState, Store};

/// What a resume did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResumeSummary {
    /// Suspended contacts the next run tries again.
    pub resumed: u64,
    /// Disabled contacts (their Lead was deleted) the next run writes as new Leads.
    pub reenabled: u64,
    /// Named contacts that are not suspended or disabled (replicated, converted, or never
    /// written), left as they are.
    pub left_alone: Vec<String>,
}

/// Resumes the contacts `ids`, or every suspended and disabled one when `ids` is empty. A
/// converted contact stays stopped: its Lead can no longer be written.
pub fn resume(store: &Store, ids: &[String]) -> Result<ResumeSummary, ReplicationError> {
    let mut unknown = Vec::new();
    for id in ids {
        if store.contact(id)?.is_none() {
            unknown.push(id.clone());
        }
    }
    if !unknown.is_empty() {
        return Err(ReplicationError::UnknownContacts { ids: unknown });
    }
    let mut summary = ResumeSummary::default();
    let records: Vec<(String, Option<crate::store::ReplicationRecord>)> = if ids.is_empty() {
        store
            .replication_records()
            .map(|entry| entry.map(|(id, record)| (id, Some(record))))
            .collect::<Result<_, _>>()?
    } else {
        ids.iter()
            .map(|id| store.replication_record(id).map(|record| (id.clone(), record)))
            .collect::<Result<_, _>>()?
    };
    for (id, record) in records {
        let Some(mut record) = record else {
            summary.left_alone.push(id);
            continue;
        };
        match record.state {
            ReplicationState::Suspended => {
                record.retry_at = Some(i64::MIN);
                summary.resumed += 1;
            }
            ReplicationState::Disabled => {
                // Its Lead is gone: the next run creates one, as `deleted-leads = "recreate"` would.
                record.state = ReplicationState::Suspended;
                record.lead_id = None;
                record.payload_hash = None;
                record.retry_at = Some(i64::MIN);
                summary.reenabled += 1;
            }
            ReplicationState::Replicated | ReplicationState::Converted => {
                if !ids.is_empty() {
                    summary.left_alone.push(id);
                }
                continue;
            }
        }
        store.set_replication_record(&id, &record)?;
    }
    Ok(summary)
}
