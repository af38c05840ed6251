//! `leadgate auth …`: authorize with Salesforce, and show or remove the stored authorization.
//!
//! Secrets never come from arguments (they would show in `ps` and shell history): client
//! secrets, passwords and security tokens come from environment variables named by flags, or
//! from a prompt that does not echo; an access token from `LEADGATE_ACCESS_TOKEN` or stdin.
//! Nothing printed here contains a token or a secret.

use std::fmt::Write as _;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use leadgate_salesforce::Client;
use leadgate_salesforce::auth::{
    BrowserAvailability, BrowserOutcome, Flow, Identity, JwtSigningKey, LoginUrl, OAuthClient,
    OAuthSessionProvider, StoredAuthorization, WebServerFlowOptions, open_in_browser,
};
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::Zeroizing;

use super::EXIT_FAILURE;
use super::context::CommandContext;
use super::printer::Printer;
use crate::cli::{
    AuthClientCredentialsArgs, AuthCommand, AuthJwtArgs, AuthLoginArgs, AuthPasswordArgs, AuthStatusArgs,
    AuthTokenArgs, LoginHostArgs,
};
use crate::environment::ACCESS_TOKEN as ACCESS_TOKEN_ENV;
use crate::output::{AuthStatusDocument, NotAuthorizedDocument};
use crate::secrets::{CredentialStore, open_credentials};

pub(super) fn run(command: AuthCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let data_dir = context.config()?.data_dir.clone();
    let printer = context.printer();
    super::block_on(async {
        match command {
            AuthCommand::Login(args) => login(&args, &data_dir, printer).await,
            AuthCommand::Jwt(args) => jwt(&args, &data_dir, printer).await,
            AuthCommand::Password(args) => password(&args, &data_dir, printer).await,
            AuthCommand::ClientCredentials(args) => client_credentials(&args, &data_dir, printer).await,
            AuthCommand::Token(args) => token(&args, &data_dir, printer).await,
            AuthCommand::Status(args) => status(&args, &data_dir, printer).await,
            AuthCommand::Logout => logout(&data_dir, printer).await,
        }
    })
}

/// Opens the encrypted credentials of the data directory.
fn credentials(data_dir: &Path) -> anyhow::Result<CredentialStore> {
    open_credentials(data_dir)
        .with_context(|| format!("cannot open the credentials in `{}`", data_dir.display()))
}

/// The login URL the flags name: `--login-url`, `--sandbox` (test.salesforce.com), else
/// login.salesforce.com.
fn login_url(host: &LoginHostArgs) -> anyhow::Result<LoginUrl> {
    Ok(match (&host.login_url, host.sandbox) {
        (Some(url), _) => LoginUrl::parse(url)?,
        (None, true) => LoginUrl::sandbox(),
        (None, false) => LoginUrl::production(),
    })
}

/// The OAuth client for the flags, with the secret from `secret_env` when given.
fn oauth_client(
    host: &LoginHostArgs,
    client_id: &str,
    secret_env: Option<&str>,
) -> anyhow::Result<OAuthClient> {
    let mut client = OAuthClient::new(login_url(host)?, client_id)?;
    if let Some(path) = &host.ca_certificate {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read the certificate `{}`", path.display()))?;
        client = client.with_root_certificate_pem(&pem)?;
    }
    if let Some(variable) = secret_env {
        client = client.with_client_secret(secret_from_environment(variable, "the client secret")?);
    }
    Ok(client)
}

/// A secret from an environment variable that must be set.
fn secret_from_environment(variable: &str, what: &str) -> anyhow::Result<SecretString> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(SecretString::from(value)),
        _ => anyhow::bail!("{what} is read from the environment variable `{variable}`, which is not set"),
    }
}

/// A secret from an environment variable, else asked for on the terminal without echo.
fn secret_from_environment_or_prompt(variable: &str, prompt: &str) -> anyhow::Result<SecretString> {
    if let Ok(value) = std::env::var(variable) {
        return Ok(SecretString::from(value));
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("set `{variable}`: there is no terminal to ask on");
    }
    let answer = rpassword::prompt_password(prompt).context("cannot read from the terminal")?;
    Ok(SecretString::from(answer))
}

