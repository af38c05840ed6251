//! Salesforce's error codes (`errorCode` in REST error arrays, `statusCode` in per-record
//! results, the code before the first `:` of a Bulk API `sf__Error`), as one typed enum.
//!
//! Every code in the reference's catalogue (§7.2) and every code the clients and the sandbox
//! org are seen to send is a variant; anything else is kept verbatim in [`ErrorCode::Other`].

/// Declares [`ErrorCode`] with its text for each variant, so the two never drift apart.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident => $text:literal, )*) => {
        /// A Salesforce error or status code.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
            /// A code this client does not know, as Salesforce spelled it.
            Other(String),
        }

        /// Every known code with its text.
        const KNOWN: &[(&str, ErrorCode)] = &[ $( ($text, ErrorCode::$variant), )* ];

        impl ErrorCode {
            /// The code as Salesforce spells it (unknown codes verbatim).
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(text) => text,
                }
            }
        }
    };
}

error_codes! {
    /// 401: the session expired or the token is invalid; refresh and retry once.
    InvalidSessionId => "INVALID_SESSION_ID",
    /// 401: the `Authorization` header is missing or malformed (not refreshable).
    InvalidAuthHeader => "INVALID_AUTH_HEADER",
    /// 403: the daily API allocation (or the concurrent long-request limit) is used up.
    RequestLimitExceeded => "REQUEST_LIMIT_EXCEEDED",
    /// 403: the REST API is not enabled for the org.
    ApiDisabledForOrg => "API_DISABLED_FOR_ORG",
    /// 403: the API is disabled for this user.
    ApiCurrentlyDisabled => "API_CURRENTLY_DISABLED",
    /// 403: the user lacks a permission.
    InsufficientAccess => "INSUFFICIENT_ACCESS",
    /// 400: no access to the record, or it is read only.
    InsufficientAccessOrReadonly => "INSUFFICIENT_ACCESS_OR_READONLY",
    /// 400: no access to a referenced record.
    InsufficientAccessOnCrossReferenceEntity => "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    /// 403: blocked by a Transaction Security policy.
    TxnSecurityNoAccess => "TXN_SECURITY_NO_ACCESS",
    /// A duplicate rule matched (with a `duplicateResult` on single-record calls).
    DuplicatesDetected => "DUPLICATES_DETECTED",
    /// A unique field's value is already used by another record.
    DuplicateValue => "DUPLICATE_VALUE",
    /// The same External ID appears twice in one request.
    DuplicateExternalId => "DUPLICATE_EXTERNAL_ID",
    /// A converted Lead is read only.
    CannotUpdateConvertedLead => "CANNOT_UPDATE_CONVERTED_LEAD",
    /// The record is locked by another transaction: transient, retry with backoff.
    UnableToLockRow => "UNABLE_TO_LOCK_ROW",
    /// The record is locked for editing (approval process).
    EntityIsLocked => "ENTITY_IS_LOCKED",
    /// The record was deleted.
    EntityIsDeleted => "ENTITY_IS_DELETED",
    /// A text value is longer than the field allows.
    StringTooLong => "STRING_TOO_LONG",
    /// The e-mail address is not valid.
    InvalidEmailAddress => "INVALID_EMAIL_ADDRESS",
    /// Required fields are missing.
    RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
    /// A value is not in a restricted picklist.
    InvalidOrNullForRestrictedPicklist => "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    /// A validation rule failed.
    FieldCustomValidationException => "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    /// A field's value is inconsistent with another.
    FieldIntegrityException => "FIELD_INTEGRITY_EXCEPTION",
    /// A lookup filter failed.
    FieldFilterValidationException => "FIELD_FILTER_VALIDATION_EXCEPTION",
    /// A number is outside the field's range.
    NumberOutsideValidRange => "NUMBER_OUTSIDE_VALID_RANGE",
    /// The resource or record does not exist.
    NotFound => "NOT_FOUND",
    /// The HTTP method is not allowed on the resource.
    MethodNotAllowed => "METHOD_NOT_ALLOWED",
    /// The id is malformed or of the wrong type.
    MalformedId => "MALFORMED_ID",
    /// A referenced id is not valid for the user.
    InvalidCrossReferenceKey => "INVALID_CROSS_REFERENCE_KEY",
    /// A field does not exist (DML or SOQL).
    InvalidField => "INVALID_FIELD",
    /// A field cannot be written.
    InvalidFieldForInsertUpdate => "INVALID_FIELD_FOR_INSERT_UPDATE",
    /// The sObject type is not supported.
    InvalidType => "INVALID_TYPE",
    /// A value has the wrong type for its field.
    InvalidTypeOnFieldInRecord => "INVALID_TYPE_ON_FIELD_IN_RECORD",
    /// The SOQL is malformed.
    MalformedQuery => "MALFORMED_QUERY",
    /// The query ran too long.
    QueryTimeout => "QUERY_TIMEOUT",
    /// The query locator expired or is unknown.
    InvalidQueryLocator => "INVALID_QUERY_LOCATOR",
    /// Too many ids or records in one call.
    ExceededIdLimit => "EXCEEDED_ID_LIMIT",
    /// The replication date range is outside the allowed window.
    InvalidReplicationDate => "INVALID_REPLICATION_DATE",
    /// The request body is not valid JSON (or a value has the wrong JSON type).
    JsonParserError => "JSON_PARSER_ERROR",
    /// The `Content-Type` is missing or not supported (PATCH).
    InvalidContentType => "INVALID_CONTENT_TYPE",
    /// The `Content-Type` is missing or not supported (POST).
    UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
    /// A required argument is missing.
    MissingArgument => "MISSING_ARGUMENT",
    /// A batch size is out of range.
    InvalidBatchSize => "INVALID_BATCH_SIZE",
    /// 503: the server is too busy: transient, retry with backoff.
    ServerUnavailable => "SERVER_UNAVAILABLE",
    /// 500: an unexpected server error: transient, retry with backoff.
    UnknownException => "UNKNOWN_EXCEPTION",
    /// allOrNone: this record was rolled back because another one failed.
    AllOrNoneOperationRolledBack => "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    /// Composite: this subrequest was not run or was rolled back.
    ProcessingHalted => "PROCESSING_HALTED",
    /// Composite batch: processing stopped after an error.
    BatchProcessingHalted => "BATCH_PROCESSING_HALTED",
    /// More than one error in one answer (some clients' summary code).
    MultipleApiErrors => "MULTIPLE_API_ERRORS",
    /// Bulk API 2.0: bad input (CSV, job definition).
    ClientInputError => "ClientInputError",
    /// Bulk API 2.0: a quota is used up.
    ExceededQuota => "ExceededQuota",
    /// Bulk API 2.0: the feature is not enabled.
    FeatureNotEnabled => "FeatureNotEnabled",
    /// Bulk API 2.0: the batch is invalid.
    InvalidBatch => "InvalidBatch",
    /// Bulk API 2.0: the job is invalid.
    InvalidJob => "InvalidJob",
    /// Bulk API 2.0: the job is not in a state that allows the operation.
    InvalidJobState => "InvalidJobState",
    /// Bulk API 2.0: the operation is invalid.
    InvalidOperation => "InvalidOperation",
    /// Bulk API 2.0: the URL is invalid.
    InvalidUrl => "InvalidUrl",
    /// Bulk API 2.0: the user is invalid.
    InvalidUser => "InvalidUser",
    /// Bulk API 2.0: the XML content is invalid (the Bulk 2.0 guide lists it as `InvalidXML`).
    InvalidXml => "InvalidXML",
    /// Bulk API 2.0: the request timed out.
    Timeout => "Timeout",
    /// Bulk API 2.0: records could not be locked too many times: transient.
    TooManyLockFailure => "TooManyLockFailure",
    /// Bulk API 2.0: an unknown error.
    Unknown => "Unknown",
}

