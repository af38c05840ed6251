//! Helpers of the sandbox tests: an in-process sandbox with a token, a reqwest client, replies
//! as status + headers + JSON, and shape comparison against the fixtures in `fixtures/sandbox/`.

use std::path::PathBuf;

use leadgate_sandbox::{RecordId, Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Value, json};

/// The API version the tests use.
pub(crate) const VERSION: &str = "v67.0";

/// A running sandbox with a client and an access token of the default user.
pub(crate) struct TestOrg {
    pub(crate) sandbox: Sandbox,
    pub(crate) client: Client,
    pub(crate) token: String,
}

/// An answer: status, headers and the body as JSON (null when empty or not JSON).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

pub(crate) fn client() -> Client {
    Client::builder().no_proxy().build().expect("a reqwest client")
}

impl TestOrg {
    pub(crate) async fn start() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    pub(crate) async fn with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let token = sandbox.control().access_token().expect("the default user exists");
        Self {
            sandbox,
            client: client(),
            token,
        }
    }

    pub(crate) fn base(&self) -> &str {
        self.sandbox.base_url()
    }

    /// `{base}/services/data/v67.0{path}`.
    pub(crate) fn data(&self, path: &str) -> String {
        format!("{}/services/data/{VERSION}{path}", self.base())
    }

    /// A request to a data path with the bearer token.
    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.data(path))
            .bearer_auth(&self.token)
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    pub(crate) async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        send(self.request(method, path).json(body)).await
    }

    pub(crate) async fn create_lead(&self, body: &Value) -> String {
        let reply = self.json(Method::POST, "/sobjects/Lead", body).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    /// `GET /query?q=…` (or queryAll).
    pub(crate) async fn query(&self, resource: &str, soql: &str) -> Reply {
        send(
            self.request(Method::GET, &format!("/{resource}"))
                .query(&[("q", soql)]),
        )
        .await
    }
}

/// A Lead with the two fields every Lead needs.
pub(crate) fn lead(last_name: &str) -> Value {
    json!({"LastName": last_name, "Company": "Acme"})
}

pub(crate) async fn send(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("the request is answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body arrives");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

pub(crate) fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sandbox")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Compares `actual` with an expected shape (see `fixtures/sandbox/README.md`).
pub(crate) fn assert_shape(actual: &Value, expected: &Value) {
    check_shape(actual, expected, "$");
}

fn check_shape(actual: &Value, expected: &Value, at: &str) {
    match expected {
        Value::String(placeholder) if placeholder == "<any>" => {}
        Value::String(placeholder) if placeholder == "<string>" => {
            assert!(actual.is_string(), "{at}: expected a string, got {actual}");
        }
        Value::String(placeholder) if placeholder == "<number>" => {
            assert!(actual.is_number(), "{at}: expected a number, got {actual}");
        }
        Value::String(placeholder) if placeholder == "<bool>" => {
            assert!(actual.is_boolean(), "{at}: expected a boolean, got {actual}");
        }
        Value::String(placeholder) if placeholder == "<id>" => {
            let id = actual
                .as_str()
                .unwrap_or_else(|| panic!("{at}: expected an id, got {actual}"));
            assert_eq!(id.len(), 18, "{at}: {id} is not an 18-character id");
            assert_eq!(RecordId::parse(id).expect("a valid id").long(), id, "{at}");
        }
        Value::Object(expected) => {
            let actual = actual
                .as_object()
                .unwrap_or_else(|| panic!("{at}: expected an object, got {actual}"));
            let mut actual_keys: Vec<&String> = actual.keys().collect();
            let mut expected_keys: Vec<&String> = expected.keys().collect();
            actual_keys.sort();
            expected_keys.sort();
            assert_eq!(actual_keys, expected_keys, "{at}: keys differ");
            for (key, value) in expected {
                check_shape(&actual[key], value, &format!("{at}.{key}"));
            }
        }
        Value::Array(expected) => {
            let actual = actual
                .as_array()
                .unwrap_or_else(|| panic!("{at}: expected an array, got {actual}"));
            assert_eq!(actual.len(), expected.len(), "{at}: lengths differ: {actual:?}");
            for (index, (actual, expected)) in actual.iter().zip(expected).enumerate() {
                check_shape(actual, expected, &format!("{at}[{index}]"));
            }
        }
        Value::Number(expected) => {
            assert_eq!(actual.as_f64(), expected.as_f64(), "{at}");
        }
        other => assert_eq!(actual, other, "{at}"),
    }
}

/// The JSON keys of an object, sorted.
pub(crate) fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().expect("an object").keys().cloned().collect();
    keys.sort();
    keys
}

