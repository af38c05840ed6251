//! What a Bulk API 2.0 ingest job is asked to do: the create-job request of reference §5.2,
//! checked against the Lead schema.

use serde_json::{Map, Value};

use crate::api_error::RecordError;
use crate::lead_schema::LeadSchema;
use crate::rest::is_lead;

/// `errorCode` of a request about a job that cannot be: unknown object, operation, options.
/// Reference §5.8 lists `InvalidJob`; the JSON spelling follows the observed upper-case form.
pub(crate) const INVALID_JOB: &str = "INVALIDJOB";

/// The operation of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
}

impl Operation {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "insert" => Some(Self::Insert),
            "update" => Some(Self::Update),
            "upsert" => Some(Self::Upsert),
            "delete" => Some(Self::Delete),
            "hardDelete" => Some(Self::HardDelete),
            _ => None,
        }
    }

    /// The name in job info.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Insert => "insert",
            Self::Update => "update",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
            Self::HardDelete => "hardDelete",
        }
    }
}

/// The separator of the CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnDelimiter {
    Backquote,
    Caret,
    Comma,
    Pipe,
    Semicolon,
    Tab,
}

impl ColumnDelimiter {
    const ALL: [Self; 6] = [
        Self::Backquote,
        Self::Caret,
        Self::Comma,
        Self::Pipe,
        Self::Semicolon,
        Self::Tab,
    ];

    /// The name in job info.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Backquote => "BACKQUOTE",
            Self::Caret => "CARET",
            Self::Comma => "COMMA",
            Self::Pipe => "PIPE",
            Self::Semicolon => "SEMICOLON",
            Self::Tab => "TAB",
        }
    }

    /// The separating byte.
    pub(crate) fn byte(self) -> u8 {
        match self {
            Self::Backquote => b'`',
            Self::Caret => b'^',
            Self::Comma => b',',
            Self::Pipe => b'|',
            Self::Semicolon => b';',
            Self::Tab => b'\t',
        }
    }
}

/// The end of each CSV line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnding {
    Lf,
    Crlf,
}

impl LineEnding {
    /// The name in job info.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Lf => "LF",
            Self::Crlf => "CRLF",
        }
    }

    /// The characters that end a line.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::Lf => "\n",
            Self::Crlf => "\r\n",
        }
    }
}

/// A checked create-job request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JobSpec {
    pub(crate) operation: Operation,
    /// The key of an upsert, under its API name.
    pub(crate) external_id_field: Option<String>,
    pub(crate) column_delimiter: ColumnDelimiter,
    pub(crate) line_ending: LineEnding,
    pub(crate) assignment_rule_id: Option<String>,
}

fn invalid_job(message: impl Into<String>) -> RecordError {
    RecordError::plain(axum::http::StatusCode::BAD_REQUEST, INVALID_JOB, message)
}

/// A string property, or `None` when absent or null.
fn text<'body>(body: &'body Map<String, Value>, name: &str) -> Result<Option<&'body str>, RecordError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(RecordError::json_parser(format!(
            "Cannot deserialize instance of string from {other} value for {name}"
        ))),
    }
}

