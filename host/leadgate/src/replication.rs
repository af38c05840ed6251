//! Replication: turning qualifying contacts into Salesforce Leads.
//!
//! Built so far: the settings ([`crate::config::ReplicationSettings`]), the Lead payload a
//! declarative mapping makes of a contact ([`map_with_field_table`]) and its hash, and the
//! preflight that checks a payload against the org's Lead describe before any API call is spent
//! on it ([`preflight`]). Selection, writing, the journal and the commands build on these.

mod email_syntax;
mod field_table;
mod lead_payload;
mod preflight;

pub use email_syntax::is_salesforce_email;
pub use field_table::map_with_field_table;
pub use lead_payload::{LeadPayload, PayloadHash};
pub use preflight::{PreflightFailure, PreflightNote, preflight};
