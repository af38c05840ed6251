//! Why a replication run could not run or had to stop.

use leadgate_salesforce::SalesforceError;

use crate::store::StoreError;

/// A replication run that could not start or had to stop. Per-contact refusals are not errors:
/// they suspend the contact and the run goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicationError {
    /// `leadgate.toml` has no `[replication]` table.
    #[error(
        "replication is not configured: add a `[replication]` table to leadgate.toml (see examples/leadgate.toml)"
    )]
    NotConfigured,
    /// Contacts changed since they were last scored, so the gate would use stale totals.
    #[error(
        "{contacts} contact(s) changed since they were last scored; run `leadgate score run` first, so that \
         replication gates on current totals"
    )]
    StaleScores {
        /// How many contacts changed.
        contacts: usize,
    },
    /// The org is not set up for the configured replication (see `leadgate replicate check`).
    #[error("the org is not ready for replication (`leadgate replicate check` lists it all):\n{}", problems.join("\n"))]
    OrgSetup {
        /// Each problem, naming the field and what to do.
        problems: Vec<String>,
    },
    /// Contacts named on the command line are not in the store.
    #[error("no contact {} in the store", ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", "))]
    UnknownContacts {
        /// The ids not found.
        ids: Vec<String>,
    },
    /// The mapping plugin could not be loaded or refused its configuration.
    #[error("the mapping plugin: {0}")]
    MappingPlugin(String),
    /// The store could not be read or written.
    #[error("the store")]
    Store(#[from] StoreError),
    /// Salesforce could not be reached or refused the run as a whole.
    #[error("Salesforce")]
    Salesforce(#[from] SalesforceError),
    /// The cached Lead describe could not be read back.
    #[error("the cached Lead describe is unreadable: {0}")]
    CachedDescribe(#[source] serde_json::Error),
}

impl ReplicationError {
    /// True when running again later may succeed without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Salesforce(error) => error.is_retryable(),
            _ => false,
        }
    }
}
