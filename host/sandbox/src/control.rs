//! Control of a running sandbox, for tests and for people trying leadgate out: the Rust handle
//! [`SandboxControl`] and the same operations over HTTP under `/_sandbox/` (see `control/routes.rs`),
//! which is no Salesforce path and needs no session.
//!
//! HTTP control API (JSON bodies and answers):
//! - `GET /_sandbox/leads`: every Lead, deleted and merged ones included;
//! - `GET /_sandbox/leads/{id}`: one Lead;
//! - `POST /_sandbox/leads/{id}/convert`: converts it, answers the new ids;
//! - `POST /_sandbox/leads/{id}/delete`: deletes it (as an administrator would);
//! - `POST /_sandbox/leads/{id}/merge-into/{master}`: merges it into `master`;
//! - `GET /_sandbox/api-calls`: API usage, calls by kind, token requests by grant, faults;
//! - `PUT /_sandbox/limits` `{"max": N, "used": M}` (either may be left out);
//! - `GET|PUT /_sandbox/faults`: the fault settings; `POST /_sandbox/faults/queue`
//!   `{"fault": "serverUnavailable"}` injects one fault into the next data request (a queued
//!   `unableToLockRow` into the next write);
//! - `GET /_sandbox/bulk-jobs`: the Bulk API 2.0 ingest jobs with their states and counts;
//! - `POST /_sandbox/expire-tokens`: expires every access token;
//! - `POST /_sandbox/reset`: an empty org, usage and counters at zero, no faults, no tokens.

mod routes;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::bulk::BulkJobSummary;
use crate::faults::{Fault, FaultSettings};
use crate::limits::Usage;
use crate::oauth::{DEFAULT_USERNAME, OAuthServer};
use crate::org::{AdminError, Conversion, Lead, OrgState};
use crate::record_id::{LEAD_PREFIX, RecordId};
use crate::state::{SandboxState, lock};
use crate::validation::format_datetime;

pub(crate) use routes::router;

/// Why a control operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// The text is not a Lead id.
    #[error("`{0}` is not a lead id")]
    InvalidId(String),
    /// The org refused.
    #[error(transparent)]
    Admin(#[from] AdminError),
}

/// API usage and the counts of calls, for the control API.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiCalls {
    /// Calls counted against the daily allocation.
    pub used: u64,
    /// The daily allocation.
    pub max: u64,
    /// Requests refused with `REQUEST_LIMIT_EXCEEDED`.
    pub refused: u64,
    /// Counted calls by kind (`create`, `query`, `collectionsUpsert` …).
    pub by_kind: BTreeMap<String, u64>,
    /// Token endpoint requests by grant type (not counted against the allocation).
    pub token_requests: BTreeMap<String, u64>,
    /// Injected faults by name.
    pub faults_injected: BTreeMap<String, u64>,
}

/// A handle on a running sandbox's org; cheap to clone.
#[derive(Clone)]
pub struct SandboxControl {
    state: Arc<SandboxState>,
}

impl std::fmt::Debug for SandboxControl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SandboxControl")
            .field("instance_url", &self.state.instance_url)
            .finish_non_exhaustive()
    }
}

fn lead_id(text: &str) -> Result<RecordId, ControlError> {
    RecordId::parse(text)
        .ok()
        .filter(|id| id.prefix() == LEAD_PREFIX)
        .ok_or_else(|| ControlError::InvalidId(text.to_owned()))
}

fn now() -> String {
    format_datetime(jiff::Timestamp::now())
}

impl SandboxControl {
    pub(crate) fn new(state: Arc<SandboxState>) -> Self {
        Self { state }
    }

    /// Every Lead in id order, deleted and merged ones included.
    pub fn leads(&self) -> Vec<Lead> {
        lock(&self.state.org).leads().cloned().collect()
    }

    /// One Lead by its 15- or 18-character id.
    pub fn lead(&self, id: &str) -> Option<Lead> {
        let id = lead_id(id).ok()?;
        lock(&self.state.org).lead(&id).cloned()
    }