impl JobSpec {
    /// Checks a create-job body (reference §5.2).
    pub(crate) fn parse(body: &Map<String, Value>, schema: &LeadSchema) -> Result<Self, RecordError> {
        const KNOWN: [&str; 7] = [
            "object",
            "operation",
            "externalIdFieldName",
            "contentType",
            "columnDelimiter",
            "lineEnding",
            "assignmentRuleId",
        ];
        if let Some(unknown) = body.keys().find(|key| !KNOWN.contains(&key.as_str())) {
            return Err(RecordError::json_parser(format!(
                "Unrecognized field \"{unknown}\" (not marked as ignorable)"
            )));
        }
        match text(body, "object")? {
            Some(object) if is_lead(object) => {}
            Some(object) => return Err(invalid_job(format!("Unable to find object: {object}"))),
            None => return Err(invalid_job("Object is required")),
        }
        let operation = match text(body, "operation")? {
            Some(name) => {
                Operation::parse(name).ok_or_else(|| invalid_job(format!("Invalid operation: {name}")))?
            }
            None => return Err(invalid_job("Operation is required")),
        };
        let external_id_field = if operation == Operation::Upsert {
            let Some(name) = text(body, "externalIdFieldName")?.filter(|name| !name.is_empty()) else {
                return Err(invalid_job(
                    "External ID was blank for Lead. An External ID must be specified for upsert.",
                ));
            };
            let field = schema
                .field(name)
                .filter(|field| field.id_lookup)
                .ok_or_else(|| {
                    invalid_job(format!(
                        "Field name provided, {name} does not match an External ID, Salesforce Id, or indexed field for Lead"
                    ))
                })?;
            Some(field.name.clone())
        } else {
            None
        };
        if let Some(content_type) = text(body, "contentType")?
            && content_type != "CSV"
        {
            return Err(invalid_job(format!("Invalid content type: {content_type}")));
        }
        let column_delimiter = match text(body, "columnDelimiter")? {
            None => ColumnDelimiter::Comma,
            Some(name) => ColumnDelimiter::ALL
                .into_iter()
                .find(|delimiter| delimiter.name() == name)
                .ok_or_else(|| invalid_job(format!("Invalid column delimiter: {name}")))?,
        };
        let line_ending = match text(body, "lineEnding")? {
            None | Some("LF") => LineEnding::Lf,
            Some("CRLF") => LineEnding::Crlf,
            Some(name) => return Err(invalid_job(format!("Invalid line ending: {name}"))),
        };
        Ok(Self {
            operation,
            external_id_field,
            column_delimiter,
            line_ending,
            assignment_rule_id: text(body, "assignmentRuleId")?.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::CustomField;

    fn parse(body: Value) -> Result<JobSpec, RecordError> {
        let schema = LeadSchema::new(&[CustomField::leadgate_id()]);
        JobSpec::parse(body.as_object().unwrap(), &schema)
    }

    #[test]
    fn defaults_to_comma_and_lf() {
        let spec = parse(json!({"object": "Lead", "operation": "insert"})).unwrap();
        assert_eq!(spec.column_delimiter, ColumnDelimiter::Comma);
        assert_eq!(spec.line_ending, LineEnding::Lf);
        assert_eq!(spec.external_id_field, None);
    }

    #[test]
    fn upsert_needs_a_lookup_field() {
        let spec =
            parse(json!({"object": "Lead", "operation": "upsert", "externalIdFieldName": "leadgateid__c"}))
                .unwrap();
        assert_eq!(spec.external_id_field.as_deref(), Some("LeadgateId__c"));
        let error = parse(json!({"object": "Lead", "operation": "upsert"})).unwrap_err();
        assert_eq!(error.code, INVALID_JOB);
        let error = parse(json!({"object": "Lead", "operation": "upsert", "externalIdFieldName": "Title"}))
            .unwrap_err();
        assert!(
            error.message.starts_with("Field name provided, Title"),
            "{}",
            error.message
        );
    }

    #[test]
    fn rejects_other_objects_options_and_keys() {
        let code = |body: Value| parse(body).unwrap_err().code;
        assert_eq!(
            code(json!({"object": "Account", "operation": "insert"})),
            INVALID_JOB
        );
        assert_eq!(code(json!({"object": "Lead", "operation": "merge"})), INVALID_JOB);
        assert_eq!(
            code(json!({"object": "Lead", "operation": "insert", "contentType": "JSON"})),
            INVALID_JOB
        );
        assert_eq!(
            code(json!({"object": "Lead", "operation": "insert", "lineEnding": "CR"})),
            INVALID_JOB
        );
        assert_eq!(
            code(json!({"object": "Lead", "operation": "insert", "bogus": 1})),
            "JSON_PARSER_ERROR"
        );
        let spec =
            parse(json!({"object": "Lead", "operation": "hardDelete", "columnDelimiter": "PIPE"})).unwrap();
        assert_eq!(spec.column_delimiter.byte(), b'|');
    }
}
