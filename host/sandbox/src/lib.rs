//! The sandbox org: a local, in-process server that behaves like a Salesforce org for everything
//! leadgate uses, shape for shape as `reference/salesforce-api.md` describes Salesforce, so that
//! the quick start needs no Salesforce account and every test and benchmark has a realistic
//! counterpart.
//!
//! What it serves (all on one port):
//! - OAuth 2.0 under `/services/oauth2/` and the identity URL ([`oauth`]);
//! - the REST data API under `/services/data/vNN.0/`: versions, resources, global and Lead
//!   describe, Lead create / retrieve / update / delete / upsert by External ID, query and
//!   queryAll (a SOQL subset, see [`soql`]) with `nextRecordsUrl` paging, sObject Collections,
//!   composite requests (up to 25 subrequests with `@{referenceId.field}` references and
//!   `allOrNone`, see `sandbox/composite.rs`), `/limits`, and Bulk API 2.0 ingest jobs under
//!   `jobs/ingest` (see `sandbox/bulk.rs`); every data request needs a session, and once
//!   admitted counts against the daily API allocation ([`limits`]; a composite request is one
//!   call) and answers with `Sforce-Limit-Info`, whatever its status (requests turned away
//!   before that, a 401 or a dropped connection, carry no such header);
//! - Lead semantics: required fields, lengths in characters, e-mail syntax, restricted
//!   picklists, unique External IDs, a duplicate rule on e-mail, converted, deleted and merged
//!   Leads ([`org`], [`validation`]), 15/18-character ids with the real checksum ([`record_id`]);
//! - seeded fault injection ([`faults`]) and a control API under `/_sandbox/` ([`SandboxControl`]);
//! - optionally HTTPS with a generated self-signed certificate.
//!
//! ```no_run
//! # async fn example() -> Result<(), leadgate_sandbox::SandboxError> {
//! use leadgate_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let token = sandbox.control().access_token();
//! println!("{} {token:?}", sandbox.base_url());
//! sandbox.shutdown().await?;
//! # Ok(())
//! # }
//! ```

pub mod api_error;
mod bulk;
mod collections;
mod composite;
pub mod config;
mod control;
pub mod faults;
pub mod lead_schema;
pub mod limits;
mod listener;
pub mod oauth;
pub mod org;
pub mod record_id;
pub mod request_id;
mod rest;
pub mod soql;
mod state;
mod state_file;
mod tls;
pub mod validation;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use bulk::BulkJobSummary;
pub use config::{CustomField, CustomFieldKind, LEADGATE_ID_FIELD, SandboxConfig};
pub use control::{ApiCalls, ControlError, SandboxControl};
pub use faults::{Fault, FaultSettings};
pub use limits::Usage;
pub use org::{Conversion, Lead, OrgState};
pub use record_id::RecordId;
pub use tls::TlsError;

use crate::bulk::BulkJobs;
use crate::faults::FaultInjector;
use crate::lead_schema::LeadSchema;
use crate::limits::ApiUsage;
use crate::oauth::{OAuthServer, OAuthSettings};
use crate::org::Org;
use crate::rest::query::QueryCursors;
use crate::state::{SandboxState, lock};

