//! `leadgate sandbox` as a user runs it: the real binary on a free port, reached over HTTP with
//! a password-grant token, stopped with SIGINT or SIGTERM, and started again on its state file.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use crate::support::leadgate_command::{LeadgateChild, LeadgateCommand};
use crate::support::sandbox::{
    VERSION, assert_data_headers, assert_shape, client, fixture, fixture_text, jwt_bearer_grant,
    password_grant, refresh_grant, send, web_server_flow,
};

/// What `leadgate sandbox` prints first, followed by its URL.
const LISTENING: &str = "sandbox org listening on ";

/// A `leadgate sandbox` process; killed if a test ends without stopping it.
struct SandboxProcess {
    child: LeadgateChild,
    base_url: String,
    /// Held open: the command prints more lines after its URL, and would fail to write them
    /// (and stop) if the reading end were closed.
    _stdout: BufReader<ChildStdout>,
}

impl SandboxProcess {
    /// Starts `leadgate sandbox --port 0 ARGS…` and waits for the line with its URL.
    fn start(args: &[&str]) -> Self {
        let mut child = LeadgateCommand::new(["sandbox", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stdout = BufReader::new(stdout);
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).expect("stdout is readable");
        let Some(base_url) = first_line.trim_end().strip_prefix(LISTENING) else {
            let _ = child.kill();
            let mut errors = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut errors);
            }
            panic!("unexpected first line {first_line:?}; stderr: {errors}");
        };
        Self {
            base_url: base_url.to_owned(),
            child,
            _stdout: stdout,
        }
    }

    fn data(&self, path: &str) -> String {
        format!("{}/services/data/{VERSION}{path}", self.base_url)
    }

    /// Sends `signal` (`INT`, `TERM`) and waits for the process to exit.
    fn stop_with(mut self, signal: &str) -> (ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -s {signal} failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().expect("the process can be waited for") {
                break exit;
            }
            assert!(
                Instant::now() < deadline,
                "`leadgate sandbox` did not stop on SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut errors = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut errors).expect("stderr is readable");
        }
        (exit, errors)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        // Only a process still running is killed (a test that failed half-way).
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn path(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A token of the default user from the password grant, checked against the fixture.
async fn access_token(client: &Client, base: &str) -> String {
    let reply = password_grant(client, base).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_shape(&reply.body, &fixture("token_password.json"));
    assert_eq!(reply.body["instance_url"], base);
    reply.body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

async fn query(client: &Client, sandbox: &SandboxProcess, token: &str, soql: &str) -> Value {
    let reply = send(
        client
            .get(sandbox.data("/query"))
            .bearer_auth(token)
            .query(&[("q", soql)]),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_data_headers(&reply);
    reply.body
}

#[tokio::test]
async fn the_command_serves_the_api_and_keeps_its_leads_across_sigint_and_sigterm() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let state = directory.path().join("org.json");
    let client = client();

    let sandbox = SandboxProcess::start(&["--state", path(&state)]);
    assert!(
        sandbox.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        sandbox.base_url
    );
    let token = access_token(&client, &sandbox.base_url).await;

    let versions = send(client.get(format!("{}/services/data/", sandbox.base_url))).await;
    assert_eq!(versions.status, 200);
    assert_shape(&versions.body[0], &fixture("versions.json"));

    let created = send(
        client
            .post(sandbox.data("/sobjects/Lead"))
            .bearer_auth(&token)
            .json(&json!({"LastName": "Lovelace", "Company": "Analytical Engines"})),
    )
    .await;
    assert_eq!(created.status, 201, "{created:?}");
    assert_data_headers(&created);
    assert_shape(&created.body, &fixture("create.json"));
    let id = created.body["id"].as_str().expect("an id").to_owned();

    let soql = "SELECT Id, LastName FROM Lead WHERE Company = 'Analytical Engines'";
    let found = query(&client, &sandbox, &token, soql).await;
    assert_eq!(found["totalSize"], 1);
    assert_eq!(found["done"], true);
    assert_eq!(found["records"][0]["Id"], id.as_str());
    assert_eq!(found["records"][0]["LastName"], "Lovelace");
    assert!(
        !state.exists(),
        "the state file is written at shutdown, not before"
    );

    let (exit, errors) = sandbox.stop_with("INT");
    assert!(exit.success(), "{exit:?}: {errors}");
    let saved = std::fs::read_to_string(&state).expect("Ctrl-C wrote the state file");
    assert!(saved.contains(&id), "{saved}");

    // Started again on the same file, the org still has the Lead; a new one is added and
    // SIGTERM must save it just as Ctrl-C did.
    let sandbox = SandboxProcess::start(&["--state", path(&state)]);
    let token = access_token(&client, &sandbox.base_url).await;
    let restored = send(
        client
            .get(sandbox.data(&format!("/sobjects/Lead/{id}")))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(restored.status, 200, "{restored:?}");
    assert_eq!(restored.body["LastName"], "Lovelace");
    assert_eq!(restored.body["Company"], "Analytical Engines");
    let found = query(&client, &sandbox, &token, soql).await;
    assert_eq!(found["totalSize"], 1);
    let second = send(
        client
            .post(sandbox.data("/sobjects/Lead"))
            .bearer_auth(&token)
            .json(&json!({"LastName": "Babbage", "Company": "Analytical Engines"})),
    )
    .await;
    assert_eq!(second.status, 201, "{second:?}");
    let second_id = second.body["id"].as_str().expect("an id").to_owned();

    let (exit, errors) = sandbox.stop_with("TERM");
    assert!(exit.success(), "{exit:?}: {errors}");
    let saved = std::fs::read_to_string(&state).expect("SIGTERM wrote the state file");
    assert!(saved.contains(&id) && saved.contains(&second_id), "{saved}");

    let sandbox = SandboxProcess::start(&["--state", path(&state)]);
    let token = access_token(&client, &sandbox.base_url).await;
    let found = query(&client, &sandbox, &token, soql).await;
    assert_eq!(found["totalSize"], 2, "{found}");
    let (exit, errors) = sandbox.stop_with("TERM");
    assert!(exit.success(), "{exit:?}: {errors}");
}

#[tokio::test]
async fn with_tls_the_command_writes_a_certificate_clients_can_trust() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let certificate = directory.path().join("sandbox.pem");
    let sandbox = SandboxProcess::start(&["--tls", "--certificate-out", path(&certificate)]);
    assert!(
        sandbox.base_url.starts_with("https://127.0.0.1:"),
        "{}",
        sandbox.base_url
    );
    let pem = std::fs::read(&certificate).expect("the certificate was written before the URL");
    let trusting = Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .build()
        .expect("a client");
    let token = access_token(&trusting, &sandbox.base_url).await;
    let limits = send(trusting.get(sandbox.data("/limits")).bearer_auth(&token)).await;
    assert_eq!(limits.status, 200, "{limits:?}");
    assert_data_headers(&limits);
    let refused = client()
        .get(format!("{}/services/data/", sandbox.base_url))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "without the certificate the connection is refused"
    );
    let (exit, errors) = sandbox.stop_with("INT");
    assert!(exit.success(), "{exit:?}: {errors}");
}

#[tokio::test]
async fn the_oauth_flags_turn_on_rotation_and_a_custom_jwt_certificate() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let certificate = directory.path().join("jwt.pem");
    std::fs::write(&certificate, fixture_text("jwt_test_certificate.pem")).expect("write");
    let sandbox = SandboxProcess::start(&[
        "--auto-approve",
        "--rotate-refresh-tokens",
        "--jwt-certificate",
        path(&certificate),
    ]);
    let client = client();
    let base = sandbox.base_url.clone();

    let signed_with_test_key =
        jwt_bearer_grant(&client, &base, &fixture_text("jwt_test_private_key.pem")).await;
    assert_eq!(signed_with_test_key.status, 200, "{signed_with_test_key:?}");
    let signed_with_default_key = jwt_bearer_grant(
        &client,
        &base,
        leadgate_sandbox::oauth::DEFAULT_JWT_PRIVATE_KEY_PEM,
    )
    .await;
    assert_eq!(
        signed_with_default_key.status, 400,
        "the built-in certificate was replaced"
    );
    assert_eq!(signed_with_default_key.body["error"], "invalid_grant");

    let tokens = web_server_flow(&base).await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let first = tokens.body["refresh_token"].as_str().expect("a refresh token");
    let refreshed = refresh_grant(&client, &base, first).await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    let second = refreshed.body["refresh_token"]
        .as_str()
        .expect("rotation answers a new refresh token");
    assert_ne!(first, second);
    assert_eq!(refresh_grant(&client, &base, first).await.status, 400);
    assert_eq!(refresh_grant(&client, &base, second).await.status, 200);

    let (exit, errors) = sandbox.stop_with("INT");
    assert!(exit.success(), "{exit:?}: {errors}");
}

#[test]
fn an_unreadable_jwt_certificate_stops_the_command_with_a_message() {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let certificate = directory.path().join("jwt.pem");
    std::fs::write(&certificate, "not a certificate").expect("write");
    let output =
        LeadgateCommand::new(["sandbox", "--port", "0", "--jwt-certificate", path(&certificate)]).output();
    assert_eq!(output.status.code(), Some(1));
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(errors.contains("JWT bearer certificate"), "{errors}");
    assert!(output.stdout.is_empty(), "nothing listens: {:?}", output.stdout);
}
