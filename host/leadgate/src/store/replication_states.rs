//! Replication state per contact, and the journal of batches in flight.
//!
//! A batch is journaled (and flushed) before it is sent; its results and the removal of its
//! journal entry are one atomic batch. A crash in between leaves the entry, and the next run
//! sends the batch again: every write is an upsert on leadgate's external id or an update by
//! Lead id, so sending it twice changes nothing in the org.

use serde::{Deserialize, Serialize};

use super::keys::{self, Table};
use super::{Store, StoreError, codec};

/// Where the Lead describe is kept in `meta`.
const LEAD_DESCRIBE_KEY: &[u8] = b"describe/Lead";
/// The prefix of the replication run log in `meta`; each key ends in the run's id (big-endian),
/// so the log reads in the order runs ended.
const RUN_LOG_PREFIX: &[u8] = b"replication-run/";

/// One replication run in the run log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRunRecord {
    /// When the run started (ms).
    pub started_at: i64,
    /// When it ended (ms).
    pub finished_at: i64,
    /// Contacts at or above the gate.
    pub qualifying: u64,
    /// New Leads.
    pub created: u64,
    /// Leads written again.
    pub updated: u64,
    /// Contacts already in the org as they are.
    pub unchanged: u64,
    /// Contacts refused and suspended.
    pub suspended: u64,
    /// Contacts disabled because their Lead was deleted.
    pub disabled: u64,
    /// Contacts whose Lead was found converted.
    pub converted: u64,
    /// Contacts written to the survivor of a merge.
    pub merged: u64,
    /// API calls made.
    pub api_calls: u64,
    /// Why the run stopped before the end (the budget), if it did.
    pub stopped_early: Option<String>,
}

/// What leadgate knows of a contact's Lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationRecord {
    /// Where the contact stands.
    pub state: ReplicationState,
    /// The Lead's id, once one was written or adopted.
    pub lead_id: Option<String>,
    /// When the Lead was last written (ms since the Unix epoch).
    pub replicated_at: Option<i64>,
    /// The hash of the payload last written, to write again only what changed.
    pub payload_hash: Option<[u8; 32]>,
    /// The last refusal, with Salesforce's code (or preflight's, which uses the same codes).
    pub last_error: Option<RecordedError>,
    /// Failed attempts since the last success.
    pub attempts: u32,
    /// A suspended contact is tried again from this moment (ms); `None` waits for the contact or
    /// the mapping to change.
    pub retry_at: Option<i64>,
    /// What was changed on the way, e.g. a text cut to its field's length.
    pub notes: Vec<String>,
}

/// Where a contact stands in replication. A qualifying contact without a record is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicationState {
    /// Its current payload is in the org.
    Replicated,
    /// Not written because of an error; see `last_error` and `retry_at`.
    Suspended,
    /// Not written until re-enabled (its Lead was deleted, under `deleted-leads = "disable"`).
    Disabled,
    /// Its Lead was converted and `converted-leads = "stop"`.
    Converted,
}

impl ReplicationRecord {
    /// A record in `state` with nothing else known yet: no Lead, no error, no attempts.
    pub fn with_state(state: ReplicationState) -> Self {
        Self {
            state,
            lead_id: None,
            replicated_at: None,
            payload_hash: None,
            last_error: None,
            attempts: 0,
            retry_at: None,
            notes: Vec::new(),
        }
    }
}

impl ReplicationState {
    /// True when a qualifying contact in this state is not pending: its Lead is in the org, or
    /// it is no longer written.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Replicated | Self::Disabled | Self::Converted)
    }

    /// The state's name in listings and `--json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Replicated => "replicated",
            Self::Suspended => "suspended",
            Self::Disabled => "disabled",
            Self::Converted => "converted",
        }
    }
}

/// An error a record got, kept with the contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedError {
    /// Salesforce's error code, e.g. `INVALID_EMAIL_ADDRESS`.
    pub code: String,
    /// Its message.
    pub message: String,
    /// When it happened (ms).
    pub at: i64,
}

/// A journaled batch: the contacts it writes and the hash of each one's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The contacts of the batch, with their payload hashes.
    pub contacts: Vec<(String, [u8; 32])>,
    /// When the batch was journaled (ms).
    pub started_at: i64,
}

impl Store {
    /// The replication state of a contact; `None` when it was never replicated or refused.
    pub fn replication_record(&self, contact_id: &str) -> Result<Option<ReplicationRecord>, StoreError> {
        let key = keys::replication(contact_id);
        self.data
            .get(&key)?
            .map(|value| codec::decode(Table::Replication.name(), &key, &value))
            .transpose()
    }

