//! `/services/oauth2/authorize`: the web-server flow's front half (reference §2.1).
//!
//! `GET` validates the request and shows an approval page whose Approve/Deny buttons `POST`
//! the same parameters back (or, with auto-approval, redirects with a code at once). An
//! unknown client or an unregistered `redirect_uri` gets an error page and never a redirect,
//! as on Salesforce: redirecting would hand errors (or codes) to a URI nobody vouched for.
//! Every other problem is reported to the redirect URI as `error` and `error_description`.
//!
//! The approving user is the one named by `login_hint`, else the first configured user; the
//! sandbox has no login form.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};

use super::registry::{AuthorizationCode, secret_key};
use super::{ConnectedApp, OAuthServer, SandboxUser, pkce, random, redirect_uri_matches};

/// The query (GET) or form (POST) of an authorization request.
type Parameters = HashMap<String, String>;

/// The request parameters the approval page carries through to its POST.
const FORWARDED_PARAMETERS: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "login_hint",
];

/// A request that passed validation.
struct ValidRequest<'a> {
    app: &'a ConnectedApp,
    user: &'a SandboxUser,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: Option<String>,
    scopes: Vec<String>,
}

/// Why a request is refused, and how the refusal reaches the user.
enum Refusal {
    /// An error page: the redirect URI is not trustworthy.
    Page {
        error: &'static str,
        description: &'static str,
    },
    /// A redirect to the (registered) redirect URI with `error`.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: &'static str,
    },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Page { error, description } => error_page(error, description),
            Self::Redirect {
                redirect_uri,
                state,
                error,
                description,
            } => redirect(
                &redirect_uri,
                &[
                    ("error", Some(error)),
                    ("error_description", Some(description)),
                    ("state", state.as_deref()),
                ],
            ),
        }
    }
}

/// `GET`: the approval page, or the code at once with auto-approval.
pub(super) async fn show_approval(
    State(server): State<Arc<OAuthServer>>,
    query: Result<Query<Parameters>, QueryRejection>,
) -> Response {
    let Ok(Query(parameters)) = query else {
        return error_page("invalid_request", "malformed request");
    };
    match server.validate(&parameters) {
        Ok(request) if server.settings.auto_approve => server.approve(request),
        // `immediate=true` forbids showing a page; without auto-approval nothing was approved
        // before, so the answer is Salesforce's `immediate_unsuccessful` (description
        // unverified).
        Ok(request) if parameters.get("immediate").map(String::as_str) == Some("true") => Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            state: request.state,
            error: "immediate_unsuccessful",
            description: "user has not approved this consumer",
        }
        .into_response(),
        Ok(request) => approval_page(&request, &parameters),
        Err(refusal) => refusal.into_response(),
    }
}

/// `POST`: the approval page's answer (`decision=approve` or anything else for deny).
pub(super) async fn decide(
    State(server): State<Arc<OAuthServer>>,
    form: Result<Form<Parameters>, FormRejection>,
) -> Response {
    let Ok(Form(parameters)) = form else {
        return error_page("invalid_request", "malformed request");
    };
    // Validated again: the hidden fields came back from the browser and prove nothing.
    match server.validate(&parameters) {
        Ok(request) if parameters.get("decision").map(String::as_str) == Some("approve") => {
            server.approve(request)
        }
        Ok(request) => Refusal::Redirect {
            redirect_uri: request.redirect_uri,
            state: request.state,
            error: "access_denied",
            description: "end-user denied authorization",
        }
        .into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

impl OAuthServer {
    fn validate<'a>(&'a self, parameters: &Parameters) -> Result<ValidRequest<'a>, Refusal> {
        let value = |name: &str| {
            parameters
                .get(name)
                .map(String::as_str)
                .filter(|value| !value.is_empty())
        };
        let app = value("client_id")
            .and_then(|client_id| self.app(client_id))
            .ok_or(Refusal::Page {
                error: "invalid_client_id",
                description: "client identifier invalid",
            })?;
        let redirect_uri = value("redirect_uri")
            .filter(|requested| {
                app.callback_urls
                    .iter()
                    .any(|registered| redirect_uri_matches(registered, requested))
            })
            .ok_or(Refusal::Page {
                error: "redirect_uri_mismatch",
                description: "redirect_uri must match configuration",
            })?
            .to_owned();
        let state = value("state").map(str::to_owned);
        let refuse = |error, description| Refusal::Redirect {
            redirect_uri: redirect_uri.clone(),
            state: state.clone(),
            error,
            description,
        };
        if value("response_type") != Some("code") {
            return Err(refuse("unsupported_response_type", "response type not supported"));
        }
        let code_challenge = value("code_challenge").map(str::to_owned);
        match (&code_challenge, value("code_challenge_method")) {
            // Salesforce documents S256 only; a challenge without a method is taken as S256.
            (Some(challenge), None | Some(pkce::S256)) => {
                if !pkce::challenge_is_well_formed(challenge) {
                    return Err(refuse("invalid_request", "invalid code challenge"));
                }
            }
            (Some(_), Some(_)) => {
                return Err(refuse("invalid_request", "unsupported code challenge method"));
            }
            (None, _) if app.require_pkce => {
                return Err(refuse("invalid_request", "missing required code challenge"));
            }
            (None, _) => {}
        }
        let scopes: Vec<String> = match value("scope") {
            None => app.scopes.clone(),
            Some(requested) => requested.split_whitespace().map(str::to_owned).collect(),
        };
        if scopes.iter().any(|scope| !app.scopes.contains(scope)) {
            return Err(refuse("invalid_scope", "the requested scope is not allowed"));
        }
        let user = value("login_hint")
            .and_then(|username| self.user(username))
            .or_else(|| self.settings.users.first())
            .ok_or(Refusal::Page {
                error: "inactive_org",
                description: "the sandbox org has no users",
            })?;
        Ok(ValidRequest {
            app,
            user,
            redirect_uri,
            state,
            code_challenge,
            scopes,
        })
    }

    /// Issues a code for an approved request and redirects to the client with it.
    fn approve(&self, request: ValidRequest<'_>) -> Response {
        let code = random::authorization_code();
        {
            let mut registry = self.lock();
            registry.forget_old_codes();
            let issued_at = registry.now();
            registry.codes.insert(
                secret_key(&code),
                AuthorizationCode {
                    client_id: request.app.client_id.clone(),
                    username: request.user.username.clone(),
                    redirect_uri: request.redirect_uri.clone(),
                    code_challenge: request.code_challenge,
                    scopes: request.scopes,
                    issued_at,
                },
            );
        }
        tracing::debug!(client_id = %request.app.client_id, "authorization approved");
        redirect(
            &request.redirect_uri,
            &[("code", Some(&code)), ("state", request.state.as_deref())],
        )
    }
}

