//! Key layouts of the store.
//!
//! Contacts, activity chunks, outcomes and the change log share one sled tree, each "table"
//! under its own first byte, because a sled batch is atomic within one tree: a change that
//! spans tables (an activity chunk and the change-log entry naming its contact) is then one
//! atomic batch, without sled's multi-tree transactions, which cost ten times as much.
//!
//! Every variable-length part is prefixed with its length (u16, big-endian), so a prefix scan
//! for contact `ab` never matches contact `abc`.

/// Length-prefixed bytes of `part`; parts longer than 65,535 bytes are cut (ids are capped far
/// below that on import).
pub(crate) fn push_part(key: &mut Vec<u8>, part: &str) {
    let bytes = part.as_bytes();
    let length = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    key.extend_from_slice(&length.to_be_bytes());
    key.extend_from_slice(&bytes[..usize::from(length)]);
}

/// The first byte of every key: which table it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Table {
    /// contact id → contact record
    Contacts = 1,
    /// contact, chunk number → up to [`ACTIVITIES_PER_CHUNK`](super::ACTIVITIES_PER_CHUNK)
    /// activities
    Activities = 2,
    /// score, contact → each rule's outcome: schema 1 only, read by the migration to schema 2
    LegacyAwards = 4,
    /// write id → the contacts that write changed (the change log)
    Changes = 5,
    /// contact → each score's outcome of each rule (one value per contact: scoring writes one
    /// value per contact, however many scores there are)
    Outcomes = 6,
    /// contact → its replication state (Lead id, payload hash, suspension, …)
    Replication = 7,
    /// batch id → a replication batch sent or about to be sent, until its results are applied
    Journal = 8,
}

impl Table {
    /// The table's name, for error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Activities => "activities",
            Self::LegacyAwards => "awards (schema 1)",
            Self::Changes => "changes",
            Self::Outcomes => "outcomes",
            Self::Replication => "replication",
            Self::Journal => "replication journal",
        }
    }

    /// The prefix of every key of the table.
    pub(crate) fn prefix(self) -> [u8; 1] {
        [self as u8]
    }
}

fn start(table: Table, capacity: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(capacity + 1);
    key.push(table as u8);
    key
}

/// A contact's key in `table` (contacts), and the prefix of everything a table
/// stores per contact (activities, index entries).
pub(crate) fn contact_in(table: Table, contact_id: &str) -> Vec<u8> {
    let mut key = start(table, contact_id.len() + 2);
    push_part(&mut key, contact_id);
    key
}

/// The key of a contact.
pub(crate) fn contact(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Contacts, contact_id)
}

/// The key of a change-log entry: the write's id, so entries sort in write order.
pub(crate) fn change(write_id: u64) -> Vec<u8> {
    let mut key = start(Table::Changes, 8);
    key.extend_from_slice(&write_id.to_be_bytes());
    key
}

/// The prefix of a contact's activities.
pub(crate) fn activities_of(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Activities, contact_id)
}

/// The first key after every activity chunk of a contact (the end of its range).
pub(crate) fn activities_after(contact_id: &str) -> Vec<u8> {
    let mut key = activities_of(contact_id);
    key.extend_from_slice(&[0xff; 5]);
    key
}

/// The key of one chunk of a contact's activities. A contact's history is one short range scan.
pub(crate) fn activity_chunk(contact_id: &str, chunk: u32) -> Vec<u8> {
    let mut key = activities_of(contact_id);
    key.extend_from_slice(&chunk.to_be_bytes());
    key
}

/// The key of a contact's outcomes in every score.
pub(crate) fn outcomes(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Outcomes, contact_id)
}

/// The key of a contact's replication state.
pub(crate) fn replication(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Replication, contact_id)
}

/// The key of a journaled replication batch: its id, so batches sort in the order they began.
pub(crate) fn journal(batch_id: u64) -> Vec<u8> {
    let mut key = start(Table::Journal, 8);
    key.extend_from_slice(&batch_id.to_be_bytes());
    key
}

/// The key of one contact's outcomes in one score, as schema 1 stored them.
#[cfg(test)]
pub(crate) fn legacy_score_contact(score_name: &str, contact_id: &str) -> Vec<u8> {
    let mut key = start(Table::LegacyAwards, score_name.len() + contact_id.len() + 4);
    push_part(&mut key, score_name);
    push_part(&mut key, contact_id);
    key
}

/// The first length-prefixed part of a key (after its table byte), as stored; `None` when the
/// key is too short to hold it.
pub(crate) fn first_part(key: &[u8]) -> Option<&[u8]> {
    let [length_high, length_low, rest @ ..] = key.get(1..)? else {
        return None;
    };
    rest.get(..usize::from(u16::from_be_bytes([*length_high, *length_low])))
}

/// Splits a key (after its table byte) into its length-prefixed parts (the chunk number of an
/// activity key is not one).
pub(crate) fn parts(key: &[u8]) -> Vec<String> {
    let mut key = key.get(1..).unwrap_or_default();
    let mut parts = Vec::new();
    while key.len() >= 2 {
        let length = usize::from(u16::from_be_bytes([key[0], key[1]]));
        let end = (2 + length).min(key.len());
        parts.push(String::from_utf8_lossy(&key[2..end]).into_owned());
        key = &key[end..];
    }
    parts
}

/// The printable form of a key, for error messages.
pub(crate) fn printable(key: &[u8]) -> String {
    parts(key).join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_part_is_the_contact_id() {
        assert_eq!(first_part(&contact("c-1")), Some(b"c-1".as_slice()));
        assert_eq!(first_part(&activity_chunk("c-1", 3)), Some(b"c-1".as_slice()));
        assert_eq!(
            first_part(&[Table::Contacts as u8, 0, 9, b'x']),
            None,
            "truncated"
        );
        assert_eq!(first_part(&[Table::Contacts as u8]), None);
    }

    #[test]
    fn contact_prefixes_do_not_overlap() {
        let short = contact("ab");
        let long = contact("abc");
        assert!(!long.starts_with(&short));
        assert!(activity_chunk("ab", 5).starts_with(&activities_of("ab")));
        assert!(!activity_chunk("ab", 5).starts_with(&activities_of("a")));
    }

    #[test]
    fn keys_split_back_into_their_parts() {
        let key = legacy_score_contact("Office buyers", "c-1");
        assert_eq!(parts(&key), ["Office buyers", "c-1"]);
        assert_eq!(printable(&key), "Office buyers/c-1");
        assert_eq!(parts(&outcomes("c-1")), ["c-1"]);
    }
}
