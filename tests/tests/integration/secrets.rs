//! The encrypted credential store of `leadgate::secrets`: records that round-trip through the
//! data directory and refuse tampering, the master key file and its permissions, and the key
//! from `LEADGATE_MASTER_KEY` instead of the file, in the library and through `leadgate auth`.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use leadgate::secrets::{
    CREDENTIALS_TREE, CredentialStore, MASTER_KEY_ENV, MASTER_KEY_FILE_NAME, MasterKey, SecretsError,
};
use leadgate::store::Store;
use leadgate_salesforce::secrecy::ExposeSecret;
use leadgate_sandbox::oauth::DEFAULT_USERNAME;
use serde_json::Value;

use crate::support::data_dir::credentials;
use crate::support::leadgate_command::{LeadgateCommand, stderr, stdout};
use crate::support::salesforce_login::sandbox;

/// A 32-byte key in hex, for the tests that set `LEADGATE_MASTER_KEY`.
const HEX_KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

#[tokio::test]
async fn credentials_round_trip_through_the_data_directory() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    {
        let store = credentials(data_dir.path());
        store
            .put("salesforce/test", b"canary-round-trip")
            .await
            .expect("put");
    }
    let store = credentials(data_dir.path());
    let value = store.get("salesforce/test").expect("get").expect("present");
    assert_eq!(value.expose_secret(), b"canary-round-trip");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data_dir.path().join(MASTER_KEY_FILE_NAME))
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_tampered_byte_or_a_swapped_record_is_rejected() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(data_dir.path()).expect("store"));
    let key = || MasterKey::resolve_from(None, data_dir.path()).expect("key");
    let credentials = CredentialStore::open(Arc::clone(&store), key()).expect("credentials");
    credentials.put("a", b"first secret value").await.expect("put");
    credentials.put("b", b"second secret value").await.expect("put");
    let tree = store.open_tree(CREDENTIALS_TREE).expect("tree");

    let original = tree.get("a").expect("get").expect("present").to_vec();
    for index in [0, 1, 12, 25, original.len() / 2, original.len() - 1] {
        let mut tampered = original.clone();
        tampered[index] ^= 0x20;
        tree.insert("a", tampered).expect("insert");
        let outcome = credentials.get("a");
        assert!(
            matches!(
                outcome,
                Err(SecretsError::Undecryptable { .. }) | Err(SecretsError::UnknownFormat { .. })
            ),
            "byte {index}"
        );
    }
    tree.insert("a", original.clone()).expect("restore");
    assert!(credentials.get("a").is_ok());

    let b = tree.get("b").expect("get").expect("present");
    tree.insert("a", b).expect("swap");
    tree.insert("b", original).expect("swap");
    for record in ["a", "b"] {
        let error = credentials.get(record).expect_err("a swapped record opened");
        assert!(matches!(error, SecretsError::Undecryptable { .. }));
        assert!(error.to_string().contains("moved from another record"), "{error}");
    }
}

#[cfg(unix)]
#[test]
fn a_world_readable_master_key_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let data_dir = tempfile::tempdir().expect("temp dir");
    MasterKey::resolve_from(None, data_dir.path()).expect("created");
    let path = data_dir.path().join(MASTER_KEY_FILE_NAME);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let error = MasterKey::resolve_from(None, data_dir.path()).expect_err("a 0644 key file was used");
    let message = error.to_string();
    assert!(message.contains("chmod 600"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");

    let output = leadgate(data_dir.path(), &["auth", "status", "--offline"], &[]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("chmod 600"), "{}", stderr(&output));
}

#[test]
fn a_key_from_the_environment_replaces_the_key_file() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let key = MasterKey::resolve_from(Some(std::ffi::OsStr::new(HEX_KEY)), data_dir.path()).expect("key");
    assert!(!data_dir.path().join(MASTER_KEY_FILE_NAME).exists());
    assert!(format!("{key:?}").contains("REDACTED"));
    let bad = MasterKey::resolve_from(Some(std::ffi::OsStr::new("too-short")), data_dir.path());
    assert!(matches!(bad, Err(SecretsError::InvalidEnvironmentKey { .. })));
}

/// `leadgate ARGS` on `data_dir`, with `environment` set on purpose.
fn leadgate(data_dir: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .envs(environment.iter().copied())
        .output()
}

/// [`leadgate`] off the runtime's threads, so the in-process sandbox keeps serving.
async fn leadgate_async(data_dir: &Path, args: &[&str], environment: &[(&str, &str)]) -> Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .envs(environment.iter().copied())
        .output_async()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_token_with_the_master_key_in_the_environment() {
    let sandbox = sandbox().await;
    let token = sandbox
        .control()
        .oauth()
        .mint_access_token(DEFAULT_USERNAME)
        .expect("a token");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let stored = leadgate_async(
        data_dir.path(),
        &["auth", "token", "--instance-url", sandbox.base_url()],
        &[("LEADGATE_ACCESS_TOKEN", &token), (MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(stored.status.success(), "{}", stderr(&stored));
    assert!(!data_dir.path().join(MASTER_KEY_FILE_NAME).exists());

    let status = leadgate_async(
        data_dir.path(),
        &["auth", "status", "--json"],
        &[(MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(status.status.success(), "{}", stderr(&status));
    let document: Value = serde_json::from_str(&stdout(&status)).expect("JSON status");
    assert_eq!(document["flow"], "access-token");
    assert!(document["check_error"].is_null(), "{document}");

    // Without the key, the record cannot be opened (a new key file is made, which does not fit).
    let without_key = leadgate_async(data_dir.path(), &["auth", "status", "--offline"], &[]).await;
    assert!(!without_key.status.success());
    assert!(
        stderr(&without_key).contains("cannot be decrypted"),
        "{}",
        stderr(&without_key)
    );

    let insecure = leadgate_async(
        data_dir.path(),
        &["auth", "token", "--instance-url", "http://na1.salesforce.com"],
        &[("LEADGATE_ACCESS_TOKEN", &token), (MASTER_KEY_ENV, HEX_KEY)],
    )
    .await;
    assert!(!insecure.status.success());
    assert!(stderr(&insecure).contains("HTTPS"), "{}", stderr(&insecure));
}
