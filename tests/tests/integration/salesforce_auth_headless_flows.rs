//! The flows of `leadgate_salesforce::auth` that need no browser, against the in-process sandbox
//! org: JWT bearer (signed with a key file, renewed with a new assertion), password with
//! security token, and client credentials.

use leadgate_salesforce::auth::{Flow, JwtSigningKey, StoredAuthorization};
use leadgate_salesforce::secrecy::{ExposeSecret, SecretString};
use leadgate_salesforce::session::{AuthError, SessionProvider};
use leadgate_sandbox::oauth::{
    DEFAULT_CLIENT_ID, DEFAULT_JWT_PRIVATE_KEY_PEM, DEFAULT_PASSWORD, DEFAULT_SECURITY_TOKEN,
    DEFAULT_USERNAME,
};
use reqwest::StatusCode;

use crate::support::salesforce_login::{
    confidential_client, count, data_status, provider, public_client, sandbox,
};

#[tokio::test]
async fn the_jwt_bearer_flow_signs_with_the_key_file_and_renews_itself() {
    let sandbox = sandbox().await;
    let client = public_client(&sandbox);
    let directory = tempfile::tempdir().expect("temp dir");
    let key_file = directory.path().join("server.key");
    std::fs::write(&key_file, DEFAULT_JWT_PRIVATE_KEY_PEM).expect("key written");
    let key = JwtSigningKey::from_file(&key_file).expect("key");
    let audience = client.login_url().default_jwt_audience();
    let now = jiff::Timestamp::now().as_second();
    let assertion = key
        .assertion(DEFAULT_CLIENT_ID, DEFAULT_USERNAME, &audience, now)
        .expect("assertion");
    let tokens = client.jwt_bearer(&assertion).await.expect("tokens");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );

    let wrong_audience = key
        .assertion(
            DEFAULT_CLIENT_ID,
            DEFAULT_USERNAME,
            "https://elsewhere.example.com",
            now,
        )
        .expect("assertion");
    let refused = client.jwt_bearer(&wrong_audience).await;
    assert!(
        matches!(&refused, Err(AuthError::Oauth { error, .. }) if error == "invalid_grant"),
        "{refused:?}"
    );

    let mut authorization = StoredAuthorization::from_grant(Flow::JwtBearer, &client, tokens);
    authorization.jwt_key_file = Some(key_file);
    authorization.jwt_audience = Some(audience);
    authorization.identity.username = Some(DEFAULT_USERNAME.to_owned());
    let data_dir = tempfile::tempdir().expect("temp dir");
    let provider = provider(data_dir.path(), authorization);
    let stale = provider.session().await.expect("session");
    sandbox.control().expire_access_tokens();
    let renewed = provider
        .refresh(&stale)
        .await
        .expect("renewed with a new assertion");
    assert_eq!(count(&sandbox, "jwt_bearer"), 3);
    assert_eq!(
        data_status(&sandbox, renewed.access_token.expose_secret()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_password_flow_wants_password_and_security_token() {
    let sandbox = sandbox().await;
    let client = confidential_client(&sandbox);
    let with_token = SecretString::from(format!("{DEFAULT_PASSWORD}{DEFAULT_SECURITY_TOKEN}"));
    let tokens = client
        .password(DEFAULT_USERNAME, &with_token)
        .await
        .expect("tokens");
    assert!(tokens.refresh_token.is_none());
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );
    let without_token = client
        .password(DEFAULT_USERNAME, &SecretString::from(DEFAULT_PASSWORD))
        .await;
    assert!(
        matches!(&without_token, Err(AuthError::Oauth { error, description }) if error == "invalid_grant" && description == "authentication failure"),
        "{without_token:?}"
    );
    let message = without_token
        .err()
        .map(|error| format!("{error} {error:?}"))
        .unwrap_or_default();
    assert!(!message.contains(DEFAULT_PASSWORD), "{message}");
}

#[tokio::test]
async fn the_client_credentials_flow_needs_the_secret() {
    let sandbox = sandbox().await;
    let tokens = confidential_client(&sandbox)
        .client_credentials()
        .await
        .expect("tokens");
    assert_eq!(
        data_status(&sandbox, tokens.access_token.expose_secret()).await,
        StatusCode::OK
    );
    let without_secret = public_client(&sandbox).client_credentials().await;
    assert!(matches!(without_secret, Err(AuthError::Configuration(_))));
    let wrong_secret = public_client(&sandbox)
        .with_client_secret(SecretString::from("wrong"))
        .client_credentials()
        .await;
    assert!(
        matches!(&wrong_secret, Err(AuthError::Oauth { error, .. }) if error == "invalid_client"),
        "{wrong_secret:?}"
    );
}
