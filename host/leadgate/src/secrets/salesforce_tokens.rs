//! The Salesforce authorization in the data directory: the credential store as the client's
//! [`TokenStorage`], so that tokens are sealed at rest like every other secret.

use std::path::Path;
use std::sync::Arc;

use leadgate_salesforce::auth::{OAuthSessionProvider, StorageFuture, TokenStorage, TokenStorageError};
use leadgate_salesforce::session::{AuthError, SessionProvider};
use secrecy::SecretSlice;

use super::{CredentialStore, MasterKey};
use crate::store::Store;

/// The credential record that holds the authorization (one per data directory).
pub const AUTHORIZATION_RECORD: &str = "salesforce/authorization";

impl TokenStorage for CredentialStore {
    fn load(&self) -> Result<Option<SecretSlice<u8>>, TokenStorageError> {
        self.get(AUTHORIZATION_RECORD).map_err(TokenStorageError::new)
    }

    fn save<'a>(&'a self, record: &'a [u8]) -> StorageFuture<'a> {
        Box::pin(async move {
            self.put(AUTHORIZATION_RECORD, record)
                .await
                .map_err(TokenStorageError::new)
        })
    }

    fn delete(&self) -> StorageFuture<'_> {
        Box::pin(async move {
            self.remove(AUTHORIZATION_RECORD)
                .await
                .map_err(TokenStorageError::new)
        })
    }

    fn location(&self) -> String {
        format!("credential record `{AUTHORIZATION_RECORD}`")
    }
}

/// Opens the data directory's encrypted credentials: the store (taking its lock) and the
/// master key (`LEADGATE_MASTER_KEY`, else `<data_dir>/master.key`).
pub fn open_credentials(data_dir: &Path) -> Result<CredentialStore, AuthError> {
    let store = Store::open(data_dir).map_err(storage_error)?;
    credentials_in(Arc::new(store))
}

/// The credentials of a store this process already has open (a data directory can be open only
/// once), with the master key for its directory.
pub fn credentials_in(store: Arc<Store>) -> Result<CredentialStore, AuthError> {
    let key = MasterKey::resolve(store.directory()).map_err(storage_error)?;
    CredentialStore::open(store, key).map_err(storage_error)
}

fn storage_error(error: impl std::error::Error + Send + Sync + 'static) -> AuthError {
    AuthError::Storage(TokenStorageError::new(error))
}

/// The session provider of the authorization stored in `data_dir` (by `leadgate auth …`),
/// for a [`Client`](leadgate_salesforce::Client). Holds the data directory open while it lives.
///
/// Fails with [`AuthError::ReauthorizationNeeded`] when nothing is stored.
pub fn stored_session_provider(data_dir: &Path) -> Result<Arc<dyn SessionProvider>, AuthError> {
    let provider = OAuthSessionProvider::open(open_credentials(data_dir)?)?;
    Ok(Arc::new(provider))
}

#[cfg(test)]
mod tests {
    use leadgate_salesforce::auth::StoredAuthorization;
    use secrecy::{ExposeSecret as _, SecretString};

    use super::*;
    use crate::secrets::CREDENTIALS_TREE;

    #[tokio::test]
    async fn an_authorization_round_trips_encrypted() -> Result<(), Box<dyn std::error::Error>> {
        let db = sled::Config::new().temporary(true).open()?;
        let tree = db.open_tree(CREDENTIALS_TREE)?;
        let store = CredentialStore::from_tree(tree.clone(), MasterKey::generate()?);
        let mut authorization = StoredAuthorization::from_access_token(
            "https://acme.my.salesforce.com/",
            SecretString::from("canary-access"),
        )?;
        authorization.refresh_token = Some(SecretString::from("canary-refresh"));
        authorization.client_secret = Some(SecretString::from("canary-secret"));
        authorization.save(&store).await?;
        let raw = tree.get(AUTHORIZATION_RECORD)?.ok_or("not stored")?;
        for canary in [
            &b"canary-access"[..],
            b"canary-refresh",
            b"canary-secret",
            b"acme",
        ] {
            assert!(!raw.windows(canary.len()).any(|window| window == canary));
        }
        let loaded = StoredAuthorization::load(&store)?.ok_or("not loaded")?;
        assert_eq!(loaded.instance_url, "https://acme.my.salesforce.com");
        assert_eq!(loaded.access_token.expose_secret(), "canary-access");
        assert_eq!(
            loaded
                .refresh_token
                .as_ref()
                .map(|token| token.expose_secret().to_owned()),
            Some("canary-refresh".to_owned())
        );
        let printed = format!("{loaded:?}");
        assert!(!printed.contains("canary"), "{printed}");
        StoredAuthorization::delete(&store).await?;
        assert!(StoredAuthorization::load(&store)?.is_none());
        Ok(())
    }
}
