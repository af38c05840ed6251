//! The sandbox org over HTTPS with its generated self-signed certificate.

use leadgate_sandbox::SandboxConfig;

use crate::support::sandbox::send;

#[tokio::test]
async fn https_works_with_the_generated_certificate() {
    let sandbox = leadgate_sandbox::Sandbox::start(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("starts with TLS");
    assert!(sandbox.base_url().starts_with("https://"));
    let pem = sandbox.certificate_pem().expect("a certificate");
    let certificate = reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_built_in_root_certs(false)
        .add_root_certificate(certificate)
        .build()
        .expect("a client");
    let token = sandbox.control().access_token().expect("a token");
    let reply = send(
        client
            .get(format!("{}/services/data/v67.0/limits", sandbox.base_url()))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body["DailyApiRequests"].is_object());
    let untrusting = reqwest::Client::builder().no_proxy().build().expect("a client");
    let refused = untrusting
        .get(format!("{}/services/data/", sandbox.base_url()))
        .send()
        .await;
    assert!(refused.is_err(), "an unknown certificate is refused");
    sandbox.shutdown().await.expect("stops");
}
