//! The master key that seals every credential record.

use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::path::Path;

use base64::Engine as _;
use ring::rand::SecureRandom as _;
use secrecy::{ExposeSecret as _, SecretBox};
use zeroize::Zeroizing;

use super::SecretsError;

/// The variable that holds the master key; see [`crate::environment::MASTER_KEY`].
pub use crate::environment::MASTER_KEY as MASTER_KEY_ENV;

/// The key file's name inside the data directory.
pub const MASTER_KEY_FILE_NAME: &str = "master.key";

/// Key length in bytes (XChaCha20-Poly1305 takes 256-bit keys).
const KEY_LENGTH: usize = 32;

/// Permission bits that let anyone but the owner at the file.
#[cfg(unix)]
const GROUP_AND_OTHER_BITS: u32 = 0o077;

/// A 256-bit key, wiped from memory on drop; its `Debug` shows nothing of it.
pub struct MasterKey(SecretBox<[u8; KEY_LENGTH]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("MasterKey([REDACTED])")
    }
}

impl MasterKey {
    /// The key for a data directory: [`MASTER_KEY_ENV`] when the process has it set (and not
    /// empty), else `<data_dir>/master.key`, created on first use.
    pub fn resolve(data_dir: &Path) -> Result<Self, SecretsError> {
        Self::resolve_from(std::env::var_os(MASTER_KEY_ENV).as_deref(), data_dir)
    }

    /// [`resolve`](Self::resolve) with the environment variable's value passed in, so tests
    /// and embedders need not touch the process environment.
    pub fn resolve_from(environment_value: Option<&OsStr>, data_dir: &Path) -> Result<Self, SecretsError> {
        match environment_value.filter(|value| !value.is_empty()) {
            Some(value) => {
                let text = value.to_str().ok_or(SecretsError::InvalidEnvironmentKey {
                    variable: MASTER_KEY_ENV,
                    reason: "it is not valid UTF-8",
                })?;
                Self::from_encoded(text)
            }
            None => Self::load_or_create_file(&data_dir.join(MASTER_KEY_FILE_NAME)),
        }
    }

    /// A key written as 64 hex digits or as base64 (standard or URL-safe alphabet, padding
    /// optional), surrounding whitespace ignored.
    pub fn from_encoded(text: &str) -> Result<Self, SecretsError> {
        decode_key(text).ok_or(SecretsError::InvalidEnvironmentKey {
            variable: MASTER_KEY_ENV,
            reason: "it does not decode to 32 bytes",
        })
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self, SecretsError> {
        let mut bytes = Zeroizing::new([0_u8; KEY_LENGTH]);
        ring::rand::SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| SecretsError::Random)?;
        Ok(Self::from_bytes(&bytes))
    }

