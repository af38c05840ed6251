//! Contacts and activities: idempotent writes (the same record twice changes nothing) and reads.

use std::collections::{BTreeMap, HashMap};

use leadgate_model::{ActivityRecord, ContactRecord};
use serde::{Deserialize, Serialize};

use super::keys::{self, Table};
use super::{Store, StoreError, codec};

/// Most activities stored under one key: big enough that a typical history is one value, small
/// enough that adding to a long history rewrites little.
pub const ACTIVITIES_PER_CHUNK: usize = 256;

/// An activity as stored, inside its contact's chunk (the contact is the key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StoredActivity {
    id: String,
    kind: String,
    occurred_at: i64,
    subject: Option<String>,
    quantity: Option<u32>,
    value: Option<f64>,
    attributes: BTreeMap<String, String>,
}

impl From<&ActivityRecord> for StoredActivity {
    fn from(activity: &ActivityRecord) -> Self {
        Self {
            id: activity.id.clone(),
            kind: activity.kind.clone(),
            occurred_at: activity.occurred_at,
            subject: activity.subject.clone(),
            quantity: activity.quantity,
            value: activity.value,
            attributes: activity.attributes.clone(),
        }
    }
}

impl StoredActivity {
    fn into_record(self, contact_id: &str) -> ActivityRecord {
        ActivityRecord {
            contact_id: contact_id.to_owned(),
            id: self.id,
            kind: self.kind,
            occurred_at: self.occurred_at,
            subject: self.subject,
            quantity: self.quantity,
            value: self.value,
            attributes: self.attributes,
        }
    }
}

/// What writing one record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// It was new.
    Inserted,
    /// It replaced a different version of itself.
    Updated,
    /// It was already stored exactly so; nothing changed.
    Unchanged,
    /// An activity whose contact is not in the store; not written.
    UnknownContact,
}

impl Store {
    /// Adds a change-log entry naming the contacts a write changed, in the write's own batch:
    /// one store operation per write, however many contacts it touched.
    fn log_changes(&self, batch: &mut sled::Batch, changed: &[&str]) -> Result<(), StoreError> {
        if !changed.is_empty() {
            batch.insert(keys::change(self.db.generate_id()?), codec::encode(&changed)?);
        }
        Ok(())
    }

