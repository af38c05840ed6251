//! A canary hunt: every flow of `leadgate_salesforce::auth`, the credential store and data
//! requests run under a TRACE subscriber, with their errors printed, and no token, code, secret
//! or password may show in the log, in an error message or in clear text in the data directory.

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use leadgate_salesforce::Client;
use leadgate_salesforce::auth::{
    Flow, IssuedTokens, JwtSigningKey, OAuthSessionProvider, StoredAuthorization, WebServerFlowOptions,
};
use leadgate_salesforce::secrecy::{ExposeSecret, SecretString};
use leadgate_salesforce::session::SessionProvider;
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_PASSWORD,
    DEFAULT_SECURITY_TOKEN, DEFAULT_USERNAME,
};

use crate::support::data_dir::{contains, credentials, files_under};
use crate::support::salesforce_login::{
    approve, browser, confidential_client, public_client, query_of, sandbox,
};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Adds the tokens to the canaries, and logs them through `Debug` as a careless caller would.
fn remember(canaries: &mut Vec<String>, tokens: &IssuedTokens) {
    canaries.push(tokens.access_token.expose_secret().to_owned());
    if let Some(refresh_token) = &tokens.refresh_token {
        canaries.push(refresh_token.expose_secret().to_owned());
    }
    tracing::trace!(?tokens, "issued");
}

