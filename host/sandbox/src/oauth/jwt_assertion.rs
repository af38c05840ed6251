//! JWT bearer assertions (RFC 7523 as Salesforce uses it): RS256 only, `iss` the client id,
//! `sub` (or legacy `prn`) the username, `aud` the login URL, `exp` in seconds.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::Value;

use super::certificate::{CertificateError, decode_pem};

/// How long after its `exp` an assertion is still accepted: Salesforce's help asks that the
/// assertion arrive no later than 3 minutes after it expires (clock skew allowance).
pub(super) const EXPIRY_GRACE_SECONDS: i64 = 3 * 60;

/// How far in the future `exp` may lie. Salesforce documents no maximum; refusing assertions
/// valid for more than ten minutes keeps a leaked one from being replayed for long.
pub(super) const MAXIMUM_LIFETIME_SECONDS: i64 = 10 * 60;

/// Why an assertion is refused, before the token endpoint maps it to an OAuth error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum AssertionError {
    /// Not three base64url parts of JSON, not RS256, or a claim missing or mistyped.
    #[error("malformed assertion")]
    Malformed,
    /// The signature does not verify with the app's certificate.
    #[error("bad signature")]
    BadSignature,
    /// `exp` has passed (beyond the grace) or is too far away.
    #[error("assertion outside its validity")]
    Expired,
}

/// The claims the token endpoint checks, read from an assertion whose signature is still
/// to be verified.
#[derive(Debug)]
pub(super) struct UnverifiedAssertion {
    /// `iss`: the client id.
    pub(super) issuer: String,
    /// `prn` if present, else `sub`: the username.
    pub(super) subject: String,
    /// `aud`, a string or a list of them.
    pub(super) audiences: Vec<String>,
    /// `exp`, a number or a string of digits (simple-salesforce sends a string).
    pub(super) expires_at: i64,
    signing_input: String,
    signature: Vec<u8>,
}

impl UnverifiedAssertion {
    /// Splits and decodes `assertion`; checks only its form and its `alg`.
    pub(super) fn parse(assertion: &str) -> Result<Self, AssertionError> {
        let mut parts = assertion.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AssertionError::Malformed);
        };
        let decode_json = |part: &str| -> Result<Value, AssertionError> {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| AssertionError::Malformed)?;
            serde_json::from_slice(&bytes).map_err(|_| AssertionError::Malformed)
        };
        let header_json = decode_json(header)?;
        if header_json.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err(AssertionError::Malformed);
        }
        let claims_json = decode_json(claims)?;
        let text_claim = |name: &str| claims_json.get(name).and_then(Value::as_str);
        let issuer = text_claim("iss").ok_or(AssertionError::Malformed)?;
        let subject = text_claim("prn")
            .or_else(|| text_claim("sub"))
            .ok_or(AssertionError::Malformed)?;
        let audiences = match claims_json.get("aud") {
            Some(Value::String(audience)) => vec![audience.clone()],
            Some(Value::Array(audiences)) => audiences
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => return Err(AssertionError::Malformed),
        };
        let expires_at = match claims_json.get("exp") {
            Some(Value::Number(number)) => number
                .as_i64()
                .or_else(|| number.as_f64().map(|seconds| seconds as i64)),
            Some(Value::String(text)) => text.trim().parse().ok(),
            _ => None,
        }
        .ok_or(AssertionError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| AssertionError::Malformed)?;
        Ok(Self {
            issuer: issuer.to_owned(),
            subject: subject.to_owned(),
            audiences,
            expires_at,
            signing_input: format!("{header}.{claims}"),
            signature,
        })
    }

    /// Checks the RS256 signature against a PKCS#1 RSA public key.
    pub(super) fn verify_signature(&self, rsa_public_key: &[u8]) -> Result<(), AssertionError> {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, rsa_public_key)
            .verify(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| AssertionError::BadSignature)
    }

    /// Checks `exp` against the current time (seconds since the epoch).
    pub(super) fn check_expiry(&self, now: i64) -> Result<(), AssertionError> {
        let expired = self.expires_at.saturating_add(EXPIRY_GRACE_SECONDS) < now;
        let too_long = self.expires_at > now.saturating_add(MAXIMUM_LIFETIME_SECONDS);
        if expired || too_long {
            Err(AssertionError::Expired)
        } else {
            Ok(())
        }
    }
}

