//! `leadgate_salesforce::Client` against the in-process sandbox org over real HTTP: every
//! resource, error mapping, retries, usage tracking, session refresh (single-flight), the
//! HTTPS rules, and that no error ever shows the access token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use leadgate_salesforce::bulk::{CsvData, CsvValue, IngestJobRequest, JobState, Operation, PollOptions};
use leadgate_salesforce::session::SessionFuture;
use leadgate_salesforce::{
    AuthError, CallKind, Client, CompositeRequest, CompositeSubrequest, ErrorCode, Record, RetryPolicy,
    SalesforceError, Session, SessionProvider, StaticSession, TransportKind, UpsertOutcome,
};
use leadgate_sandbox::{
    CustomField, CustomFieldKind, Fault, LEADGATE_ID_FIELD, Sandbox, SandboxConfig, SandboxControl,
};
use serde_json::{Value, json};

use crate::support::fake_server::{Answer, FakeServer};
use crate::support::leadgate_command::LeadgateCommand;

/// Retries quickly, so that tests of retrying take milliseconds.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::default()).await
}

fn token(sandbox: &Sandbox) -> String {
    sandbox.control().access_token().expect("the default user exists")
}

fn client_with(provider: impl SessionProvider) -> Client {
    Client::builder()
        .no_proxy()
        .retry_policy(fast_retries())
        .build(provider)
        .expect("a client")
}

fn client_shared(provider: Arc<CountingProvider>) -> Client {
    Client::builder()
        .no_proxy()
        .retry_policy(fast_retries())
        .build_shared(provider)
        .expect("a client")
}

/// A client with a fresh token of the sandbox's default user.
fn client(sandbox: &Sandbox) -> Client {
    client_with(StaticSession::from_token(sandbox.base_url(), token(sandbox)))
}

fn by_kind(control: &SandboxControl, kind: &str) -> u64 {
    control.api_calls().by_kind.get(kind).copied().unwrap_or_default()
}

fn lead(last_name: &str) -> Value {
    json!({"LastName": last_name, "Company": "Acme"})
}

/// A provider that counts its calls and mints a new sandbox token on refresh, slowly enough
/// that concurrent requests pile up behind the refresh.
struct CountingProvider {
    control: SandboxControl,
    instance_url: String,
    token: Mutex<String>,
    sessions: AtomicUsize,
    refreshes: AtomicUsize,
}

impl CountingProvider {
    fn new(sandbox: &Sandbox) -> Arc<Self> {
        Arc::new(Self {
            control: sandbox.control().clone(),
            instance_url: sandbox.base_url().to_owned(),
            token: Mutex::new(token(sandbox)),
            sessions: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
        })
    }

    fn session_now(&self) -> Session {
        Session::new(
            self.instance_url.clone(),
            self.token.lock().expect("not poisoned").clone(),
        )
    }
}

impl SessionProvider for CountingProvider {
    fn session(&self) -> SessionFuture<'_> {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        let session = self.session_now();
        Box::pin(async move { Ok(session) })
    }

    fn refresh(&self, _stale: &Session) -> SessionFuture<'_> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let fresh = self
                .control
                .access_token()
                .ok_or_else(|| AuthError::ReauthorizationNeeded {
                    reason: "no user".to_owned(),
                })?;
            *self.token.lock().expect("not poisoned") = fresh;
            Ok(self.session_now())
        })
    }
}

#[tokio::test]
async fn versions_and_limits_are_typed_and_usage_is_tracked() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let versions = client.versions().await.expect("versions");
    assert!(
        versions.iter().any(|version| version.version == "62.0"),
        "{versions:?}"
    );
    let latest = client
        .latest_version()
        .await
        .expect("versions")
        .expect("one version");
    assert_eq!(latest.version, "67.0");
    assert_eq!(client.api_usage(), None, "the versions list carries no usage");

    let limits = client.limits().await.expect("limits");
    let daily = limits.daily_api_requests().expect("DailyApiRequests");
    assert_eq!(daily.max, 15_000);
    let usage = client.api_usage().expect("Sforce-Limit-Info was read");
    assert_eq!((usage.used, usage.limit), (1, 15_000));
    client.describe("Lead").await.expect("describe");
    let usage = client.api_usage().expect("usage");
    assert_eq!(usage.used, sandbox.control().api_usage().used);
    assert_eq!(usage.used, 2);
    let counts = client.call_counts();
    assert_eq!(counts.total, 4);
    assert_eq!(counts.of(CallKind::Versions), 2);
    assert_eq!(counts.of(CallKind::Limits), 1);
}

#[tokio::test]
async fn describe_is_cached_until_invalidated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let describe = client.describe("Lead").await.expect("describe");
    assert_eq!(describe.key_prefix.as_deref(), Some("00Q"));
    let last_name = describe.field("lastname").expect("LastName");
    assert!(last_name.is_required());
    assert_eq!(last_name.length, 80);
    let external = describe.field(LEADGATE_ID_FIELD).expect("the External ID field");
    assert!(external.external_id && external.unique);

    let again = client.describe("lead").await.expect("describe");
    assert!(Arc::ptr_eq(&describe, &again));
    assert_eq!(
        by_kind(sandbox.control(), "describe"),
        1,
        "the second describe made no request"
    );
    client.clone().invalidate_describe(Some("Lead"));
    client.describe("Lead").await.expect("describe");
    assert_eq!(by_kind(sandbox.control(), "describe"), 2);

    let global = client.describe_global().await.expect("global describe");
    assert!(global.sobjects.iter().any(|object| object.name == "Lead"));
    client.describe_global().await.expect("global describe");
    assert_eq!(by_kind(sandbox.control(), "describeGlobal"), 1);
    client.invalidate_describe(None);
    client.describe("Lead").await.expect("describe");
    assert_eq!(by_kind(sandbox.control(), "describe"), 3);
}

