//! `auth status --json`.

use leadgate_salesforce::auth::StoredAuthorization;
use serde::Serialize;

/// The stored authorization, without any secret: who, where, which flow, how old the token is,
/// and what the check against the org found.
#[derive(Debug, Serialize)]
pub struct AuthStatusDocument<'a> {
    api_usage: Option<ApiUsageDocument>,
    authorized: bool,
    check_error: Option<&'a str>,
    client_id: Option<&'a str>,
    display_name: Option<&'a str>,
    flow: &'static str,
    instance_url: &'a str,
    login_url: Option<&'a str>,
    organization_id: Option<&'a str>,
    refresh_token: bool,
    token_age_seconds: i64,
    user_id: Option<&'a str>,
    username: Option<&'a str>,
}

impl<'a> AuthStatusDocument<'a> {
    /// The status of `authorization`, with the API usage the check found (`(used, limit)`) or
    /// why the check failed.
    pub fn new(
        authorization: &'a StoredAuthorization,
        token_age_seconds: i64,
        api_usage: Option<(i64, i64)>,
        check_error: Option<&'a str>,
    ) -> Self {
        let identity = &authorization.identity;
        Self {
            api_usage: api_usage.map(|(used, limit)| ApiUsageDocument { limit, used }),
            authorized: true,
            check_error,
            client_id: authorization.client_id.as_deref(),
            display_name: identity.display_name.as_deref(),
            flow: authorization.flow.as_str(),
            instance_url: &authorization.instance_url,
            login_url: authorization.login_url.as_deref(),
            organization_id: identity.organization_id.as_deref(),
            refresh_token: authorization.refresh_token.is_some(),
            token_age_seconds,
            user_id: identity.user_id.as_deref(),
            username: identity.username.as_deref(),
        }
    }
}

/// Today's API requests against the org's daily allocation.
#[derive(Debug, Serialize)]
pub struct ApiUsageDocument {
    limit: i64,
    used: i64,
}

/// `auth status --json` when nothing is stored: `{"authorized":false}`.
#[derive(Debug, Default, Serialize)]
pub struct NotAuthorizedDocument {
    authorized: bool,
}

#[cfg(test)]
mod tests {
    use leadgate_salesforce::auth::StoredAuthorization;
    use secrecy::SecretString;

    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn the_status_names_no_secret_and_keeps_its_keys() {
        let authorization = StoredAuthorization::from_access_token(
            "https://example.my.salesforce.com",
            SecretString::from("00Dsecret!token"),
        )
        .unwrap();
        let document = AuthStatusDocument::new(&authorization, 5, Some((3, 100)), None);
        assert!(in_order(&document));
        assert_eq!(keys(&document).len(), 13);
        let text = serde_json::to_string(&document).unwrap();
        assert!(!text.contains("00Dsecret!token"), "{text}");
        assert_eq!(
            serde_json::to_string(&NotAuthorizedDocument::default()).unwrap(),
            r#"{"authorized":false}"#
        );
    }
}