/// Why [`sign_assertion`] failed.
#[derive(Debug, thiserror::Error)]
pub enum AssertionSigningError {
    /// The private key PEM could not be read.
    #[error("cannot read the private key")]
    Pem(#[source] CertificateError),
    /// The key is not an RSA PKCS#8 (`PRIVATE KEY`) key that `ring` accepts.
    #[error("the private key is not a usable RSA PKCS#8 key")]
    KeyRejected,
    /// Signing failed.
    #[error("signing the assertion failed")]
    Signing,
}

/// Signs `claims` as an RS256 JWT with a PKCS#8 PEM RSA private key: the JWT bearer
/// assertion a client posts to the token endpoint. For tests and examples against the sandbox
/// (for instance with [`DEFAULT_JWT_PRIVATE_KEY_PEM`](super::DEFAULT_JWT_PRIVATE_KEY_PEM)).
pub fn sign_assertion(private_key_pem: &str, claims: &Value) -> Result<String, AssertionSigningError> {
    let (label, der) = decode_pem(private_key_pem).map_err(AssertionSigningError::Pem)?;
    if label != "PRIVATE KEY" {
        return Err(AssertionSigningError::Pem(CertificateError::UnsupportedLabel {
            label,
        }));
    }
    let key_pair =
        ring::signature::RsaKeyPair::from_pkcs8(&der).map_err(|_| AssertionSigningError::KeyRejected)?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{body}");
    let mut signature = vec![0_u8; key_pair.public().modulus_len()];
    key_pair
        .sign(
            &ring::signature::RSA_PKCS1_SHA256,
            &ring::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| AssertionSigningError::Signing)?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::super::certificate::rsa_public_key_from_pem;
    use super::super::settings::{DEFAULT_JWT_CERTIFICATE_PEM, DEFAULT_JWT_PRIVATE_KEY_PEM};
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;

    fn signed(claims: &Value) -> Result<String, AssertionSigningError> {
        sign_assertion(DEFAULT_JWT_PRIVATE_KEY_PEM, claims)
    }

    fn claims() -> Value {
        json!({"iss": "app", "sub": "user@example.com", "aud": "https://login.salesforce.com", "exp": NOW + 180})
    }

    #[test]
    fn a_signed_assertion_verifies_and_reads_back() -> Result<(), Box<dyn std::error::Error>> {
        let assertion = UnverifiedAssertion::parse(&signed(&claims())?)?;
        assertion.verify_signature(&rsa_public_key_from_pem(DEFAULT_JWT_CERTIFICATE_PEM)?)?;
        assertion.check_expiry(NOW)?;
        assert_eq!(assertion.issuer, "app");
        assert_eq!(assertion.subject, "user@example.com");
        assert_eq!(assertion.audiences, ["https://login.salesforce.com"]);
        Ok(())
    }

    #[test]
    fn a_tampered_assertion_fails_verification() -> Result<(), Box<dyn std::error::Error>> {
        let genuine = signed(&claims())?;
        let mut other_claims = claims();
        other_claims["sub"] = json!("admin@example.com");
        let forged_body = URL_SAFE_NO_PAD.encode(other_claims.to_string());
        let parts: Vec<&str> = genuine.split('.').collect();
        let forged = format!("{}.{forged_body}.{}", parts[0], parts[2]);
        let assertion = UnverifiedAssertion::parse(&forged)?;
        let key = rsa_public_key_from_pem(DEFAULT_JWT_CERTIFICATE_PEM)?;
        assert_eq!(
            assertion.verify_signature(&key),
            Err(AssertionError::BadSignature)
        );
        Ok(())
    }

    #[test]
    fn expiry_allows_three_minutes_of_skew_and_ten_minutes_of_lifetime()
    -> Result<(), Box<dyn std::error::Error>> {
        let at = |exp: Value| -> Result<UnverifiedAssertion, Box<dyn std::error::Error>> {
            let mut claims = claims();
            claims["exp"] = exp;
            Ok(UnverifiedAssertion::parse(&signed(&claims)?)?)
        };
        assert_eq!(at(json!(NOW - 180))?.check_expiry(NOW), Ok(()));
        assert_eq!(
            at(json!(NOW - 181))?.check_expiry(NOW),
            Err(AssertionError::Expired)
        );
        assert_eq!(at(json!(NOW + 600))?.check_expiry(NOW), Ok(()));
        assert_eq!(
            at(json!(NOW + 601))?.check_expiry(NOW),
            Err(AssertionError::Expired)
        );
        // simple-salesforce sends `exp` as a string.
        assert_eq!(at(json!((NOW + 60).to_string()))?.check_expiry(NOW), Ok(()));
        Ok(())
    }

    #[test]
    fn other_algorithms_and_missing_claims_are_malformed() -> Result<(), Box<dyn std::error::Error>> {
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(claims().to_string())
        );
        assert!(matches!(
            UnverifiedAssertion::parse(&unsigned),
            Err(AssertionError::Malformed)
        ));
        let mut without_exp = claims();
        without_exp.as_object_mut().map(|claims| claims.remove("exp"));
        assert!(matches!(
            UnverifiedAssertion::parse(&signed(&without_exp)?),
            Err(AssertionError::Malformed)
        ));
        assert!(matches!(
            UnverifiedAssertion::parse("a.b"),
            Err(AssertionError::Malformed)
        ));
        Ok(())
    }

    #[test]
    fn prn_wins_over_sub() -> Result<(), Box<dyn std::error::Error>> {
        let mut claims = claims();
        claims["prn"] = json!("legacy@example.com");
        assert_eq!(
            UnverifiedAssertion::parse(&signed(&claims)?)?.subject,
            "legacy@example.com"
        );
        Ok(())
    }
}
