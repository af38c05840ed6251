//! Reading an RSA public key out of the PEM an app was configured with: an X.509 certificate
//! (what Salesforce asks for), a `PUBLIC KEY` (SubjectPublicKeyInfo) or an `RSA PUBLIC KEY`
//! (PKCS#1). Only the few DER structures on the way to the key are walked; nothing else in the
//! certificate (validity, issuer, extensions) matters to the sandbox.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Why a configured certificate or key could not be used.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    /// No `-----BEGIN …-----` / `-----END …-----` block, or its body is not base64.
    #[error("not a PEM block")]
    NotPem,
    /// A PEM block of a kind that holds no usable key.
    #[error("unsupported PEM block `{label}`")]
    UnsupportedLabel {
        /// The label after `BEGIN`.
        label: String,
    },
    /// The DER inside is not the structure its label promises.
    #[error("malformed DER: {reason}")]
    MalformedDer {
        /// What was expected where parsing stopped.
        reason: &'static str,
    },
    /// The key is not an RSA key (the JWT bearer flow is RS256 only).
    #[error("the key is not an RSA key")]
    NotRsa,
}

/// The first PEM block in `text`: its label and its decoded contents.
pub(super) fn decode_pem(text: &str) -> Result<(String, Vec<u8>), CertificateError> {
    let begin = text.find("-----BEGIN ").ok_or(CertificateError::NotPem)?;
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let label_end = after_begin.find("-----").ok_or(CertificateError::NotPem)?;
    let label = &after_begin[..label_end];
    let body_and_rest = &after_begin[label_end + "-----".len()..];
    let end_marker = format!("-----END {label}-----");
    let body_end = body_and_rest.find(&end_marker).ok_or(CertificateError::NotPem)?;
    let body: String = body_and_rest[..body_end]
        .chars()
        .filter(|character| !character.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(body).map_err(|_| CertificateError::NotPem)?;
    Ok((label.to_owned(), der))
}

/// The PKCS#1 `RSAPublicKey` DER (what `ring` verifies with) of a PEM certificate or key.
pub(super) fn rsa_public_key_from_pem(pem: &str) -> Result<Vec<u8>, CertificateError> {
    let (label, der) = decode_pem(pem)?;
    match label.as_str() {
        "CERTIFICATE" => subject_public_key(certificate_public_key_info(&der)?),
        "PUBLIC KEY" => subject_public_key(&der),
        "RSA PUBLIC KEY" => Ok(der),
        _ => Err(CertificateError::UnsupportedLabel { label }),
    }
}

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const OBJECT_IDENTIFIER: u8 = 0x06;
const EXPLICIT_VERSION: u8 = 0xA0;
/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// The whole `SubjectPublicKeyInfo` element (tag and length included) of a DER certificate.
fn certificate_public_key_info(der: &[u8]) -> Result<&[u8], CertificateError> {
    let mut certificate = DerReader::new(DerReader::new(der).expect(SEQUENCE, "certificate")?);
    let mut to_be_signed = DerReader::new(certificate.expect(SEQUENCE, "tbsCertificate")?);
    if to_be_signed.peek_tag() == Some(EXPLICIT_VERSION) {
        to_be_signed.next_element("version")?;
    }
    // serialNumber, signature, issuer, validity, subject.
    for field in ["serialNumber", "signature", "issuer", "validity", "subject"] {
        to_be_signed.next_element(field)?;
    }
    to_be_signed.next_raw_element("subjectPublicKeyInfo")
}

/// The RSA key inside a DER `SubjectPublicKeyInfo` element.
fn subject_public_key(der: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let mut info = DerReader::new(DerReader::new(der).expect(SEQUENCE, "subjectPublicKeyInfo")?);
    let mut algorithm = DerReader::new(info.expect(SEQUENCE, "algorithm")?);
    if algorithm.expect(OBJECT_IDENTIFIER, "algorithm identifier")? != RSA_ENCRYPTION {
        return Err(CertificateError::NotRsa);
    }
    let bits = info.expect(BIT_STRING, "subjectPublicKey")?;
    match bits.split_first() {
        // The first byte counts unused bits, which a key never has.
        Some((0, key)) => Ok(key.to_vec()),
        _ => Err(CertificateError::MalformedDer {
            reason: "subjectPublicKey",
        }),
    }
}

/// Reads DER elements one after another.
struct DerReader<'a> {
    input: &'a [u8],
}

impl<'a> DerReader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { input }
    }

    fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// The next element: its tag, its contents and the whole element.
    fn read(&mut self, what: &'static str) -> Result<(u8, &'a [u8], &'a [u8]), CertificateError> {
        let malformed = CertificateError::MalformedDer { reason: what };
        let (&tag, after_tag) = self.input.split_first().ok_or(malformed.clone())?;
        let (&first_length_byte, mut after_length) = after_tag.split_first().ok_or(malformed.clone())?;
        let length = if first_length_byte < 0x80 {
            usize::from(first_length_byte)
        } else {
            // Long form: the low bits count the length bytes that follow (at most 4 here).
            let count = usize::from(first_length_byte & 0x7F);
            if count == 0 || count > 4 || after_length.len() < count {
                return Err(malformed);
            }
            let (length_bytes, rest) = after_length.split_at(count);
            after_length = rest;
            length_bytes
                .iter()
                .fold(0_usize, |length, &byte| (length << 8) | usize::from(byte))
        };
        if after_length.len() < length {
            return Err(malformed);
        }
        let header_length = self.input.len() - after_length.len();
        let whole = &self.input[..header_length + length];
        let contents = &after_length[..length];
        self.input = &after_length[length..];
        Ok((tag, contents, whole))
    }

    fn expect(&mut self, tag: u8, what: &'static str) -> Result<&'a [u8], CertificateError> {
        match self.read(what)? {
            (found, contents, _) if found == tag => Ok(contents),
            _ => Err(CertificateError::MalformedDer { reason: what }),
        }
    }

    fn next_element(&mut self, what: &'static str) -> Result<(), CertificateError> {
        self.read(what).map(|_| ())
    }

    fn next_raw_element(&mut self, what: &'static str) -> Result<&'a [u8], CertificateError> {
        self.read(what).map(|(_, _, whole)| whole)
    }
}

#[cfg(test)]
mod tests {
    use super::super::settings::{DEFAULT_JWT_CERTIFICATE_PEM, DEFAULT_JWT_PRIVATE_KEY_PEM};
    use super::*;

    #[test]
    fn the_default_certificate_holds_the_default_key() -> Result<(), Box<dyn std::error::Error>> {
        let public_key = rsa_public_key_from_pem(DEFAULT_JWT_CERTIFICATE_PEM)?;
        let (_, private_key) = decode_pem(DEFAULT_JWT_PRIVATE_KEY_PEM)?;
        let key_pair =
            ring::signature::RsaKeyPair::from_pkcs8(&private_key).map_err(|rejected| rejected.to_string())?;
        use ring::signature::KeyPair as _;
        assert_eq!(key_pair.public_key().as_ref(), public_key.as_slice());
        Ok(())
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert_eq!(rsa_public_key_from_pem("hello"), Err(CertificateError::NotPem));
        let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            rsa_public_key_from_pem(truncated),
            Err(CertificateError::MalformedDer { .. })
        ));
        let private = DEFAULT_JWT_PRIVATE_KEY_PEM;
        assert!(matches!(
            rsa_public_key_from_pem(private),
            Err(CertificateError::UnsupportedLabel { .. })
        ));
    }
}
