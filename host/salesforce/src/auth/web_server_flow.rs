//! The web-server (authorization code) flow with PKCE S256 and a random `state`, redirecting to
//! a one-shot loopback listener (RFC 8252 §7.3).

use std::time::Duration;

use oauth2::{CsrfToken, PkceCodeChallenge, Scope};
use secrecy::SecretString;

use super::configuration_error::ConfigurationError;
use super::loopback_listener::LoopbackListener;
use super::oauth_client::OAuthClient;
use super::token_response::IssuedTokens;
use crate::session::AuthError;

/// How long the listener waits for the browser by default.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The scopes asked for by default: the REST API, and a refresh token so that the session
/// outlives the org's session timeout.
pub const DEFAULT_SCOPES: &[&str] = &["api", "refresh_token"];

/// How the flow runs.
#[derive(Debug, Clone)]
pub struct WebServerFlowOptions {
    /// How long to wait for the browser's redirect.
    pub timeout: Duration,
    /// The scopes to ask for (empty: Salesforce grants all the app's scopes).
    pub scopes: Vec<String>,
    /// A username to pre-fill on the login page (`login_hint`).
    pub login_hint: Option<String>,
}

impl Default for WebServerFlowOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_CALLBACK_TIMEOUT,
            scopes: DEFAULT_SCOPES.iter().map(|scope| (*scope).to_owned()).collect(),
            login_hint: None,
        }
    }
}

/// A started web-server flow: the listener is bound and the authorization URL is ready to be
/// opened in a browser. [`finish`](Self::finish) waits for the redirect and exchanges the code.
pub struct PendingAuthorization {
    client: OAuthClient,
    listener: LoopbackListener,
    authorization_url: String,
    redirect_uri: String,
    state: SecretString,
    pkce_verifier: SecretString,
    timeout: Duration,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.redirect_uri)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OAuthClient {
    /// Starts the web-server flow: binds the loopback listener, makes a random `state` and a
    /// PKCE S256 pair, and builds the authorization URL.
    pub async fn begin_web_server_flow(
        &self,
        options: &WebServerFlowOptions,
    ) -> Result<PendingAuthorization, AuthError> {
        let listener = LoopbackListener::bind().await?;
        let redirect_uri = listener.redirect_uri();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let redirect =
            oauth2::RedirectUrl::new(redirect_uri.clone()).map_err(ConfigurationError::RedirectUri)?;
        let client = self.oauth2_client()?.set_redirect_uri(redirect);
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_scopes(options.scopes.iter().cloned().map(Scope::new));
        if let Some(hint) = &options.login_hint {
            request = request.add_extra_param("login_hint", hint.clone());
        }
        let (url, state) = request.url();
        tracing::debug!(%redirect_uri, "web-server flow started");
        Ok(PendingAuthorization {
            client: self.clone(),
            listener,
            authorization_url: url.to_string(),
            redirect_uri,
            state: SecretString::from(state.secret().as_str()),
            pkce_verifier: SecretString::from(verifier.secret().as_str()),
            timeout: options.timeout,
        })
    }
}

impl PendingAuthorization {
    /// The URL to open in the browser. It carries the `state` and the PKCE challenge (never the
    /// verifier), which the browser sees anyway.
    pub fn authorization_url(&self) -> &str {
        &self.authorization_url
    }

    /// The loopback redirect URI, `http://127.0.0.1:{port}/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the redirect (at most the timeout), checks its `state`, and exchanges its
    /// code with the PKCE verifier. A wrong or missing `state` ends the flow without any token
    /// request.
    pub async fn finish(self) -> Result<IssuedTokens, AuthError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let code = self
            .listener
            .wait_for_code(self.state, deadline, self.timeout.as_secs())
            .await?;
        self.client
            .exchange_code(&code, &self.pkce_verifier, &self.redirect_uri)
            .await
    }
}

/// Whether a browser can be opened on this machine for the user to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserAvailability {
    /// Probably: a desktop session is there.
    Likely,
    /// No: this is an SSH session, so a browser would open (if at all) on a screen the user
    /// is not looking at, and the redirect to this machine's loopback would not reach it.
    SshSession,
    /// No: neither `DISPLAY` nor `WAYLAND_DISPLAY` is set (a server, a container, a console).
    NoDisplay,
}

impl BrowserAvailability {
    /// Decides from environment variables, read through `variable` (an empty value counts as
    /// unset). `needs_display` is true where browsers need X11 or Wayland (Linux and the BSDs;
    /// not macOS or Windows). A pure function so that every case can be tested.
    pub fn from_environment(
        needs_display: bool,
        variable: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Self {
        let set = |name: &str| variable(name).is_some_and(|value| !value.is_empty());
        if set("SSH_CONNECTION") || set("SSH_TTY") {
            Self::SshSession
        } else if needs_display && !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            Self::NoDisplay
        } else {
            Self::Likely
        }
    }