/// Asserts the data API's common headers.
pub(crate) fn assert_data_headers(reply: &Reply) {
    assert_eq!(
        reply.header("content-type"),
        Some("application/json;charset=UTF-8"),
        "{reply:?}"
    );
    let usage = reply
        .header("sforce-limit-info")
        .unwrap_or_else(|| panic!("no Sforce-Limit-Info: {reply:?}"));
    assert!(usage.starts_with("api-usage="), "{usage}");
}

/// The example PKCE pair of RFC 7636 appendix B.
pub(crate) const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The S256 challenge of [`PKCE_VERIFIER`].
pub(crate) const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// A loopback redirect URI on a port a CLI might have chosen (the default app registers
/// `http://127.0.0.1/callback`, without a port).
pub(crate) const LOOPBACK_REDIRECT: &str = "http://127.0.0.1:49213/callback";

/// `POST {base}/services/oauth2/token` with a form.
pub(crate) async fn token_request(client: &Client, base: &str, form: &[(&str, &str)]) -> Reply {
    send(client.post(format!("{base}/services/oauth2/token")).form(form)).await
}

/// The default user's tokens from the password grant (password followed by security token).
pub(crate) async fn password_grant(client: &Client, base: &str) -> Reply {
    use leadgate_sandbox::oauth::{
        DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_SECURITY_TOKEN, DEFAULT_USERNAME,
    };
    let password = format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}");
    token_request(
        client,
        base,
        &[
            ("grant_type", "password"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("username", DEFAULT_USERNAME),
            ("password", &password),
        ],
    )
    .await
}

/// Tokens from the web-server flow with PKCE against an auto-approving sandbox: the authorize
/// redirect's code, exchanged at the token endpoint.
pub(crate) async fn web_server_flow(base: &str) -> Reply {
    use leadgate_sandbox::oauth::DEFAULT_CLIENT_ID;
    let not_following = Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client");
    let response = not_following
        .get(format!("{base}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("the authorize request is answered");
    assert_eq!(response.status().as_u16(), 302, "auto-approval redirects at once");
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a Location header");
    let code = reqwest::Url::parse(location)
        .expect("an absolute Location")
        .query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .expect("a code in the redirect");
    token_request(
        &not_following,
        base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", LOOPBACK_REDIRECT),
            ("code_verifier", PKCE_VERIFIER),
        ],
    )
    .await
}

/// A refresh of `refresh_token` for the default app.
pub(crate) async fn refresh_grant(client: &Client, base: &str, refresh_token: &str) -> Reply {
    token_request(
        client,
        base,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", leadgate_sandbox::oauth::DEFAULT_CLIENT_ID),
        ],
    )
    .await
}

/// A JWT bearer grant for the default app and user, the assertion signed with `private_key_pem`.
pub(crate) async fn jwt_bearer_grant(client: &Client, base: &str, private_key_pem: &str) -> Reply {
    use leadgate_sandbox::oauth::{DEFAULT_CLIENT_ID, DEFAULT_USERNAME, sign_assertion};
    let expires_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 180;
    let claims = serde_json::json!({
        "iss": DEFAULT_CLIENT_ID,
        "sub": DEFAULT_USERNAME,
        "aud": "https://login.salesforce.com",
        "exp": expires_at,
    });
    let assertion = sign_assertion(private_key_pem, &claims).expect("the assertion is signed");
    token_request(
        client,
        base,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
        ],
    )
    .await
}

/// The text of a file in `fixtures/sandbox/` (PEM keys and certificates).
pub(crate) fn fixture_text(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/sandbox")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}