impl ErrorCode {
    /// The code for `text`. Exact spellings first; then, because the Bulk API's documented
    /// codes (`InvalidJobState`, `InvalidSessionId`) appear upper-cased in JSON answers
    /// (`INVALIDJOBSTATE`), a comparison that ignores case and underscores.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        if let Some((_, code)) = KNOWN.iter().find(|(known, _)| *known == text) {
            return code.clone();
        }
        let folded = fold(text);
        KNOWN
            .iter()
            .find(|(known, _)| fold(known) == folded)
            .map_or_else(|| Self::Other(text.to_owned()), |(_, code)| code.clone())
    }

    /// True for codes that describe a transient condition, where the same request may succeed
    /// later (reference §7.4): row locks, an unavailable or failing server. Not
    /// `REQUEST_LIMIT_EXCEEDED`: the 24-hour window gives no quick recovery.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::UnableToLockRow
                | Self::ServerUnavailable
                | Self::UnknownException
                | Self::TooManyLockFailure
        )
    }
}

/// Upper case without underscores: `INVALID_SESSION_ID`, `InvalidSessionId` → `INVALIDSESSIONID`.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|character| *character != '_')
        .map(|character| character.to_ascii_uppercase())
        .collect()
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(text))
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(Self::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips() {
        for (text, code) in KNOWN {
            assert_eq!(ErrorCode::parse(text), *code);
            assert_eq!(code.as_str(), *text);
        }
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        let code = ErrorCode::parse("SOME_NEW_CODE");
        assert_eq!(code, ErrorCode::Other("SOME_NEW_CODE".to_owned()));
        assert_eq!(code.to_string(), "SOME_NEW_CODE");
        assert!(!code.is_retryable());
    }

    #[test]
    fn bulk_spellings_map_to_the_same_code() {
        assert_eq!(ErrorCode::parse("INVALIDJOBSTATE"), ErrorCode::InvalidJobState);
        assert_eq!(ErrorCode::parse("InvalidSessionId"), ErrorCode::InvalidSessionId);
        assert_eq!(ErrorCode::parse("NotFound"), ErrorCode::NotFound);
        assert_eq!(ErrorCode::parse("InvalidXML"), ErrorCode::InvalidXml);
        assert_eq!(ErrorCode::parse("INVALIDXML"), ErrorCode::InvalidXml);
        assert_eq!(ErrorCode::InvalidXml.as_str(), "InvalidXML");
    }

    #[test]
    fn only_transient_codes_are_retryable() {
        assert!(ErrorCode::UnableToLockRow.is_retryable());
        assert!(ErrorCode::ServerUnavailable.is_retryable());
        assert!(!ErrorCode::RequestLimitExceeded.is_retryable());
        assert!(!ErrorCode::InvalidSessionId.is_retryable());
        assert!(!ErrorCode::StringTooLong.is_retryable());
    }
}
