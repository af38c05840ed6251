//! Encrypted records in the store's `credentials` tree.

use std::sync::Arc;

use secrecy::SecretSlice;

use super::{MasterKey, SecretsError, envelope};
use crate::store::Store;

/// The sled tree that holds the sealed records, apart from contacts and scores.
pub const CREDENTIALS_TREE: &str = "credentials";

/// Sealed records keyed by name (for instance `salesforce/connection`). Values on disk are
/// only ever ciphertext; reads authenticate before they return anything.
pub struct CredentialStore {
    tree: sled::Tree,
    key: MasterKey,
    /// Keeps the data directory open (and locked to this process) while records are in use.
    _store: Option<Arc<Store>>,
}

impl std::fmt::Debug for CredentialStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("CredentialStore")
            .field("records", &self.tree.len())
            .finish_non_exhaustive()
    }
}

impl CredentialStore {
    /// The credentials of an open data directory, sealed with `key`.
    pub fn open(store: Arc<Store>, key: MasterKey) -> Result<Self, SecretsError> {
        let tree = store
            .open_tree(CREDENTIALS_TREE)
            .map_err(|error| SecretsError::Storage(error.to_string()))?;
        Ok(Self {
            tree,
            key,
            _store: Some(store),
        })
    }

    /// Records in any sled tree (for tests and embedders with their own database).
    pub fn from_tree(tree: sled::Tree, key: MasterKey) -> Self {
        Self {
            tree,
            key,
            _store: None,
        }
    }

    /// Seals `plaintext` and stores it as `record`, replacing what was there, then flushes:
    /// a rotated refresh token that is lost in a crash would lock the user out.
    pub async fn put(&self, record: &str, plaintext: &[u8]) -> Result<(), SecretsError> {
        let sealed = envelope::seal(&self.key, record, plaintext)?;
        self.tree.insert(record.as_bytes(), sealed)?;
        self.tree.flush_async().await?;
        Ok(())
    }

    /// The plaintext of `record`, or `None` when there is no such record. A record that fails
    /// authentication is an error, never garbage.
    pub fn get(&self, record: &str) -> Result<Option<SecretSlice<u8>>, SecretsError> {
        let Some(sealed) = self.tree.get(record.as_bytes())? else {
            return Ok(None);
        };
        let mut plaintext = envelope::open(&self.key, record, &sealed)?;
        Ok(Some(SecretSlice::from(std::mem::take(&mut *plaintext))))
    }

    /// Deletes `record` (nothing happens when it is absent) and flushes.
    pub async fn remove(&self, record: &str) -> Result<(), SecretsError> {
        self.tree.remove(record.as_bytes())?;
        self.tree.flush_async().await?;
        Ok(())
    }

    /// The names of the stored records.
    pub fn records(&self) -> Result<Vec<String>, SecretsError> {
        self.tree
            .iter()
            .keys()
            .map(|key| Ok(String::from_utf8_lossy(&key?).into_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    fn store() -> Result<CredentialStore, Box<dyn std::error::Error>> {
        let db = sled::Config::new().temporary(true).open()?;
        Ok(CredentialStore::from_tree(
            db.open_tree(CREDENTIALS_TREE)?,
            MasterKey::generate()?,
        ))
    }

    #[tokio::test]
    async fn records_round_trip_and_disappear() -> Result<(), Box<dyn std::error::Error>> {
        let store = store()?;
        assert!(store.get("a")?.is_none());
        store.put("a", b"first secret").await?;
        store.put("b", b"second secret").await?;
        assert_eq!(store.get("a")?.ok_or("missing")?.expose_secret(), b"first secret");
        assert_eq!(store.records()?, ["a", "b"]);
        store.remove("a").await?;
        assert!(store.get("a")?.is_none());
        Ok(())
    }

    #[tokio::test]
    async fn swapped_values_are_rejected() -> Result<(), Box<dyn std::error::Error>> {
        let store = store()?;
        store.put("a", b"first secret").await?;
        store.put("b", b"second secret").await?;
        let a = store.tree.get("a")?.ok_or("missing")?;
        let b = store.tree.get("b")?.ok_or("missing")?;
        store.tree.insert("a", b)?;
        store.tree.insert("b", a)?;
        assert!(matches!(store.get("a"), Err(SecretsError::Undecryptable { .. })));
        assert!(matches!(store.get("b"), Err(SecretsError::Undecryptable { .. })));
        Ok(())
    }
}
