//! Salesforce-shaped errors and JSON responses.
//!
//! A single-record REST call answers an error with a status and an array of
//! `{"message","errorCode","fields"}`; sObject Collections embed each record's error as
//! `{"statusCode","message","fields"}`. [`RecordError`] is one error that can be rendered either way.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// The content type of every JSON answer, as Salesforce spells it.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// The message of `NOT_FOUND`.
pub const NOT_FOUND_MESSAGE: &str = "The requested resource does not exist";

/// One error about one request or record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// The HTTP status a single-record call answers with.
    pub status: StatusCode,
    /// `errorCode` / `statusCode`, e.g. `REQUIRED_FIELD_MISSING`.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// The fields concerned; `None` where the REST body has no `fields` key at all.
    pub fields: Option<Vec<String>>,
    /// The `duplicateResut` of `DUPLICATES_DETECTED` (single-record calls only).
    pub duplicate_result: Option<Value>,
}

impl RecordError {
    /// An error with `fields`.
    pub fn with_fields(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        fields: Vec<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Some(fields),
            duplicate_result: None,
        }
    }

    /// An error without a `fields` key.
    pub fn plain(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: None,
            duplicate_result: None,
        }
    }

    /// 400 with `fields`.
    pub fn bad_request(code: &'static str, message: impl Into<String>, fields: Vec<String>) -> Self {
        Self::with_fields(StatusCode::BAD_REQUEST, code, message, fields)
    }

    /// 404 `NOT_FOUND` "The requested resource does not exist".
    pub fn not_found() -> Self {
        Self::plain(StatusCode::NOT_FOUND, "NOT_FOUND", NOT_FOUND_MESSAGE)
    }

    /// 404 `ENTITY_IS_DELETED` "entity is deleted".
    pub fn entity_is_deleted() -> Self {
        Self::with_fields(
            StatusCode::NOT_FOUND,
            "ENTITY_IS_DELETED",
            "entity is deleted",
            Vec::new(),
        )
    }

    /// 400 `JSON_PARSER_ERROR`.
    pub fn json_parser(message: impl Into<String>) -> Self {
        Self::plain(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", message)
    }

    /// 400 `MALFORMED_ID`.
    pub fn malformed_id(id: &str) -> Self {
        Self::with_fields(
            StatusCode::BAD_REQUEST,
            "MALFORMED_ID",
            format!("malformed id {id}"),
            Vec::new(),
        )
    }

    /// The object of a REST error array.
    pub fn rest_json(&self) -> Value {
        let mut object = Map::new();
        if let Some(result) = &self.duplicate_result {
            object.insert("duplicateResut".into(), result.clone());
        }
        object.insert("message".into(), Value::String(self.message.clone()));
        object.insert("errorCode".into(), Value::String(self.code.to_owned()));
        if let Some(fields) = &self.fields {
            object.insert("fields".into(), json!(fields));
        }
        Value::Object(object)
    }

    /// The object of a collection result's `errors`.
    pub fn record_json(&self) -> Value {
        json!({
            "statusCode": self.code,
            "message": self.message,
            "fields": self.fields.clone().unwrap_or_default(),
        })
    }
}

impl IntoResponse for RecordError {
    fn into_response(self) -> Response {
        json_response(self.status, &Value::Array(vec![self.rest_json()]))
    }
}

/// A JSON response with Salesforce's content type.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}
