//! The sealed form of one record: `version (1 byte) ‖ nonce (24 bytes) ‖ ciphertext ‖ tag (16
//! bytes)`, XChaCha20-Poly1305 with associated data `leadgate/credentials/v1\0 ‖ record key`.
//!
//! Binding the record key into the associated data is what makes a ciphertext copied under
//! another key fail authentication; the version byte leaves room for another scheme later
//! without guessing what old bytes mean.

use chacha20poly1305::aead::{AeadInPlace as _, KeyInit as _};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use ring::rand::SecureRandom as _;
use zeroize::Zeroizing;

use super::{MasterKey, SecretsError};

/// The format this build writes.
const FORMAT_VERSION: u8 = 1;

/// XChaCha20's nonce: long enough that random nonces never repeat in practice.
const NONCE_LENGTH: usize = 24;

/// Poly1305's tag.
const TAG_LENGTH: usize = 16;

/// What every record's associated data starts with, before the record key.
const ASSOCIATED_DATA_PREFIX: &[u8] = b"leadgate/credentials/v1\0";

/// Encrypts `plaintext` for the record `record`.
pub(super) fn seal(key: &MasterKey, record: &str, plaintext: &[u8]) -> Result<Vec<u8>, SecretsError> {
    let mut nonce = [0_u8; NONCE_LENGTH];
    ring::rand::SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| SecretsError::Random)?;
    // Room for the tag up front, so that appending it never reallocates and leaves a copy of
    // the plaintext behind in freed memory.
    let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LENGTH));
    buffer.extend_from_slice(plaintext);
    cipher(key)
        .encrypt_in_place(XNonce::from_slice(&nonce), &associated_data(record), &mut *buffer)
        .map_err(|_| SecretsError::Random)?;
    let mut sealed = Vec::with_capacity(1 + NONCE_LENGTH + buffer.len());
    sealed.push(FORMAT_VERSION);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&buffer);
    Ok(sealed)
}

/// Decrypts and authenticates a sealed value read from the record `record`.
pub(super) fn open(key: &MasterKey, record: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecretsError> {
    let undecryptable = || SecretsError::Undecryptable {
        record: record.to_owned(),
    };
    let (&version, rest) = sealed.split_first().ok_or_else(undecryptable)?;
    if version != FORMAT_VERSION {
        return Err(SecretsError::UnknownFormat {
            record: record.to_owned(),
            version,
        });
    }
    if rest.len() < NONCE_LENGTH + TAG_LENGTH {
        return Err(undecryptable());
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LENGTH);
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    cipher(key)
        .decrypt_in_place(XNonce::from_slice(nonce), &associated_data(record), &mut *buffer)
        .map_err(|_| undecryptable())?;
    Ok(buffer)
}

fn cipher(key: &MasterKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(Key::from_slice(key.expose()))
}

fn associated_data(record: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(ASSOCIATED_DATA_PREFIX.len() + record.len());
    data.extend_from_slice(ASSOCIATED_DATA_PREFIX);
    data.extend_from_slice(record.as_bytes());
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn key() -> Result<MasterKey, SecretsError> {
        MasterKey::generate()
    }

    #[test]
    fn a_sealed_value_opens_under_its_own_key_only() -> Result<(), SecretsError> {
        let key = key()?;
        let sealed = seal(&key, "salesforce/connection", b"canary-token")?;
        assert_eq!(
            sealed.len(),
            1 + NONCE_LENGTH + b"canary-token".len() + TAG_LENGTH
        );
        assert!(!sealed.windows(12).any(|window| window == b"canary-token"));
        assert_eq!(
            open(&key, "salesforce/connection", &sealed)?.as_slice(),
            b"canary-token"
        );
        assert!(matches!(
            open(&key, "salesforce/other", &sealed),
            Err(SecretsError::Undecryptable { .. })
        ));
        assert!(matches!(
            open(&MasterKey::generate()?, "salesforce/connection", &sealed),
            Err(SecretsError::Undecryptable { .. })
        ));
        Ok(())
    }

    #[test]
    fn every_flipped_bit_is_detected() -> Result<(), SecretsError> {
        let key = key()?;
        let sealed = seal(&key, "record", b"a refresh token")?;
        // Byte 0 is the version: flipping it reads as an unknown format, also an error.
        for index in 0..sealed.len() {
            for bit in 0..8 {
                let mut tampered = sealed.clone();
                tampered[index] ^= 1 << bit;
                assert!(open(&key, "record", &tampered).is_err(), "byte {index} bit {bit}");
            }
        }
        for length in 0..sealed.len() {
            assert!(
                open(&key, "record", &sealed[..length]).is_err(),
                "length {length}"
            );
        }
        Ok(())
    }

    #[test]
    fn nonces_do_not_repeat() -> Result<(), SecretsError> {
        let key = key()?;
        let mut nonces = HashSet::new();
        for _ in 0..10_000 {
            let sealed = seal(&key, "record", b"x")?;
            assert!(nonces.insert(sealed[1..=NONCE_LENGTH].to_vec()));
        }
        Ok(())
    }
}
