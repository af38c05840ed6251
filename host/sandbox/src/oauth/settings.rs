//! What the sandbox's authorization server knows: its connected apps and its users.

use std::time::Duration;

/// The client id of the default connected app.
pub const DEFAULT_CLIENT_ID: &str = "leadgate-sandbox-app";

/// The client secret of the default connected app. Public on purpose: the sandbox is a local
/// test server, and nothing it issues is worth anything outside it.
pub const DEFAULT_CLIENT_SECRET: &str = "leadgate-sandbox-secret";

/// The default user's username.
pub const DEFAULT_USERNAME: &str = "admin@leadgate.sandbox";

/// The default user's password (the password grant wants it followed by the security token).
pub const DEFAULT_PASSWORD: &str = "sandbox-password";

/// The default user's security token.
pub const DEFAULT_SECURITY_TOKEN: &str = "SANDBOXTOKEN";

/// The default org id (18 characters, with its checksum).
pub const DEFAULT_ORG_ID: &str = "00DSB00000000012AA";

/// The default user's id (18 characters, with its checksum).
pub const DEFAULT_USER_ID: &str = "005SB0000000001YAA";

/// The private key (PKCS#8 PEM, RSA 2048) that matches [`DEFAULT_JWT_CERTIFICATE_PEM`], for
/// signing JWT bearer assertions against the default app. It is published with the source, so
/// it proves nothing anywhere but in the sandbox.
pub const DEFAULT_JWT_PRIVATE_KEY_PEM: &str = include_str!("default_jwt_private_key.pem");

/// The self-signed X.509 certificate uploaded to the default app for the JWT bearer flow.
pub const DEFAULT_JWT_CERTIFICATE_PEM: &str = include_str!("default_jwt_certificate.pem");

/// How long an access token lives by default: Salesforce's common session timeout.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The authorization server's configuration.
#[derive(Clone, Debug)]
pub struct OAuthSettings {
    /// The org's 18-character id (`00D…`); access tokens start with its first 15 characters.
    pub org_id: String,
    /// The sandbox's base URL, without a trailing slash: the `instance_url` of every token, the
    /// host of identity URLs, and an accepted JWT `aud`.
    pub instance_url: String,
    /// How long an access token is accepted after it was issued.
    pub access_token_lifetime: Duration,
    /// Approve every valid authorization request at once (a redirect with the code) instead
    /// of showing the approval page; for automated tests of the web-server flow.
    pub auto_approve: bool,
    /// The connected apps (OAuth clients).
    pub apps: Vec<ConnectedApp>,
    /// The org's users. The first one approves authorization requests unless `login_hint`
    /// names another.
    pub users: Vec<SandboxUser>,
    /// Refresh-token rotation: each refresh returns a new refresh token and invalidates the
    /// one it used, as Salesforce does when rotation is enabled on the app.
    pub rotate_refresh_tokens: bool,
}

impl OAuthSettings {
    /// One app and one user, documented by the constants of this module:
    /// - app [`DEFAULT_CLIENT_ID`] with secret [`DEFAULT_CLIENT_SECRET`], callbacks
    ///   `http://127.0.0.1/callback` (any port, see [`ConnectedApp::callback_urls`]) and
    ///   `http://localhost:1717/OauthRedirect`, scopes `api refresh_token offline_access id web
    ///   full`, certificate [`DEFAULT_JWT_CERTIFICATE_PEM`] for the JWT bearer flow, the default
    ///   user as its client-credentials run-as user; PKCE optional, and the secret required only
    ///   when PKCE is not used;
    /// - user [`DEFAULT_USERNAME`] ([`DEFAULT_USER_ID`]) with password [`DEFAULT_PASSWORD`] and
    ///   security token [`DEFAULT_SECURITY_TOKEN`], in org [`DEFAULT_ORG_ID`].
    ///
    /// Access tokens live [`DEFAULT_ACCESS_TOKEN_LIFETIME`]; no auto-approval, no rotation.
    pub fn defaults(instance_url: &str) -> Self {
        Self {
            org_id: DEFAULT_ORG_ID.to_owned(),
            instance_url: instance_url.trim_end_matches('/').to_owned(),
            access_token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
            auto_approve: false,
            apps: vec![ConnectedApp {
                client_id: DEFAULT_CLIENT_ID.to_owned(),
                client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
                name: "leadgate sandbox".to_owned(),
                callback_urls: vec![
                    "http://127.0.0.1/callback".to_owned(),
                    "http://localhost:1717/OauthRedirect".to_owned(),
                ],
                scopes: ["api", "refresh_token", "offline_access", "id", "web", "full"]
                    .map(str::to_owned)
                    .to_vec(),
                require_secret_for_web_server_flow: true,
                require_pkce: false,
                password_flow_enabled: true,
                jwt_certificate_pem: Some(DEFAULT_JWT_CERTIFICATE_PEM.to_owned()),
                client_credentials_username: Some(DEFAULT_USERNAME.to_owned()),
            }],
            users: vec![SandboxUser {
                user_id: DEFAULT_USER_ID.to_owned(),
                username: DEFAULT_USERNAME.to_owned(),
                password: DEFAULT_PASSWORD.to_owned(),
                security_token: DEFAULT_SECURITY_TOKEN.to_owned(),
                first_name: "Sandbox".to_owned(),
                last_name: "Admin".to_owned(),
                email: "admin@leadgate.invalid".to_owned(),
            }],
            rotate_refresh_tokens: false,
        }
    }
}

