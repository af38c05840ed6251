//! What a per-record answer of Salesforce means for the contact.

use leadgate_salesforce::{ErrorCode, SaveResult};

use super::selection::Candidate;
use crate::config::{DeletedLeadPolicy, ReplicationSettings};
use crate::store::{RecordedError, ReplicationRecord, ReplicationState};

/// The first retry of a transiently failed contact comes this long after the failure (ms);
/// each further failure doubles it, up to [`MAX_RETRY_DELAY_MS`].
const FIRST_RETRY_DELAY_MS: i64 = 60_000;
/// The longest wait between retries: a day.
const MAX_RETRY_DELAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How one contact came out of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WriteOutcome {
    /// A new Lead.
    Created,
    /// An existing Lead, updated (or adopted).
    Updated,
    /// Refused; suspended until it changes or, for a transient error, until its retry.
    Suspended,
    /// Its Lead was deleted and `deleted-leads = "disable"`.
    Disabled,
    /// Its Lead was converted.
    Converted,
    /// Its Lead was deleted and `deleted-leads = "recreate"`: the contact is written again, as
    /// a new Lead, in the same run.
    Recreate,
}

/// The record of a contact whose write was refused with `code` and `message`: suspended, one
/// more attempt, waiting for its payload to change (no retry time). `hash` is the payload that
/// was refused, `None` when there was none (the mapping failed).
pub(super) fn suspended(
    previous: Option<ReplicationRecord>,
    code: &str,
    message: String,
    hash: Option<[u8; 32]>,
    now: i64,
) -> ReplicationRecord {
    let mut record = previous.unwrap_or_else(|| ReplicationRecord::with_state(ReplicationState::Suspended));
    record.state = ReplicationState::Suspended;
    record.attempts = record.attempts.saturating_add(1);
    record.payload_hash = hash;
    record.retry_at = None;
    record.last_error = Some(RecordedError {
        code: code.to_owned(),
        message,
        at: now,
    });
    record
}

/// The contact's new record after Salesforce answered `result` for it.
pub(super) fn record_after(
    candidate: &Candidate,
    result: &SaveResult,
    settings: &ReplicationSettings,
    now: i64,
) -> (ReplicationRecord, WriteOutcome) {
    let previous = candidate.record.clone();
    let known_lead = previous.as_ref().and_then(|record| record.lead_id.clone());
    if result.success {
        let outcome = match result.created {
            Some(true) => WriteOutcome::Created,
            Some(false) => WriteOutcome::Updated,
            None if known_lead.is_some() => WriteOutcome::Updated,
            None => WriteOutcome::Created,
        };
        let record = ReplicationRecord {
            state: ReplicationState::Replicated,
            lead_id: result.id.clone().or(known_lead),
            replicated_at: Some(now),
            payload_hash: Some(candidate.hash.0),
            last_error: None,
            attempts: 0,
            retry_at: None,
            notes: previous.map(|record| record.notes).unwrap_or_default(),
        };
        return (record, outcome);
    }
    let error = result.errors.first();
    let mut record = suspended(
        previous,
        error.map_or("UNKNOWN_EXCEPTION", |error| error.status_code.as_str()),
        error.map(|error| error.message.clone()).unwrap_or_default(),
        Some(candidate.hash.0),
        now,
    );
    let outcome = match result.error_code() {
        Some(ErrorCode::EntityIsDeleted) => match settings.deleted_leads {
            DeletedLeadPolicy::Disable => {
                record.state = ReplicationState::Disabled;
                WriteOutcome::Disabled
            }
            DeletedLeadPolicy::Recreate => {
                // Forget the deleted Lead: an upsert on the external id creates a new one. Due
                // now, so that a run stopped before that upsert leaves it to the next.
                record.lead_id = None;
                record.payload_hash = None;
                record.retry_at = Some(now);
                record
                    .notes
                    .push("its Lead was deleted in Salesforce; a new one is created".to_owned());
                WriteOutcome::Recreate
            }
        },
        Some(ErrorCode::CannotUpdateConvertedLead) => {
            record.state = ReplicationState::Converted;
            WriteOutcome::Converted
        }
        _ if result.is_retryable() => {
            record.retry_at = Some(now.saturating_add(retry_delay(record.attempts)));
            WriteOutcome::Suspended
        }
        _ => WriteOutcome::Suspended,
    };
    (record, outcome)
}