    /// Reads the key file, or creates it (mode 0600, a new random key) when it does not exist.
    /// A key file that its group or others may access is refused, not repaired: someone may
    /// already have read it.
    pub fn load_or_create_file(path: &Path) -> Result<Self, SecretsError> {
        let key_file_error = |source| SecretsError::KeyFile {
            path: path.to_owned(),
            source,
        };
        match create_new_private(path) {
            Ok(mut file) => {
                let key = Self::generate()?;
                let encoded = Zeroizing::new(format!("{}\n", hex::encode(key.0.expose_secret())));
                file.write_all(encoded.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(key_file_error)?;
                tracing::info!(path = %path.display(), "created a new master key file");
                Ok(key)
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Self::read_file(path),
            Err(error) => Err(key_file_error(error)),
        }
    }

    fn read_file(path: &Path) -> Result<Self, SecretsError> {
        let key_file_error = |source| SecretsError::KeyFile {
            path: path.to_owned(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(key_file_error)?;
        check_private(path, &file)?;
        let mut contents = Zeroizing::new(String::new());
        file.read_to_string(&mut contents).map_err(key_file_error)?;
        decode_hex(&contents).ok_or_else(|| SecretsError::MalformedKeyFile {
            path: path.to_owned(),
        })
    }

    fn from_bytes(bytes: &[u8; KEY_LENGTH]) -> Self {
        Self(SecretBox::init_with_mut(|key: &mut [u8; KEY_LENGTH]| {
            key.copy_from_slice(bytes);
        }))
    }

    /// The raw key, for the cipher.
    pub(super) fn expose(&self) -> &[u8; KEY_LENGTH] {
        self.0.expose_secret()
    }
}

/// Creates the file only if it does not exist, readable and writable by its owner only.
fn create_new_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(unix)]
fn check_private(path: &Path, file: &std::fs::File) -> Result<(), SecretsError> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = file.metadata().map_err(|source| SecretsError::KeyFile {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & GROUP_AND_OTHER_BITS != 0 {
        return Err(SecretsError::KeyFilePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _file: &std::fs::File) -> Result<(), SecretsError> {
    // No Unix mode bits to check; the file inherits the data directory's ACL.
    Ok(())
}

fn decode_key(text: &str) -> Option<MasterKey> {
    let text = text.trim();
    if text.len() == KEY_LENGTH * 2 && text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return decode_hex(text);
    }
    let unpadded = text.trim_end_matches('=');
    [
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ]
    .iter()
    .find_map(|engine| {
        let decoded = Zeroizing::new(engine.decode(unpadded).ok()?);
        exact_key(&decoded)
    })
}

fn decode_hex(text: &str) -> Option<MasterKey> {
    let decoded = Zeroizing::new(hex::decode(text.trim()).ok()?);
    exact_key(&decoded)
}

fn exact_key(bytes: &[u8]) -> Option<MasterKey> {
    let bytes: &[u8; KEY_LENGTH] = bytes.try_into().ok()?;
    Some(MasterKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn hex_and_base64_keys_decode_to_the_same_bytes() -> Result<(), SecretsError> {
        let from_hex = MasterKey::from_encoded(HEX_KEY)?;
        let bytes: Vec<u8> = (0..32).collect();
        let standard = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        for encoded in [standard, url_safe, format!("  {HEX_KEY}\n")] {
            assert_eq!(MasterKey::from_encoded(&encoded)?.expose(), from_hex.expose());
        }
        Ok(())
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused_without_echoing_them() {
        for text in ["", "abcd", &HEX_KEY[..62], "not base64 at all!"] {
            let error = MasterKey::from_encoded(text).err();
            assert!(
                matches!(error, Some(SecretsError::InvalidEnvironmentKey { .. })),
                "{text:?} accepted"
            );
        }
        let message = MasterKey::from_encoded(&HEX_KEY[..62])
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(!message.contains(&HEX_KEY[..62]));
    }

    #[test]
    fn debug_output_is_redacted() -> Result<(), SecretsError> {
        let printed = format!("{:?}", MasterKey::from_encoded(HEX_KEY)?);
        assert_eq!(printed, "MasterKey([REDACTED])");
        Ok(())
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() -> Result<(), Box<dyn std::error::Error>> {
        let directory = tempfile::tempdir()?;
        let path = directory.path().join(MASTER_KEY_FILE_NAME);
        let created = MasterKey::load_or_create_file(&path)?;
        let loaded = MasterKey::load_or_create_file(&path)?;
        assert_eq!(created.expose(), loaded.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        }
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_key_file_is_refused_with_the_fix() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt as _;
        let directory = tempfile::tempdir()?;
        let path = directory.path().join(MASTER_KEY_FILE_NAME);
        MasterKey::load_or_create_file(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;
        let error = MasterKey::load_or_create_file(&path).err().ok_or("accepted")?;
        assert!(matches!(
            error,
            SecretsError::KeyFilePermissions { mode: 0o644, .. }
        ));
        let message = error.to_string();
        assert!(message.contains("chmod 600"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        Ok(())
    }

    #[test]
    fn the_environment_wins_over_the_key_file() -> Result<(), Box<dyn std::error::Error>> {
        let directory = tempfile::tempdir()?;
        let key = MasterKey::resolve_from(Some(OsStr::new(HEX_KEY)), directory.path())?;
        assert_eq!(key.expose(), MasterKey::from_encoded(HEX_KEY)?.expose());
        assert!(!directory.path().join(MASTER_KEY_FILE_NAME).exists());
        MasterKey::resolve_from(Some(OsStr::new("")), directory.path())?;
        assert!(directory.path().join(MASTER_KEY_FILE_NAME).exists());
        Ok(())
    }
}
