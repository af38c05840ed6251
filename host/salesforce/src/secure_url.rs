//! The transport rule for every URL the client (and the authorization flows) talk to: HTTPS,
//! except plain HTTP on the loopback interface (`127.0.0.0/8`, `[::1]`, `localhost`), which
//! never leaves the machine — the sandbox org and the OAuth loopback redirect live there.

use url::{Host, Url};

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing `{url}`: {reason}")]
pub struct InsecureUrl {
    /// The URL as given.
    pub url: String,
    /// Why.
    pub reason: &'static str,
}

/// Parses `text` and checks it: HTTPS with a host, or HTTP to a loopback host; no user name or
/// password in it.
pub fn check(text: &str) -> Result<Url, InsecureUrl> {
    let refuse = |reason| InsecureUrl {
        url: text.to_owned(),
        reason,
    };
    let url = Url::parse(text.trim()).map_err(|_| refuse("not a URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("credentials in the URL"));
    }
    let Some(host) = url.host() else {
        return Err(refuse("no host"));
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&host) => Ok(url),
        "http" => Err(refuse("HTTPS is required outside the loopback interface")),
        _ => Err(refuse("only https (or http on loopback) is allowed")),
    }
}

/// True for `localhost`, `127.0.0.0/8` and `::1`.
pub fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(address) => address.is_loopback(),
        Host::Ipv6(address) => address.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        assert!(check("https://example.my.salesforce.com").is_ok());
        assert!(check("http://127.0.0.1:7878").is_ok());
        assert!(check("http://127.1.2.3:7878/").is_ok());
        assert!(check("http://localhost:7878").is_ok());
        assert!(check("http://[::1]:7878").is_ok());
        assert!(check("http://example.my.salesforce.com").is_err());
        assert!(check("http://10.0.0.1").is_err());
        assert!(check("http://localhost.example.com").is_err());
        assert!(check("ftp://example.com").is_err());
        assert!(check("https://user:secret@example.com").is_err());
        assert!(check("example.com").is_err());
    }
}
