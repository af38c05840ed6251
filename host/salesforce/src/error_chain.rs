//! One line for an error and everything that caused it.

/// `error` and its sources joined with `: ` (`token storage: the data directory is locked`),
/// for logs and messages: the `Display` of an error of this crate names only its own layer and
/// keeps the cause as its `source`.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        line.push_str(": ");
        line.push_str(&cause.to_string());
        source = cause.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenStorageError;
    use crate::session::AuthError;

    #[test]
    fn every_layer_is_named_once() {
        let error = AuthError::Storage(TokenStorageError::new("the data directory is locked"));
        assert_eq!(error_chain(&error), "token storage: the data directory is locked");
    }
}