#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LeadRow {
    id: String,
    last_name: String,
}

#[tokio::test]
async fn collections_chunk_by_200_and_queries_stream_across_pages() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records: Vec<Value> = (0..450).map(|index| lead(&format!("Lead {index:03}"))).collect();
    let results = client
        .create_records("Lead", &records, false)
        .await
        .expect("created");
    assert_eq!(results.len(), 450);
    assert!(results.iter().all(|result| result.success && result.id.is_some()));
    assert_eq!(
        by_kind(sandbox.control(), "collectionsCreate"),
        3,
        "450 records → 3 calls"
    );
    assert_eq!(client.call_counts().of(CallKind::Collections), 3);

    let options = leadgate_salesforce::QueryOptions {
        batch_size: Some(200),
        ..Default::default()
    };
    let stream = client.query_with::<LeadRow>("SELECT Id, LastName FROM Lead ORDER BY LastName", options);
    let rows: Vec<LeadRow> = stream.try_collect().await.expect("every page");
    assert_eq!(rows.len(), 450);
    assert_eq!(rows[0].last_name, "Lead 000");
    assert_eq!(rows[449].last_name, "Lead 449");
    assert_eq!(rows[0].id, results[0].id.clone().expect("an id"));
    assert_eq!(by_kind(sandbox.control(), "query"), 1);
    assert_eq!(
        by_kind(sandbox.control(), "queryMore"),
        2,
        "nextRecordsUrl was followed twice"
    );

    // The default page size (2000) gives one page; records come back as JSON objects.
    let mut stream = client.query("SELECT Id, LastName FROM Lead WHERE LastName = 'Lead 007'");
    let first: Record = stream.try_next().await.expect("a page").expect("a record");
    assert_eq!(first["LastName"], "Lead 007");
    assert_eq!(stream.total_size(), Some(1));
    assert!(stream.try_next().await.expect("the end").is_none());

    // queryAll also returns deleted records.
    let deleted = results[0].id.clone().expect("an id");
    client.delete("Lead", &deleted).await.expect("deleted");
    let soql = format!("SELECT Id, IsDeleted FROM Lead WHERE Id = '{deleted}'");
    let live: Vec<Record> = client.query(&soql).try_collect().await.expect("query");
    assert!(live.is_empty());
    let all: Vec<Record> = client.query_all(&soql).try_collect().await.expect("queryAll");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["IsDeleted"], true);

    let error = client.query("SELEKT Id FROM Lead").try_collect::<Vec<_>>().await;
    let error = error.expect_err("malformed SOQL");
    assert_eq!(error.code(), Some(&ErrorCode::MalformedQuery));
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn single_records_map_201_200_204_and_404() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    assert_eq!(id.len(), 18);
    let record = client
        .get("Lead", &id, Some(&["LastName", "Company"]))
        .await
        .expect("read");
    assert_eq!(record["LastName"], "Doe");
    client
        .update("Lead", &id, &json!({"FirstName": "Jane"}))
        .await
        .expect("updated");
    let record = client.get("Lead", &id, None).await.expect("read");
    assert_eq!(record["FirstName"], "Jane");

    let created = client
        .upsert("Lead", LEADGATE_ID_FIELD, "contact-1", &lead("Roe"))
        .await
        .expect("upserted");
    assert!(created.created(), "{created:?}");
    let updated = client
        .upsert(
            "Lead",
            LEADGATE_ID_FIELD,
            "contact-1",
            &json!({"LastName": "Roe", "Company": "Beta"}),
        )
        .await
        .expect("upserted");
    assert_eq!(
        updated,
        UpsertOutcome::Updated {
            id: created.id().map(str::to_owned)
        }
    );
    let by_key = client
        .get_by_external_id("Lead", LEADGATE_ID_FIELD, "contact-1")
        .await
        .expect("found");
    assert_eq!(by_key["Company"], "Beta");

    client.delete("Lead", &id).await.expect("deleted");
    let error = client.get("Lead", &id, None).await.expect_err("gone");
    assert!(
        matches!(&error, SalesforceError::Api { status: 404, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(&ErrorCode::NotFound));
    let error = client
        .update("Lead", &id, &json!({"FirstName": "X"}))
        .await
        .expect_err("deleted");
    assert!(error.has_code(&ErrorCode::EntityIsDeleted), "{error:?}");
    let error = client
        .upsert("Lead", "NoSuchField__c", "x", &lead("Doe"))
        .await
        .expect_err("no such field");
    assert_eq!(error.status(), Some(404));

    let error = client
        .create("Lead", &json!({"LastName": "x".repeat(81), "Company": "Acme"}))
        .await;
    let error = error.expect_err("too long");
    assert_eq!(error.code(), Some(&ErrorCode::StringTooLong));
    assert_eq!(error.api_errors()[0].fields, ["LastName"]);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn several_external_id_matches_are_a_typed_error_listing_them() {
    let region = CustomField {
        name: "Region__c".to_owned(),
        label: "Region".to_owned(),
        kind: CustomFieldKind::Text { length: 40 },
        external_id: true,
        unique: false,
        required: false,
    };
    let sandbox = sandbox_with(SandboxConfig {
        custom_fields: vec![CustomField::leadgate_id(), region],
        ..SandboxConfig::default()
    })
    .await;
    let client = client(&sandbox);
    for name in ["Doe", "Roe"] {
        client
            .create(
                "Lead",
                &json!({"LastName": name, "Company": "Acme", "Region__c": "north"}),
            )
            .await
            .expect("created");
    }
    let error = client
        .upsert("Lead", "Region__c", "north", &lead("Poe"))
        .await
        .expect_err("two matches");
    let SalesforceError::MultipleMatches { matches, .. } = &error else {
        panic!("not MultipleMatches: {error:?}");
    };
    assert_eq!(matches.len(), 2);
    assert!(
        matches.iter().all(|url| url.contains("/sobjects/Lead/00Q")),
        "{matches:?}"
    );
    assert_eq!(error.status(), Some(300));
    assert_eq!(sandbox.control().live_lead_count(), 2, "nothing was written");
    let error = client.get_by_external_id("Lead", "Region__c", "north").await;
    assert!(
        matches!(error, Err(SalesforceError::MultipleMatches { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn collections_report_per_record_errors_and_honour_all_or_none() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records = [
        lead("Valid"),
        json!({"Company": "Acme"}),
        json!({"LastName": "Mail", "Company": "Acme", "Email": "not-an-address"}),
    ];
    let results = client
        .create_records("Lead", &records, false)
        .await
        .expect("answered");
    assert!(results[0].success);
    assert_eq!(results[1].error_code(), Some(&ErrorCode::RequiredFieldMissing));
    assert_eq!(results[2].error_code(), Some(&ErrorCode::InvalidEmailAddress));
    assert_eq!(results[2].errors[0].fields, ["Email"]);
    assert_eq!(sandbox.control().live_lead_count(), 1);

    let results = client
        .create_records("Lead", &records, true)
        .await
        .expect("answered");
    assert!(results.iter().all(|result| !result.success));
    assert_eq!(
        results[0].error_code(),
        Some(&ErrorCode::AllOrNoneOperationRolledBack)
    );
    assert!(results[0].is_retryable());
    assert_eq!(
        sandbox.control().live_lead_count(),
        1,
        "all or none: nothing saved"
    );

    let upserts = [
        json!({LEADGATE_ID_FIELD: "c-1", "LastName": "One", "Company": "Acme"}),
        json!({LEADGATE_ID_FIELD: "c-2", "LastName": "Two", "Company": "Acme"}),
    ];
    let results = client
        .upsert_records("Lead", LEADGATE_ID_FIELD, &upserts, false)
        .await
        .expect("upserted");
    assert!(
        results
            .iter()
            .all(|result| result.success && result.created == Some(true))
    );
    let results = client
        .upsert_records("Lead", LEADGATE_ID_FIELD, &upserts, false)
        .await
        .expect("upserted");
    assert!(
        results
            .iter()
            .all(|result| result.success && result.created == Some(false))
    );

    let ids: Vec<String> = results.iter().filter_map(|result| result.id.clone()).collect();
    let updates: Vec<Value> = ids.iter().map(|id| json!({"Id": id, "Title": "Buyer"})).collect();
    let results = client
        .update_records("Lead", &updates, true)
        .await
        .expect("updated");
    assert!(results.iter().all(|result| result.success));
    let results = client.delete_records(&ids, false).await.expect("deleted");
    assert!(results.iter().all(|result| result.success));
    let results = client.delete_records(&ids, false).await.expect("answered");
    assert!(results.iter().all(|result| !result.success), "{results:?}");
    assert!(
        client
            .update_records("Lead", &[lead("No id")], false)
            .await
            .is_err(),
        "an update without Id is refused before sending"
    );
}

#[tokio::test]
async fn duplicate_rule_details_are_parsed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let record = json!({"LastName": "Doe", "Company": "Acme", "Email": "doe@example.com"});
    client.create("Lead", &record).await.expect("created");
    let error = client.create("Lead", &record).await.expect_err("a duplicate");
    assert_eq!(error.code(), Some(&ErrorCode::DuplicatesDetected));
    let duplicate = error.api_errors()[0]
        .duplicate_result
        .clone()
        .expect("duplicateResut is parsed");
    assert_eq!(duplicate.match_results[0].match_records.len(), 1);
}

#[tokio::test]
async fn converted_leads_cannot_be_updated() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    sandbox.control().convert_lead(&id).expect("converted");
    let error = client
        .update("Lead", &id, &json!({"Title": "CEO"}))
        .await
        .expect_err("read only");
    assert_eq!(error.code(), Some(&ErrorCode::CannotUpdateConvertedLead));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn request_limit_exceeded_is_typed_and_not_retried() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.control().set_api_limit(Some(10), Some(10));
    let error = client.limits().await.expect_err("over the limit");
    assert!(
        matches!(&error, SalesforceError::Api { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), Some(&ErrorCode::RequestLimitExceeded));
    assert!(!error.is_retryable());
    assert_eq!(client.call_counts().total, 1, "no retry");
    let usage = client.api_usage().expect("the 403 carries Sforce-Limit-Info");
    assert_eq!((usage.used, usage.limit), (10, 10));
}

#[tokio::test]
async fn transient_failures_of_idempotent_requests_are_retried() {
    let sandbox = sandbox().await;
    let control = sandbox.control();
    let client = client(&sandbox);
    let id = client.create("Lead", &lead("Doe")).await.expect("created");

    control.queue_fault(Fault::UnableToLockRow);
    client
        .update("Lead", &id, &json!({"Title": "CEO"}))
        .await
        .expect("retried after the lock");
    assert_eq!(
        control.api_calls().faults_injected.get("unableToLockRow"),
        Some(&1)
    );
    assert_eq!(client.call_counts().of(CallKind::Update), 2);

    control.queue_fault(Fault::ServerUnavailable);
    control.queue_fault(Fault::HtmlError);
    client.limits().await.expect("retried after 503 and 502");
    assert_eq!(client.call_counts().of(CallKind::Limits), 3);

    // A commit whose answer is lost: the upsert's retry finds the record, no duplicate.
    control.queue_fault(Fault::CommitThenDrop);
    let outcome = client
        .upsert("Lead", LEADGATE_ID_FIELD, "c-9", &lead("Lost"))
        .await
        .expect("retried");
    assert!(
        !outcome.created(),
        "the retry updated what the first attempt created"
    );
    assert_eq!(control.live_lead_count(), 2);

    // Creates are never repeated, and without retries the errors say they are retryable.
    control.queue_fault(Fault::UnableToLockRow);
    let error = client
        .create("Lead", &lead("Once"))
        .await
        .expect_err("not retried");
    assert_eq!(error.code(), Some(&ErrorCode::UnableToLockRow));
    assert!(error.is_retryable());
    let no_retries = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    control.queue_fault(Fault::HtmlError);
    let error = no_retries.limits().await.expect_err("502");
    assert!(
        matches!(&error, SalesforceError::Http { status: 502, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    control.queue_fault(Fault::DropConnection);
    let error = no_retries.limits().await.expect_err("dropped");
    assert!(error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_the_request_replayed() {
    let sandbox = sandbox().await;
    let provider = CountingProvider::new(&sandbox);
    let client = client_shared(Arc::clone(&provider));
    client.create("Lead", &lead("Before")).await.expect("created");
    sandbox.control().expire_access_tokens();
    client
        .create("Lead", &lead("After"))
        .await
        .expect("created after a refresh");
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(provider.sessions.load(Ordering::SeqCst), 1);
    assert_eq!(
        sandbox.control().live_lead_count(),
        2,
        "the replayed create ran once"
    );
    client.limits().await.expect("the new session is kept");
    assert_eq!(provider.refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn sixteen_concurrent_requests_on_an_expired_token_share_one_refresh() {
    let sandbox = sandbox().await;
    let provider = CountingProvider::new(&sandbox);
    let client = client_shared(Arc::clone(&provider));
    client.limits().await.expect("a first session");
    sandbox.control().expire_access_tokens();
    let requests = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.limits().await })
    });
    let results = futures_util::future::join_all(requests).await;
    for result in results {
        result.expect("the task ran").expect("the request succeeded");
    }
    assert_eq!(
        provider.refreshes.load(Ordering::SeqCst),
        1,
        "exactly one refresh"
    );
    assert_eq!(provider.sessions.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_static_session_that_expires_asks_to_reauthorize() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    sandbox.control().expire_access_tokens();
    let error = client.limits().await.expect_err("expired");
    assert!(
        matches!(
            &error,
            SalesforceError::Auth(AuthError::ReauthorizationNeeded { .. })
        ),
        "{error:?}"
    );
    let chain = std::error::Error::source(&error)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(chain.contains("leadgate auth login"), "{chain}");
}

#[tokio::test]
async fn https_is_required_outside_loopback() {
    let client = client_with(StaticSession::from_token("http://example.com", "token"));
    let error = client.limits().await.expect_err("plain HTTP to a remote host");
    assert!(matches!(error, SalesforceError::InsecureUrl(_)), "{error:?}");
    assert!(!error.is_retryable());
    for instance in ["http://localhost:1", "http://[::1]:1"] {
        let client = client_with(StaticSession::from_token(instance, "token"));
        let error = client.limits().await.expect_err("nothing listens there");
        assert!(
            matches!(
                &error,
                SalesforceError::Transport {
                    kind: TransportKind::Connect,
                    ..
                }
            ),
            "{instance}: {error:?}"
        );
    }

    let sandbox = sandbox_with(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await;
    let pem = sandbox.certificate_pem().expect("a certificate").to_owned();
    let trusting = Client::builder()
        .no_proxy()
        .add_root_certificate_pem(pem)
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let limits = trusting
        .limits()
        .await
        .expect("HTTPS with the sandbox's certificate");
    assert!(limits.daily_api_requests().is_some());
    let untrusting = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = untrusting.limits().await.expect_err("an unknown certificate");
    assert!(matches!(error, SalesforceError::Transport { .. }), "{error:?}");
    let error = Client::builder()
        .add_root_certificate_pem("not a certificate")
        .build(StaticSession::from_token("https://example.com", "token"))
        .expect_err("bad PEM");
    assert!(matches!(error, SalesforceError::Build { .. }), "{error:?}");
}

#[tokio::test]
async fn errors_and_debug_output_never_contain_the_token() {
    let sandbox = sandbox().await;
    let secret = token(&sandbox);
    let client = client_with(StaticSession::from_token(sandbox.base_url(), secret.clone()));
    let id = client.create("Lead", &lead("Doe")).await.expect("created");
    client.delete("Lead", &id).await.expect("deleted");
    let mut errors = vec![
        client.get("Lead", &id, None).await.expect_err("404"),
        client
            .query("SELECT Nope FROM Lead")
            .try_collect::<Vec<_>>()
            .await
            .expect_err("400"),
    ];
    sandbox.control().set_api_limit(Some(1), Some(1));
    errors.push(client.limits().await.expect_err("403"));
    sandbox.control().expire_access_tokens();
    errors.push(client.limits().await.expect_err("401"));
    let remote = client_with(StaticSession::from_token("http://example.com", secret.clone()));
    errors.push(remote.limits().await.expect_err("insecure"));
    let unreachable = client_with(StaticSession::from_token("http://127.0.0.1:1", secret.clone()));
    errors.push(unreachable.limits().await.expect_err("refused"));
    let session = Session::new(sandbox.base_url(), secret.clone());
    let mut shown = format!("{client:?} {session:?} {:?}", StaticSession::new(session.clone()));
    for error in &errors {
        shown.push_str(&format!("{error} {error:?} "));
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            shown.push_str(&format!("{cause} {cause:?} "));
            source = cause.source();
        }
    }
    assert!(!shown.contains(&secret), "the token leaked: {shown}");
    let org_part = secret.split('!').nth(1).unwrap_or(&secret);
    assert!(!shown.contains(org_part));
}

/// Against the sandbox: a create and a read of the created id, in one call.
#[tokio::test]
async fn composite_requests_send_subrequests_in_one_call() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = CompositeRequest::new(false)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(CompositeSubrequest::new(
            "GET",
            client.data_path("sobjects/Lead/@{newLead.id}?fields=LastName"),
            "readBack",
        ));
    let response = client.composite(&request).await.expect("answered");
    let created = response.get("newLead").expect("the create's result");
    assert_eq!(created.http_status_code, 201, "{response:?}");
    let read = response.get("readBack").expect("the read's result");
    assert_eq!(read.http_status_code, 200, "{response:?}");
    assert_eq!(read.body["LastName"], "Composite");
    let id = created.body["id"].as_str().expect("an id");
    assert!(
        read.body["attributes"]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with(id)),
        "{response:?}"
    );
    assert_eq!(by_kind(sandbox.control(), "composite"), 1);
    assert_eq!(by_kind(sandbox.control(), "create"), 0);
    let too_many = (0..26).fold(CompositeRequest::new(false), |request, index| {
        request.push(CompositeSubrequest::new(
            "GET",
            client.data_path("limits"),
            format!("r{index}"),
        ))
    });
    assert!(matches!(
        client.composite(&too_many).await,
        Err(SalesforceError::InvalidRequest(_))
    ));
    assert_eq!(
        by_kind(sandbox.control(), "composite"),
        1,
        "refused before sending"
    );
}

/// The typed results against the sandbox org: a created record with its `Location`, a
/// subrequest halted because the one it refers to failed, and an `allOrNone` rollback.
#[tokio::test]
async fn composite_requests_and_their_subresponses_are_typed() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let request = CompositeRequest::new(false)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "badLead")
                .with_body(json!({"LastName": "No company"})),
        )
        .push(
            CompositeSubrequest::new(
                "PATCH",
                client.data_path("/sobjects/Lead/@{badLead.id}"),
                "update",
            )
            .with_body(json!({"Title": "CEO"})),
        );
    let response = client.composite(&request).await.expect("answered");
    assert_eq!(response.responses.len(), 3);
    let created = response.get("newLead").expect("the create's result");
    assert!(created.is_success());
    let id = created.body["id"].as_str().expect("an id");
    assert!(sandbox.control().lead(id).is_some(), "{response:?}");
    assert_eq!(
        created.http_headers.get("Location"),
        Some(&client.data_path(&format!("sobjects/Lead/{id}")))
    );
    let failed = response.get("badLead").expect("the failed create's result");
    assert_eq!(failed.errors()[0].code, ErrorCode::RequiredFieldMissing);
    let halted = response.get("update").expect("the update's result");
    assert_eq!(halted.http_status_code, 400);
    assert_eq!(halted.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(1));
    assert_eq!(client.call_counts().of(CallKind::Composite), 1);

    let all_or_none = CompositeRequest::new(true)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Rolled back")),
        )
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "badLead")
                .with_body(json!({"LastName": "No company"})),
        );
    let response = client.composite(&all_or_none).await.expect("answered");
    let rolled_back = response.get("newLead").expect("the create's result");
    assert!(!rolled_back.is_success());
    assert_eq!(rolled_back.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(
        sandbox.control().live_lead_count(),
        1,
        "only the first request's lead"
    );
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(2));
    assert_eq!(client.call_counts().of(CallKind::Composite), 2);
}

/// A stand-in for an org's `/composite` that checks the exact body and headers the client sends
/// (the sandbox accepts any well-formed variant) and answers the documented shape with
/// `Sforce-Limit-Info`.
async fn composite_endpoint(
    headers: axum::http::HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> impl axum::response::IntoResponse {
    let authorized =
        headers.get("authorization").and_then(|value| value.to_str().ok()) == Some("Bearer fake-token");
    let subrequests = body["compositeRequest"].as_array().cloned().unwrap_or_default();
    let well_formed = authorized
        && body["allOrNone"] == true
        && subrequests.len() == 2
        && subrequests[0]["referenceId"] == "newLead"
        && subrequests[0]["url"] == "/services/data/v62.0/sobjects/Lead"
        && subrequests[0]["body"]["LastName"] == "Composite"
        && subrequests[1]["url"] == "/services/data/v62.0/sobjects/Lead/@{newLead.id}";
    if !well_formed {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            [("sforce-limit-info", "api-usage=1/100")],
            axum::Json(json!([{"errorCode": "JSON_PARSER_ERROR", "message": body.to_string()}])),
        );
    }
    (
        axum::http::StatusCode::OK,
        [("sforce-limit-info", "api-usage=7/100")],
        axum::Json(json!({"compositeResponse": [
            {"body": {"id": "00Q5e00000ABCDEEA4", "success": true, "errors": []},
             "httpHeaders": {"Location": "/services/data/v62.0/sobjects/Lead/00Q5e00000ABCDEEA4"},
             "httpStatusCode": 201, "referenceId": "newLead"},
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "The transaction was rolled back since another operation in the same transaction failed."}],
             "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "update"}
        ]})),
    )
}

