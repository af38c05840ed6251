//! The daily API request allocation: one counter per org, the `Sforce-Limit-Info` header, and
//! `REQUEST_LIMIT_EXCEEDED` once it is used up.
//!
//! Which requests count (reference §6.1): every authenticated request under
//! `/services/data/vNN.0/…` — one per HTTP request, so a collection call of 200 records counts
//! once — including those that end in an error or an injected 503. Not counted: the versions
//! list `GET /services/data/`, requests refused with 401 (no valid session), requests refused
//! because the allocation is used up, the OAuth endpoints and the control API.
//!
//! The window is simplified to fixed 24-hour periods starting with the first counted call, not
//! a rolling window; the control API can set the usage directly to test what happens near the
//! end of the allocation.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::api_error::RecordError;

/// The response header that reports usage.
pub const LIMIT_INFO_HEADER: &str = "sforce-limit-info";

const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Calls used and allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Calls counted in the current window.
    pub used: u64,
    /// The allocation.
    pub max: u64,
}

impl Usage {
    /// `api-usage=N/M`.
    pub fn header_value(self) -> HeaderValue {
        HeaderValue::from_str(&format!("api-usage={}/{}", self.used, self.max))
            .unwrap_or_else(|_| HeaderValue::from_static("api-usage=0/0"))
    }

    /// Adds the `Sforce-Limit-Info` header to a response.
    pub fn stamp(self, response: &mut Response) {
        response
            .headers_mut()
            .insert(LIMIT_INFO_HEADER, self.header_value());
    }
}

/// The org's API usage.
#[derive(Debug)]
pub struct ApiUsage {
    used: u64,
    max: u64,
    window_started: Option<Instant>,
    by_kind: BTreeMap<&'static str, u64>,
    refused: u64,
}

impl ApiUsage {
    /// No calls yet, `max` allowed per day.
    pub fn new(max: u64) -> Self {
        Self {
            used: 0,
            max,
            window_started: None,
            by_kind: BTreeMap::new(),
            refused: 0,
        }
    }

    /// Counts one call of `kind`, or refuses it when the allocation is used up.
    pub fn admit(&mut self, kind: &'static str) -> Result<Usage, Usage> {
        let now = Instant::now();
        if self
            .window_started
            .is_some_and(|started| now.duration_since(started) >= WINDOW)
        {
            self.used = 0;
            self.window_started = None;
        }
        if self.used >= self.max {
            self.refused += 1;
            return Err(self.current());
        }
        self.window_started.get_or_insert(now);
        self.used += 1;
        *self.by_kind.entry(kind).or_default() += 1;
        Ok(self.current())
    }

    /// The usage now.
    pub fn current(&self) -> Usage {
        Usage {
            used: self.used,
            max: self.max,
        }
    }

    /// Counted calls by kind, since the start or the last reset.
    pub fn by_kind(&self) -> BTreeMap<String, u64> {
        self.by_kind
            .iter()
            .map(|(kind, count)| ((*kind).to_owned(), *count))
            .collect()
    }

    /// Requests refused with `REQUEST_LIMIT_EXCEEDED`.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Changes the allocation and, when given, the calls used.
    pub fn set(&mut self, max: Option<u64>, used: Option<u64>) {
        if let Some(max) = max {
            self.max = max;
        }
        if let Some(used) = used {
            self.used = used;
        }
    }

    /// Forgets every call.
    pub fn reset(&mut self) {
        self.used = 0;
        self.window_started = None;
        self.by_kind.clear();
        self.refused = 0;
    }
}

/// 403 `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`.
pub fn limit_exceeded(usage: Usage) -> Response {
    let mut response = axum::response::IntoResponse::into_response(RecordError::plain(
        StatusCode::FORBIDDEN,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
    ));
    usage.stamp(&mut response);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_once_used_up_and_counts_by_kind() {
        let mut usage = ApiUsage::new(2);
        assert_eq!(usage.admit("query"), Ok(Usage { used: 1, max: 2 }));
        assert_eq!(usage.admit("create"), Ok(Usage { used: 2, max: 2 }));
        assert_eq!(usage.admit("create"), Err(Usage { used: 2, max: 2 }));
        assert_eq!(usage.by_kind().get("create"), Some(&1));
        assert_eq!(usage.refused(), 1);
        assert_eq!(usage.current().header_value(), "api-usage=2/2");
    }
}
