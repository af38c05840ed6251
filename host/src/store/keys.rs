//! Key layouts of the store.
//!
//! Contacts, activities, the activity index, awards and dirty flags share one sled tree, each
//! "table" under its own first byte, because a sled batch is atomic within one tree: a change
//! that spans tables (an activity, its index entry and its contact's dirty flag) is then one
//! atomic batch, without sled's multi-tree transactions, which cost ten times as much.
//!
//! Every variable-length part is prefixed with its length (u16, big-endian), so a prefix scan
//! for contact `ab` never matches contact `abc`. Times are big-endian with the sign bit flipped,
//! so keys sort by time, oldest first, negative times included.

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
    /// contact, time, activity id → activity record
    Activities = 2,
    /// contact, activity id → time
    ActivityIndex = 3,
    /// score, contact, rule → rule outcome
    Awards = 4,
    /// contact id → change marker
    Dirty = 5,
}

impl Table {
    /// The table's name, for error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Contacts => "contacts",
            Self::Activities => "activities",
            Self::ActivityIndex => "activity-index",
            Self::Awards => "awards",
            Self::Dirty => "dirty",
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

/// A contact's key in `table` (contacts, dirty flags), and the prefix of everything a table
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

/// The key of a contact's dirty flag.
pub(crate) fn dirty(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Dirty, contact_id)
}

/// The prefix of a contact's activities.
pub(crate) fn activities_of(contact_id: &str) -> Vec<u8> {
    contact_in(Table::Activities, contact_id)
}

/// The key of an activity: contact, time, activity id. One range scan per contact, in time order.
pub(crate) fn activity(contact_id: &str, occurred_at: i64, activity_id: &str) -> Vec<u8> {
    let mut key = activities_of(contact_id);
    key.extend_from_slice(&sortable_time(occurred_at));
    push_part(&mut key, activity_id);
    key
}

/// The key of an activity in the id index: contact, activity id → its time.
pub(crate) fn activity_index(contact_id: &str, activity_id: &str) -> Vec<u8> {
    let mut key = contact_in(Table::ActivityIndex, contact_id);
    push_part(&mut key, activity_id);
    key
}

/// The prefix of every award of a score.
pub(crate) fn score(score: &str) -> Vec<u8> {
    let mut key = start(Table::Awards, score.len() + 2);
    push_part(&mut key, score);
    key
}

/// The prefix of every award of a score for one contact.
pub(crate) fn score_contact(score_name: &str, contact_id: &str) -> Vec<u8> {
    let mut key = score(score_name);
    push_part(&mut key, contact_id);
    key
}

/// The key of one rule's outcome for one contact in one score.
pub(crate) fn award(score_name: &str, contact_id: &str, rule: &str) -> Vec<u8> {
    let mut key = score_contact(score_name, contact_id);
    push_part(&mut key, rule);
    key
}

/// Splits a key (after its table byte) into its length-prefixed parts (the time of an activity
/// key is not one).
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

fn sortable_time(millis: i64) -> [u8; 8] {
    // Flipping the sign bit maps i64 order onto unsigned byte order.
    ((millis as u64) ^ (1 << 63)).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_prefixes_do_not_overlap() {
        let short = contact("ab");
        let long = contact("abc");
        assert!(!long.starts_with(&short));
        assert!(activity("ab", 5, "a1").starts_with(&activities_of("ab")));
        assert!(!activity("ab", 5, "a1").starts_with(&activities_of("a")));
    }

    #[test]
    fn activity_keys_sort_by_time_negative_times_included() {
        let mut keys = [
            activity("c", 10, "x"),
            activity("c", -5, "y"),
            activity("c", 0, "z"),
            activity("c", i64::MIN, "w"),
        ];
        keys.sort();
        let times: Vec<_> = keys.iter().map(|key| key[4..12].to_vec()).collect();
        assert_eq!(times[0], sortable_time(i64::MIN));
        assert_eq!(times[1], sortable_time(-5));
        assert_eq!(times[3], sortable_time(10));
    }

    #[test]
    fn award_keys_split_back_into_their_parts() {
        let key = award("Office buyers", "c-1", "licenses");
        assert_eq!(parts(&key), ["Office buyers", "c-1", "licenses"]);
        assert_eq!(printable(&key), "Office buyers/c-1/licenses");
    }
}