#[tokio::test]
async fn composite_requests_go_out_in_the_documented_body() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let router = axum::Router::new().route(
        "/services/data/v62.0/composite",
        axum::routing::post(composite_endpoint),
    );
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let client = client_with(StaticSession::from_token(
        format!("http://{address}"),
        "fake-token",
    ));
    let request = CompositeRequest::new(true)
        .push(
            CompositeSubrequest::new("POST", client.data_path("sobjects/Lead"), "newLead")
                .with_body(lead("Composite")),
        )
        .push(
            CompositeSubrequest::new(
                "PATCH",
                client.data_path("/sobjects/Lead/@{newLead.id}"),
                "update",
            )
            .with_body(json!({"Title": "CEO"})),
        );
    let response = client.composite(&request).await.expect("answered");
    let created = response.get("newLead").expect("the create's result");
    assert!(created.is_success());
    assert_eq!(created.body["id"], "00Q5e00000ABCDEEA4");
    assert!(created.http_headers.contains_key("Location"));
    let halted = response.get("update").expect("the update's result");
    assert_eq!(halted.http_status_code, 400);
    assert_eq!(halted.errors()[0].code, ErrorCode::ProcessingHalted);
    assert_eq!(client.api_usage().map(|usage| usage.used), Some(7));
    assert_eq!(client.call_counts().of(CallKind::Composite), 1);
    server.abort();
}

