//! `POST /composite`: up to 25 subrequests in one call (one API request against the daily
//! allocation), later ones able to refer to earlier results with `@{referenceId.field}`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api_error::ApiError;
use crate::api_usage::CallKind;
use crate::client::Client;
use crate::error::SalesforceError;
use crate::request::ApiRequest;

/// Subrequests per composite request: Salesforce's maximum.
pub const MAX_SUBREQUESTS: usize = 25;

/// A composite request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeRequest {
    /// Roll everything back when one subrequest fails.
    pub all_or_none: bool,
    /// Let Salesforce batch independent subrequests (its default is true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collate_subrequests: Option<bool>,
    /// The subrequests, in order.
    #[serde(rename = "compositeRequest")]
    pub subrequests: Vec<CompositeSubrequest>,
}

impl CompositeRequest {
    /// An empty request.
    pub fn new(all_or_none: bool) -> Self {
        Self {
            all_or_none,
            collate_subrequests: None,
            subrequests: Vec::new(),
        }
    }

    /// Adds a subrequest.
    pub fn push(mut self, subrequest: CompositeSubrequest) -> Self {
        self.subrequests.push(subrequest);
        self
    }
}

/// One subrequest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubrequest {
    /// `GET`, `POST`, `PATCH`, `DELETE`.
    pub method: String,
    /// The full path, starting with `/services/data/vNN.0/` (see [`Client::data_path`]).
    pub url: String,
    /// Letters, digits and underscores; how later subrequests refer to this one.
    pub reference_id: String,
    /// The body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Extra headers (not `Authorization`, `Accept` or `Content-Type`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub http_headers: BTreeMap<String, String>,
}

impl CompositeSubrequest {
    /// A subrequest without a body.
    pub fn new(method: &str, url: impl Into<String>, reference_id: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            url: url.into(),
            reference_id: reference_id.into(),
            body: None,
            http_headers: BTreeMap::new(),
        }
    }

    /// With a JSON body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// With a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.http_headers.insert(name.into(), value.into());
        self
    }
}

/// The answer to a composite request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompositeResponse {
    /// One result per subrequest, in order.
    #[serde(rename = "compositeResponse")]
    pub responses: Vec<CompositeSubresponse>,
}

impl CompositeResponse {
    /// The result of the subrequest with this reference id.
    pub fn get(&self, reference_id: &str) -> Option<&CompositeSubresponse> {
        self.responses
            .iter()
            .find(|response| response.reference_id == reference_id)
    }
}

/// The result of one subrequest.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompositeSubresponse {
    /// What the subrequest would have answered on its own.
    #[serde(default)]
    pub body: Value,
    /// Its headers (e.g. `Location`).
    #[serde(default)]
    pub http_headers: BTreeMap<String, String>,
    /// Its status.
    pub http_status_code: u16,
    /// Its reference id.
    pub reference_id: String,
}

impl CompositeSubresponse {
    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.http_status_code)
    }

    /// The REST errors of a failed subrequest (empty on success).
    pub fn errors(&self) -> Vec<ApiError> {
        if self.is_success() {
            return Vec::new();
        }
        serde_json::to_vec(&self.body)
            .ok()
            .and_then(|bytes| ApiError::parse_body(&bytes))
            .unwrap_or_default()
    }
}

fn check(request: &CompositeRequest) -> Result<(), SalesforceError> {
    if request.subrequests.is_empty() || request.subrequests.len() > MAX_SUBREQUESTS {
        return Err(SalesforceError::InvalidRequest(format!(
            "a composite request takes 1 to {MAX_SUBREQUESTS} subrequests, not {}",
            request.subrequests.len()
        )));
    }
    for subrequest in &request.subrequests {
        let reference = &subrequest.reference_id;
        if reference.is_empty()
            || !reference
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_')
        {
            return Err(SalesforceError::InvalidRequest(format!(
                "`{reference}` is not a reference id (letters, digits and underscores)"
            )));
        }
        if !subrequest.url.starts_with("/services/data/") {
            return Err(SalesforceError::InvalidRequest(format!(
                "subrequest `{reference}`: the URL must start with /services/data/"
            )));
        }
    }
    Ok(())
}

impl Client {
    /// Sends a composite request (never retried: its subrequests may write).
    pub async fn composite(&self, request: &CompositeRequest) -> Result<CompositeResponse, SalesforceError> {
        check(request)?;
        let api_request = ApiRequest::data(Method::POST, ["composite"], CallKind::Composite)
            .json(request)
            .map_err(|error| SalesforceError::InvalidRequest(error.to_string()))?;
        self.send(&api_request).await?.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_as_salesforce_expects() {
        let request = CompositeRequest::new(true).push(
            CompositeSubrequest::new("POST", "/services/data/v62.0/sobjects/Lead", "newLead")
                .with_body(json!({"LastName": "Doe"})),
        );
        let value = serde_json::to_value(&request).unwrap_or_default();
        assert_eq!(
            value,
            json!({"allOrNone": true, "compositeRequest": [
                {"method": "POST", "url": "/services/data/v62.0/sobjects/Lead", "referenceId": "newLead", "body": {"LastName": "Doe"}}
            ]})
        );
        assert!(check(&request).is_ok());
        assert!(check(&CompositeRequest::new(false)).is_err());
        let bad = CompositeRequest::new(false).push(CompositeSubrequest::new(
            "GET",
            "/services/data/v62.0/limits",
            "a-b",
        ));
        assert!(check(&bad).is_err());
    }

    #[test]
    fn failed_subrequests_expose_their_errors() {
        let response: CompositeResponse = serde_json::from_value(json!({"compositeResponse": [
            {"body": {"id": "00Q5e00000ABCDEEA4", "success": true, "errors": []}, "httpHeaders": {"Location": "/x"}, "httpStatusCode": 201, "referenceId": "a"},
            {"body": [{"errorCode": "PROCESSING_HALTED", "message": "rolled back"}], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": "b"}
        ]}))
        .unwrap_or(CompositeResponse { responses: Vec::new() });
        assert_eq!(response.responses.len(), 2);
        assert!(response.get("a").is_some_and(CompositeSubresponse::is_success));
        let errors = response
            .get("b")
            .map(CompositeSubresponse::errors)
            .unwrap_or_default();
        assert_eq!(errors[0].code, crate::ErrorCode::ProcessingHalted);
    }
}
