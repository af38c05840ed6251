//! The Salesforce client the commands that talk to the org use (`sf …`, `replicate`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use leadgate_salesforce::auth::OAuthSessionProvider;
use leadgate_salesforce::session::SessionProvider;
use leadgate_salesforce::{Client, StaticSession};

use super::context::CommandContext;
use crate::cli::SfConnectionArgs;
use crate::environment::ACCESS_TOKEN as ACCESS_TOKEN_ENV;
use crate::secrets::credentials_in;

/// A client for the stored authorization, or for `--instance-url` and `LEADGATE_ACCESS_TOKEN`.
/// With the stored authorization, the root certificate stored with it (`auth … --ca-certificate`,
/// e.g. for the local sandbox org over HTTPS) is trusted too, as `leadgate auth status` does.
pub(super) async fn connect(
    connection: &SfConnectionArgs,
    context: &CommandContext,
) -> anyhow::Result<Client> {
    let mut certificates: Vec<PathBuf> = Vec::new();
    let provider: Arc<dyn SessionProvider> = match &connection.instance_url {
        Some(instance_url) => {
            let token = std::env::var(ACCESS_TOKEN_ENV)
                .ok()
                .filter(|token| !token.trim().is_empty())
                .with_context(|| format!("--instance-url needs the access token in `{ACCESS_TOKEN_ENV}`"))?;
            Arc::new(StaticSession::from_token(instance_url.clone(), token.trim()))
        }
        None => {
            let provider = credentials_in(Arc::clone(context.shared_store()?))
                .and_then(OAuthSessionProvider::open)
                .with_context(no_authorization)?;
            certificates.extend(provider.authorization().await.ca_certificate_file);
            Arc::new(provider)
        }
    };
    certificates.extend(connection.ca_certificate.clone());
    let mut builder = Client::builder();
    if let Some(version) = &connection.api_version {
        builder = builder.api_version(version.clone());
    }
    for path in &certificates {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read the certificate `{}`", path.display()))?;
        builder = builder.add_root_certificate_pem(pem);
    }
    Ok(builder.build_shared(provider)?)
}

/// Why there is no session without `--instance-url`.
fn no_authorization() -> String {
    format!(
        "no usable Salesforce authorization (run `leadgate auth login`, or pass --instance-url with {ACCESS_TOKEN_ENV})"
    )
}
