//! Matching a request's `redirect_uri` against an app's registered callback URLs.

/// Whether `requested` may be used as a redirect URI for an app that registered `registered`.
///
/// Salesforce requires an exact match, and so does the sandbox, with one deliberate exception
/// from RFC 8252 §7.3 (OAuth for native apps): when the registered URI is a loopback IP literal
/// over plain HTTP (`http://127.0.0.1…` or `http://[::1]…`), the port is ignored, so a CLI can
/// listen on a port the operating system chose and still match a callback registered without
/// (or with another) port. Scheme, address, path and query must still match exactly, and the
/// name `localhost` gets no such leniency (RFC 8252 §8.3 advises against it).
pub fn redirect_uri_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    match (LoopbackUri::parse(registered), LoopbackUri::parse(requested)) {
        (Some(registered), Some(requested)) => {
            registered.address == requested.address && registered.rest == requested.rest
        }
        _ => false,
    }
}

/// An `http://` URI whose host is a loopback IP literal, split into what must match.
struct LoopbackUri<'a> {
    /// `127.0.0.1` or `[::1]`.
    address: &'a str,
    /// Everything after the authority: path, query, fragment (the path `/` when empty).
    rest: &'a str,
}

impl<'a> LoopbackUri<'a> {
    fn parse(uri: &'a str) -> Option<Self> {
        let after_scheme = uri.strip_prefix("http://")?;
        let authority_end = after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len());
        let (authority, rest) = after_scheme.split_at(authority_end);
        let address = ["127.0.0.1", "[::1]"]
            .into_iter()
            .find(|address| authority.starts_with(address))?;
        // Whatever follows the address must be nothing or a valid port: this refuses
        // `127.0.0.1.evil.example` and `127.0.0.1@evil.example`.
        let port = &authority[address.len()..];
        if !port.is_empty() {
            let digits = port.strip_prefix(':')?;
            if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return None;
            }
            digits.parse::<u16>().ok()?;
        }
        let rest = if rest.is_empty() { "/" } else { rest };
        Some(Self { address, rest })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_uris_match() {
        assert!(redirect_uri_matches(
            "http://localhost:1717/OauthRedirect",
            "http://localhost:1717/OauthRedirect"
        ));
        assert!(redirect_uri_matches(
            "https://app.example/callback",
            "https://app.example/callback"
        ));
    }

    #[test]
    fn any_port_matches_a_loopback_ip_literal() {
        let registered = "http://127.0.0.1/callback";
        assert!(redirect_uri_matches(
            registered,
            "http://127.0.0.1:49152/callback"
        ));
        assert!(redirect_uri_matches(registered, "http://127.0.0.1:1/callback"));
        assert!(redirect_uri_matches(
            "http://127.0.0.1:8080/callback",
            "http://127.0.0.1:9/callback"
        ));
        assert!(redirect_uri_matches(
            "http://[::1]/callback",
            "http://[::1]:65535/callback"
        ));
    }

    #[test]
    fn loopback_paths_and_addresses_must_still_match() {
        let registered = "http://127.0.0.1/callback";
        assert!(!redirect_uri_matches(registered, "http://127.0.0.1:49152/other"));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1:49152/callback/extra"
        ));
        assert!(!redirect_uri_matches(registered, "http://[::1]:49152/callback"));
        assert!(!redirect_uri_matches(
            registered,
            "https://127.0.0.1:49152/callback"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1:49152/callback?x=1"
        ));
    }

    #[test]
    fn look_alike_hosts_do_not_match_a_loopback_uri() {
        let registered = "http://127.0.0.1/callback";
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1.evil.example/callback"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1@evil.example/callback"
        ));
        assert!(!redirect_uri_matches(registered, "http://127.0.0.1:/callback"));
        assert!(!redirect_uri_matches(
            registered,
            "http://127.0.0.1:99999/callback"
        ));
        assert!(!redirect_uri_matches(registered, "http://127.0.0.1:80x/callback"));
    }

    #[test]
    fn localhost_needs_an_exact_match() {
        let registered = "http://localhost:1717/OauthRedirect";
        assert!(!redirect_uri_matches(
            registered,
            "http://localhost:1718/OauthRedirect"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "http://localhost:1717/OauthRedirect/"
        ));
        assert!(!redirect_uri_matches(
            registered,
            "HTTP://localhost:1717/OauthRedirect"
        ));
    }
}
