//! Stored values: a schema version byte, then postcard. Every value can be migrated: a reader
//! that meets an older version converts it; one that meets a newer version refuses it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;

/// The version of the value layouts this build writes.
pub(crate) const VALUE_VERSION: u8 = 1;

/// Encodes a value for storage.
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![VALUE_VERSION];
    postcard::to_io(value, &mut bytes).map_err(|error| StoreError::Corrupt {
        tree: "(encoding)",
        key: String::new(),
        reason: error.to_string(),
    })?;
    Ok(bytes)
}

/// Decodes a stored value, naming the tree and key when it cannot.
pub(crate) fn decode<T: DeserializeOwned>(
    tree: &'static str,
    key: &[u8],
    bytes: &[u8],
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::ContactRecord;

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
        let error =
            decode::<ContactRecord>("contacts", &crate::store::keys::contact("c-1"), &[9, 1, 2]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "corrupt value in `contacts` at key `c-1`: value version 9; this leadgate reads version 1"
        );
    }
}
