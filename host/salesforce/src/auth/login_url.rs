//! Login URLs: where the OAuth endpoints live.

use crate::secure_url::{self, InsecureUrl};
use crate::session::AuthError;

/// Production, Developer Edition and Trailhead orgs log in here.
pub const PRODUCTION_LOGIN_URL: &str = "https://login.salesforce.com";

/// Salesforce sandboxes and scratch orgs log in here (`--sandbox`; not the local sandbox org,
/// whose login URL is its own address, e.g. `http://127.0.0.1:7878`).
pub const SANDBOX_LOGIN_URL: &str = "https://test.salesforce.com";

/// A login host (or My Domain, or an Experience Cloud site URL) checked for transport
/// security: HTTPS, or HTTP on the loopback interface. Kept without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginUrl {
    base: String,
    loopback: bool,
    host: String,
}

impl LoginUrl {
    /// Parses and checks a login URL. It may have a path (an Experience Cloud site) but no
    /// query or fragment.
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let url = secure_url::check(text).map_err(insecure)?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(AuthError::InsecureUrl {
                url: text.to_owned(),
                reason: "a login URL has no query or fragment".to_owned(),
            });
        }
        let host = url.host();
        let loopback = host.as_ref().is_some_and(secure_url::is_loopback);
        Ok(Self {
            base: url.as_str().trim_end_matches('/').to_owned(),
            loopback,
            host: url.host_str().unwrap_or_default().to_ascii_lowercase(),
        })
    }

    /// `https://login.salesforce.com`.
    pub fn production() -> Self {
        Self {
            base: PRODUCTION_LOGIN_URL.to_owned(),
            loopback: false,
            host: "login.salesforce.com".to_owned(),
        }
    }

    /// `https://test.salesforce.com`.
    pub fn sandbox() -> Self {
        Self {
            base: SANDBOX_LOGIN_URL.to_owned(),
            loopback: false,
            host: "test.salesforce.com".to_owned(),
        }
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// True for a URL on the loopback interface (the local sandbox org).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// `/services/oauth2/authorize`.
    pub fn authorize_endpoint(&self) -> String {
        format!("{}/services/oauth2/authorize", self.base)
    }

    /// `/services/oauth2/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/services/oauth2/token", self.base)
    }

    /// `/services/oauth2/revoke`.
    pub fn revoke_endpoint(&self) -> String {
        format!("{}/services/oauth2/revoke", self.base)
    }

    /// The `aud` a JWT bearer assertion should name when none is given: Salesforce accepts
    /// only the login or test host there (never My Domain), so a sandbox My Domain
    /// (`…sandbox.my.salesforce.com`) or `test.salesforce.com` means the test host, a loopback
    /// URL (the local sandbox org) itself, and anything else the production host.
    pub fn default_jwt_audience(&self) -> String {
        if self.loopback {
            self.base.clone()
        } else if self.host == "test.salesforce.com" || self.host.ends_with(".sandbox.my.salesforce.com") {
            SANDBOX_LOGIN_URL.to_owned()
        } else {
            PRODUCTION_LOGIN_URL.to_owned()
        }
    }
}

impl std::fmt::Display for LoginUrl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.base)
    }
}

/// The error for a URL [`secure_url::check`] refused.
pub(super) fn insecure(error: InsecureUrl) -> AuthError {
    AuthError::InsecureUrl {
        url: error.url,
        reason: error.reason.to_owned(),
    }
}

/// Checks an `instance_url` from a token response (or from the user) before any token is sent
/// to it, and returns it without a trailing slash.
pub(super) fn check_instance_url(text: &str) -> Result<String, AuthError> {
    let url = secure_url::check(text).map_err(insecure)?;
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// True when `url` may receive a bearer token: the same rule as every other URL.
pub(super) fn is_secure(text: &str) -> bool {
    secure_url::check(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_hosts_my_domains_and_loopback_are_accepted() -> Result<(), AuthError> {
        assert_eq!(
            LoginUrl::parse("https://login.salesforce.com/")?,
            LoginUrl::production()
        );
        assert_eq!(
            LoginUrl::parse("https://test.salesforce.com")?,
            LoginUrl::sandbox()
        );
        let my_domain = LoginUrl::parse("https://acme.my.salesforce.com")?;
        assert_eq!(
            my_domain.token_endpoint(),
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        let local = LoginUrl::parse("http://127.0.0.1:7878")?;
        assert!(local.is_loopback());
        assert_eq!(local.default_jwt_audience(), "http://127.0.0.1:7878");
        Ok(())
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        for text in [
            "http://login.salesforce.com",
            "http://10.1.2.3:7878",
            "ftp://login.salesforce.com",
            "https://login.salesforce.com/?x=1",
            "login.salesforce.com",
        ] {
            assert!(
                matches!(LoginUrl::parse(text), Err(AuthError::InsecureUrl { .. })),
                "{text} accepted"
            );
        }
    }

    #[test]
    fn jwt_audiences_follow_the_host() -> Result<(), AuthError> {
        assert_eq!(
            LoginUrl::parse("https://acme--dev.sandbox.my.salesforce.com")?.default_jwt_audience(),
            SANDBOX_LOGIN_URL
        );
        assert_eq!(
            LoginUrl::parse("https://acme.my.salesforce.com")?.default_jwt_audience(),
            PRODUCTION_LOGIN_URL
        );
        assert_eq!(LoginUrl::sandbox().default_jwt_audience(), SANDBOX_LOGIN_URL);
        Ok(())
    }

    #[test]
    fn instance_urls_must_be_secure() {
        assert!(check_instance_url("https://na1.salesforce.com/").is_ok());
        assert!(check_instance_url("http://127.0.0.1:9").is_ok());
        assert!(check_instance_url("http://na1.salesforce.com").is_err());
    }
}
