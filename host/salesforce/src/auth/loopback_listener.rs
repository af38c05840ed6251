//! The one-shot listener on `127.0.0.1` that catches the web-server flow's redirect.
//!
//! It serves `GET /callback` once: with the expected `state` and a `code`, it thanks the
//! browser and hands the code over; with an OAuth `error`, a wrong or missing `state`, or no
//! code, it shows an error page and the flow fails (a forged callback must not be retried
//! against, nor its code exchanged). Any other path gets a 404 and the listener keeps waiting.
//! Connections are served concurrently, so a browser's idle pre-connection cannot hold the
//! real callback up.

use std::sync::Arc;

use secrecy::{ExposeSecret as _, SecretString};
use subtle::ConstantTimeEq as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::configuration_error::ConfigurationError;
use crate::session::AuthError;

/// The callback's path.
const CALLBACK_PATH: &str = "/callback";

/// The largest request head read (the callback's query is well under this).
const MAXIMUM_REQUEST_BYTES: usize = 16 * 1024;

/// How long one connection may take to send its request.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

const SUCCESS_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>leadgate</title></head>\
<body><h1>leadgate is authorized</h1><p>You can close this tab and return to the terminal.</p></body></html>";

const STATE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>leadgate</title></head>\
<body><h1>Authorization refused</h1><p>This callback does not belong to the login leadgate started \
(its <code>state</code> is wrong or missing), so it was ignored. Run <code>leadgate auth login</code> again.</p></body></html>";

const ERROR_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>leadgate</title></head>\
<body><h1>Authorization failed</h1><p>Salesforce did not authorize leadgate; the terminal says why. \
You can close this tab.</p></body></html>";

const NOT_FOUND_PAGE: &str = "<!doctype html><html><body><p>Not found.</p></body></html>";

/// A bound listener waiting for the redirect.
pub(super) struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Binds `127.0.0.1` on a port the system chooses.
    pub(super) async fn bind() -> Result<Self, AuthError> {
        let bind_error = ConfigurationError::LoopbackListener;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        Ok(Self { listener, port })
    }

    /// `http://127.0.0.1:{port}/callback`: a loopback IP literal, which Salesforce (like
    /// RFC 8252 §7.3) matches on any port against a registered `http://127.0.0.1/callback`.
    pub(super) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serves connections until the callback arrives or `deadline` passes; returns its code.
    pub(super) async fn wait_for_code(
        self,
        expected_state: SecretString,
        deadline: Instant,
        timeout_seconds: u64,
    ) -> Result<SecretString, AuthError> {
        let expected_state = Arc::new(expected_state);
        let (sender, mut receiver) = mpsc::channel::<Result<SecretString, AuthError>>(1);
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    match accepted {
                        Ok((stream, _)) => {
                            let sender = sender.clone();
                            let expected_state = Arc::clone(&expected_state);
                            connections.spawn(async move {
                                if let Some(outcome) = serve(stream, &expected_state).await {
                                    let _ = sender.send(outcome).await;
                                }
                            });
                        }
                        Err(error) => tracing::debug!(%error, "accepting a callback connection failed"),
                    }
                }
                Some(outcome) = receiver.recv() => return outcome,
                () = tokio::time::sleep_until(deadline) => {
                    return Err(ConfigurationError::BrowserTimedOut { seconds: timeout_seconds }.into());
                }
            }
        }
    }
}

/// Serves one connection: the outcome when it was the callback, `None` otherwise.
async fn serve(
    mut stream: TcpStream,
    expected_state: &SecretString,
) -> Option<Result<SecretString, AuthError>> {
    let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream))
        .await
        .ok()??;
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if method != "GET" || path != CALLBACK_PATH {
        respond(&mut stream, "404 Not Found", NOT_FOUND_PAGE).await;
        return None;
    }
    let outcome = judge(query, expected_state);
    let (status, page) = match &outcome {
        Ok(_) => ("200 OK", SUCCESS_PAGE),
        Err(AuthError::Oauth { .. }) => ("400 Bad Request", ERROR_PAGE),
        Err(_) => ("400 Bad Request", STATE_PAGE),
    };
    respond(&mut stream, status, page).await;
    Some(outcome)
}

/// Decides what a callback's query means.
fn judge(query: &str, expected_state: &SecretString) -> Result<SecretString, AuthError> {
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "state" => state = Some(SecretString::from(value.into_owned())),
            "code" => code = Some(SecretString::from(value.into_owned())),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    // The state is checked first, errors included: a forged error must not end a login either
    // silently or as the server's word.
    let state_matches = state.is_some_and(|state| {
        bool::from(
            state
                .expose_secret()
                .as_bytes()
                .ct_eq(expected_state.expose_secret().as_bytes()),
        )
    });
    if !state_matches {
        tracing::warn!("refused an OAuth callback whose state does not match");
        return Err(AuthError::InvalidResponse(
            "the OAuth callback's `state` is wrong or missing (a forged or stale redirect); nothing was exchanged"
                .to_owned(),
        ));
    }
    if let Some(error) = error {
        return Err(AuthError::Oauth {
            error,
            description: description.unwrap_or_default(),
        });
    }
    code.filter(|code| !code.expose_secret().is_empty())
        .ok_or_else(|| AuthError::InvalidResponse("the OAuth callback carries no `code`".to_owned()))
}

/// Reads up to the end of the request head (`\r\n\r\n`); `None` for a connection that closes
/// first or sends too much.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if buffer.windows(4).any(|window| window == b"\r\n\r\n") {
            return String::from_utf8(buffer).ok();
        }
        if buffer.len() > MAXIMUM_REQUEST_BYTES {
            return None;
        }
    }
}

async fn respond(stream: &mut TcpStream, status: &str, page: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    if let Err(error) = stream.write_all(response.as_bytes()).await {
        tracing::debug!(%error, "answering the browser failed");
    }
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SecretString {
        SecretString::from("expected-state")
    }

    #[test]
    fn the_right_state_yields_the_code() -> Result<(), AuthError> {
        let code = judge("code=abc%21def&state=expected-state", &state())?;
        assert_eq!(code.expose_secret(), "abc!def");
        Ok(())
    }

    #[test]
    fn a_wrong_or_missing_state_is_refused_even_with_an_error() {
        for query in [
            "code=abc&state=forged",
            "code=abc",
            "error=access_denied&state=forged",
            "code=abc&state=",
        ] {
            assert!(
                matches!(judge(query, &state()), Err(AuthError::InvalidResponse(_))),
                "{query}"
            );
        }
    }

    #[test]
    fn an_error_with_the_right_state_is_the_servers_answer() {
        let outcome = judge(
            "error=access_denied&error_description=end-user+denied+authorization&state=expected-state",
            &state(),
        );
        assert!(matches!(
            outcome,
            Err(AuthError::Oauth { error, description })
                if error == "access_denied" && description == "end-user denied authorization"
        ));
    }
}
