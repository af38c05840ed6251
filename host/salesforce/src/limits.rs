//! `GET /limits`: the org's limits, each `{"Max","Remaining"}`, some with nested entries
//! (per connected app, or sub-limits such as `PermissionSets.CreateCustom`).

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Map, Value};

use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::request::ApiRequest;

/// One limit.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Limit {
    /// The allocation.
    #[serde(rename = "Max")]
    pub max: i64,
    /// What is left of it.
    #[serde(rename = "Remaining")]
    pub remaining: i64,
    /// Nested entries, as sent.
    #[serde(flatten)]
    pub nested: Map<String, Value>,
}

impl Limit {
    /// `max - remaining`.
    pub fn used(&self) -> i64 {
        self.max - self.remaining
    }

    /// A nested limit, e.g. a connected app's share.
    pub fn nested_limit(&self, name: &str) -> Option<Limit> {
        serde_json::from_value(self.nested.get(name)?.clone()).ok()
    }
}

/// The org's limits by name, e.g. `DailyApiRequests`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(transparent)]
pub struct OrgLimits(pub BTreeMap<String, Limit>);

impl OrgLimits {
    /// One limit by name.
    pub fn get(&self, name: &str) -> Option<&Limit> {
        self.0.get(name)
    }

    /// `DailyApiRequests`: the daily API allocation.
    pub fn daily_api_requests(&self) -> Option<&Limit> {
        self.get("DailyApiRequests")
    }
}

impl Client {
    /// The org's limits. Salesforce updates them with a delay of up to about five minutes;
    /// [`Client::api_usage`] is fresher for the API allocation.
    pub async fn limits(&self) -> Result<OrgLimits, SalesforceError> {
        let request = ApiRequest::data(Method::GET, ["limits"], CallKind::Limits);
        self.send(&request).await?.json()
    }
}
