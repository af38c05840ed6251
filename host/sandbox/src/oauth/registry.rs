//! Everything the authorization server has issued: codes, access and refresh tokens, and the
//! request counters. One value behind the server's mutex.
//!
//! Tokens and codes are stored under their SHA-256 digest, never in clear: a lookup then takes
//! the same time whatever prefix of a guess is right, and a dump of the registry (a `Debug`
//! print, a core file) holds nothing that can be replayed.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

/// How long an authorization code can be exchanged: 15 minutes, as Salesforce documents.
pub(super) const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The digest a secret is stored under.
pub(super) type SecretKey = [u8; 32];

/// The key `secret` is stored under.
pub(super) fn secret_key(secret: &str) -> SecretKey {
    Sha256::digest(secret.as_bytes()).into()
}

/// Identifies one authorization (one approval or one code exchange) and every token that
/// descends from it, so that revoking its refresh token revokes them all.
pub(super) type GrantFamily = u64;

/// A code awaiting exchange.
#[derive(Debug)]
pub(super) struct AuthorizationCode {
    pub(super) client_id: String,
    pub(super) username: String,
    /// The `redirect_uri` of the authorization request, which the exchange must repeat.
    pub(super) redirect_uri: String,
    /// The PKCE S256 challenge, if the request sent one.
    pub(super) code_challenge: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) issued_at: Instant,
}

/// A live access token.
#[derive(Debug)]
pub(super) struct AccessToken {
    pub(super) username: String,
    pub(super) family: Option<GrantFamily>,
    pub(super) issued_at: Instant,
}

/// A live refresh token.
#[derive(Debug)]
pub(super) struct RefreshToken {
    pub(super) client_id: String,
    pub(super) username: String,
    pub(super) scopes: Vec<String>,
    pub(super) family: GrantFamily,
    /// The grant was PKCE-bound, so refreshing needs no client secret (a public client).
    pub(super) public_client: bool,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct Registry {
    /// Added to the real clocks; see [`OAuthServer::advance_clock`](super::OAuthServer::advance_clock).
    clock_offset: Duration,
    pub(super) codes: HashMap<SecretKey, AuthorizationCode>,
    /// Exchanged codes, kept until they would have expired, so that a replay can revoke what
    /// the first exchange issued (RFC 6749 §4.1.2).
    pub(super) spent_codes: HashMap<SecretKey, (GrantFamily, Instant)>,
    pub(super) access_tokens: HashMap<SecretKey, AccessToken>,
    pub(super) refresh_tokens: HashMap<SecretKey, RefreshToken>,
    next_family: GrantFamily,
    pub(super) counters: BTreeMap<String, u64>,
}

impl Registry {
    /// The registry's monotonic now.
    pub(super) fn now(&self) -> Instant {
        Instant::now() + self.clock_offset
    }

    /// The registry's wall-clock now, in milliseconds since the epoch.
    pub(super) fn now_millis(&self) -> u128 {
        (SystemTime::now() + self.clock_offset)
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
    }

    /// The registry's wall-clock now, in seconds since the epoch.
    pub(super) fn now_seconds(&self) -> i64 {
        i64::try_from(self.now_millis() / 1000).unwrap_or(i64::MAX)
    }

    pub(super) fn advance_clock(&mut self, by: Duration) {
        self.clock_offset += by;
    }

    pub(super) fn count(&mut self, kind: &str) {
        *self.counters.entry(kind.to_owned()).or_default() += 1;
    }

    pub(super) fn new_family(&mut self) -> GrantFamily {
        self.next_family += 1;
        self.next_family
    }

    /// Revokes a refresh token's whole family: its refresh tokens and its access tokens.
    pub(super) fn revoke_family(&mut self, family: GrantFamily) {
        self.refresh_tokens.retain(|_, token| token.family != family);
        self.access_tokens.retain(|_, token| token.family != Some(family));
    }

    /// Drops codes (live or spent) past their lifetime, so memory stays bounded.
    pub(super) fn forget_old_codes(&mut self) {
        let now = self.now();
        let fresh = |issued_at: Instant| now.duration_since(issued_at) < AUTHORIZATION_CODE_LIFETIME;
        self.codes.retain(|_, code| fresh(code.issued_at));
        self.spent_codes.retain(|_, (_, issued_at)| fresh(*issued_at));
    }

    /// Forgets everything, the clock offset included.
    pub(super) fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoking_a_family_spares_other_families() {
        let mut registry = Registry::default();
        let first = registry.new_family();
        let second = registry.new_family();
        let now = registry.now();
        for (name, family) in [("a", first), ("b", second)] {
            registry.refresh_tokens.insert(
                secret_key(name),
                RefreshToken {
                    client_id: "app".to_owned(),
                    username: "user".to_owned(),
                    scopes: Vec::new(),
                    family,
                    public_client: false,
                },
            );
            registry.access_tokens.insert(
                secret_key(&format!("{name}-access")),
                AccessToken {
                    username: "user".to_owned(),
                    family: Some(family),
                    issued_at: now,
                },
            );
        }
        registry.revoke_family(first);
        assert!(!registry.refresh_tokens.contains_key(&secret_key("a")));
        assert!(!registry.access_tokens.contains_key(&secret_key("a-access")));
        assert!(registry.refresh_tokens.contains_key(&secret_key("b")));
        assert!(registry.access_tokens.contains_key(&secret_key("b-access")));
    }

    #[test]
    fn advancing_the_clock_moves_both_clocks() {
        let mut registry = Registry::default();
        let before = registry.now_seconds();
        registry.advance_clock(Duration::from_secs(3600));
        assert!(registry.now_seconds() >= before + 3600);
    }
}
