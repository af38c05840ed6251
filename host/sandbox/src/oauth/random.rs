//! Fresh secrets: authorization codes, access and refresh tokens.
//!
//! All come from `rand`'s thread-local generator, a ChaCha CSPRNG seeded from the operating
//! system, so they are unguessable, not merely unique.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Random bytes, base64url without padding.
fn random_text(byte_count: usize) -> String {
    let mut bytes = vec![0_u8; byte_count];
    rand::fill(&mut bytes[..]);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Random text in Salesforce's token alphabet (`[A-Za-z0-9._]`): base64url with `-` read as `.`.
fn token_text(byte_count: usize) -> String {
    random_text(byte_count).replace('-', ".")
}

/// An authorization code (a one-time secret that rides in a redirect's query string).
pub(super) fn authorization_code() -> String {
    format!("aPrx{}", random_text(48))
}

/// An access token shaped like Salesforce's: the 15-character org id, `!`, an opaque part.
pub(super) fn access_token(org_id: &str) -> String {
    let org_prefix = org_id.get(..15).unwrap_or(org_id);
    format!("{org_prefix}!AR{}", token_text(72))
}

/// A refresh token shaped like Salesforce's (they start with `5Aep861`).
pub(super) fn refresh_token() -> String {
    format!("5Aep861{}", token_text(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_start_with_the_fifteen_character_org_id() {
        let token = access_token("00DSB00000000012AA");
        assert!(token.starts_with("00DSB0000000001!AR"), "{token}");
        assert!(
            token
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "!._".contains(character))
        );
    }

    #[test]
    fn tokens_differ_from_call_to_call() {
        assert_ne!(refresh_token(), refresh_token());
        assert_ne!(authorization_code(), authorization_code());
    }
}
