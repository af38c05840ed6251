//! sObject Collections: create, update, upsert and delete many records per call, in chunks of
//! at most [`MAX_COLLECTION_RECORDS`], with a typed result per record in request order.
//!
//! A well-formed collection call answers 200 even when every record failed: look at each
//! [`SaveResult`]. `allOrNone` is Salesforce's transaction boundary, which is one call: with
//! more than 200 records, each chunk is all-or-none on its own, and the chunks are sent one
//! after the other whatever the previous ones did.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::error_code::ErrorCode;
use crate::request::ApiRequest;
use crate::sobject::{check_object_name, check_record_id, object_body};

/// Records (or ids) per collection call: Salesforce's maximum.
pub const MAX_COLLECTION_RECORDS: usize = 200;

/// The result of saving or deleting one record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SaveResult {
    /// The record's id (usually absent when a create failed).
    #[serde(default)]
    pub id: Option<String>,
    /// Whether this record was saved.
    pub success: bool,
    /// Upserts: whether the record was created (Salesforce sometimes leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// Why it failed.
    #[serde(default)]
    pub errors: Vec<RecordError>,
}

impl SaveResult {
    /// The first error's code.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        self.errors.first().map(|error| &error.status_code)
    }

    /// True when a retry of this record may succeed (e.g. `UNABLE_TO_LOCK_ROW`), or when it
    /// failed only because another record of an all-or-none call did.
    pub fn is_retryable(&self) -> bool {
        !self.success
            && !self.errors.is_empty()
            && self.errors.iter().all(|error| {
                error.status_code.is_retryable()
                    || error.status_code == ErrorCode::AllOrNoneOperationRolledBack
            })
    }
}

/// One error of one record.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordError {
    /// The code, e.g. `DUPLICATES_DETECTED`.
    #[serde(alias = "errorCode")]
    pub status_code: ErrorCode,
    /// The message.
    #[serde(default)]
    pub message: String,
    /// The fields concerned.
    #[serde(default)]
    pub fields: Vec<String>,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.status_code, self.message)?;
        if !self.fields.is_empty() {
            write!(formatter, " (fields: {})", self.fields.join(", "))?;
        }
        Ok(())
    }
}

/// Records as JSON objects with `attributes.type` set to `object`.
fn typed_records<R: Serialize>(object: &str, records: &[R]) -> Result<Vec<Value>, SalesforceError> {
    records
        .iter()
        .map(|record| {
            let mut body = object_body(record)?;
            body.entry("attributes")
                .or_insert_with(|| json!({ "type": object }));
            Ok(Value::Object(body))
        })
        .collect()
}

impl Client {
    /// Creates records of `object`: one call per 200. Not retried (a lost answer cannot tell
    /// which records exist).
    pub async fn create_records<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        check_object_name(object)?;
        let records = typed_records(object, records)?;
        if records
            .iter()
            .any(|record| record.get("Id").or_else(|| record.get("id")).is_some())
        {
            return Err(SalesforceError::InvalidRequest(
                "records to create must not have an Id".to_owned(),
            ));
        }
        self.save_chunks(
            Method::POST,
            &["composite", "sobjects"],
            records,
            all_or_none,
            false,
        )
        .await
    }

    /// Updates records of `object` (each with its `Id`): one call per 200.
    pub async fn update_records<R: Serialize>(
        &self,
        object: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        check_object_name(object)?;
        let records = typed_records(object, records)?;
        if records
            .iter()
            .any(|record| record.get("Id").or_else(|| record.get("id")).is_none())
        {
            return Err(SalesforceError::InvalidRequest(
                "every record to update needs its Id".to_owned(),
            ));
        }
        self.save_chunks(
            Method::PATCH,
            &["composite", "sobjects"],
            records,
            all_or_none,
            true,
        )
        .await
    }

    /// Creates or updates records of `object` by their External ID `field`: one call per 200.
    pub async fn upsert_records<R: Serialize>(
        &self,
        object: &str,
        field: &str,
        records: &[R],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        check_object_name(object)?;
        check_object_name(field)?;
        let records = typed_records(object, records)?;
        self.save_chunks(
            Method::PATCH,
            &["composite", "sobjects", object, field],
            records,
            all_or_none,
            true,
        )
        .await
    }

    /// Deletes records by id: one call per 200.
    pub async fn delete_records(
        &self,
        ids: &[impl AsRef<str>],
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let mut results = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_COLLECTION_RECORDS) {
            let mut joined = Vec::with_capacity(chunk.len());
            for id in chunk {
                check_record_id(id.as_ref())?;
                joined.push(id.as_ref());
            }
            let request = ApiRequest::data(Method::DELETE, ["composite", "sobjects"], CallKind::Collections)
                .query("ids", joined.join(","))
                .query("allOrNone", all_or_none.to_string());
            let chunk_results: Vec<SaveResult> = self.send(&request).await?.json()?;
            results.extend(chunk_results);
        }
        Ok(results)
    }

    async fn save_chunks(
        &self,
        method: Method,
        segments: &[&str],
        records: Vec<Value>,
        all_or_none: bool,
        idempotent: bool,
    ) -> Result<Vec<SaveResult>, SalesforceError> {
        let mut results = Vec::with_capacity(records.len());
        for chunk in records.chunks(MAX_COLLECTION_RECORDS) {
            let body = json!({ "allOrNone": all_or_none, "records": chunk });
            let request = ApiRequest::data(method.clone(), segments.iter().copied(), CallKind::Collections)
                .json(&body)
                .map_err(|error| SalesforceError::InvalidRequest(error.to_string()))?
                .idempotent(idempotent);
            let response = self.send(&request).await?;
            let chunk_results: Vec<SaveResult> = response.json()?;
            if chunk_results.len() != chunk.len() {
                return Err(SalesforceError::decode(
                    &response.operation,
                    format!("{} results for {} records", chunk_results.len(), chunk.len()),
                ));
            }
            results.extend(chunk_results);
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_record_results_with_and_without_created() {
        let body = r#"[{"success":false,"errors":[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":[]}]},
                       {"id":"003RM0000068xVCYAY","success":true,"errors":[]},
                       {"id":"001xx0000004GxDAAU","success":true,"errors":[],"created":true}]"#;
        let results: Vec<SaveResult> = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].error_code(), Some(&ErrorCode::DuplicatesDetected));
        assert_eq!(results[0].id, None);
        assert_eq!(results[1].created, None);
        assert_eq!(results[2].created, Some(true));
    }

    #[test]
    fn lock_failures_and_rollbacks_are_retryable_per_record() {
        let failed = |code: &str| SaveResult {
            id: None,
            success: false,
            created: None,
            errors: vec![RecordError {
                status_code: ErrorCode::parse(code),
                message: String::new(),
                fields: Vec::new(),
            }],
        };
        assert!(failed("UNABLE_TO_LOCK_ROW").is_retryable());
        assert!(failed("ALL_OR_NONE_OPERATION_ROLLED_BACK").is_retryable());
        assert!(!failed("STRING_TOO_LONG").is_retryable());
    }

    #[test]
    fn records_get_their_type() {
        let records = typed_records("Lead", &[json!({"LastName": "Doe"})]).unwrap_or_default();
        assert_eq!(records[0]["attributes"]["type"], "Lead");
        assert!(typed_records("Lead", &[json!([1, 2])]).is_err());
    }
}
