//! What can go wrong in the store.

use std::path::PathBuf;

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process has the data directory open.
    #[error(
        "data directory `{}` is in use by another leadgate process{}",
        directory.display(),
        pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    Locked {
        /// The data directory.
        directory: PathBuf,
        /// The other process, when it wrote its pid.
        pid: Option<u32>,
    },
    /// The data directory or its lock file could not be created or opened.
    #[error("cannot open data directory `{}`", directory.display())]
    Directory {
        /// The data directory.
        directory: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database itself failed (I/O, corruption detected by sled).
    #[error("the contact store failed")]
    Database(#[from] sled::Error),
    /// A stored value could not be read back.
    #[error("corrupt value in `{tree}` at key `{key}`: {reason}")]
    Corrupt {
        /// The tree.
        tree: &'static str,
        /// The key, printable.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The data directory was written by a newer leadgate.
    #[error(
        "data directory `{}` has schema version {found}, newer than this leadgate supports ({supported}); upgrade leadgate",
        directory.display()
    )]
    NewerSchema {
        /// The data directory.
        directory: PathBuf,
        /// The version on disk.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
}

impl From<sled::transaction::TransactionError<StoreError>> for StoreError {
    fn from(error: sled::transaction::TransactionError<StoreError>) -> Self {
        match error {
            sled::transaction::TransactionError::Abort(error) => error,
            sled::transaction::TransactionError::Storage(error) => StoreError::Database(error),
        }
    }
}