/// Why the sandbox could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error("cannot listen on {address}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The state file could not be read or written.
    #[error("cannot read or write the sandbox state file `{}`", path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The configured JWT bearer certificate holds no usable RSA key.
    #[error("the JWT bearer certificate cannot be used")]
    JwtCertificate(#[source] oauth::CertificateError),
    /// The state file is not a saved sandbox org.
    #[error("`{}` is not a sandbox state file", path.display())]
    StateFormat {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// A running sandbox org. Stop it with [`Sandbox::shutdown`]; dropping it stops accepting
/// connections too, but does not save the state file.
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
    address: SocketAddr,
    control: SandboxControl,
    certificate_pem: Option<String>,
    state_file: Option<PathBuf>,
    shutdown: watch::Sender<bool>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Sandbox {
    /// Starts a sandbox inside the current tokio runtime: binds the address, restores the state
    /// file when there is one, and serves until [`Sandbox::shutdown`].
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        // Checked before binding: the OAuth server would only log an unreadable certificate and
        // then refuse every JWT bearer request, which is a confusing way to learn of a typo.
        if let Some(pem) = &config.jwt_certificate_pem {
            oauth::check_jwt_certificate(pem).map_err(SandboxError::JwtCertificate)?;
        }
        let listener = TcpListener::bind(config.address)
            .await
            .map_err(|source| SandboxError::Bind {
                address: config.address,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| SandboxError::Bind {
            address: config.address,
            source,
        })?;
        let generated = if config.tls { Some(tls::generate()?) } else { None };
        let scheme = if generated.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{address}");

        let mut oauth_settings = OAuthSettings::defaults(&base_url);
        oauth_settings.access_token_lifetime = config.access_token_lifetime;
        oauth_settings.auto_approve = config.auto_approve;
        oauth_settings.rotate_refresh_tokens = config.rotate_refresh_tokens;
        if let Some(pem) = &config.jwt_certificate_pem {
            for app in &mut oauth_settings.apps {
                app.jwt_certificate_pem = Some(pem.clone());
            }
        }
        let oauth = Arc::new(OAuthServer::new(oauth_settings));

        let schema = Arc::new(LeadSchema::new(&config.custom_fields));
        let mut org = Org::new(Arc::clone(&schema), config.duplicate_rule);
        if let Some(path) = &config.state_file
            && let Some(saved) = state_file::load(path)?
        {
            org.restore_state(saved);
        }
        let state = Arc::new(SandboxState {
            schema,
            org: Mutex::new(org),
            usage: Mutex::new(ApiUsage::new(config.daily_api_limit)),
            faults: Mutex::new(FaultInjector::new(config.faults.clone())),
            cursors: Mutex::new(QueryCursors::default()),
            bulk_jobs: Mutex::new(BulkJobs::default()),
            oauth: Arc::clone(&oauth),
            instance_url: base_url.clone(),
            config: config.clone(),
        });
        let control = SandboxControl::new(Arc::clone(&state));
        let fallback = Router::new()
            .fallback(rest::unknown_resource)
            .with_state(Arc::clone(&state));
        let request_ids = Arc::new(AtomicU64::new(0));
        let router = Router::new()
            .merge(rest::router(Arc::clone(&state)))
            .merge(bulk::router(Arc::clone(&state)))
            .merge(oauth.router())
            .merge(control::router(control.clone()))
            .merge(fallback)
            .layer(axum::middleware::map_response(move |mut response: Response| {
                request_id::stamp(&request_ids, &mut response);
                async move { response }
            }));

        let (shutdown, receiver) = watch::channel(false);
        let acceptor = generated.as_ref().map(|generated| generated.acceptor.clone());
        let server = tokio::spawn(listener::serve(listener, router, acceptor, receiver));
        tracing::info!(%base_url, "sandbox org started");
        Ok(Self {
            base_url,
            address,
            control,
            certificate_pem: generated.map(|generated| generated.certificate_pem),
            state_file: config.state_file,
            shutdown,
            server: Mutex::new(Some(server)),
        })
    }

    /// `http://127.0.0.1:PORT` (or `https://…` with TLS): the instance URL and login host.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address it listens on.
    pub fn local_address(&self) -> SocketAddr {
        self.address
    }

    /// Direct access to the org, usage, faults and tokens.
    pub fn control(&self) -> &SandboxControl {
        &self.control
    }

    /// The self-signed certificate (PEM) when serving HTTPS, for a client to trust.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate_pem.as_deref()
    }

    /// Stops accepting connections, lets open requests finish (a few seconds at most), and
    /// saves the state file when one was configured.
    pub async fn shutdown(self) -> Result<(), SandboxError> {
        let _ = self.shutdown.send(true);
        let server = lock(&self.server).take();
        if let Some(server) = server {
            let _ = server.await;
        }
        if let Some(path) = &self.state_file {
            state_file::save(path, &self.control.org_state())?;
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