/// The absolute form of a path given on the command line, so that a stored one still works
/// from another directory.
fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve `{}`", path.display()))
}

/// Fills in the username and display name from the identity URL (best effort: the token may
/// lack the scope for it).
async fn complete_identity(client: &OAuthClient, authorization: &mut StoredAuthorization) {
    let Some(identity_url) = authorization.identity_url.clone() else {
        return;
    };
    match Identity::fetch(client.http_client(), &identity_url, &authorization.access_token).await {
        Ok(identity) => {
            let known_username = authorization.identity.username.take();
            authorization.identity = Identity {
                username: identity.username.or(known_username),
                ..identity
            };
        }
        Err(error) => tracing::info!(%error, "cannot read the identity URL"),
    }
}

/// Stores the authorization and says who it is for.
async fn finish(
    mut authorization: StoredAuthorization,
    client: Option<&OAuthClient>,
    host: Option<&LoginHostArgs>,
    credentials: &CredentialStore,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    if let Some(host) = host
        && let Some(path) = &host.ca_certificate
    {
        authorization.ca_certificate_file = Some(absolute(path)?);
    }
    if let Some(client) = client {
        complete_identity(client, &mut authorization).await;
    }
    authorization
        .save(credentials)
        .await
        .context("cannot store the authorization")?;
    let who = authorization
        .identity
        .username
        .as_deref()
        .unwrap_or("(user unknown)");
    printer.text(&format!(
        "authorized as {who} at {} ({} flow)\n",
        authorization.instance_url, authorization.flow
    ))?;
    Ok(ExitCode::SUCCESS)
}

async fn login(args: &AuthLoginArgs, data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let client = oauth_client(&args.host, &args.client_id, args.client_secret_env.as_deref())?;
    let mut options = WebServerFlowOptions {
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..WebServerFlowOptions::default()
    };
    if !args.scopes.is_empty() {
        options.scopes.clone_from(&args.scopes);
    }
    let pending = client
        .begin_web_server_flow(&options)
        .await
        .context("cannot start the browser login")?;
    {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "Open this URL in a browser to authorize leadgate (waiting {} s for the redirect to {}):\n\n  {}\n",
            options.timeout.as_secs(),
            pending.redirect_uri(),
            pending.authorization_url()
        )?;
        if !args.no_browser {
            let port = url::Url::parse(pending.redirect_uri())
                .ok()
                .and_then(|redirect| redirect.port())
                .map_or_else(|| "PORT".to_owned(), |port| port.to_string());
            match open_in_browser(pending.authorization_url()) {
                BrowserOutcome::OpenerStarted => {
                    writeln!(err, "(asked the system to open it in your browser)")?
                }
                BrowserOutcome::NotTried(BrowserAvailability::SshSession) => writeln!(
                    err,
                    "(no browser opened: this is an SSH session. The redirect goes to 127.0.0.1 on this \
                     machine, so open the URL here, or forward the port first: ssh -L {port}:127.0.0.1:{port} …)"
                )?,
                BrowserOutcome::NotTried(_) => writeln!(
                    err,
                    "(no browser opened: neither DISPLAY nor WAYLAND_DISPLAY is set. Open the URL in a \
                     browser that can reach 127.0.0.1 on this machine)"
                )?,
                BrowserOutcome::NoOpener => writeln!(
                    err,
                    "(no browser opened: neither xdg-open nor open could be started; open the URL yourself)"
                )?,
            }
        }
    }
    let tokens = pending.finish().await.context("the browser login failed")?;
    let authorization = StoredAuthorization::from_grant(Flow::WebServer, &client, tokens);
    finish(
        authorization,
        Some(&client),
        Some(&args.host),
        &credentials,
        printer,
    )
    .await
}