    /// The Lead assignment rule that last ran on a Lead: `default` (the org's active rule, which
    /// runs unless a write says `Sforce-Auto-Assign: FALSE`) or the rule id a write named.
    pub fn assignment_rule(&self, id: &str) -> Option<String> {
        let id = lead_id(id).ok()?;
        lock(&self.state.org).assignment(&id).map(str::to_owned)
    }

    /// Live (not deleted) Leads.
    pub fn live_lead_count(&self) -> usize {
        lock(&self.state.org).live_count()
    }

    /// Converts a Lead: it becomes read only, with `IsConverted` and the new Contact's id.
    pub fn convert_lead(&self, id: &str) -> Result<Conversion, ControlError> {
        let id = lead_id(id)?;
        Ok(lock(&self.state.org).convert(&id, &now())?)
    }

    /// Deletes a Lead as an administrator would (queryAll still shows it).
    pub fn delete_lead(&self, id: &str) -> Result<(), ControlError> {
        let id = lead_id(id)?;
        Ok(lock(&self.state.org).admin_delete(&id, &now())?)
    }

    /// Merges `loser` into `master`: the loser is deleted, with `MasterRecordId` = master.
    pub fn merge_leads(&self, master: &str, loser: &str) -> Result<(), ControlError> {
        let master = lead_id(master)?;
        let loser = lead_id(loser)?;
        Ok(lock(&self.state.org).merge(&master, &loser, &now())?)
    }

    /// The API usage now.
    pub fn api_usage(&self) -> Usage {
        lock(&self.state.usage).current()
    }

    /// API usage with the counts by kind, token requests and injected faults.
    pub fn api_calls(&self) -> ApiCalls {
        let (usage, refused, by_kind) = {
            let usage = lock(&self.state.usage);
            (usage.current(), usage.refused(), usage.by_kind())
        };
        ApiCalls {
            used: usage.used,
            max: usage.max,
            refused,
            by_kind,
            token_requests: self.state.oauth.token_requests(),
            faults_injected: lock(&self.state.faults).injected(),
        }
    }

    /// Sets the daily allocation and/or the calls used so far.
    pub fn set_api_limit(&self, max: Option<u64>, used: Option<u64>) {
        lock(&self.state.usage).set(max, used);
    }

    /// Replaces the fault settings (and restarts their seeded sequence).
    pub fn set_faults(&self, settings: FaultSettings) {
        lock(&self.state.faults).set(settings);
    }

    /// The fault settings.
    pub fn faults(&self) -> FaultSettings {
        lock(&self.state.faults).settings().clone()
    }

    /// Injects `fault` into the next data API request; [`Fault::UnableToLockRow`] into the next
    /// write, since reads never lock rows.
    pub fn queue_fault(&self, fault: Fault) {
        lock(&self.state.faults).queue(fault);
    }

    /// Expires every access token (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        self.state.oauth.expire_access_tokens();
    }

    /// An access token of the default user, issued without an OAuth flow (for tests and
    /// benchmarks of the data API).
    pub fn access_token(&self) -> Option<String> {
        self.state.oauth.mint_access_token(DEFAULT_USERNAME)
    }

    /// The OAuth server.
    pub fn oauth(&self) -> &Arc<OAuthServer> {
        &self.state.oauth
    }

    /// The Bulk API 2.0 ingest jobs, in creation order.
    pub fn bulk_jobs(&self) -> Vec<BulkJobSummary> {
        lock(&self.state.bulk_jobs).summaries()
    }

    /// The org's data in its saved form.
    pub fn org_state(&self) -> OrgState {
        lock(&self.state.org).state()
    }

    /// An empty org: no Leads, no Bulk API jobs, usage and counters at zero, the configured
    /// faults, no tokens.
    pub fn reset(&self) {
        lock(&self.state.org).clear();
        lock(&self.state.usage).reset();
        lock(&self.state.cursors).clear();
        lock(&self.state.bulk_jobs).clear();
        let mut faults = lock(&self.state.faults);
        faults.reset();
        faults.set(self.state.config.faults.clone());
        drop(faults);
        self.state.oauth.reset();
    }
}
