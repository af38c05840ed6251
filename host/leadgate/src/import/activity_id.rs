//! Ids for activities whose source has none, derived from their content.

use leadgate_model::ActivityRecord;
use sha2::{Digest, Sha256};

/// The prefix of a derived activity id.
pub const DERIVED_ID_PREFIX: &str = "h-";

/// The id of an activity without one: `h-` and the first 16 bytes (32 hex digits) of the
/// SHA-256 of its parsed content, so the same activity imported again (from the same file, or
/// from CSV and JSON Lines alike) gets the same id, and identical activities collapse into one.
///
/// The hashed bytes are, in order (`len` = a length as 4 bytes big-endian, then the UTF-8
/// bytes): the tag `leadgate-activity-v1`, `len` + contact id, `len` + kind (normalized), the
/// time as 8 bytes big-endian milliseconds, then subject, quantity and value each as `0` when
/// absent or `1` followed by `len` + text / 4 bytes big-endian / the 8 bytes big-endian of the
/// `f64` (with `-0.0` hashed as `0.0`), then the number of attributes as 4 bytes big-endian and
/// each attribute in name order as `len` + name, `len` + value. The record's own `id` is
/// ignored.
pub fn derived_activity_id(activity: &ActivityRecord) -> String {
    derived_activity_id_with(activity, &mut Vec::new())
}

/// [`derived_activity_id`], building the hashed bytes in `message` (reused between calls).
pub(crate) fn derived_activity_id_with(activity: &ActivityRecord, message: &mut Vec<u8>) -> String {
    message.clear();
    message.extend_from_slice(b"leadgate-activity-v1");
    push_text(message, &activity.contact_id);
    push_text(message, &activity.kind);
    message.extend_from_slice(&activity.occurred_at.to_be_bytes());
    match &activity.subject {
        None => message.push(0),
        Some(subject) => {
            message.push(1);
            push_text(message, subject);
        }
    }
    match activity.quantity {
        None => message.push(0),
        Some(quantity) => {
            message.push(1);
            message.extend_from_slice(&quantity.to_be_bytes());
        }
    }
    match activity.value {
        None => message.push(0),
        Some(value) => {
            message.push(1);
            // -0.0 and 0.0 are the same amount.
            let value = if value == 0.0 { 0.0_f64 } else { value };
            message.extend_from_slice(&value.to_bits().to_be_bytes());
        }
    }
    push_length(message, activity.attributes.len());
    for (name, value) in &activity.attributes {
        push_text(message, name);
        push_text(message, value);
    }
    let digest = Sha256::digest(message.as_slice());
    let mut id = String::with_capacity(DERIVED_ID_PREFIX.len() + 32);
    id.push_str(DERIVED_ID_PREFIX);
    for byte in &digest[..16] {
        id.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        id.push(char::from(HEX_DIGITS[usize::from(byte & 0x0F)]));
    }
    id
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

fn push_length(message: &mut Vec<u8>, length: usize) {
    // Every imported field is far below 4 GiB (see `MAX_FIELD_BYTES`).
    let length = u32::try_from(length).unwrap_or(u32::MAX);
    message.extend_from_slice(&length.to_be_bytes());
}

fn push_text(message: &mut Vec<u8>, text: &str) {
    push_length(message, text.len());
    message.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn purchase() -> ActivityRecord {
        ActivityRecord {
            contact_id: "c-1".into(),
            id: String::new(),
            kind: "purchase".into(),
            occurred_at: 1_772_359_200_000,
            subject: Some("Microsoft Office".into()),
            quantity: Some(3),
            value: Some(12.5),
            attributes: BTreeMap::from([("channel".into(), "web".into())]),
        }
    }

    #[test]
    fn the_derived_id_is_stable_and_ignores_the_records_own_id() {
        let id = derived_activity_id(&purchase());
        assert!(id.starts_with("h-") && id.len() == 34, "{id}");
        assert!(id[2..].bytes().all(|byte| byte.is_ascii_hexdigit()));
        let mut same = purchase();
        same.id = "anything".into();
        assert_eq!(derived_activity_id(&same), id);
        // Pinned, so a change of the encoding (which would duplicate re-imported activities) is
        // noticed.
        assert_eq!(id, "h-60e925a4410c73f84b61a8f7ce80ed66");
    }

    #[test]
    fn every_field_changes_the_derived_id() {
        let base = derived_activity_id(&purchase());
        let changes: [fn(&mut ActivityRecord); 9] = [
            |a| a.contact_id = "c-2".into(),
            |a| a.kind = "page-visit".into(),
            |a| a.occurred_at += 1,
            |a| a.subject = None,
            |a| a.quantity = Some(4),
            |a| a.value = None,
            |a| a.value = Some(12.25),
            |a| {
                a.attributes.insert("channel".into(), "shop".into());
            },
            |a| {
                a.attributes.insert("x".into(), String::new());
            },
        ];
        for (index, change) in changes.iter().enumerate() {
            let mut activity = purchase();
            change(&mut activity);
            assert_ne!(derived_activity_id(&activity), base, "change {index}");
        }
    }

    #[test]
    fn separators_keep_adjacent_fields_apart() {
        let mut first = purchase();
        first.contact_id = "ab".into();
        first.kind = "c".into();
        let mut second = purchase();
        second.contact_id = "a".into();
        second.kind = "bc".into();
        assert_ne!(derived_activity_id(&first), derived_activity_id(&second));

        let mut first = purchase();
        first.attributes = BTreeMap::from([("a".into(), "b=c".into())]);
        let mut second = purchase();
        second.attributes = BTreeMap::from([("a=b".into(), "c".into())]);
        assert_ne!(derived_activity_id(&first), derived_activity_id(&second));
    }
}