/// The sandbox's Bulk API 2.0: an upsert where some rows fail.
#[tokio::test]
async fn bulk_ingest_reports_successful_and_failed_rows() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut csv = CsvData::new([LEADGATE_ID_FIELD, "LastName", "Company", "Email", "Description"]);
    for index in 0..8 {
        let row: [CsvValue; 5] = [
            format!("bulk-{index}").into(),
            format!("Bulk, \"{index}\"").into(),
            "Acme".into(),
            CsvValue::Null,
            "two\nlines".into(),
        ];
        csv.push_row(row).expect("a row");
    }
    let failing: [CsvValue; 5] = [
        "bulk-8".into(),
        "NoCompany".into(),
        CsvValue::Unchanged,
        CsvValue::Null,
        CsvValue::Null,
    ];
    csv.push_row(failing).expect("a row");
    let bad_mail: [CsvValue; 5] = [
        "bulk-9".into(),
        "BadMail".into(),
        "Acme".into(),
        "nope".into(),
        CsvValue::Null,
    ];
    csv.push_row(bad_mail).expect("a row");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let outcome = client
        .ingest(&IngestJobRequest::upsert("Lead", LEADGATE_ID_FIELD), csv, poll)
        .await;
    let outcome = outcome.expect("the sandbox serves Bulk API 2.0");
    assert_eq!(outcome.job.state, JobState::JobComplete, "{:?}", outcome.job);
    assert_eq!(outcome.successful.len(), 8);
    assert_eq!(outcome.failed.len(), 2);
    assert!(outcome.unprocessed.is_empty());
    assert!(
        outcome
            .successful
            .iter()
            .all(|row| row.created && row.id.starts_with("00Q"))
    );
    let quoted = outcome
        .successful
        .iter()
        .find(|row| row.fields.get(LEADGATE_ID_FIELD).map(String::as_str) == Some("bulk-3"))
        .expect("row 3");
    assert_eq!(
        quoted.fields.get("LastName").map(String::as_str),
        Some("Bulk, \"3\"")
    );
    let mut codes: Vec<ErrorCode> = outcome.failed.iter().map(|row| row.error.code.clone()).collect();
    codes.sort_by(|left, right| left.as_str().cmp(right.as_str()));
    assert_eq!(
        codes,
        [ErrorCode::InvalidEmailAddress, ErrorCode::RequiredFieldMissing]
    );
    assert_eq!(sandbox.control().live_lead_count(), 8);
    let stored = client
        .get_by_external_id("Lead", LEADGATE_ID_FIELD, "bulk-3")
        .await
        .expect("stored");
    assert_eq!(stored["Description"], "two\nlines");
    assert_eq!(stored["Email"], Value::Null);
    assert!(client.call_counts().of(CallKind::Bulk) >= 7);
    client.delete_ingest_job(&outcome.job.id).await.expect("deleted");
}

