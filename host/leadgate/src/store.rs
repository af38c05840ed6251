//! The contact store: contacts, their activities and their scores in an embedded sled database.
//!
//! Tables (each under its own first key byte in one sled tree; see `keys` for why and for the
//! key layouts):
//! - contacts: contact id → [`ContactRecord`](leadgate_model::ContactRecord);
//! - activities: contact, chunk → up to [`ACTIVITIES_PER_CHUNK`] of the contact's activities (a
//!   contact's history is one short range scan; a re-imported activity, found by its id,
//!   replaces itself);
//! - outcomes: contact → each score's [`RuleOutcome`](leadgate_model::RuleOutcome) of each rule (one value per contact, so
//!   scoring writes once per contact however many scores there are);
//! - changes: a log of the contacts each write changed, read and cleared by scoring (one entry
//!   per write rather than a flag per contact, which would cost a store operation per row);
//! - replication: contact → its [`ReplicationRecord`] (Lead id, payload hash, suspension);
//! - journal: replication batches sent or about to be, until their results are applied.
//!
//! A second tree, `meta`, holds the schema version, score fingerprints, the run log and which
//! scores have stored outcomes. An older schema is migrated when the directory is opened (see
//! `migration`).
//!
//! Changes that must agree (contacts or activity chunks and the change-log entry naming them)
//! are written in one atomic batch, so a crash never leaves half of them. Writers take the store's write lock, so a
//! batch's reads (what is stored now) and its writes see no other writer in between. One process
//! at a time opens a data directory; a second one gets [`StoreError::Locked`].

mod codec;
mod contacts;
mod error;
mod keys;
mod lock;
mod migration;
mod replication_states;
mod scores;
mod stored_history;

use std::path::{Path, PathBuf};

pub use contacts::{ACTIVITIES_PER_CHUNK, PendingChanges, WriteOutcome};
pub use error::StoreError;
pub use replication_states::{
    JournalEntry, RecordedError, ReplicationRecord, ReplicationRunRecord, ReplicationState,
};
pub use scores::{ContactScoring, RunRecord, ScoreTotal};
pub use stored_history::StoredHistory;

/// The schema version this build writes and reads (older ones are migrated on open).
///
/// 1: outcomes stored per score and contact; 2: per contact, holding every score.
pub const SCHEMA_VERSION: u32 = 2;

const SCHEMA_KEY: &[u8] = b"schema-version";

/// An open data directory. Dropping it flushes and releases the directory.
pub struct Store {
    directory: PathBuf,
    db: sled::Db,
    /// Every table but `meta` (see the module docs).
    data: sled::Tree,
    meta: sled::Tree,
    /// Serializes writers: each write reads what is stored, then applies one batch.
    write_lock: std::sync::Mutex<()>,
    /// Serializes scoring runs: a run's workers write outcomes without the write lock, so two
    /// runs at once could interleave their values for one contact.
    scoring_lock: std::sync::Mutex<()>,
    _lock: lock::DataDirectoryLock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Store")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

/// How long [`open_database`] waits for a closed handle of this process to let go of sled's
/// own file lock.
const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens the sled database, waiting out sled's file lock when a handle of this process has just
/// been dropped.
///
/// sled releases its lock only when its background threads have let go of the file, a moment
/// after the last handle drops. The data-directory lock, already held here, keeps other
/// processes out, so a busy sled lock can only be this process's previous handle on its way
/// out: waiting for it is safe, and reopening a store right after closing it (tests, the
/// service restarting a component) must not fail.
fn open_database(path: &Path) -> Result<sled::Db, StoreError> {
    let started = std::time::Instant::now();
    loop {
        match sled::Config::new()
            .path(path)
            .mode(sled::Mode::HighThroughput)
            .open()
        {
            Err(sled::Error::Io(error))
                if error.to_string().contains("could not acquire lock")
                    && started.elapsed() < SLED_LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return Ok(result?),
        }
    }
}

impl Store {
    /// Opens (creating it if needed) the data directory, taking its lock.
    pub fn open(directory: &Path) -> Result<Self, StoreError> {
        let directory_error = |source| StoreError::Directory {
            directory: directory.to_owned(),
            source,
        };
        std::fs::create_dir_all(directory).map_err(directory_error)?;
        let lock = lock::DataDirectoryLock::acquire(directory)?;
        let db = open_database(&directory.join("db"))?;
        let store = Self {
            directory: directory.to_owned(),
            data: db.open_tree("data")?,
            meta: db.open_tree("meta")?,
            db,
            write_lock: std::sync::Mutex::new(()),
            scoring_lock: std::sync::Mutex::new(()),
            _lock: lock,
        };
        store.check_schema()?;
        Ok(store)
    }

    /// The data directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Opens (creating it if needed) a named tree of the store's database, for records kept
    /// apart from contacts and scores (the encrypted credentials of [`crate::secrets`]).
    pub fn open_tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(name)?)
    }

    /// Holds off other writers until the guard drops. A writer that panicked leaves no half
    /// batch behind (batches are atomic), so a poisoned lock is safe to take over.
    fn write_guard(&self) -> std::sync::MutexGuard<'_, ()> {
        take_over_if_poisoned(&self.write_lock)
    }

    /// Holds off other scoring runs until the guard drops (see `scoring_lock`).
    pub(crate) fn scoring_guard(&self) -> std::sync::MutexGuard<'_, ()> {
        take_over_if_poisoned(&self.scoring_lock)
    }

    /// Counts the keys of one table.
    fn count(&self, table: keys::Table) -> usize {
        self.data.scan_prefix(table.prefix()).keys().count()
    }

    /// Writes everything to disk now (sled also flushes on its own every half second).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// Stamps a new directory with the schema version; refuses one from a newer leadgate.
    fn check_schema(&self) -> Result<(), StoreError> {
        match self.meta.get(SCHEMA_KEY)? {
            None => {
                self.meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                Ok(())
            }
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_ref())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt {
                        tree: "meta",
                        key: "schema-version".into(),
                        reason: format!("{} bytes, expected 4", bytes.len()),
                    })?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        directory: self.directory.clone(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                if found < 2 {
                    self.migrate_from_schema_1()?;
                }
                Ok(())
            }
        }
    }
}

/// Takes a lock that guards no data, only an order of work: a holder that panicked leaves
/// nothing behind to distrust, so its poison is ignored.
fn take_over_if_poisoned(lock: &std::sync::Mutex<()>) -> std::sync::MutexGuard<'_, ()> {
    lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