/// A connected app: an OAuth client registered in the org.
#[derive(Clone)]
pub struct ConnectedApp {
    /// The consumer key.
    pub client_id: String,
    /// The consumer secret; also the key of every token response's `signature`.
    pub client_secret: String,
    /// The name shown on the approval page.
    pub name: String,
    /// The registered callback URLs. A `redirect_uri` must equal one of them exactly, except
    /// that a loopback IP literal (`http://127.0.0.1…`, `http://[::1]…`) matches on any port
    /// (see [`redirect_uri_matches`](super::redirect_uri_matches)).
    pub callback_urls: Vec<String>,
    /// The scopes the app may be granted; a request without `scope` gets all of them.
    pub scopes: Vec<String>,
    /// Salesforce's "Require Secret for Web Server Flow": the authorization-code exchange (and
    /// its refreshes) must send the client secret, unless the code was bound to a PKCE
    /// challenge.
    pub require_secret_for_web_server_flow: bool,
    /// Refuse authorization requests without a PKCE S256 challenge.
    pub require_pkce: bool,
    /// Allow the username-password grant (blocked by default in newer real orgs).
    pub password_flow_enabled: bool,
    /// The PEM X.509 certificate (or `PUBLIC KEY`) that verifies JWT bearer assertions;
    /// `None` disables the JWT bearer flow for this app.
    pub jwt_certificate_pem: Option<String>,
    /// The "Run As" user of the client-credentials flow; `None` disables the flow.
    pub client_credentials_username: Option<String>,
}

/// A user of the sandbox org.
#[derive(Clone)]
pub struct SandboxUser {
    /// The 18-character user id (`005…`).
    pub user_id: String,
    /// The login name (an e-mail address in form, as in Salesforce).
    pub username: String,
    /// The password, without the security token.
    pub password: String,
    /// The security token the password grant wants appended to the password.
    pub security_token: String,
    /// Given name, for the identity URL and userinfo.
    pub first_name: String,
    /// Family name, for the identity URL and userinfo.
    pub last_name: String,
    /// E-mail address, for the identity URL and userinfo.
    pub email: String,
}

// Hand-written so that printing the settings (a `Debug` of the sandbox, a log line) never
// shows a secret, a password or a security token.
impl std::fmt::Debug for ConnectedApp {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ConnectedApp")
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .field("callback_urls", &self.callback_urls)
            .field("scopes", &self.scopes)
            .field(
                "require_secret_for_web_server_flow",
                &self.require_secret_for_web_server_flow,
            )
            .field("require_pkce", &self.require_pkce)
            .field("password_flow_enabled", &self.password_flow_enabled)
            .field("jwt_certificate", &self.jwt_certificate_pem.is_some())
            .field("client_credentials_username", &self.client_credentials_username)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SandboxUser {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SandboxUser")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl SandboxUser {
    /// First and last name, as Salesforce shows it.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printing_the_settings_shows_no_secret() {
        let printed = format!("{:?}", OAuthSettings::defaults("http://127.0.0.1:1"));
        assert!(printed.contains(DEFAULT_CLIENT_ID));
        for secret in [DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_SECURITY_TOKEN] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }
}
