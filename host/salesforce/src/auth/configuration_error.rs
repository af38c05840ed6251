//! What is wrong with the setup of a flow, before or apart from anything the server says.

use std::path::PathBuf;

/// A flow cannot run as set up: a file it needs, a key, a secret, the loopback listener. The
/// user has to fix something; trying again unchanged does not help. Each variant names the
/// file or setting, and the underlying error, if any, is its [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigurationError {
    /// A root certificate file could not be read.
    #[error("cannot read the certificate `{}`", path.display())]
    ReadCertificate {
        /// The certificate file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// A JWT key file could not be read.
    #[error("cannot read the JWT key file `{}`", path.display())]
    ReadJwtKey {
        /// The key file.
        path: PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// A JWT key file holds no usable RSA private key.
    #[error("JWT key file `{}`", path.display())]
    JwtKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with its contents.
        #[source]
        problem: JwtKeyProblem,
    },
    /// PEM text holds no usable RSA private key.
    #[error(transparent)]
    JwtKey(JwtKeyProblem),
    /// Signing a JWT assertion failed.
    #[error("signing the JWT assertion failed")]
    JwtSigning,
    /// The client-credentials flow was asked for without the connected app's secret.
    #[error("the client credentials flow needs the connected app's client secret")]
    ClientSecretMissing,
    /// The login URL does not make valid OAuth endpoint URLs.
    #[error("cannot build an OAuth endpoint URL")]
    EndpointUrl(#[source] url::ParseError),
    /// The loopback redirect URI is not a valid URL.
    #[error("bad redirect URI")]
    RedirectUri(#[source] url::ParseError),
    /// The loopback listener for the web-server flow's redirect could not start.
    #[error("cannot listen on 127.0.0.1 for the OAuth redirect")]
    LoopbackListener(#[source] std::io::Error),
    /// The browser login did not reach the loopback redirect in time.
    #[error(
        "no authorization arrived at the loopback redirect within {seconds} s; run the login again (and finish it in the browser)"
    )]
    BrowserTimedOut {
        /// How long the flow waited.
        seconds: u64,
    },
}

/// Why PEM text is not a usable RSA private key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JwtKeyProblem {
    /// No PEM block at all.
    #[error("not a PEM private key")]
    NotPem,
    /// A PEM block of another kind, e.g. a certificate.
    #[error("a `{label}` PEM block is not an RSA private key (want `PRIVATE KEY` or `RSA PRIVATE KEY`)")]
    NotRsaPrivateKey {
        /// The block's label, e.g. `CERTIFICATE`.
        label: String,
    },
    /// An RSA key that ring refuses (too short, malformed, …).
    #[error("the RSA private key is not usable")]
    Unusable(#[source] ring::error::KeyRejected),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_problem_names_the_file_and_keeps_the_problem_as_its_source() {
        let error = ConfigurationError::JwtKeyFile {
            path: "keys/app.pem".into(),
            problem: JwtKeyProblem::NotPem,
        };
        assert_eq!(error.to_string(), "JWT key file `keys/app.pem`");
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("not a PEM private key"));
        let bare = ConfigurationError::JwtKey(JwtKeyProblem::NotRsaPrivateKey {
            label: "CERTIFICATE".into(),
        });
        assert!(bare.to_string().contains("`CERTIFICATE` PEM block"), "{bare}");
    }
}
