//! API usage: the org's daily allocation as the `Sforce-Limit-Info` header reports it, and the
//! requests this client made, by kind.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::lock::lock;

/// The response header that reports usage.
pub const LIMIT_INFO_HEADER: &str = "sforce-limit-info";

/// The org's API usage from `Sforce-Limit-Info: api-usage=N/M[; per-app-api-usage=n/m(appName=…)]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiUsage {
    /// Calls counted in the rolling 24-hour window (approximate, updated asynchronously).
    pub used: u64,
    /// The daily allocation.
    pub limit: u64,
    /// The connected app's own allocation, when one is configured.
    pub per_app: Option<PerAppUsage>,
}

/// A connected app's share of the allocation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PerAppUsage {
    /// Calls counted for the app.
    pub used: u64,
    /// The app's allocation.
    pub limit: u64,
    /// The app's name.
    pub app_name: String,
}

impl ApiUsage {
    /// Parses the header value; `None` when it carries no `api-usage=N/M`.
    pub fn parse(header: &str) -> Option<Self> {
        let mut usage = None;
        let mut per_app = None;
        for part in header.split(';').map(str::trim) {
            if let Some(rest) = part.strip_prefix("per-app-api-usage=") {
                let (counts, app) = rest.split_once('(')?;
                let (used, limit) = counts_of(counts)?;
                let app_name = app.strip_prefix("appName=")?.strip_suffix(')')?.to_owned();
                per_app = Some(PerAppUsage {
                    used,
                    limit,
                    app_name,
                });
            } else if let Some(rest) = part.strip_prefix("api-usage=") {
                usage = Some(counts_of(rest)?);
            }
        }
        let (used, limit) = usage?;
        Some(Self { used, limit, per_app })
    }

    /// The share of the allocation used, 0.0 to 1.0 (more when over the limit).
    pub fn fraction_used(&self) -> f64 {
        if self.limit == 0 {
            return 1.0;
        }
        self.used as f64 / self.limit as f64
    }
}

fn counts_of(text: &str) -> Option<(u64, u64)> {
    let (used, limit) = text.trim().split_once('/')?;
    Some((used.trim().parse().ok()?, limit.trim().parse().ok()?))
}

/// The kinds of request a client makes, for its call counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CallKind {
    /// `GET /services/data/`.
    Versions,
    /// Global describe.
    DescribeGlobal,
    /// One object's describe.
    Describe,
    /// `query` / `queryAll` and their next pages.
    Query,
    /// sObject create.
    Create,
    /// sObject retrieve.
    Retrieve,
    /// sObject update.
    Update,
    /// sObject upsert by External ID.
    Upsert,
    /// sObject delete.
    Delete,
    /// sObject Collections (create, update, upsert, delete).
    Collections,
    /// `POST /composite`.
    Composite,
    /// `/limits`.
    Limits,
    /// Bulk API 2.0 requests.
    Bulk,
}

impl CallKind {
    /// The kind's name in counts.
    pub fn name(self) -> &'static str {
        match self {
            Self::Versions => "versions",
            Self::DescribeGlobal => "describeGlobal",
            Self::Describe => "describe",
            Self::Query => "query",
            Self::Create => "create",
            Self::Retrieve => "retrieve",
            Self::Update => "update",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
            Self::Collections => "collections",
            Self::Composite => "composite",
            Self::Limits => "limits",
            Self::Bulk => "bulk",
        }
    }
}

/// The requests a client sent (retries and replays after a refresh included).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallCounts {
    /// All requests.
    pub total: u64,
    /// Requests by kind.
    pub by_kind: BTreeMap<CallKind, u64>,
}

impl CallCounts {
    /// The requests of one kind.
    pub fn of(&self, kind: CallKind) -> u64 {
        self.by_kind.get(&kind).copied().unwrap_or_default()
    }
}

/// A client's usage state, shared by its clones.
#[derive(Debug, Default)]
pub(crate) struct UsageTracker {
    latest: Mutex<Option<ApiUsage>>,
    counts: Mutex<CallCounts>,
}

impl UsageTracker {
    pub(crate) fn count(&self, kind: CallKind) {
        let mut counts = lock(&self.counts);
        counts.total += 1;
        *counts.by_kind.entry(kind).or_default() += 1;
    }

    pub(crate) fn record(&self, header: Option<&str>) {
        if let Some(usage) = header.and_then(ApiUsage::parse) {
            *lock(&self.latest) = Some(usage);
        }
    }

    pub(crate) fn latest(&self) -> Option<ApiUsage> {
        lock(&self.latest).clone()
    }

    pub(crate) fn counts(&self) -> CallCounts {
        lock(&self.counts).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_usage_with_and_without_a_per_app_part() {
        assert_eq!(
            ApiUsage::parse("api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                limit: 5000,
                per_app: None
            })
        );
        let usage =
            ApiUsage::parse("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)");
        assert_eq!(
            usage.and_then(|usage| usage.per_app),
            Some(PerAppUsage {
                used: 17,
                limit: 250,
                app_name: "sample-connected-app".to_owned()
            })
        );
        assert_eq!(ApiUsage::parse("nonsense"), None);
        assert_eq!(ApiUsage::parse("api-usage=x/5"), None);
    }

    #[test]
    fn counts_by_kind() {
        let tracker = UsageTracker::default();
        tracker.count(CallKind::Query);
        tracker.count(CallKind::Query);
        tracker.count(CallKind::Create);
        let counts = tracker.counts();
        assert_eq!(
            (
                counts.total,
                counts.of(CallKind::Query),
                counts.of(CallKind::Limits)
            ),
            (3, 2, 0)
        );
    }
}
