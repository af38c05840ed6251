//! The `leadgate auth` and `leadgate sf` commands as a user runs them, against the in-process
//! sandbox org: the browser login through the loopback listener with the test playing the
//! browser, the other grants, `auth status` and `auth logout`, a stored root certificate, and a
//! canary hunt through the commands' TRACE output and the data directory.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

use leadgate_salesforce::auth::StoredAuthorization;
use leadgate_salesforce::secrecy::ExposeSecret as _;
use leadgate_salesforce::{Client, StaticSession};
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USERNAME,
};
use leadgate_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::data_dir::{contains, credentials, files_under};
use crate::support::leadgate_command::{LeadgateCommand, stderr, stdout};
use crate::support::salesforce_login::{approve, browser, count, data_status, sandbox};

/// `leadgate ARGS` on `data_dir`, with `environment` set on purpose, off the runtime's threads
/// so that the in-process sandbox keeps serving.
async fn leadgate_async(data_dir: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .envs(environment.iter().copied())
        .output_async()
        .await
}

/// `leadgate auth login --no-browser` with the test as the browser: reads the authorization
/// URL from the command's stderr, approves it at the sandbox (which auto-approves), follows
/// the redirect to the loopback listener, and waits for the command. Returns its output and
/// the authorization code the redirect carried.
async fn browser_login(sandbox: &Sandbox, data_dir: &Path, environment: &[(&str, &str)]) -> (Output, String) {
    let mut child = LeadgateCommand::new([
        "auth",
        "login",
        "--no-browser",
        "--timeout",
        "60",
        "--login-url",
        sandbox.base_url(),
        "--client-id",
        DEFAULT_CLIENT_ID,
    ])
    .data_dir(data_dir)
    .envs(environment.iter().copied())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn();
    let child_stderr = child.stderr.take().expect("piped stderr");
    let (url_sender, url_receiver) = tokio::sync::oneshot::channel::<String>();
    // Reads stderr to its end on a thread of its own; the URL is handed over as soon as it is
    // printed, since the command waits for the browser before it ends.
    let reader = std::thread::spawn(move || {
        let mut sender = Some(url_sender);
        let mut text = String::new();
        for line in BufReader::new(child_stderr).lines() {
            let line = line.expect("stderr is text");
            let trimmed = line.trim();
            if trimmed.starts_with("http")
                && trimmed.contains("/services/oauth2/authorize")
                && let Some(sender) = sender.take()
            {
                let _ = sender.send(trimmed.to_owned());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let authorization_url = match url_receiver.await {
        Ok(url) => url,
        Err(_) => {
            let text = reader.join().expect("the reader ends");
            panic!("the command printed no authorization URL:\n{text}");
        }
    };
    let callback = approve(&authorization_url).await;
    let code = reqwest::Url::parse(&callback)
        .expect("the callback is a URL")
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, value)| value.into_owned())
        .expect("the callback carries a code");
    let page = browser()
        .get(&callback)
        .send()
        .await
        .expect("the loopback listener answers");
    assert_eq!(page.status(), StatusCode::OK);
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join");
    let stderr_text = reader.join().expect("the reader ends");
    (
        Output {
            status: output.status,
            stdout: output.stdout,
            stderr: stderr_text.into_bytes(),
        },
        code,
    )
}

/// Two Leads in the sandbox, made with a token of its default user.
async fn seed_leads(sandbox: &Sandbox) {
    let token = sandbox.control().access_token().expect("a token");
    let client = Client::builder()
        .no_proxy()
        .build(StaticSession::from_token(sandbox.base_url(), token))
        .expect("a client");
    let leads = [
        json!({"LastName": "Lovelace", "Company": "Analytical Engines"}),
        json!({"LastName": "Hopper", "Company": "Navy"}),
    ];
    client
        .create_records("Lead", &leads, true)
        .await
        .expect("created");
}

/// The stored access and refresh tokens (the commands must have ended: the store is locked
/// while one runs).
fn stored_tokens(data_dir: &Path) -> Vec<String> {
    let stored = StoredAuthorization::load(&credentials(data_dir))
        .expect("load")
        .expect("an authorization is stored");
    let mut tokens = vec![stored.access_token.expose_secret().to_owned()];
    tokens.extend(stored.refresh_token.map(|token| token.expose_secret().to_owned()));
    tokens
}

/// The issue's "done when": the browser login through the loopback listener, then a query
/// that prints rows and a status that shows usage, all with the stored authorization.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_login_through_the_browser_then_sf_query_and_auth_status() {
    let sandbox = sandbox().await;
    seed_leads(&sandbox).await;
    let data_dir = tempfile::tempdir().expect("temp dir");

    let (login, code) = browser_login(&sandbox, data_dir.path(), &[]).await;
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(
        stderr(&login).contains("Open this URL in a browser"),
        "{}",
        stderr(&login)
    );
    assert_eq!(
        stdout(&login).trim(),
        format!(
            "authorized as {DEFAULT_USERNAME} at {} (web-server flow)",
            sandbox.base_url()
        )
    );
    assert_eq!(count(&sandbox, "authorization_code"), 1);

    let query = leadgate_async(
        data_dir.path(),
        &["sf", "query", "SELECT Id, LastName FROM Lead"],
        &[],
    )
    .await;
    assert!(query.status.success(), "{}", stderr(&query));
    let table = stdout(&query);
    let lines: Vec<&str> = table.lines().filter(|line| !line.trim().is_empty()).collect();
    assert!(
        lines[0].starts_with("Id") && lines[0].contains("LastName"),
        "{table}"
    );
    for name in ["Lovelace", "Hopper"] {
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with("00Q") && line.contains(name)),
            "{name} is not a row: {table}"
        );
    }

    let status = leadgate_async(data_dir.path(), &["auth", "status"], &[]).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let shown = stdout(&status);
    assert!(
        shown.contains(&format!("user:          {DEFAULT_USERNAME}")),
        "{shown}"
    );
    assert!(shown.contains("flow:          web-server"), "{shown}");
    assert!(shown.contains("refresh token: stored"), "{shown}");
    let usage_line = shown
        .lines()
        .find(|line| line.starts_with("API usage:"))
        .unwrap_or_default();
    assert!(
        usage_line.ends_with(" of 15000 requests today"),
        "the usage is known: {shown}"
    );

    let mut secrets = stored_tokens(data_dir.path());
    assert_eq!(secrets.len(), 2, "an access and a refresh token");
    secrets.push(code);
    for output in [&login, &query, &status] {
        let printed = format!("{}{}", stdout(output), stderr(output));
        for secret in &secrets {
            assert!(
                !printed.contains(secret.as_str()),
                "a secret was printed: {printed}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_password_status_and_logout_work_from_the_command_line() {
    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let login = leadgate_async(
        data_dir.path(),
        &[
            "auth",
            "password",
            "--login-url",
            sandbox.base_url(),
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--username",
            DEFAULT_USERNAME,
        ],
        &[
            ("LEADGATE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
            ("LEADGATE_SF_PASSWORD", DEFAULT_PASSWORD),
            ("LEADGATE_SF_SECURITY_TOKEN", DEFAULT_SECURITY_TOKEN),
        ],
    )
    .await;
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(stdout(&login).contains(DEFAULT_USERNAME), "{}", stdout(&login));

    let status = leadgate_async(data_dir.path(), &["auth", "status", "--json"], &[]).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let document: Value = serde_json::from_str(&stdout(&status)).expect("JSON status");
    assert_eq!(document["authorized"], true);
    assert_eq!(document["flow"], "password");
    assert_eq!(document["username"], DEFAULT_USERNAME);
    assert_eq!(document["instance_url"], sandbox.base_url());
    assert!(document["api_usage"]["limit"].as_i64().is_some(), "{document}");
    let printed = format!("{}{}{}", stdout(&status), stderr(&status), stdout(&login));
    assert!(!printed.contains(DEFAULT_CLIENT_SECRET) && !printed.contains(DEFAULT_PASSWORD));

    let access_token = {
        let store = credentials(data_dir.path());
        let stored = StoredAuthorization::load(&store).expect("load").expect("stored");
        assert!(!printed.contains(stored.access_token.expose_secret()));
        stored.access_token.expose_secret().to_owned()
    };
    assert_eq!(data_status(&sandbox, &access_token).await, StatusCode::OK);

    let logout = leadgate_async(data_dir.path(), &["auth", "logout"], &[]).await;
    assert!(logout.status.success(), "{}", stderr(&logout));
    assert_eq!(
        data_status(&sandbox, &access_token).await,
        StatusCode::UNAUTHORIZED
    );
    let after = leadgate_async(data_dir.path(), &["auth", "status", "--json"], &[]).await;
    assert!(!after.status.success());
    assert_eq!(stdout(&after).trim(), r#"{"authorized":false}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_jwt_and_auth_client_credentials_store_working_authorizations() {
    let sandbox = sandbox().await;
    seed_leads(&sandbox).await;

    let jwt_dir = tempfile::tempdir().expect("temp dir");
    let key_file = jwt_dir.path().join("server.key");
    std::fs::write(&key_file, DEFAULT_JWT_PRIVATE_KEY_PEM).expect("key written");
    let data_dir = jwt_dir.path().join("data");
    let jwt = leadgate_async(
        &data_dir,
        &[
            "auth",
            "jwt",
            "--login-url",
            sandbox.base_url(),
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--username",
            DEFAULT_USERNAME,
            "--key-file",
            key_file.to_str().expect("a UTF-8 path"),
        ],
        &[],
    )
    .await;
    assert!(jwt.status.success(), "{}", stderr(&jwt));
    assert!(stdout(&jwt).contains("(jwt-bearer flow)"), "{}", stdout(&jwt));
    assert!(count(&sandbox, "jwt_bearer") >= 1);
    // The stored authorization renews itself with a new assertion once the token expires.
    sandbox.control().expire_access_tokens();
    let before = count(&sandbox, "jwt_bearer");
    let query = leadgate_async(
        &data_dir,
        &["sf", "query", "SELECT LastName FROM Lead", "--json"],
        &[],
    )
    .await;
    assert!(query.status.success(), "{}", stderr(&query));
    let rows: Value = serde_json::from_str(&stdout(&query)).expect("JSON rows");
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "{rows}");
    assert_eq!(count(&sandbox, "jwt_bearer"), before + 1, "one new assertion");

    let data_dir = tempfile::tempdir().expect("temp dir");
    let arguments = [
        "auth",
        "client-credentials",
        "--login-url",
        sandbox.base_url(),
        "--client-id",
        DEFAULT_CLIENT_ID,
    ];
    let without_secret = leadgate_async(data_dir.path(), &arguments, &[]).await;
    assert!(!without_secret.status.success());
    assert!(
        stderr(&without_secret).contains("LEADGATE_CLIENT_SECRET"),
        "{}",
        stderr(&without_secret)
    );
    let granted = leadgate_async(
        data_dir.path(),
        &arguments,
        &[("LEADGATE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)],
    )
    .await;
    assert!(granted.status.success(), "{}", stderr(&granted));
    assert!(
        stdout(&granted).contains("(client-credentials flow)"),
        "{}",
        stdout(&granted)
    );
    assert_eq!(count(&sandbox, "client_credentials"), 1);
    let status = leadgate_async(data_dir.path(), &["auth", "status", "--json"], &[]).await;
    assert!(status.status.success(), "{}", stderr(&status));
    let document: Value = serde_json::from_str(&stdout(&status)).expect("JSON status");
    assert_eq!(document["flow"], "client-credentials");
    assert!(document["check_error"].is_null(), "{document}");
    assert!(document["api_usage"]["used"].as_i64().is_some(), "{document}");
    let printed = format!("{}{}{}", stdout(&granted), stderr(&granted), stdout(&status));
    assert!(!printed.contains(DEFAULT_CLIENT_SECRET));
    for token in stored_tokens(data_dir.path()) {
        assert!(!printed.contains(&token));
    }
}

/// `sf` trusts the root certificate stored by `auth … --ca-certificate`, as `auth status` does:
/// the sandbox over HTTPS with its self-signed certificate works without repeating the flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sf_commands_trust_the_certificate_stored_with_the_authorization() {
    let sandbox = Sandbox::start(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("the sandbox starts over HTTPS");
    let directory = tempfile::tempdir().expect("temp dir");
    let certificate = directory.path().join("sandbox.pem");
    std::fs::write(&certificate, sandbox.certificate_pem().expect("a certificate")).expect("written");
    let data_dir = directory.path().join("data");
    let login = leadgate_async(
        &data_dir,
        &[
            "auth",
            "password",
            "--login-url",
            sandbox.base_url(),
            "--ca-certificate",
            certificate.to_str().expect("a UTF-8 path"),
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--username",
            DEFAULT_USERNAME,
        ],
        &[
            ("LEADGATE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
            ("LEADGATE_SF_PASSWORD", DEFAULT_PASSWORD),
            ("LEADGATE_SF_SECURITY_TOKEN", DEFAULT_SECURITY_TOKEN),
        ],
    )
    .await;
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(sandbox.base_url().starts_with("https://"));

    let limits = leadgate_async(&data_dir, &["sf", "limits"], &[]).await;
    assert!(limits.status.success(), "{}", stderr(&limits));
    assert!(
        stdout(&limits).contains("DailyApiRequests"),
        "{}",
        stdout(&limits)
    );
    let describe = leadgate_async(&data_dir, &["sf", "describe", "Lead", "--json"], &[]).await;
    assert!(describe.status.success(), "{}", stderr(&describe));

    // The certificate is what makes it work: without it the connection is refused.
    std::fs::write(&certificate, "").expect("emptied");
    let refused = leadgate_async(&data_dir, &["sf", "limits"], &[]).await;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("certificate"), "{}", stderr(&refused));
}

/// Every `auth` and `sf` command run with `RUST_LOG=trace`: no token, authorization code,
/// client secret or password may appear in what they print (logs included), nor in clear text
/// in any file of the data directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_commands_trace_output_or_the_data_directory() {
    let sandbox = sandbox().await;
    seed_leads(&sandbox).await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let trace = [("RUST_LOG", "trace")];
    let mut outputs: Vec<Output> = Vec::new();
    let mut canaries: Vec<String> = vec![
        DEFAULT_CLIENT_SECRET.to_owned(),
        DEFAULT_PASSWORD.to_owned(),
        DEFAULT_SECURITY_TOKEN.to_owned(),
    ];

    let (login, code) = browser_login(&sandbox, data_dir.path(), &trace).await;
    assert!(login.status.success(), "{}", stderr(&login));
    canaries.push(code);
    outputs.push(login);
    canaries.extend(stored_tokens(data_dir.path()));
    for arguments in [
        &["auth", "status"][..],
        &["sf", "query", "SELECT Id, LastName FROM Lead"],
        &["sf", "limits"],
    ] {
        outputs.push(leadgate_async(data_dir.path(), arguments, &trace).await);
    }
    // A refresh, through the commands.
    sandbox.control().expire_access_tokens();
    outputs.push(leadgate_async(data_dir.path(), &["sf", "describe", "Lead"], &trace).await);
    canaries.extend(stored_tokens(data_dir.path()));

    // The grants that take a client secret and a password.
    let host = [
        "--login-url",
        sandbox.base_url(),
        "--client-id",
        DEFAULT_CLIENT_ID,
    ];
    let secret = ("LEADGATE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
    let client_credentials: Vec<&str> = ["auth", "client-credentials"]
        .iter()
        .chain(&host)
        .copied()
        .collect();
    outputs.push(leadgate_async(data_dir.path(), &client_credentials, &[trace[0], secret]).await);
    canaries.extend(stored_tokens(data_dir.path()));
    let password: Vec<&str> = ["auth", "password", "--username", DEFAULT_USERNAME]
        .iter()
        .chain(&host)
        .copied()
        .collect();
    outputs.push(
        leadgate_async(
            data_dir.path(),
            &password,
            &[
                trace[0],
                secret,
                ("LEADGATE_SF_PASSWORD", DEFAULT_PASSWORD),
                ("LEADGATE_SF_SECURITY_TOKEN", DEFAULT_SECURITY_TOKEN),
            ],
        )
        .await,
    );
    canaries.extend(stored_tokens(data_dir.path()));
    // A refused password grant prints its error.
    outputs.push(
        leadgate_async(
            data_dir.path(),
            &password,
            &[
                trace[0],
                secret,
                ("LEADGATE_SF_PASSWORD", DEFAULT_PASSWORD),
                ("LEADGATE_SF_SECURITY_TOKEN", ""),
            ],
        )
        .await,
    );
    outputs.push(leadgate_async(data_dir.path(), &["auth", "logout"], &trace).await);

    let printed: String = outputs
        .iter()
        .map(|output| format!("{}{}", stdout(output), stderr(output)))
        .collect();
    assert!(
        printed.contains("TRACE") && printed.contains("DEBUG"),
        "the commands logged at TRACE level"
    );
    assert!(
        printed.contains("Salesforce session renewed"),
        "a refresh was logged"
    );
    assert!(
        outputs[..outputs.len() - 2]
            .iter()
            .all(|output| output.status.success())
    );
    assert!(
        !outputs[outputs.len() - 2].status.success(),
        "the bad password was refused"
    );
    let files = files_under(data_dir.path());
    assert!(files.len() > 1);
    assert!(canaries.len() >= 9, "{} canaries", canaries.len());
    for canary in &canaries {
        assert!(
            !printed.contains(canary.as_str()),
            "a canary is in the commands' output"
        );
        for (path, bytes) in &files {
            assert!(
                !contains(bytes, canary.as_bytes()),
                "a canary is in clear text in {}",
                path.display()
            );
        }
    }
}