/// A `302 Found` to `redirect_uri` with `parameters` added to its query.
fn redirect(redirect_uri: &str, parameters: &[(&str, Option<&str>)]) -> Response {
    // The URI was matched against the app's registered ones, so it parses; should it not, the
    // browser gets an error rather than a redirect somewhere unexpected.
    let Ok(mut location) = url::Url::parse(redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "invalid redirect_uri").into_response();
    };
    let present: Vec<(&str, &str)> = parameters
        .iter()
        .filter_map(|(name, value)| value.map(|value| (*name, value)))
        .collect();
    if !present.is_empty() {
        location.query_pairs_mut().extend_pairs(present);
    }
    (
        StatusCode::FOUND,
        [(LOCATION, location.as_str()), (CACHE_CONTROL, "no-store")],
    )
        .into_response()
}

/// Escapes text for HTML content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, "text/html;charset=UTF-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn error_page(error: &str, description: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        format!(
            "<!DOCTYPE html>\n<html><head><title>OAuth Error</title></head><body>\
             <h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error.</p>\
             <p>error={}&amp;error_description={}</p></body></html>\n",
            escape_html(error),
            escape_html(description)
        ),
    )
}

fn approval_page(request: &ValidRequest<'_>, parameters: &Parameters) -> Response {
    let mut hidden_fields = String::new();
    for name in FORWARDED_PARAMETERS {
        if let Some(value) = parameters.get(name) {
            let _ = write!(
                hidden_fields,
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape_html(value)
            );
        }
    }
    let scopes: String = request
        .scopes
        .iter()
        .map(|scope| format!("<li>{}</li>", escape_html(scope)))
        .collect();
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html><head><title>Allow Access?</title></head><body>\
             <h1>Allow Access?</h1>\
             <p><strong>{app}</strong> is asking to access the sandbox org as \
             <strong>{user}</strong> ({username}):</p><ul>{scopes}</ul>\
             <form method=\"post\" action=\"/services/oauth2/authorize\">{hidden_fields}\
             <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
             </form></body></html>\n",
            app = escape_html(&request.app.name),
            user = escape_html(&request.user.display_name()),
            username = escape_html(&request.user.username),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_parameters_are_form_encoded() {
        let response = redirect("http://127.0.0.1:9/cb", &[("state", Some("a b+c/d=e&f"))]);
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok());
        assert_eq!(location, Some("http://127.0.0.1:9/cb?state=a+b%2Bc%2Fd%3De%26f"));
    }

    #[test]
    fn html_escaping_neutralises_markup() {
        assert_eq!(escape_html("\"><script>'&"), "&quot;&gt;&lt;script&gt;&#39;&amp;");
    }

    #[test]
    fn redirects_append_to_an_existing_query() {
        let response = redirect(
            "http://127.0.0.1:9/cb?x=1",
            &[("code", Some("a/b")), ("state", None)],
        );
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok());
        assert_eq!(location, Some("http://127.0.0.1:9/cb?x=1&code=a%2Fb"));
    }
}
