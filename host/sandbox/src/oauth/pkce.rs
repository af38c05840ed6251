//! PKCE (RFC 7636) with the S256 method, the only one the sandbox accepts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// The one challenge method supported (`plain` exposes the verifier, so it is refused).
pub(super) const S256: &str = "S256";

/// Whether `verifier` is well formed (RFC 7636 §4.1: 43 to 128 unreserved characters) and
/// `base64url(SHA-256(verifier))` equals `challenge`.
pub(super) fn verifier_matches(challenge: &str, verifier: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    // Compared in constant time: the challenge is public, but there is no reason to leak how
    // much of a guess was right.
    well_formed && bool::from(computed.as_bytes().ct_eq(challenge.as_bytes()))
}

/// Whether `challenge` could be an S256 challenge (43 base64url characters, a SHA-256 digest).
pub(super) fn challenge_is_well_formed(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of RFC 7636 appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_example_verifier_matches_its_challenge() {
        assert!(verifier_matches(CHALLENGE, VERIFIER));
        assert!(challenge_is_well_formed(CHALLENGE));
    }

    #[test]
    fn another_verifier_does_not_match() {
        let other = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl";
        assert!(!verifier_matches(CHALLENGE, other));
    }

    #[test]
    fn the_challenge_itself_is_not_a_verifier() {
        assert!(!verifier_matches(CHALLENGE, CHALLENGE));
    }

    #[test]
    fn short_or_malformed_verifiers_are_refused() {
        assert!(!verifier_matches(CHALLENGE, "short"));
        assert!(!verifier_matches(CHALLENGE, &format!("{VERIFIER} ")));
        assert!(!challenge_is_well_formed("not a challenge"));
    }
}
