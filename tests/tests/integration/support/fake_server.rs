//! A scripted HTTP server on loopback, for what the sandbox org does not do on purpose:
//! redirects, `Retry-After` headers, a bulk job whose polls meet a busy server. Each request
//! gets the next answer of the script (the last one repeats), and every request is recorded with
//! the moment it arrived, so that tests can count requests and measure the waits between them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: String,
}

impl Answer {
    /// An answer with a JSON body.
    pub(crate) fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.to_string(),
        }
    }

    /// A redirect to `location`.
    pub(crate) fn redirect(status: u16, location: String) -> Self {
        Self {
            status,
            headers: vec![("location", location)],
            body: String::new(),
        }
    }

    /// With one more header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) at: Instant,
}

/// A running scripted server.
pub(crate) struct FakeServer {
    base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeServer {
    /// Serves `script` (at least one answer) on a free loopback port.
    pub(crate) async fn start(script: Vec<Answer>) -> Self {
        assert!(!script.is_empty(), "a script needs an answer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let recorder = Arc::clone(&received);
        let script = Arc::new(script);
        let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let recorder = Arc::clone(&recorder);
            let script = Arc::clone(&script);
            async move {
                let index = {
                    let mut received = recorder.lock().expect("lock");
                    received.push(Received {
                        method: request.method().to_string(),
                        path: request.uri().path().to_owned(),
                        at: Instant::now(),
                    });
                    received.len() - 1
                };
                let answer = &script[index.min(script.len() - 1)];
                let mut builder = axum::response::Response::builder().status(answer.status);
                for (name, value) in &answer.headers {
                    builder = builder.header(*name, value);
                }
                builder.body(answer.body.clone()).expect("a response")
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base_url,
            received,
            task,
        }
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request so far, in arrival order.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub(crate) fn hits(&self) -> usize {
        self.received.lock().expect("lock").len()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The wait between request `index` and the one after it.
pub(crate) fn gap(server: &FakeServer, index: usize) -> Duration {
    let received = server.received();
    received[index + 1].at.duration_since(received[index].at)
}