    /// Writes contacts in one atomic batch. A contact that changed is marked for rescoring.
    pub fn upsert_contacts(&self, contacts: &[ContactRecord]) -> Result<Vec<WriteOutcome>, StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        let mut changed: Vec<&str> = Vec::new();
        let mut outcomes = Vec::with_capacity(contacts.len());
        // Later rows of the same batch see earlier ones, as they would one after another.
        let mut written: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        for contact in contacts {
            let key = keys::contact(&contact.id);
            let value = codec::encode(contact)?;
            let existing = match written.get(&key) {
                Some(value) => Some(value.clone()),
                None => self.data.get(&key)?.map(|value| value.to_vec()),
            };
            let outcome = match existing {
                Some(existing) if existing == value => WriteOutcome::Unchanged,
                Some(_) => WriteOutcome::Updated,
                None => WriteOutcome::Inserted,
            };
            if outcome != WriteOutcome::Unchanged {
                batch.insert(key.as_slice(), value.as_slice());
                changed.push(&contact.id);
                written.insert(key, value);
            }
            outcomes.push(outcome);
        }
        self.log_changes(&mut batch, &changed)?;
        self.data.apply_batch(batch)?;
        Ok(outcomes)
    }

    /// Writes activities in one atomic batch. An activity is identified by its contact and id; a
    /// changed one replaces the old version. Activities of contacts not in the store are not
    /// written ([`WriteOutcome::UnknownContact`]).
    ///
    /// A contact's activities are stored in chunks of [`ACTIVITIES_PER_CHUNK`], so writing (and
    /// reading) a contact's history costs a few store operations, not one per activity.
    pub fn upsert_activities(&self, activities: &[ActivityRecord]) -> Result<Vec<WriteOutcome>, StoreError> {
        let _writer = self.write_guard();
        let mut batch = sled::Batch::default();
        let mut changed: Vec<&str> = Vec::new();
        let mut outcomes = vec![WriteOutcome::Unchanged; activities.len()];
        // Rows by contact, in file order within each contact.
        let mut by_contact: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut contact_order: Vec<&str> = Vec::new();
        for (row, activity) in activities.iter().enumerate() {
            let rows = by_contact.entry(activity.contact_id.as_str()).or_default();
            if rows.is_empty() {
                contact_order.push(activity.contact_id.as_str());
            }
            rows.push(row);
        }
        for contact_id in contact_order {
            let rows = by_contact.get(contact_id).map(Vec::as_slice).unwrap_or_default();
            if !self.data.contains_key(keys::contact(contact_id))? {
                for &row in rows {
                    outcomes[row] = WriteOutcome::UnknownContact;
                }
                continue;
            }
            let mut chunks = self.activity_chunks(contact_id)?;
            let mut positions: HashMap<String, (usize, usize)> = HashMap::new();
            for (chunk_index, (_, chunk)) in chunks.iter().enumerate() {
                for (position, activity) in chunk.iter().enumerate() {
                    positions.insert(activity.id.clone(), (chunk_index, position));
                }
            }
            let mut changed_chunks: Vec<bool> = vec![false; chunks.len()];
            for &row in rows {
                let incoming = StoredActivity::from(&activities[row]);
                outcomes[row] = match positions.get(&incoming.id) {
                    Some(&(chunk_index, position)) if chunks[chunk_index].1[position] == incoming => {
                        WriteOutcome::Unchanged
                    }
                    Some(&(chunk_index, position)) => {
                        chunks[chunk_index].1[position] = incoming;
                        changed_chunks[chunk_index] = true;
                        WriteOutcome::Updated
                    }
                    None => {
                        if chunks
                            .last()
                            .is_none_or(|(_, chunk)| chunk.len() >= ACTIVITIES_PER_CHUNK)
                        {
                            let number = chunks.last().map_or(0, |(number, _)| number + 1);
                            chunks.push((number, Vec::new()));
                            changed_chunks.push(false);
                        }
                        let chunk_index = chunks.len() - 1;
                        let chunk = &mut chunks[chunk_index].1;
                        positions.insert(incoming.id.clone(), (chunk_index, chunk.len()));
                        chunk.push(incoming);
                        changed_chunks[chunk_index] = true;
                        WriteOutcome::Inserted
                    }
                };
            }
            if changed_chunks.iter().any(|changed| *changed) {
                for ((number, chunk), changed) in chunks.iter().zip(&changed_chunks) {
                    if *changed {
                        batch.insert(keys::activity_chunk(contact_id, *number), codec::encode(chunk)?);
                    }
                }
                changed.push(contact_id);
            }
        }
        self.log_changes(&mut batch, &changed)?;
        self.data.apply_batch(batch)?;
        Ok(outcomes)
    }

    /// A contact's activity chunks, by chunk number.
    ///
    /// Chunks fill in order (a new one starts only when the last is full, and activities are
    /// never removed), so a first chunk that is not full is the whole history: one lookup
    /// instead of a range scan, which costs more, for nearly every contact.
    fn activity_chunks(&self, contact_id: &str) -> Result<Vec<(u32, Vec<StoredActivity>)>, StoreError> {
        let first_key = keys::activity_chunk(contact_id, 0);
        let Some(first) = self.data.get(&first_key)? else {
            return Ok(Vec::new());
        };
        let first: Vec<StoredActivity> = codec::decode(Table::Activities.name(), &first_key, &first)?;
        if first.len() < ACTIVITIES_PER_CHUNK {
            return Ok(vec![(0, first)]);
        }
        let mut chunks = vec![(0, first)];
        chunks.extend(self.later_activity_chunks(contact_id)?);
        Ok(chunks)
    }

    /// A contact's activity chunks after the first, by chunk number.
    fn later_activity_chunks(&self, contact_id: &str) -> Result<Vec<(u32, Vec<StoredActivity>)>, StoreError> {
        self.data
            .range(keys::activity_chunk(contact_id, 1)..keys::activities_after(contact_id))
            .map(|entry| {
                let (key, value) = entry?;
                let number = key
                    .len()
                    .checked_sub(4)
                    .and_then(|start| <[u8; 4]>::try_from(&key[start..]).ok())
                    .map(u32::from_be_bytes)
                    .ok_or_else(|| StoreError::Corrupt {
                        tree: Table::Activities.name(),
                        key: keys::printable(&key),
                        reason: "no chunk number".into(),
                    })?;
                Ok((number, codec::decode(Table::Activities.name(), &key, &value)?))
            })
            .collect()
    }

    /// One contact, if stored.
    pub fn contact(&self, contact_id: &str) -> Result<Option<ContactRecord>, StoreError> {
        let key = keys::contact(contact_id);
        self.data
            .get(&key)?
            .map(|value| codec::decode(Table::Contacts.name(), &key, &value))
            .transpose()
    }

    /// A contact's activities, oldest first (ties in id order).
    pub fn activities_of(&self, contact_id: &str) -> Result<Vec<ActivityRecord>, StoreError> {
        Ok(self
            .history(contact_id)?
            .into_iter()
            .map(|activity| activity.into_record(contact_id))
            .collect())
    }

    /// A contact's stored activities, oldest first (ties in id order): the one order both
    /// [`Store::activities_of`] and [`Store::stored_history`] give.
    fn history(&self, contact_id: &str) -> Result<Vec<StoredActivity>, StoreError> {
        let mut activities: Vec<StoredActivity> = self
            .activity_chunks(contact_id)?
            .into_iter()
            .flat_map(|(_, chunk)| chunk)
            .collect();
        activities.sort_by(|left, right| {
            left.occurred_at
                .cmp(&right.occurred_at)
                .then_with(|| left.id.cmp(&right.id))
        });
        Ok(activities)
    }

    /// Every contact, in key order.
    pub fn contacts(&self) -> impl Iterator<Item = Result<ContactRecord, StoreError>> + '_ {
        self.data.scan_prefix(Table::Contacts.prefix()).map(|entry| {
            let (key, value) = entry?;
            codec::decode(Table::Contacts.name(), &key, &value)
        })
    }

    /// Every contact's id, in key order, without reading the records.
    pub fn contact_ids(&self) -> impl Iterator<Item = Result<String, StoreError>> + '_ {
        self.data.scan_prefix(Table::Contacts.prefix()).keys().map(|key| {
            let key = key?;
            keys::first_part(&key)
                .and_then(|id| std::str::from_utf8(id).ok())
                .map(str::to_owned)
                .ok_or_else(|| StoreError::Corrupt {
                    tree: Table::Contacts.name(),
                    key: keys::printable(&key),
                    reason: "no contact id in UTF-8".into(),
                })
        })
    }

    /// How many contacts are stored (counts them: a scan).
    pub fn contact_count(&self) -> usize {
        self.count(Table::Contacts)
    }

    /// How many activities are stored (counts them: a scan).
    pub fn activity_count(&self) -> Result<usize, StoreError> {
        let mut count = 0;
        for entry in self.data.scan_prefix(Table::Activities.prefix()) {
            let (key, value) = entry?;
            count += codec::decode::<Vec<StoredActivity>>(Table::Activities.name(), &key, &value)?.len();
        }
        Ok(count)
    }

    /// The contacts changed since they were last scored, and the change-log entries that say
    /// so (to clear with [`Store::clear_changes`] once they are scored).
    pub fn pending_changes(&self) -> Result<PendingChanges, StoreError> {
        let mut pending = PendingChanges::default();
        for entry in self.data.scan_prefix(Table::Changes.prefix()) {
            let (key, value) = entry?;
            let contact_ids: Vec<String> = codec::decode(Table::Changes.name(), &key, &value)?;
            pending.contact_ids.extend(contact_ids);
            pending.entries.push(key.to_vec());
        }
        Ok(pending)
    }

    /// The change-log entries, without reading which contacts they name: all a run that scores
    /// every contact anyway needs, to clear them afterwards.
    pub fn change_log_entries(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.data
            .scan_prefix(Table::Changes.prefix())
            .keys()
            .map(|key| Ok(key?.to_vec()))
            .collect()
    }

    /// How many contacts wait for rescoring.
    pub fn dirty_count(&self) -> Result<usize, StoreError> {
        Ok(self.pending_changes()?.contact_ids.len())
    }
}

