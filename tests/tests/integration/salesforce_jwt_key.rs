//! The JWT bearer flow's signing key, with the sandbox org's default key pair (the client crate
//! itself knows no key to test with).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use leadgate_salesforce::auth::JwtSigningKey;
use leadgate_salesforce::secrecy::ExposeSecret as _;
use leadgate_salesforce::session::AuthError;
use leadgate_sandbox::oauth::{DEFAULT_JWT_CERTIFICATE_PEM, DEFAULT_JWT_PRIVATE_KEY_PEM};

#[test]
fn the_assertion_carries_salesforce_claims() -> Result<(), Box<dyn std::error::Error>> {
    let key = JwtSigningKey::from_pem(DEFAULT_JWT_PRIVATE_KEY_PEM)?;
    let assertion = key.assertion("app", "user@example.com", "https://login.salesforce.com", 1_000)?;
    let parts: Vec<&str> = assertion.expose_secret().split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1])?)?;
    assert_eq!(
        claims,
        serde_json::json!({"iss": "app", "sub": "user@example.com", "aud": "https://login.salesforce.com", "exp": 1_180})
    );
    assert_eq!(format!("{key:?}"), "JwtSigningKey([REDACTED])");
    Ok(())
}

#[test]
fn other_pem_blocks_are_refused() {
    assert!(JwtSigningKey::from_pem("not pem").is_err());
    assert!(matches!(
        JwtSigningKey::from_pem(DEFAULT_JWT_CERTIFICATE_PEM),
        Err(AuthError::Configuration(error)) if error.to_string().contains("CERTIFICATE")
    ));
}
