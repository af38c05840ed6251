//! What a data directory holds, as the tests look at it: the encrypted credentials, and every
//! raw file, for hunting secrets that must never be stored in clear text.

use std::path::Path;

use leadgate::secrets::{CredentialStore, open_credentials};

/// The encrypted credentials of a fresh data directory.
pub(crate) fn credentials(data_dir: &Path) -> CredentialStore {
    open_credentials(data_dir).expect("credentials open")
}

/// Every file under `directory`, with its bytes.
pub(crate) fn files_under(directory: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_owned()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                found.push((path, bytes));
            }
        }
    }
    found
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}
