//! What can go wrong with the master key or an encrypted record.

use std::path::PathBuf;

/// The master key could not be had, or a record could not be stored or opened. No variant
/// holds key material or a plaintext.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// `LEADGATE_MASTER_KEY` is set but is not 32 bytes in hex or base64.
    #[error("`{variable}` must hold a 32-byte key as 64 hex digits or base64 (44 characters); {reason}")]
    InvalidEnvironmentKey {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong with it (never its value).
        reason: &'static str,
    },
    /// The key file could not be read, created or written.
    #[error("cannot use the master key file `{}`", path.display())]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The key file can be read by the file's group or by everyone.
    #[error(
        "the master key file `{}` is readable by others (mode {mode:04o}); restrict it with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    KeyFilePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file does not hold a 32-byte key.
    #[error("the master key file `{}` does not hold a 32-byte key (64 hex digits)", path.display())]
    MalformedKeyFile {
        /// The key file.
        path: PathBuf,
    },
    /// The system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// The credentials tree could not be opened, read or written.
    #[error("cannot access the credentials store: {0}")]
    Storage(String),
    /// A record failed authentication: it was altered, moved from another key, or sealed with
    /// another master key.
    #[error(
        "credential record `{record}` cannot be decrypted: it was modified, moved from another record, or encrypted with a different master key"
    )]
    Undecryptable {
        /// The record's key.
        record: String,
    },
    /// A record was written in a format this build does not know.
    #[error("credential record `{record}` has unknown format version {version}")]
    UnknownFormat {
        /// The record's key.
        record: String,
        /// The version byte found.
        version: u8,
    },
}

impl From<sled::Error> for SecretsError {
    fn from(error: sled::Error) -> Self {
        Self::Storage(error.to_string())
    }
}
