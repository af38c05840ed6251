//! A `leadgate_salesforce::Client` on the in-process sandbox org, for the tests of the client:
//! a sandbox, a client with a token of its default user that retries within milliseconds, and
//! the sandbox's call counters.

use std::time::Duration;

use leadgate_salesforce::{Client, RetryPolicy, SessionProvider, StaticSession};
use leadgate_sandbox::{Sandbox, SandboxConfig, SandboxControl};

/// Retries quickly, so that tests of retrying take milliseconds.
pub(crate) fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

/// A sandbox org started with `config`.
pub(crate) async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// A sandbox org with the default settings (no auto-approval, no faults, plain HTTP).
pub(crate) async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

/// A fresh access token of the sandbox's default user.
pub(crate) fn token(sandbox: &Sandbox) -> String {
    sandbox.control().access_token().expect("the default user exists")
}

/// A client on `provider` that retries with [`fast_retries`] and ignores proxy settings.
pub(crate) fn client_with(provider: impl SessionProvider) -> Client {
    Client::builder()
        .no_proxy()
        .retry_policy(fast_retries())
        .build(provider)
        .expect("a client")
}

/// A client with a fresh token of the sandbox's default user.
pub(crate) fn client(sandbox: &Sandbox) -> Client {
    client_with(StaticSession::from_token(sandbox.base_url(), token(sandbox)))
}

/// How many calls of `kind` (`describe`, `query`, `collectionsCreate`, …) the sandbox counted.
pub(crate) fn by_kind(control: &SandboxControl, kind: &str) -> u64 {
    control.api_calls().by_kind.get(kind).copied().unwrap_or_default()
}