/// What changed since the last scoring.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingChanges {
    /// The contacts to rescore.
    pub contact_ids: std::collections::BTreeSet<String>,
    /// The change-log entries read (only these are cleared after scoring: a contact changed
    /// during the run has a newer entry and stays pending).
    pub entries: Vec<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn contact(id: &str, title: &str) -> ContactRecord {
        ContactRecord {
            id: id.into(),
            title: Some(title.into()),
            ..ContactRecord::default()
        }
    }

    fn activity(contact_id: &str, id: &str, occurred_at: i64, quantity: u32) -> ActivityRecord {
        ActivityRecord {
            contact_id: contact_id.into(),
            id: id.into(),
            kind: "purchase".into(),
            occurred_at,
            subject: Some("Visio".into()),
            quantity: Some(quantity),
            value: None,
            attributes: BTreeMap::new(),
        }
    }

    fn clear_dirty(store: &Store) {
        let pending = store.pending_changes().unwrap();
        store.clear_changes(&pending.entries).unwrap();
    }

    #[test]
    fn the_change_log_entries_are_those_pending_changes_reads() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        store.upsert_contacts(&[contact("c-1", "CTO")]).unwrap();
        store.upsert_contacts(&[contact("c-2", "CFO")]).unwrap();
        let entries = store.change_log_entries().unwrap();
        assert_eq!(entries.len(), 2, "one entry per write");
        assert_eq!(entries, store.pending_changes().unwrap().entries);
        store.clear_changes(&entries).unwrap();
        assert!(store.change_log_entries().unwrap().is_empty());
        let ids: Vec<String> = store.contact_ids().collect::<Result<_, _>>().unwrap();
        assert_eq!(ids, ["c-1", "c-2"]);
    }

    #[test]
    fn writing_the_same_contacts_twice_changes_nothing() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let contacts = [contact("c-1", "CTO"), contact("c-2", "CFO")];
        assert_eq!(
            store.upsert_contacts(&contacts).unwrap(),
            [WriteOutcome::Inserted; 2]
        );
        assert_eq!(store.dirty_count().unwrap(), 2);
        clear_dirty(&store);
        assert_eq!(
            store.upsert_contacts(&contacts).unwrap(),
            [WriteOutcome::Unchanged; 2]
        );
        assert_eq!(
            store.dirty_count().unwrap(),
            0,
            "unchanged contacts need no rescoring"
        );
        let changed = [contact("c-1", "CEO")];
        assert_eq!(store.upsert_contacts(&changed).unwrap(), [WriteOutcome::Updated]);
        assert_eq!(
            store.contact("c-1").unwrap().unwrap().title.as_deref(),
            Some("CEO")
        );
        assert_eq!(store.dirty_count().unwrap(), 1);
        assert_eq!(store.contact_count(), 2);
    }

    #[test]
    fn a_contact_repeated_in_one_batch_is_one_contact() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let outcomes = store
            .upsert_contacts(&[
                contact("c-1", "CTO"),
                contact("c-1", "CTO"),
                contact("c-1", "CEO"),
            ])
            .unwrap();
        assert_eq!(
            outcomes,
            [
                WriteOutcome::Inserted,
                WriteOutcome::Unchanged,
                WriteOutcome::Updated
            ]
        );
        assert_eq!(store.contact_count(), 1);
    }

    #[test]
    fn activities_replace_themselves_by_id_and_need_a_known_contact() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        store.upsert_contacts(&[contact("c-1", "CTO")]).unwrap();
        let first = [
            activity("c-1", "a", 20, 1),
            activity("c-1", "b", 10, 1),
            activity("c-9", "x", 5, 1),
        ];
        assert_eq!(
            store.upsert_activities(&first).unwrap(),
            [
                WriteOutcome::Inserted,
                WriteOutcome::Inserted,
                WriteOutcome::UnknownContact
            ]
        );
        assert_eq!(
            store.upsert_activities(&first[..2]).unwrap(),
            [WriteOutcome::Unchanged; 2]
        );
        // `a` moved in time and changed quantity: replaced, not duplicated.
        assert_eq!(
            store.upsert_activities(&[activity("c-1", "a", 5, 3)]).unwrap(),
            [WriteOutcome::Updated]
        );
        let history = store.activities_of("c-1").unwrap();
        assert_eq!(
            history
                .iter()
                .map(|activity| activity.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(history[0].quantity, Some(3));
        assert_eq!(store.activity_count().unwrap(), 2);
        // Moved twice within one batch: still one activity.
        store
            .upsert_activities(&[activity("c-1", "b", 30, 1), activity("c-1", "b", 40, 1)])
            .unwrap();
        assert_eq!(store.activity_count().unwrap(), 2);
        assert_eq!(store.activities_of("c-1").unwrap()[1].occurred_at, 40);
    }

    #[test]
    fn long_histories_span_chunks_and_read_back_in_time_order() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        store.upsert_contacts(&[contact("c-1", "CTO")]).unwrap();
        let total = ACTIVITIES_PER_CHUNK * 2 + 10;
        // Newest first, in two writes, so order on disk is not time order.
        let activities: Vec<_> = (0..total)
            .rev()
            .map(|index| activity("c-1", &format!("a{index}"), index as i64, 1))
            .collect();
        store.upsert_activities(&activities[..300]).unwrap();
        store.upsert_activities(&activities[300..]).unwrap();
        assert_eq!(store.activity_count().unwrap(), total);
        let history = store.activities_of("c-1").unwrap();
        assert!(
            history
                .windows(2)
                .all(|pair| pair[0].occurred_at <= pair[1].occurred_at)
        );
        assert_eq!(history.len(), total);
        assert_eq!(
            store.data.scan_prefix(keys::activities_of("c-1")).count(),
            3,
            "three chunks"
        );
        // Updating one activity in the first chunk rewrites it in place.
        assert_eq!(
            store
                .upsert_activities(&[activity("c-1", "a700", 700, 9)])
                .unwrap(),
            [WriteOutcome::Inserted],
            "a new id"
        );
        assert_eq!(
            store.upsert_activities(&[activity("c-1", "a5", 5, 9)]).unwrap(),
            [WriteOutcome::Updated]
        );
        assert_eq!(store.activities_of("c-1").unwrap()[5].quantity, Some(9));
    }

    #[test]
    fn a_second_open_of_the_same_directory_is_refused_with_the_owner_pid() {
        let directory = tempfile::tempdir().unwrap();
        let _first = Store::open(directory.path()).unwrap();
        let error = Store::open(directory.path()).unwrap_err();
        assert!(
            matches!(error, StoreError::Locked { pid: Some(pid), .. } if pid == std::process::id()),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("is in use by another leadgate process")
        );
    }
}