/// The wait before attempt `attempts + 1`: doubling from a minute, capped at a day, with up to
/// a fifth of jitter so that contacts suspended together do not all come back together.
fn retry_delay(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(20);
    let delay = FIRST_RETRY_DELAY_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_DELAY_MS);
    delay + rand::random_range(0..=delay / 5)
}

#[cfg(test)]
mod tests {
    use leadgate_salesforce::RecordError;

    use super::*;
    use crate::replication::lead_payload::{LeadPayload, PayloadHash};

    fn settings(deleted_leads: DeletedLeadPolicy) -> ReplicationSettings {
        let config = crate::config::Config::from_toml(
            "[[scores]]\nname = \"s\"\n[replication]\nscore = \"s\"\nmin-points = 1\n",
            "leadgate.toml",
            std::path::Path::new("/"),
        )
        .unwrap();
        ReplicationSettings {
            deleted_leads,
            ..config.replication.unwrap()
        }
    }

    fn candidate(lead_id: Option<&str>) -> Candidate {
        Candidate {
            contact_id: "c-1".into(),
            email: None,
            payload: LeadPayload::new(),
            hash: PayloadHash([9; 32]),
            resent: 0,
            record: lead_id.map(|id| ReplicationRecord {
                lead_id: Some(id.into()),
                ..ReplicationRecord::with_state(ReplicationState::Replicated)
            }),
        }
    }

    fn failed(code: ErrorCode) -> SaveResult {
        SaveResult {
            id: None,
            success: false,
            created: None,
            errors: vec![RecordError {
                status_code: code,
                message: "refused".into(),
                fields: Vec::new(),
            }],
        }
    }

    #[test]
    fn a_success_stores_the_lead_id_and_the_payload_hash() {
        let result = SaveResult {
            id: Some("00Q1".into()),
            success: true,
            created: Some(true),
            errors: Vec::new(),
        };
        let (record, outcome) = record_after(
            &candidate(None),
            &result,
            &settings(DeletedLeadPolicy::Disable),
            5,
        );
        assert_eq!(outcome, WriteOutcome::Created);
        assert_eq!(record.state, ReplicationState::Replicated);
        assert_eq!(record.lead_id.as_deref(), Some("00Q1"));
        assert_eq!(
            (record.payload_hash, record.replicated_at),
            (Some([9; 32]), Some(5))
        );
    }

    #[test]
    fn refusals_suspend_deleted_leads_follow_the_policy_and_converted_ones_stop() {
        let disable = settings(DeletedLeadPolicy::Disable);
        let (record, outcome) = record_after(
            &candidate(None),
            &failed(ErrorCode::InvalidEmailAddress),
            &disable,
            5,
        );
        assert_eq!(
            (record.state, outcome),
            (ReplicationState::Suspended, WriteOutcome::Suspended)
        );
        assert_eq!(record.retry_at, None, "a permanent refusal waits for a change");
        assert_eq!(
            record.last_error.as_ref().map(|error| error.code.as_str()),
            Some("INVALID_EMAIL_ADDRESS")
        );

        let (record, _) = record_after(&candidate(None), &failed(ErrorCode::UnableToLockRow), &disable, 5);
        let retry_at = record.retry_at.unwrap();
        assert!((5 + 60_000..=5 + 72_000).contains(&retry_at), "{retry_at}");

        let (record, outcome) = record_after(
            &candidate(Some("00Q1")),
            &failed(ErrorCode::EntityIsDeleted),
            &disable,
            5,
        );
        assert_eq!(
            (record.state, outcome),
            (ReplicationState::Disabled, WriteOutcome::Disabled)
        );
        let recreate = settings(DeletedLeadPolicy::Recreate);
        let (record, _) = record_after(
            &candidate(Some("00Q1")),
            &failed(ErrorCode::EntityIsDeleted),
            &recreate,
            5,
        );
        assert_eq!((record.lead_id, record.retry_at), (None, Some(5)));

        let (record, outcome) = record_after(
            &candidate(Some("00Q1")),
            &failed(ErrorCode::CannotUpdateConvertedLead),
            &disable,
            5,
        );
        assert_eq!(
            (record.state, outcome),
            (ReplicationState::Converted, WriteOutcome::Converted)
        );
    }

    #[test]
    fn retry_delays_double_up_to_a_day() {
        assert!((60_000..=72_000).contains(&retry_delay(1)));
        assert!((120_000..=144_000).contains(&retry_delay(2)));
        assert!((MAX_RETRY_DELAY_MS..=MAX_RETRY_DELAY_MS * 6 / 5).contains(&retry_delay(40)));
    }
}
