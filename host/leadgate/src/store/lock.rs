//! One process per data directory.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::StoreError;

/// An exclusive lock on `<data directory>/leadgate.lock`, held while the store is open. The file
/// holds the owner's pid, so the error for a second process can name it.
#[derive(Debug)]
pub(crate) struct DataDirectoryLock {
    _file: File,
}

impl DataDirectoryLock {
    pub(crate) fn acquire(directory: &Path) -> Result<Self, StoreError> {
        let directory_error = |source| StoreError::Directory {
            directory: directory.to_owned(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(directory.join("leadgate.lock"))
            .map_err(directory_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut contents = String::new();
                let _ = file.read_to_string(&mut contents);
                return Err(StoreError::Locked {
                    directory: directory.to_owned(),
                    pid: contents.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(source)) => return Err(directory_error(source)),
        }
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| write!(file, "{}", std::process::id()))
            .and_then(|()| file.flush())
            .map_err(directory_error)?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[test]
    fn a_store_reopens_right_after_it_is_closed() {
        let directory = tempfile::tempdir().unwrap();
        for round in 0..20 {
            let store = Store::open(directory.path())
                .unwrap_or_else(|error| panic!("reopen {round} failed: {error}"));
            // Give sled's background threads something to flush, as a real run would.
            store
                .open_tree("probe")
                .unwrap()
                .insert(round.to_string(), b"written".as_slice())
                .unwrap();
        }
    }
}