    /// For this process.
    pub fn current() -> Self {
        let needs_display = cfg!(unix) && !cfg!(target_os = "macos");
        Self::from_environment(needs_display, |name: &str| std::env::var_os(name))
    }
}

/// What [`open_in_browser`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserOutcome {
    /// An opener (`open`, `xdg-open`) was started with the URL; whether a browser shows it is
    /// up to the opener.
    OpenerStarted,
    /// Nothing was tried, for this reason.
    NotTried(BrowserAvailability),
    /// No opener program could be started.
    NoOpener,
}

/// Tries to open `url` in the user's browser (`open` on macOS, `xdg-open` elsewhere) unless
/// [`BrowserAvailability::current`] says no browser can be shown. The opener is not waited for
/// beyond a background reaper.
pub fn open_in_browser(url: &str) -> BrowserOutcome {
    let availability = BrowserAvailability::current();
    if availability != BrowserAvailability::Likely {
        return BrowserOutcome::NotTried(availability);
    }
    let openers: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open", "open"]
    };
    for opener in openers {
        let spawned = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = spawned {
            // Reaped on a thread so that no zombie is left behind while the login waits.
            std::thread::spawn(move || child.wait());
            return BrowserOutcome::OpenerStarted;
        }
    }
    BrowserOutcome::NoOpener
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::LoginUrl;
    use secrecy::ExposeSecret as _;

    #[tokio::test]
    async fn the_authorization_url_asks_for_pkce_and_state() -> Result<(), Box<dyn std::error::Error>> {
        let client = OAuthClient::new(LoginUrl::parse("http://127.0.0.1:9")?, "app")?;
        let pending = client
            .begin_web_server_flow(&WebServerFlowOptions::default())
            .await?;
        let url = url::Url::parse(pending.authorization_url())?;
        let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/services/oauth2/authorize");
        assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(query.get("client_id").map(String::as_str), Some("app"));
        assert_eq!(
            query.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        assert_eq!(query.get("scope").map(String::as_str), Some("api refresh_token"));
        assert_eq!(
            query.get("redirect_uri").map(String::as_str),
            Some(pending.redirect_uri())
        );
        assert!(query.get("state").is_some_and(|state| state.len() >= 16));
        assert!(pending.redirect_uri().starts_with("http://127.0.0.1:"));
        assert!(!pending.redirect_uri().ends_with(":0/callback"));
        assert!(!format!("{pending:?}").contains(pending.pkce_verifier.expose_secret()));
        Ok(())
    }

    fn availability(needs_display: bool, variables: &[(&str, &str)]) -> BrowserAvailability {
        BrowserAvailability::from_environment(needs_display, |name| {
            variables
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| std::ffi::OsString::from(value))
        })
    }

    #[test]
    fn a_browser_is_opened_only_on_a_local_desktop() {
        use BrowserAvailability::{Likely, NoDisplay, SshSession};
        assert_eq!(availability(true, &[("DISPLAY", ":0")]), Likely);
        assert_eq!(availability(true, &[("WAYLAND_DISPLAY", "wayland-0")]), Likely);
        assert_eq!(availability(true, &[]), NoDisplay);
        assert_eq!(availability(true, &[("DISPLAY", "")]), NoDisplay);
        assert_eq!(availability(false, &[]), Likely, "macOS needs no DISPLAY");
        for ssh in ["SSH_CONNECTION", "SSH_TTY"] {
            let value = if ssh == "SSH_TTY" {
                "/dev/pts/1"
            } else {
                "10.0.0.2 5122 10.0.0.1 22"
            };
            assert_eq!(availability(true, &[("DISPLAY", ":0"), (ssh, value)]), SshSession);
            assert_eq!(availability(false, &[(ssh, value)]), SshSession);
        }
        assert_eq!(availability(true, &[("DISPLAY", ":0"), ("SSH_TTY", "")]), Likely);
    }

    #[tokio::test]
    async fn the_listener_times_out() -> Result<(), Box<dyn std::error::Error>> {
        let client = OAuthClient::new(LoginUrl::parse("http://127.0.0.1:9")?, "app")?;
        let options = WebServerFlowOptions {
            timeout: Duration::from_millis(50),
            ..WebServerFlowOptions::default()
        };
        let pending = client.begin_web_server_flow(&options).await?;
        let outcome = pending.finish().await;
        assert!(
            matches!(outcome, Err(AuthError::Configuration(error)) if error.to_string().contains("within"))
        );
        Ok(())
    }
}
