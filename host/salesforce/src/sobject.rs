//! Single records: create (201), retrieve (200), update (204), delete (204) and upsert by
//! External ID (201 created, 200 or 204 updated, 300 several matches → an error that lists them).

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Record;
use crate::api_usage::CallKind;
use crate::client::Client;
use crate::collections::SaveResult;
use crate::error::SalesforceError;
use crate::request::ApiRequest;

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// No record had the External ID: one was created (201).
    Created {
        /// The new record's id.
        id: String,
    },
    /// One record had it and was updated (200 from v46.0; 204 without a body before).
    Updated {
        /// The record's id (`None` from API versions before 46.0).
        id: Option<String>,
    },
}

impl UpsertOutcome {
    /// The record's id, when Salesforce told it.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Created { id } => Some(id),
            Self::Updated { id } => id.as_deref(),
        }
    }

    /// True when the record was created.
    pub fn created(&self) -> bool {
        matches!(self, Self::Created { .. })
    }
}

/// Refuses what is not an sObject or field API name (`Lead`, `LeadgateId__c`, `ns__Obj__c`):
/// such a name would otherwise end up in a URL path.
pub(crate) fn check_object_name(name: &str) -> Result<(), SalesforceError> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && name
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || character == '_');
    if valid {
        Ok(())
    } else {
        Err(SalesforceError::InvalidRequest(format!(
            "`{name}` is not an API name"
        )))
    }
}

/// Refuses what is not a record id (15 or 18 letters and digits).
pub(crate) fn check_record_id(id: &str) -> Result<(), SalesforceError> {
    if matches!(id.len(), 15 | 18) && id.chars().all(|character| character.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(SalesforceError::InvalidRequest(format!(
            "`{id}` is not a record id"
        )))
    }
}

/// The body of a write as a JSON object.
pub(crate) fn object_body(
    record: &impl Serialize,
) -> Result<serde_json::Map<String, Value>, SalesforceError> {
    match serde_json::to_value(record) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(SalesforceError::InvalidRequest(
            "a record must serialize to a JSON object".to_owned(),
        )),
        Err(error) => Err(SalesforceError::InvalidRequest(format!(
            "the record cannot be serialized: {error}"
        ))),
    }
}

fn json_request(
    method: Method,
    segments: &[&str],
    kind: CallKind,
    body: &impl Serialize,
) -> Result<ApiRequest, SalesforceError> {
    let body = object_body(body)?;
    ApiRequest::data(method, segments.iter().copied(), kind)
        .json(&body)
        .map_err(|error| SalesforceError::InvalidRequest(error.to_string()))
}

impl Client {
    /// Creates a record and answers its id. Never retried: a lost answer cannot tell whether
    /// the record exists (upsert by External ID can be retried safely).
    pub async fn create(&self, object: &str, record: &impl Serialize) -> Result<String, SalesforceError> {
        check_object_name(object)?;
        let request = json_request(Method::POST, &["sobjects", object], CallKind::Create, record)?;
        let response = self.send(&request).await?;
        let result: SaveResult = response.json()?;
        result
            .id
            .ok_or_else(|| SalesforceError::decode(&response.operation, "the create answer has no id"))
    }

    /// A record with all its fields, or the listed ones.
    pub async fn get(
        &self,
        object: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<Record, SalesforceError> {
        self.get_as(object, id, fields).await
    }

    /// A record, deserialized as `T`.
    pub async fn get_as<T: DeserializeOwned>(
        &self,
        object: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<T, SalesforceError> {
        check_object_name(object)?;
        check_record_id(id)?;
        let mut request = ApiRequest::data(Method::GET, ["sobjects", object, id], CallKind::Retrieve);
        if let Some(fields) = fields {
            for field in fields {
                check_object_name(field)?;
            }
            request = request.query("fields", fields.join(","));
        }
        self.send(&request).await?.json()
    }

    /// The record whose External ID `field` is `value`; several matches give
    /// [`SalesforceError::MultipleMatches`].
    pub async fn get_by_external_id(
        &self,
        object: &str,
        field: &str,
        value: &str,
    ) -> Result<Record, SalesforceError> {
        check_object_name(object)?;
        check_object_name(field)?;
        let request = ApiRequest::data(
            Method::GET,
            ["sobjects", object, field, value],
            CallKind::Retrieve,
        );
        self.send(&request).await?.json()
    }

    /// Changes the given fields of a record (204).
    pub async fn update(
        &self,
        object: &str,
        id: &str,
        fields: &impl Serialize,
    ) -> Result<(), SalesforceError> {
        check_object_name(object)?;
        check_record_id(id)?;
        let request = json_request(Method::PATCH, &["sobjects", object, id], CallKind::Update, fields)?
            .idempotent(true);
        self.send(&request).await?;
        Ok(())
    }

    /// Deletes a record (204).
    pub async fn delete(&self, object: &str, id: &str) -> Result<(), SalesforceError> {
        check_object_name(object)?;
        check_record_id(id)?;
        let request = ApiRequest::data(Method::DELETE, ["sobjects", object, id], CallKind::Delete);
        self.send(&request).await?;
        Ok(())
    }

    /// Creates or updates the record whose External ID `field` is `value`. Idempotent, so
    /// retried after transient failures. Several matching records give
    /// [`SalesforceError::MultipleMatches`] and change nothing.
    pub async fn upsert(
        &self,
        object: &str,
        field: &str,
        value: &str,
        record: &impl Serialize,
    ) -> Result<UpsertOutcome, SalesforceError> {
        check_object_name(object)?;
        check_object_name(field)?;
        if value.is_empty() {
            return Err(SalesforceError::InvalidRequest(
                "an upsert needs an External ID value".to_owned(),
            ));
        }
        let request = json_request(
            Method::PATCH,
            &["sobjects", object, field, value],
            CallKind::Upsert,
            record,
        )?
        .idempotent(true);
        let response = self.send(&request).await?;
        match response.status {
            201 => {
                let result: SaveResult = response.json()?;
                let id = result.id.ok_or_else(|| {
                    SalesforceError::decode(&response.operation, "the upsert answer has no id")
                })?;
                Ok(UpsertOutcome::Created { id })
            }
            204 => Ok(UpsertOutcome::Updated { id: None }),
            _ => {
                let result: SaveResult = response.json()?;
                Ok(UpsertOutcome::Updated { id: result.id })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_are_checked_before_they_reach_a_path() {
        assert!(check_object_name("Lead").is_ok());
        assert!(check_object_name("LeadgateId__c").is_ok());
        assert!(check_object_name("../Lead").is_err());
        assert!(check_object_name("").is_err());
        assert!(check_object_name("1Lead").is_err());
        assert!(check_record_id("00Q5e00000ABCDEEA4").is_ok());
        assert!(check_record_id("00Q5e00000ABCDE").is_ok());
        assert!(check_record_id("00Q5e00000ABCDEEA").is_err());
        assert!(check_record_id("00Q5e00000ABCD/EA4").is_err());
    }
}
