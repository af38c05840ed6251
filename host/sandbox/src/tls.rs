//! Optional HTTPS: a self-signed certificate for `localhost` and `127.0.0.1`, generated at start,
//! whose PEM a client adds to its trusted roots to test the HTTPS path end to end.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The certificate could not be generated.
    #[error("cannot generate the sandbox's TLS certificate")]
    Certificate(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("cannot configure TLS")]
    Configuration(#[from] rustls::Error),
}

/// The acceptor and the certificate's PEM.
pub(crate) struct GeneratedTls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) certificate_pem: String,
}

/// Generates a certificate and the TLS configuration that serves it (HTTP/1.1 only).
pub(crate) fn generate() -> Result<GeneratedTls, TlsError> {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    let certificate_pem = certified.cert.pem();
    let certificate = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(GeneratedTls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem,
    })
}
