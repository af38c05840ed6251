//! The Salesforce REST client: what leadgate replicates Leads with, and a library users call
//! directly to describe, query, insert and update objects.
//!
//! One [`Client`] holds one connection pool (rustls, gzip, timeouts, no redirects) and gets its
//! access token from a [`SessionProvider`]: a token pasted by hand ([`StaticSession`]) or one of
//! the authorization flows in [`auth`]. It covers, per `reference/salesforce-api.md`:
//! - versions, global and per-object describe (cached per client), `/limits`;
//! - query and queryAll as a [`QueryStream`] that follows `nextRecordsUrl`;
//! - sObject create / get / update / delete / upsert by External ID (300 → [`SalesforceError::MultipleMatches`]);
//! - sObject Collections in chunks of at most 200 records with typed per-record [`SaveResult`]s;
//! - composite requests; Bulk API 2.0 ingest jobs ([`bulk`]);
//! - query results as a grid of columns in SELECT-list order ([`record_columns`]).
//!
//! Every answer's `Sforce-Limit-Info` is read into [`Client::api_usage`], and every request is
//! counted in [`Client::call_counts`]. Errors are [`SalesforceError`]s with a typed
//! [`ErrorCode`]; [`SalesforceError::is_retryable`] tells transient failures apart. An expired
//! session (401 `INVALID_SESSION_ID`) is refreshed once — one refresh for every request that saw
//! the same stale token — and the request is sent again.
//!
//! ```no_run
//! # async fn example() -> Result<(), leadgate_salesforce::SalesforceError> {
//! use futures_util::TryStreamExt;
//! use leadgate_salesforce::{Client, StaticSession};
//! let client = Client::new(StaticSession::from_token("https://example.my.salesforce.com", "00D…!…"))?;
//! let leads: Vec<serde_json::Map<String, serde_json::Value>> = client
//!     .query("SELECT Id, LastName FROM Lead")
//!     .try_collect()
//!     .await?;
//! println!("{} leads, API usage {:?}", leads.len(), client.api_usage());
//! # Ok(())
//! # }
//! ```

pub mod api_error;
pub mod api_usage;
pub mod auth;
pub mod bulk;
mod client;
mod client_builder;
pub mod collections;
pub mod composite;
pub mod describe;
mod error;
mod error_chain;
pub mod error_code;
pub mod limits;
mod lock;
pub mod query;
pub mod record_columns;
mod request;
pub mod retry;
pub mod secure_url;
pub mod session;
pub mod sobject;
pub mod versions;

pub use api_error::{ApiError, DuplicateResult};
pub use api_usage::{ApiUsage, CallCounts, CallKind};
pub use client::Client;
pub use client_builder::{ClientBuilder, DEFAULT_API_VERSION, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use collections::{RecordError, SaveResult};
pub use composite::{CompositeRequest, CompositeResponse, CompositeSubrequest, CompositeSubresponse};
pub use error::{SalesforceError, TransportKind};
pub use error_code::ErrorCode;
pub use query::{QueryOptions, QueryPage, QueryStream};
pub use retry::RetryPolicy;
pub use secrecy;
pub use session::{AuthError, Session, SessionProvider, StaticSession};
pub use sobject::UpsertOutcome;

/// A record as Salesforce sends it: field names to JSON values (with `attributes`).
pub type Record = serde_json::Map<String, serde_json::Value>;
