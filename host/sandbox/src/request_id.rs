//! `Sforce-Request-Id` on every answer: Salesforce identifies each request so that a user can
//! quote it to support, and clients keep it with the errors they report. The sandbox numbers
//! its answers so that tests can check that the id reaches an error.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::HeaderValue;
use axum::response::Response;

/// The header's name.
pub const REQUEST_ID_HEADER: &str = "sforce-request-id";

/// Adds the next id from `counter` to `response`, unless a handler already set one.
pub(crate) fn stamp(counter: &AtomicU64, response: &mut Response) {
    if response.headers().contains_key(REQUEST_ID_HEADER) {
        return;
    }
    let number = counter.fetch_add(1, Ordering::Relaxed) + 1;
    if let Ok(value) = HeaderValue::from_str(&format!("SBXREQ{number:012}")) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
}