async fn jwt(args: &AuthJwtArgs, data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let client = oauth_client(&args.host, &args.client_id, None)?;
    let key_file = absolute(&args.key_file)?;
    let key = JwtSigningKey::from_file(&key_file)?;
    let audience = args
        .audience
        .clone()
        .unwrap_or_else(|| client.login_url().default_jwt_audience());
    let assertion = key.assertion(
        client.client_id(),
        &args.username,
        &audience,
        jiff::Timestamp::now().as_second(),
    )?;
    let tokens = client
        .jwt_bearer(&assertion)
        .await
        .context("the JWT bearer grant failed")?;
    let mut authorization = StoredAuthorization::from_grant(Flow::JwtBearer, &client, tokens);
    authorization.jwt_key_file = Some(key_file);
    authorization.jwt_audience = Some(audience);
    authorization.identity.username = Some(args.username.clone());
    finish(
        authorization,
        Some(&client),
        Some(&args.host),
        &credentials,
        printer,
    )
    .await
}

async fn password(args: &AuthPasswordArgs, data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let client = oauth_client(&args.host, &args.client_id, Some(&args.client_secret_env))?;
    let password = secret_from_environment_or_prompt(&args.password_env, "Salesforce password: ")?;
    let security_token =
        secret_from_environment_or_prompt(&args.security_token_env, "Security token (empty if none): ")?;
    let combined = SecretString::from(
        Zeroizing::new(format!(
            "{}{}",
            password.expose_secret(),
            security_token.expose_secret()
        ))
        .as_str(),
    );
    let tokens = client
        .password(&args.username, &combined)
        .await
        .context("the username-password grant failed")?;
    let mut authorization = StoredAuthorization::from_grant(Flow::Password, &client, tokens);
    authorization.identity.username = Some(args.username.clone());
    finish(
        authorization,
        Some(&client),
        Some(&args.host),
        &credentials,
        printer,
    )
    .await
}

async fn client_credentials(
    args: &AuthClientCredentialsArgs,
    data_dir: &Path,
    printer: &Printer,
) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let client = oauth_client(&args.host, &args.client_id, Some(&args.client_secret_env))?;
    let tokens = client
        .client_credentials()
        .await
        .context("the client credentials grant failed")?;
    let authorization = StoredAuthorization::from_grant(Flow::ClientCredentials, &client, tokens);
    finish(
        authorization,
        Some(&client),
        Some(&args.host),
        &credentials,
        printer,
    )
    .await
}

async fn token(args: &AuthTokenArgs, data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let access_token = match std::env::var(ACCESS_TOKEN_ENV) {
        Ok(value) if !value.trim().is_empty() => SecretString::from(value.trim()),
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("Paste the access token and press Enter:");
            }
            let mut line = Zeroizing::new(String::new());
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the access token from stdin")?;
            if line.trim().is_empty() {
                anyhow::bail!("no access token: set `{ACCESS_TOKEN_ENV}` or pass it on stdin");
            }
            SecretString::from(line.trim())
        }
    };
    let authorization = StoredAuthorization::from_access_token(&args.instance_url, access_token)?;
    finish(authorization, None, None, &credentials, printer).await
}

