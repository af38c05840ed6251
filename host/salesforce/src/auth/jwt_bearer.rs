//! The JWT bearer assertion (reference §2.5): RS256, `iss` the client id, `sub` the username,
//! `aud` the login or test host, `exp` a few minutes ahead.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::configuration_error::{ConfigurationError, JwtKeyProblem};
use crate::session::AuthError;

/// How far ahead of now an assertion's `exp` lies: Salesforce wants it within three minutes.
pub const JWT_ASSERTION_LIFETIME: Duration = Duration::from_secs(3 * 60);

/// An RSA private key that signs assertions, read from a PEM file (`PRIVATE KEY`, PKCS#8, as
/// `openssl genpkey` writes; or `RSA PRIVATE KEY`, PKCS#1). Its `Debug` shows nothing of it.
pub struct JwtSigningKey {
    key_pair: ring::signature::RsaKeyPair,
}

impl std::fmt::Debug for JwtSigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("JwtSigningKey([REDACTED])")
    }
}

impl JwtSigningKey {
    /// Reads a key file.
    pub fn from_file(path: &Path) -> Result<Self, AuthError> {
        let contents = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            ConfigurationError::ReadJwtKey {
                path: path.to_path_buf(),
                source,
            }
        })?);
        Self::parse_pem(&contents).map_err(|problem| {
            ConfigurationError::JwtKeyFile {
                path: path.to_path_buf(),
                problem,
            }
            .into()
        })
    }

    /// Reads a PEM key.
    pub fn from_pem(pem: &str) -> Result<Self, AuthError> {
        Self::parse_pem(pem).map_err(|problem| ConfigurationError::JwtKey(problem).into())
    }

    fn parse_pem(pem: &str) -> Result<Self, JwtKeyProblem> {
        let (label, der) = decode_pem(pem).ok_or(JwtKeyProblem::NotPem)?;
        let key_pair = match label.as_str() {
            "PRIVATE KEY" => ring::signature::RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => ring::signature::RsaKeyPair::from_der(&der),
            _ => return Err(JwtKeyProblem::NotRsaPrivateKey { label }),
        }
        .map_err(JwtKeyProblem::Unusable)?;
        Ok(Self { key_pair })
    }

    /// A signed assertion for `client_id` acting as `username` towards `audience`, expiring
    /// [`JWT_ASSERTION_LIFETIME`] after `now_seconds`.
    pub fn assertion(
        &self,
        client_id: &str,
        username: &str,
        audience: &str,
        now_seconds: i64,
    ) -> Result<SecretString, AuthError> {
        let lifetime = i64::try_from(JWT_ASSERTION_LIFETIME.as_secs()).unwrap_or(180);
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": username,
            "aud": audience,
            "exp": now_seconds.saturating_add(lifetime),
        });
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{body}");
        let mut signature = vec![0_u8; self.key_pair.public().modulus_len()];
        self.key_pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| ConfigurationError::JwtSigning)?;
        Ok(SecretString::from(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

/// The label and DER bytes of the first PEM block.
fn decode_pem(text: &str) -> Option<(String, Zeroizing<Vec<u8>>)> {
    let begin = text.find("-----BEGIN ")?;
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let label_end = after_begin.find("-----")?;
    let label = &after_begin[..label_end];
    let body_and_rest = &after_begin[label_end + "-----".len()..];
    let body_end = body_and_rest.find(&format!("-----END {label}-----"))?;
    let body: Zeroizing<String> = Zeroizing::new(
        body_and_rest[..body_end]
            .chars()
            .filter(|character| !character.is_ascii_whitespace())
            .collect(),
    );
    let der = Zeroizing::new(STANDARD.decode(body.as_bytes()).ok()?);
    Some((label.to_owned(), der))
}