/// Runs `leadgate sf …` against an instance with a token from the environment.
async fn leadgate_sf(
    args: &[&str],
    instance_url: &str,
    token: &str,
    data_dir: &std::path::Path,
) -> std::process::Output {
    LeadgateCommand::new(args)
        .data_dir(data_dir)
        .env("LEADGATE_INSTANCE_URL", instance_url)
        .env("LEADGATE_ACCESS_TOKEN", token)
        .output_async()
        .await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sf_commands_query_describe_and_show_limits() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let records = [
        json!({"LastName": "Doe, Jr.", "Company": "Acme", "Email": "doe@example.com"}),
        json!({"LastName": "Roe", "Company": "Beta"}),
    ];
    client
        .create_records("Lead", &records, true)
        .await
        .expect("created");
    let secret = token(&sandbox);
    let data_dir = tempfile::tempdir().expect("a directory");
    let base = sandbox.base_url().to_owned();

    let soql = "SELECT LastName, Email, Id FROM Lead ORDER BY LastName";
    let output = leadgate_sf(&["sf", "query", soql, "--csv"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let csv = text(&output.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "LastName,Email,Id", "columns in SELECT order: {csv}");
    assert!(lines[1].starts_with("\"Doe, Jr.\",doe@example.com,00Q"), "{csv}");
    assert!(lines[2].starts_with("Roe,,00Q"), "{csv}");

    let output = leadgate_sf(&["sf", "query", soql, "--json"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(rows[1]["LastName"], "Roe");
    assert!(rows[1].get("attributes").is_none());

    let output = leadgate_sf(
        &["sf", "query", "SELECT Id, LastName FROM Lead"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(table.starts_with("Id"), "{table}");
    assert!(table.contains("Roe"), "{table}");

    let output = leadgate_sf(
        &["sf", "describe", "Lead", "--json"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let describe: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let fields = describe["fields"].as_array().expect("fields");
    assert!(
        fields
            .iter()
            .any(|field| field["name"] == "LastName" && field["required"] == true)
    );

    let output = leadgate_sf(&["sf", "describe", "Lead"], &base, &secret, data_dir.path()).await;
    assert!(
        text(&output.stdout).contains("LeadgateId__c"),
        "{}",
        text(&output.stdout)
    );

    let output = leadgate_sf(&["sf", "limits"], &base, &secret, data_dir.path()).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    let limits = text(&output.stdout);
    assert!(limits.contains("DailyApiRequests"), "{limits}");
    assert!(limits.contains("API usage (Sforce-Limit-Info): "), "{limits}");

    let output = leadgate_sf(
        &["sf", "query", "SELEKT Id FROM Lead"],
        &base,
        &secret,
        data_dir.path(),
    )
    .await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("MALFORMED_QUERY"), "{message}");

    sandbox.control().expire_access_tokens();
    let output = leadgate_sf(&["sf", "limits"], &base, &secret, data_dir.path()).await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("leadgate auth login"), "{message}");
    assert!(
        !message.contains(&secret) && !csv.contains(&secret),
        "the token leaked: {message}"
    );

    // Without --instance-url the stored authorization is used; there is none in this directory.
    let output = LeadgateCommand::new(["sf", "limits"])
        .data_dir(data_dir.path())
        .env("LEADGATE_MASTER_KEY", "0".repeat(64))
        .output_async()
        .await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("leadgate auth login"), "{message}");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_a_retryable_transport_error() {
    let sandbox = sandbox_with(SandboxConfig {
        faults: leadgate_sandbox::FaultSettings {
            slow_rate: 1.0,
            slow_millis: 400,
            ..Default::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let impatient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(100))
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = impatient.limits().await.expect_err("too slow");
    assert!(
        matches!(
            &error,
            SalesforceError::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let patient = Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    patient.limits().await.expect("answered in time");
}

/// The data API's redirects are not followed: the bearer token would go wherever they point.
#[tokio::test]
async fn data_api_redirects_are_not_followed() {
    for status in [302_u16, 307] {
        let target = FakeServer::start(vec![Answer::json(200, json!({}))]).await;
        let instance = FakeServer::start(vec![Answer::redirect(
            status,
            format!("{}/services/data/v62.0/limits", target.base_url()),
        )])
        .await;
        let client = client_with(StaticSession::from_token(instance.base_url(), "canary-token"));
        let error = client.limits().await.expect_err("a redirect is not an answer");
        assert_eq!(error.status(), Some(status), "{error:?}");
        assert!(!error.is_retryable(), "{error:?}");
        assert_eq!(instance.hits(), 1, "sent once, not retried");
        let request = &instance.received()[0];
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", "/services/data/v62.0/limits")
        );
        assert_eq!(target.hits(), 0, "the redirect's target was contacted");
        // The target does count what reaches it.
        client_with(StaticSession::from_token(target.base_url(), "token"))
            .limits()
            .await
            .expect("the target answers");
        assert_eq!(target.hits(), 1);
    }
}

/// A policy whose longest wait is `max_delay`, with a short backoff otherwise.
fn retries_up_to(max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_delay: Duration::from_millis(5),
        max_delay,
    }
}

/// The wait between request `index` and the one after it.
fn gap(server: &FakeServer, index: usize) -> Duration {
    let received = server.received();
    received[index + 1].at.duration_since(received[index].at)
}

#[tokio::test]
async fn retry_after_on_429_and_503_sets_the_wait_up_to_the_policy_maximum() {
    let busy = Answer::json(
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Server too busy"}]),
    );
    let throttled = Answer {
        status: 429,
        headers: Vec::new(),
        body: "Too Many Requests".to_owned(),
    };
    for refusal in [busy, throttled] {
        let server = FakeServer::start(vec![
            refusal.clone().with_header("retry-after", "1"),
            Answer::json(200, json!({})),
        ])
        .await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(retries_up_to(Duration::from_secs(10)))
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        client.limits().await.expect("answered on the second attempt");
        assert_eq!(server.hits(), 2);
        let waited = gap(&server, 0);
        assert!(
            waited >= Duration::from_secs(1) && waited < Duration::from_secs(5),
            "{}: waited {waited:?} instead of the backoff's 5 ms",
            refusal.status
        );

        // A longer Retry-After than the policy allows is cut to the policy's maximum.
        let server = FakeServer::start(vec![
            refusal.clone().with_header("retry-after", "120"),
            Answer::json(200, json!({})),
        ])
        .await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(retries_up_to(Duration::from_millis(300)))
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        client.limits().await.expect("answered on the second attempt");
        let waited = gap(&server, 0);
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
            "waited {waited:?}"
        );

        // Without retries, the error tells the caller how long to wait.
        let server = FakeServer::start(vec![refusal.clone().with_header("retry-after", "7")]).await;
        let client = Client::builder()
            .no_proxy()
            .retry_policy(RetryPolicy::none())
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        let error = client.limits().await.expect_err("refused");
        assert_eq!(error.status(), Some(refusal.status));
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    }
}

/// A job id the client accepts.
const JOB_ID: &str = "7505e000001AbCdAAK";

fn job(state: &str) -> Answer {
    Answer::json(
        200,
        json!({"id": JOB_ID, "operation": "insert", "object": "Lead", "state": state}),
    )
}

#[tokio::test]
async fn bulk_polling_outlasts_a_busy_answer_and_honours_its_retry_after() {
    let busy = Answer::json(
        503,
        json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "Server too busy"}]),
    )
    .with_header("retry-after", "1");
    let server = FakeServer::start(vec![job("InProgress"), busy, job("JobComplete")]).await;
    let client = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(server.base_url(), "token"))
        .expect("a client");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(10),
        max_interval: Duration::from_secs(5),
        timeout: Duration::from_secs(30),
    };
    let finished = client
        .wait_for_ingest_job(JOB_ID, poll)
        .await
        .expect("the busy poll did not end the wait");
    assert_eq!(finished.state, JobState::JobComplete);
    let received = server.received();
    assert_eq!(received.len(), 3);
    assert!(
        received
            .iter()
            .all(|request| request.method == "GET" && request.path.ends_with(JOB_ID))
    );
    assert!(
        gap(&server, 0) < Duration::from_millis(900),
        "{:?}",
        gap(&server, 0)
    );
    let waited = gap(&server, 1);
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(5),
        "waited {waited:?} after the Retry-After"
    );

    // A poll that fails for good still ends the wait at once.
    let server = FakeServer::start(vec![Answer::json(
        404,
        json!([{"errorCode": "NOT_FOUND", "message": "no such job"}]),
    )])
    .await;
    let client = client_with(StaticSession::from_token(server.base_url(), "token"));
    let error = client
        .wait_for_ingest_job(JOB_ID, poll)
        .await
        .expect_err("the job is gone");
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_failed_bulk_job_is_reported_with_its_error_message() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let mut csv = CsvData::new(["LastName", "NoSuchField__c"]);
    csv.push_row(["Doe", "x"]).expect("a row");
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let outcome = client
        .ingest(&IngestJobRequest::new("Lead", Operation::Insert), csv, poll)
        .await
        .expect("the job ran to its end");
    assert_eq!(outcome.job.state, JobState::Failed, "{:?}", outcome.job);
    assert!(outcome.successful.is_empty());
    let message = outcome.job.error_message.clone().unwrap_or_default();
    assert!(message.contains("NoSuchField__c"), "{message}");
    let error = outcome
        .ensure_complete()
        .expect_err("a failed job is not complete");
    assert!(
        matches!(&error, SalesforceError::BulkJobFailed { state, message, .. } if state == "Failed" && message.contains("NoSuchField__c")),
        "{error:?}"
    );
    assert_eq!(sandbox.control().live_lead_count(), 0);
}

#[tokio::test]
async fn an_aborted_bulk_job_ends_the_wait_and_writes_nothing() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let created = client
        .create_ingest_job(&IngestJobRequest::new("Lead", Operation::Insert))
        .await
        .expect("created");
    assert_eq!(created.state, JobState::Open);
    let mut csv = CsvData::new(["LastName", "Company"]);
    csv.push_row(["Doe", "Acme"]).expect("a row");
    client.upload_job_data(&created.id, csv).await.expect("uploaded");
    let aborted = client.abort_ingest_job(&created.id).await.expect("aborted");
    assert_eq!(aborted.state, JobState::Aborted);
    let poll = PollOptions {
        initial_interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };
    let finished = client
        .wait_for_ingest_job(&created.id, poll)
        .await
        .expect("an aborted job is final");
    assert_eq!(finished.state, JobState::Aborted);
    let outcome = leadgate_salesforce::bulk::IngestOutcome {
        job: finished,
        successful: Vec::new(),
        failed: Vec::new(),
        unprocessed: Vec::new(),
    };
    let error = outcome.ensure_complete().expect_err("aborted is not complete");
    assert!(
        matches!(&error, SalesforceError::BulkJobFailed { state, .. } if state == "Aborted"),
        "{error:?}"
    );
    let closing = client
        .close_ingest_job(&created.id)
        .await
        .expect_err("an aborted job cannot be closed");
    assert_eq!(closing.status(), Some(400), "{closing:?}");
    assert_eq!(sandbox.control().live_lead_count(), 0);
}

