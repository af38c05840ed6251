//! Stored values: a schema version byte, then postcard. Every value can be migrated: a reader
//! that meets an older version converts it; one that meets a newer version refuses it.

use serde::{Deserialize, Serialize};

use super::StoreError;

/// The version of the value layouts this build writes.
pub(crate) const VALUE_VERSION: u8 = 1;

/// Encodes a value for storage.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    // Room for a contact, an activity chunk's first few activities or a contact's outcomes,
    // so that writing does not grow the buffer from one byte, doubling each time.
    let mut bytes = Vec::with_capacity(256);
    bytes.push(VALUE_VERSION);
    postcard::to_io(value, &mut bytes).map_err(|error| StoreError::Corrupt {
        tree: "(encoding)",
        key: String::new(),
        reason: error.to_string(),
    })?;
    Ok(bytes)
}

/// Decodes a stored value, naming the tree and key when it cannot. `T` may borrow text from
/// `bytes`.
pub(crate) fn decode<'bytes, T: Deserialize<'bytes>>(
    tree: &'static str,
    key: &[u8],
    bytes: &'bytes [u8],
) -> Result<T, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        tree,
        key: super::keys::printable(key),
        reason,
    };
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => {
            postcard::from_bytes(rest).map_err(|error| corrupt(error.to_string()))
        }
        Some((version, _)) => Err(corrupt(format!(
            "value version {version}; this leadgate reads version {VALUE_VERSION}"
        ))),
        None => Err(corrupt("empty value".to_owned())),
    }
}

/// The number of items of a stored sequence, read from its length prefix without decoding
/// the items; `None` when the value is not a sequence of this version.
pub(crate) fn sequence_length(bytes: &[u8]) -> Option<usize> {
    match bytes.split_first() {
        // postcard writes a sequence's length as a varint `usize`, the same as a `usize`.
        Some((&VALUE_VERSION, rest)) => postcard::take_from_bytes::<usize>(rest)
            .ok()
            .map(|(length, _)| length),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadgate_model::ContactRecord;

    #[test]
    fn values_round_trip_and_bad_bytes_are_named() {
        let contact = ContactRecord {
            id: "c-1".into(),
            email: Some("a@example.com".into()),
            ..ContactRecord::default()
        };
        let bytes = encode(&contact).unwrap();
        assert_eq!(
            decode::<ContactRecord>("contacts", &crate::store::keys::contact("c-1"), &bytes).unwrap(),
            contact
        );
        assert_eq!(sequence_length(&encode(&vec![7u8; 300]).unwrap()), Some(300));
        assert_eq!(sequence_length(&[9, 1]), None);
        let error =
            decode::<ContactRecord>("contacts", &crate::store::keys::contact("c-1"), &[9, 1, 2]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "corrupt value in `contacts` at key `c-1`: value version 9; this leadgate reads version 1"
        );
    }
}
