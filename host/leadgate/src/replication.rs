//! Replication: turning qualifying contacts into Salesforce Leads.
//!
//! A run ([`replicate`]): contacts at or above the gate whose mapped payload the org does not
//! have yet are selected (nothing to send: no API call at all); each payload is checked against
//! the cached Lead describe ([`preflight`]), so a record Salesforce would refuse is suspended
//! without a call; new contacts adopt an existing Lead with their e-mail address or are upserted
//! on the external id, known ones are updated by Lead id; every batch is journaled before it is
//! sent and its results replace the journal entry atomically.

mod email_syntax;
mod error;
mod field_table;
mod lead_describe;
mod lead_payload;
mod org_check;
mod plugin_mapping;
mod preflight;
mod record_outcome;
mod resume;
mod run;
mod selection;
mod status;

pub use email_syntax::is_salesforce_email;
pub use error::ReplicationError;
pub use field_table::map_with_field_table;
pub use lead_describe::{DESCRIBE_MAX_AGE_MS, fetch_lead_describe};
pub use lead_payload::{LeadPayload, PayloadHash};
pub use org_check::{OrgFinding, Severity, check_org};
pub use preflight::{PreflightFailure, PreflightNote, preflight};
pub use resume::{ResumeSummary, resume};
pub use run::{RunOptions, RunSummary, replicate};
pub use status::{ReplicationStatus, replication_status};
