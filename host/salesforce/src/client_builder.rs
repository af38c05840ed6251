//! [`ClientBuilder`]: the client's API version, timeouts, TLS roots, retries and proxy use.

use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::error::SalesforceError;
use crate::retry::RetryPolicy;
use crate::session::SessionProvider;

/// The REST API version a client uses unless told otherwise (Winter '25: old enough for every
/// org still supported, new enough for everything this client calls).
pub const DEFAULT_API_VERSION: &str = "62.0";

/// How long a connection may take to open, by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a whole request (answer included) may take, by default. Salesforce itself stops
/// non-query calls after 10 minutes; most answer in well under a second.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    api_version: String,
    connect_timeout: Duration,
    timeout: Duration,
    root_certificates: Vec<Vec<u8>>,
    built_in_roots: bool,
    retry: RetryPolicy,
    proxy_from_environment: bool,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_version: DEFAULT_API_VERSION.to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            root_certificates: Vec::new(),
            built_in_roots: true,
            retry: RetryPolicy::default(),
            proxy_from_environment: true,
            user_agent: concat!("leadgate/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// The defaults: API v62.0, 10 s to connect, 300 s per request, the built-in web PKI
    /// roots, three retries of idempotent requests, proxies from the environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// The REST API version, as `62.0` or `v62.0`.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        let version = version.into();
        self.api_version = version.trim().trim_start_matches('v').to_owned();
        self
    }

    /// How long opening a connection may take.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts this root certificate (PEM) too, e.g. the sandbox org's self-signed one.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Trusts only the certificates given with [`Self::add_root_certificate_pem`].
    pub fn only_added_root_certificates(mut self) -> Self {
        self.built_in_roots = false;
        self
    }

    /// How idempotent requests are retried after a retryable failure.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Ignores `HTTPS_PROXY` and friends: connect directly.
    pub fn no_proxy(mut self) -> Self {
        self.proxy_from_environment = false;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A client that gets its sessions from `provider`.
    pub fn build(self, provider: impl SessionProvider) -> Result<Client, SalesforceError> {
        self.build_shared(Arc::new(provider))
    }

    /// A client that gets its sessions from a shared `provider`.
    pub fn build_shared(self, provider: Arc<dyn SessionProvider>) -> Result<Client, SalesforceError> {
        let valid_version = self.api_version.split_once('.').is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.chars().all(|character| character.is_ascii_digit())
                && minor.chars().all(|character| character.is_ascii_digit())
        });
        if !valid_version {
            return Err(SalesforceError::InvalidRequest(format!(
                "`{}` is not an API version like 62.0",
                self.api_version
            )));
        }
        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            .gzip(true)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            // Never follow redirects: a redirect could carry the bearer token's request to
            // another host, and Salesforce's data API does not redirect.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.user_agent)
            .tls_built_in_root_certs(self.built_in_roots);
        if !self.proxy_from_environment {
            http = http.no_proxy();
        }
        for pem in &self.root_certificates {
            let certificates =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|source| SalesforceError::Build {
                    message: "the root certificate is not valid PEM".to_owned(),
                    source: Some(source),
                })?;
            // A file without any certificate in it would silently trust nothing new.
            if certificates.is_empty() {
                return Err(SalesforceError::Build {
                    message: "the root certificate file holds no certificate".to_owned(),
                    source: None,
                });
            }
            for certificate in certificates {
                http = http.add_root_certificate(certificate);
            }
        }
        let http = http.build().map_err(|source| SalesforceError::Build {
            message: "the TLS or HTTP settings were refused".to_owned(),
            source: Some(source),
        })?;
        Ok(Client::from_parts(http, self.api_version, provider, self.retry))
    }
}
