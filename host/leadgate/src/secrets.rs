//! Secrets at rest: OAuth tokens and client secrets, encrypted in the data directory's sled
//! database.
//!
//! - [`MasterKey`]: the 256-bit key, from `LEADGATE_MASTER_KEY` (hex or base64) or from
//!   `<data dir>/master.key`, created with mode 0600 and refused when group- or world-readable.
//! - [`CredentialStore`]: records in the `credentials` tree, each sealed with
//!   XChaCha20-Poly1305 under a fresh random 24-byte nonce, with the record's key as associated
//!   data, so that a flipped byte or a value moved to another key fails to open instead of
//!   decrypting to garbage.
//!
//! - The Salesforce authorization is one such record: [`CredentialStore`] is the client's
//!   `TokenStorage` ([`open_credentials`], [`stored_session_provider`]).
//!
//! Plaintexts only ever live in [`secrecy`] or [`zeroize`] containers, which wipe them on drop
//! and print as `[REDACTED]`; no error of this module carries a secret.

mod credential_store;
mod envelope;
mod error;
mod master_key;
mod salesforce_tokens;

pub use credential_store::{CREDENTIALS_TREE, CredentialStore};
pub use error::SecretsError;
pub use master_key::{MASTER_KEY_ENV, MASTER_KEY_FILE_NAME, MasterKey};
pub use salesforce_tokens::{
    AUTHORIZATION_RECORD, credentials_in, open_credentials, stored_session_provider,
};
