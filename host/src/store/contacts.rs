//! Contacts and activities: idempotent writes (the same record twice changes nothing) and reads.

use super::keys::{self, Table};
use super::{Store, StoreError, codec};
use crate::records::{ActivityRecord, ContactRecord};

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
    /// A dirty flag's value: a fresh id per write, so clearing a flag after scoring can tell
    /// whether the contact changed again in the meantime.
    fn dirty_marker(&self) -> Result<[u8; 8], StoreError> {
        Ok(self.db.generate_id()?.to_be_bytes())
    }

    /// Writes contacts in one atomic batch. A contact that changed is marked for rescoring.
    pub fn upsert_contacts(&self, contacts: &[ContactRecord]) -> Result<Vec<WriteOutcome>, StoreError> {
        let _writer = self.write_guard();
        let marker = self.dirty_marker()?;
        let mut batch = sled::Batch::default();
        let mut outcomes = Vec::with_capacity(contacts.len());
        // Later rows of the same batch see earlier ones, as they would one after another.
        let mut written: std::collections::HashMap<Vec<u8>, Vec<u8>> = std::collections::HashMap::new();
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
                batch.insert(keys::dirty(&contact.id), &marker);
                written.insert(key, value);
            }
            outcomes.push(outcome);
        }
        self.data.apply_batch(batch)?;
        Ok(outcomes)
    }

    /// Writes activities in one atomic batch. An activity is identified by its contact and id; a
    /// changed one replaces the old version (even when its time moved). Activities of contacts
    /// not in the store are not written ([`WriteOutcome::UnknownContact`]).
    pub fn upsert_activities(&self, activities: &[ActivityRecord]) -> Result<Vec<WriteOutcome>, StoreError> {
        let _writer = self.write_guard();
        let marker = self.dirty_marker()?;
        let mut batch = sled::Batch::default();
        let mut outcomes = Vec::with_capacity(activities.len());
        let mut known_contacts: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
        // Index entries written earlier in this batch: a row repeated in one file is one activity.
        let mut indexed: std::collections::HashMap<Vec<u8>, (i64, Vec<u8>)> =
            std::collections::HashMap::new();
        for activity in activities {
            let contact_id = activity.contact_id.as_str();
            let known = match known_contacts.get(contact_id) {
                Some(known) => *known,
                None => {
                    let known = self.data.contains_key(keys::contact(contact_id))?;
                    known_contacts.insert(contact_id, known);
                    known
                }
            };
            if !known {
                outcomes.push(WriteOutcome::UnknownContact);
                continue;
            }
            let value = codec::encode(activity)?;
            let key = keys::activity(contact_id, activity.occurred_at, &activity.id);
            let index_key = keys::activity_index(contact_id, &activity.id);
            let previous = match indexed.get(&index_key) {
                Some((time, value)) => Some((*time, Some(value.clone()))),
                None => match self.data.get(&index_key)? {
                    None => None,
                    Some(time) => {
                        let time = <[u8; 8]>::try_from(time.as_ref())
                            .map(i64::from_be_bytes)
                            .map_err(|_| StoreError::Corrupt {
                                tree: Table::ActivityIndex.name(),
                                key: keys::printable(&index_key),
                                reason: "not an 8-byte time".into(),
                            })?;
                        let old_key = keys::activity(contact_id, time, &activity.id);
                        Some((time, self.data.get(&old_key)?.map(|value| value.to_vec())))
                    }
                },
            };
            let outcome = match previous {
                None => WriteOutcome::Inserted,
                Some((time, Some(old))) if time == activity.occurred_at && old == value => {
                    WriteOutcome::Unchanged
                }
                Some((time, _)) => {
                    if time != activity.occurred_at {
                        batch.remove(keys::activity(contact_id, time, &activity.id));
                    }
                    WriteOutcome::Updated
                }
            };
            if outcome != WriteOutcome::Unchanged {
                batch.insert(key, value.as_slice());
                batch.insert(index_key.as_slice(), &activity.occurred_at.to_be_bytes());
                batch.insert(keys::dirty(contact_id), &marker);
                indexed.insert(index_key, (activity.occurred_at, value));
            }
            outcomes.push(outcome);
        }
        self.data.apply_batch(batch)?;
        Ok(outcomes)
    }

    /// One contact, if stored.
    pub fn contact(&self, contact_id: &str) -> Result<Option<ContactRecord>, StoreError> {
        let key = keys::contact(contact_id);
        self.data
            .get(&key)?
            .map(|value| codec::decode(Table::Contacts.name(), &key, &value))
            .transpose()
    }

    /// A contact's activities, oldest first.
    pub fn activities_of(&self, contact_id: &str) -> Result<Vec<ActivityRecord>, StoreError> {
        self.data
            .scan_prefix(keys::activities_of(contact_id))
            .map(|entry| {
                let (key, value) = entry?;
                codec::decode(Table::Activities.name(), &key, &value)
            })
            .collect()
    }

    /// Every contact, in key order.
    pub fn contacts(&self) -> impl Iterator<Item = Result<ContactRecord, StoreError>> + '_ {
        self.data.scan_prefix(Table::Contacts.prefix()).map(|entry| {
            let (key, value) = entry?;
            codec::decode(Table::Contacts.name(), &key, &value)
        })
    }

    /// How many contacts are stored (counts them: a scan).
    pub fn contact_count(&self) -> usize {
        self.count(Table::Contacts)
    }

    /// How many activities are stored (counts them: a scan).
    pub fn activity_count(&self) -> usize {
        self.count(Table::Activities)
    }

    /// The contacts changed since they were last scored, with their change markers.
    pub fn dirty_contacts(&self) -> Result<Vec<(String, [u8; 8])>, StoreError> {
        self.data
            .scan_prefix(Table::Dirty.prefix())
            .map(|entry| {
                let (key, marker) = entry?;
                let contact_id = keys::parts(&key).into_iter().next().unwrap_or_default();
                let marker = <[u8; 8]>::try_from(marker.as_ref()).map_err(|_| StoreError::Corrupt {
                    tree: Table::Dirty.name(),
                    key: contact_id.clone(),
                    reason: "not an 8-byte marker".into(),
                })?;
                Ok((contact_id, marker))
            })
            .collect()
    }

    /// How many contacts wait for rescoring.
    pub fn dirty_count(&self) -> usize {
        self.count(Table::Dirty)
    }
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
        let seen = store.dirty_contacts().unwrap();
        store.write_scoring(&[], &seen).unwrap();
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
        assert_eq!(store.dirty_count(), 2);
        clear_dirty(&store);
        assert_eq!(
            store.upsert_contacts(&contacts).unwrap(),
            [WriteOutcome::Unchanged; 2]
        );
        assert_eq!(store.dirty_count(), 0, "unchanged contacts need no rescoring");
        let changed = [contact("c-1", "CEO")];
        assert_eq!(store.upsert_contacts(&changed).unwrap(), [WriteOutcome::Updated]);
        assert_eq!(
            store.contact("c-1").unwrap().unwrap().title.as_deref(),
            Some("CEO")
        );
        assert_eq!(store.dirty_count(), 1);
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
        assert_eq!(store.activity_count(), 2);
        // Moved twice within one batch: still one activity.
        store
            .upsert_activities(&[activity("c-1", "b", 30, 1), activity("c-1", "b", 40, 1)])
            .unwrap();
        assert_eq!(store.activity_count(), 2);
        assert_eq!(store.activities_of("c-1").unwrap()[1].occurred_at, 40);
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
