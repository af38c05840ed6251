//! `GET /services/data/`: the REST API versions the instance serves.

use reqwest::Method;

use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::request::{ApiRequest, Target};

/// One served API version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct ApiVersion {
    /// The release, e.g. `Summer '26`.
    pub label: String,
    /// The version's base path, e.g. `/services/data/v67.0`.
    pub url: String,
    /// The version, e.g. `67.0`.
    pub version: String,
}

impl ApiVersion {
    /// The version as (major, minor) numbers, for ordering.
    pub fn number(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.version.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }
}

impl Client {
    /// The API versions the instance serves, oldest first.
    pub async fn versions(&self) -> Result<Vec<ApiVersion>, SalesforceError> {
        let request = ApiRequest::new(
            Method::GET,
            Target::Instance("/services/data/".to_owned()),
            CallKind::Versions,
        );
        self.send(&request).await?.json()
    }

    /// The newest API version the instance serves.
    pub async fn latest_version(&self) -> Result<Option<ApiVersion>, SalesforceError> {
        let versions = self.versions().await?;
        Ok(versions.into_iter().max_by_key(ApiVersion::number))
    }
}
