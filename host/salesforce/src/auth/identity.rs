//! Who a token belongs to: the identity URL (`…/id/{orgId}/{userId}`) and what it serves.

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use super::login_url::is_secure;
use crate::session::AuthError;

/// The user and org behind an authorization. Nothing here is secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The login name.
    #[serde(default)]
    pub username: Option<String>,
    /// First and last name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The org's 18-character id (`00D…`).
    #[serde(default)]
    pub organization_id: Option<String>,
    /// The user's 18-character id (`005…`).
    #[serde(default)]
    pub user_id: Option<String>,
}

impl Identity {
    /// The org and user ids read off an identity URL's last two path segments.
    pub fn from_identity_url(identity_url: &str) -> Self {
        let mut segments = identity_url.trim_end_matches('/').rsplit('/');
        let user_id = segments.next().filter(|id| id.starts_with("005"));
        let organization_id = segments.next().filter(|id| id.starts_with("00D"));
        match (organization_id, user_id) {
            (Some(organization_id), Some(user_id)) => Self {
                organization_id: Some(organization_id.to_owned()),
                user_id: Some(user_id.to_owned()),
                ..Self::default()
            },
            _ => Self::default(),
        }
    }

    /// Asks the identity URL (with the access token) for the username and display name. The
    /// token is sent only to a URL that passes the transport rule (HTTPS, or HTTP on loopback).
    pub async fn fetch(
        http: &reqwest::Client,
        identity_url: &str,
        access_token: &SecretString,
    ) -> Result<Self, AuthError> {
        if !is_secure(identity_url) {
            return Err(AuthError::InsecureUrl {
                url: identity_url.to_owned(),
                reason: "an identity URL must be HTTPS outside loopback".to_owned(),
            });
        }
        let response = http
            .get(identity_url)
            .bearer_auth(access_token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(AuthError::Http)?;
        if !response.status().is_success() {
            return Err(AuthError::InvalidResponse(format!(
                "the identity URL answered HTTP {}",
                response.status()
            )));
        }
        let fetched: Self = response.json().await.map_err(AuthError::Http)?;
        let from_url = Self::from_identity_url(identity_url);
        Ok(Self {
            organization_id: fetched.organization_id.or(from_url.organization_id),
            user_id: fetched.user_id.or(from_url.user_id),
            ..fetched
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_the_identity_url() {
        let identity = Identity::from_identity_url(
            "https://login.salesforce.com/id/00D36000001HDi3EAG/00536000002PmoeAAC",
        );
        assert_eq!(identity.organization_id.as_deref(), Some("00D36000001HDi3EAG"));
        assert_eq!(identity.user_id.as_deref(), Some("00536000002PmoeAAC"));
        assert_eq!(
            Identity::from_identity_url("https://example.com/x"),
            Identity::default()
        );
    }
}