    /// Every contact's replication state, in contact id order, read as it goes (a million
    /// contacts are never held at once).
    pub fn replication_records(
        &self,
    ) -> impl Iterator<Item = Result<(String, ReplicationRecord), StoreError>> + '_ {
        self.data.scan_prefix(Table::Replication.prefix()).map(|entry| {
            let (key, value) = entry?;
            let record = codec::decode(Table::Replication.name(), &key, &value)?;
            let contact_id = keys::parts(&key).into_iter().next().unwrap_or_default();
            Ok((contact_id, record))
        })
    }

    /// Adds a run to the replication run log.
    pub fn record_replication_run(&self, run: &ReplicationRunRecord) -> Result<(), StoreError> {
        let mut key = RUN_LOG_PREFIX.to_vec();
        key.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
        self.meta.insert(key, codec::encode(run)?)?;
        Ok(())
    }

    /// The last `limit` runs of the log, newest first.
    pub fn replication_runs(&self, limit: usize) -> Result<Vec<ReplicationRunRecord>, StoreError> {
        let mut runs = Vec::new();
        for entry in self.meta.scan_prefix(RUN_LOG_PREFIX).rev().take(limit) {
            let (key, value) = entry?;
            runs.push(codec::decode("meta", &key, &value)?);
        }
        Ok(runs)
    }

    /// Replaces one contact's replication record.
    pub fn set_replication_record(
        &self,
        contact_id: &str,
        record: &ReplicationRecord,
    ) -> Result<(), StoreError> {
        self.data
            .insert(keys::replication(contact_id), codec::encode(record)?)?;
        Ok(())
    }

    /// A batch id never handed out before in this data directory.
    pub fn next_journal_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }

    /// Journals a batch before it is sent, and flushes, so a crash after the send finds it.
    pub fn journal_batch(&self, batch_id: u64, entry: &JournalEntry) -> Result<(), StoreError> {
        self.data.insert(keys::journal(batch_id), codec::encode(entry)?)?;
        self.db.flush()?;
        Ok(())
    }

    /// Every journaled batch whose results were never applied, oldest first.
    pub fn journaled_batches(&self) -> Result<Vec<(u64, JournalEntry)>, StoreError> {
        let mut batches = Vec::new();
        for entry in self.data.scan_prefix(Table::Journal.prefix()) {
            let (key, value) = entry?;
            let id = key
                .get(1..9)
                .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| StoreError::Corrupt {
                    tree: Table::Journal.name(),
                    key: keys::printable(&key),
                    reason: "no batch id".into(),
                })?;
            batches.push((id, codec::decode(Table::Journal.name(), &key, &value)?));
        }
        Ok(batches)
    }

    /// The org's Lead describe as last fetched (its JSON), with when it was fetched (ms).
    pub fn cached_lead_describe(&self) -> Result<Option<(i64, String)>, StoreError> {
        self.meta
            .get(LEAD_DESCRIBE_KEY)?
            .map(|value| codec::decode("meta", LEAD_DESCRIBE_KEY, &value))
            .transpose()
    }

    /// Keeps the org's Lead describe (its JSON), fetched at `fetched_at` (ms).
    pub fn cache_lead_describe(&self, fetched_at: i64, describe_json: &str) -> Result<(), StoreError> {
        self.meta
            .insert(LEAD_DESCRIBE_KEY, codec::encode(&(fetched_at, describe_json))?)?;
        Ok(())
    }

    /// Writes a batch's results and removes its journal entry, in one atomic batch.
    pub fn apply_replication_results(
        &self,
        batch_id: Option<u64>,
        records: &[(String, ReplicationRecord)],
    ) -> Result<(), StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        for (contact_id, record) in records {
            batch.insert(keys::replication(contact_id), codec::encode(record)?);
        }
        if let Some(batch_id) = batch_id {
            batch.remove(keys::journal(batch_id));
        }
        self.data.apply_batch(batch)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replicated(lead_id: &str) -> ReplicationRecord {
        ReplicationRecord {
            state: ReplicationState::Replicated,
            lead_id: Some(lead_id.into()),
            replicated_at: Some(1),
            payload_hash: Some([7; 32]),
            last_error: None,
            attempts: 0,
            retry_at: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn results_replace_the_journal_entry_in_one_step_and_survive_a_reopen() {
        let directory = tempfile::tempdir().unwrap();
        {
            let store = Store::open(directory.path()).unwrap();
            let entry = JournalEntry {
                contacts: vec![("c-1".into(), [7; 32]), ("c-2".into(), [8; 32])],
                started_at: 5,
            };
            store.journal_batch(3, &entry).unwrap();
            assert_eq!(store.journaled_batches().unwrap(), [(3, entry)]);
            store
                .apply_replication_results(Some(3), &[("c-1".into(), replicated("00Q1"))])
                .unwrap();
            assert!(store.journaled_batches().unwrap().is_empty());
        }
        let store = Store::open(directory.path()).unwrap();
        assert_eq!(store.replication_record("c-1").unwrap(), Some(replicated("00Q1")));
        assert_eq!(store.replication_record("c-2").unwrap(), None);
        let all: Vec<String> = store
            .replication_records()
            .map(|entry| entry.unwrap().0)
            .collect();
        assert_eq!(all, ["c-1"]);
    }

    #[test]
    fn the_run_log_reads_newest_first() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        for created in 1..=3 {
            let run = ReplicationRunRecord {
                started_at: created,
                finished_at: created,
                qualifying: 3,
                created: created as u64,
                updated: 0,
                unchanged: 0,
                suspended: 0,
                disabled: 0,
                converted: 0,
                merged: 0,
                api_calls: 1,
                stopped_early: None,
            };
            store.record_replication_run(&run).unwrap();
        }
        let created: Vec<u64> = store
            .replication_runs(2)
            .unwrap()
            .iter()
            .map(|run| run.created)
            .collect();
        assert_eq!(created, [3, 2]);
    }

    #[test]
    fn a_batch_journaled_before_a_crash_is_still_there_after_it() {
        let directory = tempfile::tempdir().unwrap();
        {
            let store = Store::open(directory.path()).unwrap();
            let entry = JournalEntry {
                contacts: vec![("c-9".into(), [1; 32])],
                started_at: 9,
            };
            store.journal_batch(u64::MAX, &entry).unwrap();
            // Dropped without applying results: as if the process died after sending.
        }
        let store = Store::open(directory.path()).unwrap();
        let batches = store.journaled_batches().unwrap();
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].0, u64::MAX);
        assert_eq!(batches[0].1.contacts[0].0, "c-9");
    }
}
