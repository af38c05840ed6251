//! [`TokenStorage`]: where an authorization is kept between runs, so that a program can renew
//! its session without asking the user to log in again.
//!
//! The client never decides where tokens live: it hands a [`StoredAuthorization`] to a
//! storage as one opaque plaintext (its secrets included) and asks for it back. A program that
//! keeps tokens across runs should encrypt them at rest (leadgate seals them with
//! XChaCha20-Poly1305 in its data directory); [`MemoryTokenStorage`] keeps them only for the
//! life of the process.
//!
//! [`StoredAuthorization`]: super::StoredAuthorization

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use secrecy::SecretSlice;
use zeroize::Zeroizing;

/// A place for one authorization's plaintext record. Implementations must keep the bytes
/// secret (they hold the access and refresh tokens and the client secret) and should make
/// [`TokenStorage::save`] durable before it completes: a rotated refresh token that is lost
/// locks the user out.
pub trait TokenStorage: Send + Sync {
    /// The stored record, or `None` when nothing is stored.
    fn load(&self) -> Result<Option<SecretSlice<u8>>, TokenStorageError>;

    /// Replaces the stored record with `record`.
    fn save<'a>(&'a self, record: &'a [u8]) -> StorageFuture<'a>;

    /// Deletes the stored record; deleting when nothing is stored is not an error.
    fn delete(&self) -> StorageFuture<'_>;

    /// Where the record is kept, for messages (for instance "credential record
    /// `salesforce/authorization`"); never a secret.
    fn location(&self) -> String;
}

/// What [`TokenStorage::save`] and [`TokenStorage::delete`] return.
pub type StorageFuture<'a> = Pin<Box<dyn Future<Output = Result<(), TokenStorageError>> + Send + 'a>>;

/// Why a [`TokenStorage`] could not read or write: the storage's own error, kept as the
/// source. It must not carry a secret.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct TokenStorageError(Box<dyn std::error::Error + Send + Sync>);

impl TokenStorageError {
    /// Wraps a storage error (or a message).
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

/// A [`TokenStorage`] in memory: the record is gone when the process ends. For tests and for
/// programs that authorize on every start. The record is wiped from memory when it is replaced,
/// deleted or dropped.
#[derive(Default)]
pub struct MemoryTokenStorage {
    record: Mutex<Option<Zeroizing<Vec<u8>>>>,
}

impl std::fmt::Debug for MemoryTokenStorage {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MemoryTokenStorage")
            .finish_non_exhaustive()
    }
}

impl MemoryTokenStorage {
    /// An empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Zeroizing<Vec<u8>>>> {
        crate::lock::lock(&self.record)
    }
}

impl TokenStorage for MemoryTokenStorage {
    fn load(&self) -> Result<Option<SecretSlice<u8>>, TokenStorageError> {
        Ok(self
            .slot()
            .as_ref()
            .map(|record| SecretSlice::from(record.to_vec())))
    }

    fn save<'a>(&'a self, record: &'a [u8]) -> StorageFuture<'a> {
        Box::pin(async move {
            *self.slot() = Some(Zeroizing::new(record.to_vec()));
            Ok(())
        })
    }

    fn delete(&self) -> StorageFuture<'_> {
        Box::pin(async move {
            *self.slot() = None;
            Ok(())
        })
    }

    fn location(&self) -> String {
        "memory".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    #[tokio::test]
    async fn memory_storage_keeps_replaces_and_deletes_one_record() -> Result<(), TokenStorageError> {
        let storage = MemoryTokenStorage::new();
        assert!(storage.load()?.is_none());
        storage.save(b"first").await?;
        storage.save(b"second").await?;
        assert_eq!(
            storage.load()?.map(|record| record.expose_secret().to_vec()),
            Some(b"second".to_vec())
        );
        storage.delete().await?;
        storage.delete().await?;
        assert!(storage.load()?.is_none());
        Ok(())
    }
}