#[tokio::test]
async fn errors_keep_the_request_id_salesforce_gave() {
    let sandbox = sandbox().await;
    let client = client(&sandbox);
    let missing = client.create("Lead", &lead("Gone")).await.expect("created");
    client.delete("Lead", &missing).await.expect("deleted");
    let first = client
        .get("Lead", &missing, None)
        .await
        .expect_err("no such Lead");
    let second = client
        .get("Lead", &missing, None)
        .await
        .expect_err("no such Lead");
    assert_eq!(first.status(), Some(404));
    let (first_id, second_id) = (
        first.request_id().expect("a request id").to_owned(),
        second.request_id().expect("a request id").to_owned(),
    );
    assert!(first_id.starts_with("SBXREQ"), "{first_id}");
    assert_ne!(first_id, second_id, "each request has its own id");

    // From a fake server: the id of an answer without an error array is kept too.
    let server = FakeServer::start(vec![
        Answer {
            status: 500,
            headers: Vec::new(),
            body: "<html>oops</html>".to_owned(),
        }
        .with_header("sforce-request-id", "TID:4bCsnN3Yz"),
    ])
    .await;
    let error = Client::builder()
        .no_proxy()
        .retry_policy(RetryPolicy::none())
        .build(StaticSession::from_token(server.base_url(), "token"))
        .expect("a client")
        .limits()
        .await
        .expect_err("500");
    assert!(
        matches!(&error, SalesforceError::Http { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("TID:4bCsnN3Yz"));
}

#[tokio::test]
async fn the_api_version_is_configurable_and_checked() {
    let server = FakeServer::start(vec![Answer::json(200, json!({}))]).await;
    for (given, expected) in [("59.0", "59.0"), ("v60.0", "60.0"), (" 61.0 ", "61.0")] {
        let client = Client::builder()
            .no_proxy()
            .api_version(given)
            .build(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client");
        assert_eq!(client.api_version(), expected);
        assert_eq!(
            client.data_path("sobjects"),
            format!("/services/data/v{expected}/sobjects")
        );
        client.limits().await.expect("limits");
        let path = server.received().last().expect("a request").path.clone();
        assert_eq!(path, format!("/services/data/v{expected}/limits"));
    }
    assert_eq!(
        Client::new(StaticSession::from_token(server.base_url(), "token"))
            .expect("a client")
            .api_version(),
        leadgate_salesforce::DEFAULT_API_VERSION
    );
    for invalid in ["62", "v", "sixty.two", "62.", ".0", "62.0.1"] {
        let built = Client::builder()
            .api_version(invalid)
            .build(StaticSession::from_token(server.base_url(), "token"));
        assert!(
            matches!(built, Err(SalesforceError::InvalidRequest(_))),
            "{invalid} was accepted"
        );
    }

    // A version the org does not serve is refused by the org.
    let sandbox = sandbox().await;
    let too_old = Client::builder()
        .no_proxy()
        .api_version("20.0")
        .build(StaticSession::from_token(sandbox.base_url(), token(&sandbox)))
        .expect("a client");
    let error = too_old.limits().await.expect_err("v20.0 is not served");
    assert_eq!(error.status(), Some(404), "{error:?}");
}