/// Runs every flow (with errors printed through `Debug` and `Display`) under a TRACE subscriber,
/// storing what they issue; then no access token, refresh token, client secret or password may
/// appear in the log or in any file of the data directory.
#[tokio::test]
async fn no_token_or_secret_reaches_the_trace_log_or_the_raw_data_directory() {
    let log = LogBuffer::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // While only one dispatcher exists, tracing-core caches a callsite's interest from the
    // default of whichever thread reaches it first: a parallel test without a subscriber could
    // switch off an event this test must capture (tokio-rs/tracing#3611). A second dispatcher,
    // alive as long as ours, makes it ask every registered dispatcher instead.
    let _second_dispatcher = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut canaries: Vec<String> = vec![DEFAULT_CLIENT_SECRET.to_owned(), DEFAULT_PASSWORD.to_owned()];
    let mut printed_errors = String::new();
    {
        let store = credentials(data_dir.path());
        // Web-server flow with the secret, its state and code kept as canaries too; stored,
        // refreshed.
        let client = confidential_client(&sandbox);
        let pending = client
            .begin_web_server_flow(&WebServerFlowOptions::default())
            .await
            .expect("the flow starts");
        let redirect_uri = pending.redirect_uri().to_owned();
        canaries.push(query_of(pending.authorization_url())["state"].clone());
        let callback = approve(pending.authorization_url()).await;
        canaries.push(query_of(&callback)["code"].clone());
        let finished = tokio::spawn(pending.finish());
        browser().get(&callback).send().await.expect("callback");
        let tokens = finished.await.expect("join").expect("tokens");
        remember(&mut canaries, &tokens);
        // A PKCE verifier through the real exchange, with a code the sandbox never issued
        // (replaying the real one would revoke the tokens it gave).
        let verifier = SecretString::from(format!("canary-verifier-{}", "v".repeat(40)));
        canaries.push(verifier.expose_secret().to_owned());
        let unknown_code = SecretString::from(format!("canary-code-{}", "c".repeat(20)));
        canaries.push(unknown_code.expose_secret().to_owned());
        let refused = client
            .exchange_code(&unknown_code, &verifier, &redirect_uri)
            .await;
        if let Err(error) = &refused {
            tracing::error!(%error, ?error, "code refused");
            printed_errors.push_str(&format!("{error} {error:?}\n"));
        }
        assert!(refused.is_err(), "an unknown code was exchanged");
        let authorization = StoredAuthorization::from_grant(Flow::WebServer, &client, tokens);
        tracing::trace!(?authorization, ?client, "stored");
        authorization.save(&store).await.expect("saved");
        let provider = Arc::new(OAuthSessionProvider::new(store, authorization));
        let stale = provider.session().await.expect("session");
        tracing::trace!(?stale, "session");
        sandbox.control().expire_access_tokens();
        let renewed = provider.refresh(&stale).await.expect("refreshed");
        canaries.push(renewed.access_token.expose_secret().to_owned());

        // Data requests through a client on that provider, with a refresh on the way and an
        // error printed.
        let data = Client::builder()
            .no_proxy()
            .build_shared(Arc::clone(&provider) as Arc<dyn SessionProvider>)
            .expect("a client");
        data.limits().await.expect("limits");
        sandbox.control().expire_access_tokens();
        let leads: Vec<leadgate_salesforce::Record> = data
            .query("SELECT Id, LastName FROM Lead")
            .try_collect()
            .await
            .expect("query after a refresh");
        assert!(leads.is_empty());
        let refused = data
            .query("SELEKT Id FROM Lead")
            .try_collect::<Vec<leadgate_salesforce::Record>>()
            .await
            .expect_err("malformed");
        tracing::error!(%refused, ?refused, ?data, "data failure");
        printed_errors.push_str(&format!("{refused} {refused:?} {data:?}\n"));
        canaries.push(
            provider
                .session()
                .await
                .expect("session")
                .access_token
                .expose_secret()
                .to_owned(),
        );
        drop(data);

        // JWT bearer, password, client credentials.
        let key = JwtSigningKey::from_pem(DEFAULT_JWT_PRIVATE_KEY_PEM).expect("key");
        let assertion = key
            .assertion(
                DEFAULT_CLIENT_ID,
                DEFAULT_USERNAME,
                sandbox.base_url(),
                jiff::Timestamp::now().as_second(),
            )
            .expect("assertion");
        canaries.push(assertion.expose_secret().to_owned());
        remember(&mut canaries, &client.jwt_bearer(&assertion).await.expect("jwt"));
        let password = SecretString::from(format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}"));
        remember(
            &mut canaries,
            &client
                .password(DEFAULT_USERNAME, &password)
                .await
                .expect("password"),
        );
        remember(
            &mut canaries,
            &client.client_credentials().await.expect("client credentials"),
        );

        // Failures, printed the way a CLI or a log would.
        for error in [
            client
                .password(DEFAULT_USERNAME, &SecretString::from(DEFAULT_PASSWORD))
                .await
                .err(),
            client
                .exchange_code(
                    &SecretString::from("bogus-code"),
                    &password,
                    "http://127.0.0.1:1/callback",
                )
                .await
                .err(),
            public_client(&sandbox)
                .with_client_secret(SecretString::from(DEFAULT_PASSWORD))
                .client_credentials()
                .await
                .err(),
        ]
        .into_iter()
        .flatten()
        {
            tracing::error!(%error, ?error, "auth failure");
            printed_errors.push_str(&format!("{error} {error:?}\n"));
        }

        // Logout: revoke, then delete.
        let stored = provider.authorization().await;
        let revoke_with = stored.refresh_token.clone().expect("refresh token");
        stored
            .oauth_client()
            .expect("client")
            .expect("renewable")
            .revoke(&revoke_with)
            .await
            .expect("revoked");
        provider
            .storage()
            .put("salesforce/extra", b"kept to check the raw files")
            .await
            .expect("put");
        provider.storage().records().expect("records");
        drop(provider);
    }
    drop(_guard);

    let log = String::from_utf8(log.0.lock().expect("lock").clone()).expect("UTF-8 log");
    assert!(
        log.contains("exchanging an authorization code"),
        "the TRACE log is captured"
    );
    assert!(
        log.contains("Salesforce session renewed"),
        "the TRACE log is captured"
    );
    assert!(
        log.contains("Salesforce answered"),
        "the data requests are in the TRACE log"
    );
    let files = files_under(data_dir.path());
    assert!(
        files
            .iter()
            .any(|(path, _)| path.starts_with(data_dir.path().join("db")))
    );
    assert!(canaries.len() >= 12, "{} canaries", canaries.len());
    for canary in &canaries {
        assert!(!log.contains(canary.as_str()), "a canary is in the TRACE log");
        assert!(
            !printed_errors.contains(canary.as_str()),
            "a canary is in an error message"
        );
        for (path, bytes) in &files {
            assert!(
                !contains(bytes, canary.as_bytes()),
                "a canary is in clear text in {}",
                path.display()
            );
        }
    }
}
