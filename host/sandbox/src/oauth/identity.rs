//! The identity URL (`GET /id/{orgId}/{userId}`, a token response's `id`) and the OpenID
//! Connect `userinfo` endpoint: who the token's user is, in Salesforce's shapes.
//!
//! Both take the access token as `Authorization: Bearer …`. Their errors differ from the data
//! API's 401: Salesforce's identity service answers with a 403 and a plain-text code
//! (`Missing_OAuth_Token`, `Bad_OAuth_Token`, `Wrong_Org`) or a 404 `Bad_Id`. Those codes come
//! from Salesforce's "Identity URLs" help page, not from the reference, so treat them as
//! unverified.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{OAuthServer, SandboxUser, Session};

/// The (fixed) modification date the sandbox reports for its users.
const LAST_MODIFIED: &str = "2026-01-01T00:00:00.000+0000";

fn plain_error(status: StatusCode, code: &'static str) -> Response {
    (status, [(CONTENT_TYPE, "text/plain;charset=UTF-8")], code).into_response()
}

fn json_response(body: &Value) -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// The first 15 characters of an id: 15- and 18-character forms name the same record.
fn short_id(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

impl OAuthServer {
    /// The identity service's view of the request's token; the error is the 403's code.
    fn identity_session(&self, headers: &HeaderMap) -> Result<Session, &'static str> {
        if !headers.contains_key(AUTHORIZATION) {
            return Err("Missing_OAuth_Token");
        }
        self.authenticate(headers).map_err(|_| "Bad_OAuth_Token")
    }

    /// The URLs block both shapes share. Salesforce leaves `{version}` in them for the
    /// client to fill in.
    fn identity_urls(&self, user: &SandboxUser) -> Value {
        let base = &self.settings.instance_url;
        let org = &self.settings.org_id;
        json!({
            "enterprise": format!("{base}/services/Soap/c/{{version}}/{org}"),
            "metadata": format!("{base}/services/Soap/m/{{version}}/{org}"),
            "partner": format!("{base}/services/Soap/u/{{version}}/{org}"),
            "rest": format!("{base}/services/data/v{{version}}/"),
            "sobjects": format!("{base}/services/data/v{{version}}/sobjects/"),
            "search": format!("{base}/services/data/v{{version}}/search/"),
            "query": format!("{base}/services/data/v{{version}}/query/"),
            "recent": format!("{base}/services/data/v{{version}}/recent/"),
            "tooling_soap": format!("{base}/services/Soap/T/{{version}}/{org}"),
            "tooling_rest": format!("{base}/services/data/v{{version}}/tooling/"),
            "profile": format!("{base}/{}", user.user_id),
            "feeds": format!("{base}/services/data/v{{version}}/chatter/feeds"),
            "groups": format!("{base}/services/data/v{{version}}/chatter/groups"),
            "users": format!("{base}/services/data/v{{version}}/chatter/users"),
            "feed_items": format!("{base}/services/data/v{{version}}/chatter/feed-items"),
            "feed_elements": format!("{base}/services/data/v{{version}}/chatter/feed-elements"),
            "custom_domain": base,
        })
    }

    fn photos(&self, user: &SandboxUser) -> Value {
        let base = &self.settings.instance_url;
        json!({
            "picture": format!("{base}/profilephoto/005/F?user={}", user.user_id),
            "thumbnail": format!("{base}/profilephoto/005/T?user={}", user.user_id),
        })
    }

    fn identity_body(&self, user: &SandboxUser) -> Value {
        json!({
            "id": self.identity_url(user),
            "asserted_user": true,
            "user_id": user.user_id,
            "organization_id": self.settings.org_id,
            "username": user.username,
            "nick_name": user.username.split('@').next().unwrap_or_default(),
            "display_name": user.display_name(),
            "email": user.email,
            "email_verified": true,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": "GMT",
            "photos": self.photos(user),
            "addr_street": null,
            "addr_city": null,
            "addr_state": null,
            "addr_country": null,
            "addr_zip": null,
            "mobile_phone": null,
            "mobile_phone_verified": false,
            "is_lightning_login_user": false,
            "status": { "created_date": null, "body": null },
            "urls": self.identity_urls(user),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "last_modified_date": LAST_MODIFIED,
            "is_app_installed": true,
        })
    }

    fn userinfo_body(&self, user: &SandboxUser) -> Value {
        json!({
            "sub": self.identity_url(user),
            "user_id": user.user_id,
            "organization_id": self.settings.org_id,
            "preferred_username": user.username,
            "nickname": user.username.split('@').next().unwrap_or_default(),
            "name": user.display_name(),
            "email": user.email,
            "email_verified": true,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "GMT",
            "photos": self.photos(user),
            "profile": format!("{}/{}", self.settings.instance_url, user.user_id),
            "picture": self.photos(user)["picture"],
            "address": {},
            "is_salesforce_integration_user": false,
            "urls": self.identity_urls(user),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "updated_at": LAST_MODIFIED,
            "is_app_installed": true,
        })
    }
}

/// `GET|POST /services/oauth2/userinfo`.
pub(super) async fn userinfo(State(server): State<Arc<OAuthServer>>, headers: HeaderMap) -> Response {
    let session = match server.identity_session(&headers) {
        Ok(session) => session,
        Err(code) => return plain_error(StatusCode::FORBIDDEN, code),
    };
    match server.user(&session.username) {
        Some(user) => json_response(&server.userinfo_body(user)),
        None => plain_error(StatusCode::FORBIDDEN, "Bad_OAuth_Token"),
    }
}

/// `GET /id/{orgId}/{userId}`: any user of the token's org, 15- or 18-character ids.
pub(super) async fn identity(
    State(server): State<Arc<OAuthServer>>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(code) = server.identity_session(&headers) {
        return plain_error(StatusCode::FORBIDDEN, code);
    }
    if short_id(&org_id) != short_id(&server.settings.org_id) {
        return plain_error(StatusCode::FORBIDDEN, "Wrong_Org");
    }
    let user = server
        .settings
        .users
        .iter()
        .find(|user| short_id(&user.user_id) == short_id(&user_id));
    match user {
        Some(user) => json_response(&server.identity_body(user)),
        None => plain_error(StatusCode::NOT_FOUND, "Bad_Id"),
    }
}