async fn status(args: &AuthStatusArgs, data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let Some(authorization) = StoredAuthorization::load(&credentials)? else {
        if args.json {
            printer.json_line(&NotAuthorizedDocument::default())?;
        } else {
            eprintln!("not authorized; run `leadgate auth login` (or `auth jwt`, `auth password`, …)");
        }
        return Ok(ExitCode::from(EXIT_FAILURE));
    };
    let ca_certificate = authorization.ca_certificate_file.clone();
    let provider = Arc::new(OAuthSessionProvider::new(credentials, authorization));
    let mut usage = None;
    let mut check_error = None;
    if !args.offline {
        match api_usage(Arc::clone(&provider), ca_certificate.as_deref()).await {
            Ok(found) => usage = found,
            Err(error) => check_error = Some(format!("{error:#}")),
        }
    }
    // After the check: it may have renewed the token.
    let authorization = provider.authorization().await;
    let now = jiff::Timestamp::now().as_millisecond();
    let age_seconds = authorization.token_age_milliseconds(now) / 1000;
    let identity = &authorization.identity;
    if args.json {
        printer.json_line(&AuthStatusDocument::new(
            &authorization,
            age_seconds,
            usage,
            check_error.as_deref(),
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let unknown = "unknown";
    let mut out = String::new();
    writeln!(
        out,
        "user:          {}",
        identity.username.as_deref().unwrap_or(unknown)
    )?;
    if let Some(name) = &identity.display_name {
        writeln!(out, "name:          {name}")?;
    }
    writeln!(
        out,
        "org:           {}",
        identity.organization_id.as_deref().unwrap_or(unknown)
    )?;
    writeln!(out, "instance:      {}", authorization.instance_url)?;
    writeln!(
        out,
        "login URL:     {}",
        authorization.login_url.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "flow:          {}", authorization.flow)?;
    writeln!(out, "token age:     {}", human_duration(age_seconds))?;
    writeln!(
        out,
        "refresh token: {}",
        if authorization.refresh_token.is_some() {
            "stored"
        } else {
            "none"
        }
    )?;
    match (usage, &check_error) {
        (Some((used, limit)), _) => writeln!(out, "API usage:     {used} of {limit} requests today")?,
        (None, Some(error)) => writeln!(out, "API usage:     unknown ({error})")?,
        (None, None) => writeln!(out, "API usage:     unknown")?,
    }
    printer.text(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// One `/limits` request: it proves the session works (renewing it if needed) and reports the
/// daily API usage, from `Sforce-Limit-Info` or else from the limits themselves.
async fn api_usage(
    provider: Arc<OAuthSessionProvider<CredentialStore>>,
    ca_certificate: Option<&Path>,
) -> anyhow::Result<Option<(i64, i64)>> {
    let mut builder = Client::builder();
    if let Some(path) = ca_certificate {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read the certificate `{}`", path.display()))?;
        builder = builder.add_root_certificate_pem(pem);
    }
    let client = builder.build_shared(provider)?;
    let limits = client.limits().await.context("the session check failed")?;
    let from_header = client
        .api_usage()
        .and_then(|usage| Some((i64::try_from(usage.used).ok()?, i64::try_from(usage.limit).ok()?)));
    Ok(from_header.or_else(|| limits.daily_api_requests().map(|limit| (limit.used(), limit.max))))
}

/// `3 h 12 min`, `45 s`.
fn human_duration(seconds: i64) -> String {
    match seconds {
        ..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{} d {} h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

async fn logout(data_dir: &Path, printer: &Printer) -> anyhow::Result<ExitCode> {
    let credentials = credentials(data_dir)?;
    let Some(authorization) = StoredAuthorization::load(&credentials)? else {
        eprintln!("nothing to log out of: no authorization is stored");
        return Ok(ExitCode::SUCCESS);
    };
    // Revoking the refresh token also revokes every access token issued from it.
    let token = authorization
        .refresh_token
        .as_ref()
        .unwrap_or(&authorization.access_token);
    match authorization.oauth_client()? {
        Some(client) => match client.revoke(token).await {
            Ok(()) => eprintln!("revoked the tokens at {}", client.login_url()),
            Err(error) => eprintln!("warning: revoking the tokens failed ({error}); deleting them anyway"),
        },
        None => eprintln!("a token given by hand is not revoked (no login URL is known); deleting it"),
    }
    StoredAuthorization::delete(&credentials)
        .await
        .context("cannot delete the stored authorization")?;
    printer.text("logged out\n")?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(5), "5 s");
        assert_eq!(human_duration(125), "2 min");
        assert_eq!(human_duration(3 * 3600 + 12 * 60), "3 h 12 min");
        assert_eq!(human_duration(2 * 86_400 + 3600), "2 d 1 h");
    }
}
