//! Checking a payload against the org's Lead describe before it costs an API call.
//!
//! The checks follow the order in which Salesforce reports them (reference §3 and §9): unknown
//! field, read-only field, required fields, then each value — its type, its length in
//! characters, e-mail syntax, restricted picklists. A payload that would be refused fails here
//! with the error code and message Salesforce would have sent, so the contact is suspended with
//! the same reason without a call. Values are also put in the form the field takes: a number
//! mapped into a text field becomes its text, `"true"` into a checkbox becomes `true`.

use std::collections::BTreeMap;

use leadgate_salesforce::ErrorCode;
use leadgate_salesforce::describe::{FieldDescribe, ObjectDescribe};
use serde_json::Value;

use super::email_syntax::is_salesforce_email;
use super::lead_payload::LeadPayload;
use crate::config::TooLongText;

/// Why Salesforce would refuse a payload: its error code, the fields at fault and the message
/// it would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightFailure {
    /// The error code Salesforce would answer.
    pub code: ErrorCode,
    /// The fields at fault, by API name.
    pub fields: Vec<String>,
    /// The message, worded as Salesforce words it.
    pub message: String,
}

/// A change preflight made to a payload and the contact should record, such as a text cut to
/// its field's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightNote {
    /// The field changed.
    pub field: String,
    /// What was done, e.g. "cut from 130 to 128 characters".
    pub message: String,
}

/// Checks `payload` against `describe` (the org's Lead), fixing value forms in place and, with
/// [`TooLongText::Truncate`], cutting texts to their field's length. Returns what was changed,
/// or the first problem Salesforce would report.
pub fn preflight(
    payload: &mut LeadPayload,
    describe: &ObjectDescribe,
    too_long_text: TooLongText,
) -> Result<Vec<PreflightNote>, PreflightFailure> {
    let by_name: BTreeMap<String, &FieldDescribe> = describe
        .fields
        .iter()
        .map(|field| (field.name.to_ascii_lowercase(), field))
        .collect();
    let mut resolved: Vec<(&FieldDescribe, String)> = Vec::new();
    for (name, _) in payload.fields() {
        let Some(field) = by_name.get(&name.to_ascii_lowercase()) else {
            return Err(failure(
                ErrorCode::InvalidField,
                name,
                format!("No such column '{name}' on sobject of type {}", describe.name),
            ));
        };
        resolved.push((field, name.to_owned()));
    }
    if let Some((_, name)) = resolved
        .iter()
        .find(|(field, _)| !field.createable || !field.updateable)
    {
        return Err(failure(
            ErrorCode::InvalidFieldForInsertUpdate,
            name,
            format!(
                "Unable to create/update fields: {name}. Please check the security settings of this field and \
                 verify that it is read/write for your profile or permission set."
            ),
        ));
    }
    let missing: Vec<String> = describe
        .fields
        .iter()
        .filter(|field| field.is_required())
        .filter(|field| {
            resolved
                .iter()
                .find(|(described, _)| described.name == field.name)
                .and_then(|(_, name)| payload.get(name))
                .is_none_or(is_blank)
        })
        .map(|field| field.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(PreflightFailure {
            code: ErrorCode::RequiredFieldMissing,
            message: format!("Required fields are missing: [{}]", missing.join(", ")),
            fields: missing,
        });
    }
    let mut notes = Vec::new();
    for (field, name) in resolved {
        let Some(value) = payload.get(&name).cloned() else {
            continue;
        };
        let (value, note) = checked_value(field, &name, value, too_long_text)?;
        notes.extend(note);
        payload.set(&name, value);
    }
    Ok(notes)
}

/// One value, in the form `field` takes, or why Salesforce would refuse it.
fn checked_value(
    field: &FieldDescribe,
    name: &str,
    value: Value,
    too_long_text: TooLongText,
) -> Result<(Value, Option<PreflightNote>), PreflightFailure> {
    if value.is_null() {
        return Ok((value, None));
    }
    let wrong_type = || {
        failure(
            ErrorCode::InvalidTypeOnFieldInRecord,
            name,
            format!("{}: value not of required type: {}", label(field), shown(&value)),
        )
    };
    match field.field_type.as_str() {
        "double" | "currency" | "percent" | "int" | "long" => {
            let number = match &value {
                Value::Number(number) => Some(number.clone()),
                Value::String(text) => text.trim().parse::<serde_json::Number>().ok(),
                _ => None,
            };
            number
                .map(|number| (Value::Number(number), None))
                .ok_or_else(wrong_type)
        }
        "boolean" => match &value {
            Value::Bool(_) => Ok((value, None)),
            Value::String(text) if text.eq_ignore_ascii_case("true") => Ok((Value::Bool(true), None)),
            Value::String(text) if text.eq_ignore_ascii_case("false") => Ok((Value::Bool(false), None)),
            _ => Err(wrong_type()),
        },
        "date" => match value.as_str().map(str::trim) {
            Some(text) if text.parse::<jiff::civil::Date>().is_ok() => Ok((Value::from(text), None)),
            _ => Err(wrong_type()),
        },
        "datetime" => match value.as_str().map(str::trim) {
            Some(text) if text.parse::<jiff::Timestamp>().is_ok() => Ok((Value::from(text), None)),
            _ => Err(wrong_type()),
        },
        "reference" | "id" => match value {
            Value::String(_) => Ok((value, None)),
            _ => Err(wrong_type()),
        },
        // Every other type (string, textarea, email, phone, url, picklist, …) is text.
        _ => {
            let text = match value {
                Value::String(text) => text,
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                _ => return Err(wrong_type()),
            };
            let (text, note) = fitted(field, name, text, too_long_text)?;
            if field.field_type == "email" && !is_salesforce_email(&text) {
                return Err(failure(
                    ErrorCode::InvalidEmailAddress,
                    name,
                    format!("{}: invalid email address: {text}", label(field)),
                ));
            }
            if field.restricted_picklist
                && !field
                    .picklist_values
                    .iter()
                    .any(|allowed| allowed.active && allowed.value == text)
            {
                return Err(failure(
                    ErrorCode::InvalidOrNullForRestrictedPicklist,
                    name,
                    format!(
                        "{}: bad value for restricted picklist field: {text}",
                        label(field)
                    ),
                ));
            }
            Ok((Value::String(text), note))
        }
    }
}

/// `text` within the field's length in characters: cut (with a note) or refused.
fn fitted(
    field: &FieldDescribe,
    name: &str,
    text: String,
    too_long_text: TooLongText,
) -> Result<(String, Option<PreflightNote>), PreflightFailure> {
    let Ok(limit) = usize::try_from(field.length) else {
        return Ok((text, None));
    };
    let length = text.chars().count();
    if limit == 0 || length <= limit {
        return Ok((text, None));
    }
    match too_long_text {
        TooLongText::Truncate => {
            let cut: String = text.chars().take(limit).collect();
            let note = PreflightNote {
                field: name.to_owned(),
                message: format!("cut from {length} to {limit} characters"),
            };
            Ok((cut, Some(note)))
        }
        TooLongText::Suspend => Err(failure(
            ErrorCode::StringTooLong,
            name,
            format!(
                "{}: data value too large: {text} (max length={limit})",
                label(field)
            ),
        )),
    }
}

fn failure(code: ErrorCode, field: &str, message: String) -> PreflightFailure {
    PreflightFailure {
        code,
        fields: vec![field.to_owned()],
        message,
    }
}

/// The field's label, as Salesforce names fields in messages; its API name when it has none.
fn label(field: &FieldDescribe) -> &str {
    if field.label.is_empty() {
        &field.name
    } else {
        &field.label
    }
}

/// A value as a message shows it: text bare, anything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A Lead describe with the fields the checks need, shaped like the REST answer.
    fn describe() -> ObjectDescribe {
        let text = |name: &str, label: &str, length: u64, nillable: bool| {
            json!({"name": name, "label": label, "type": "string", "length": length, "nillable": nillable,
                   "createable": true, "updateable": true})
        };
        serde_json::from_value(json!({
            "name": "Lead", "label": "Lead", "labelPlural": "Leads", "keyPrefix": "00Q",
            "createable": true, "updateable": true, "deletable": true, "queryable": true, "custom": false,
            "urls": {},
            "fields": [
                {"name": "Id", "label": "Lead ID", "type": "id", "createable": false, "updateable": false},
                text("LastName", "Last Name", 80, false),
                text("FirstName", "First Name", 40, true),
                text("Company", "Company", 255, false),
                {"name": "Email", "label": "Email", "type": "email", "length": 80, "nillable": true,
                 "createable": true, "updateable": true},
                {"name": "Status", "label": "Status", "type": "picklist", "length": 255, "nillable": false,
                 "createable": true, "updateable": true, "defaultedOnCreate": true},
                {"name": "Rating__c", "label": "Rating", "type": "picklist", "length": 255, "nillable": true,
                 "createable": true, "updateable": true, "restrictedPicklist": true,
                 "picklistValues": [{"value": "Hot", "active": true}, {"value": "Cold", "active": false}]},
                {"name": "Office_Licenses__c", "label": "Office Licenses", "type": "double", "nillable": true,
                 "createable": true, "updateable": true, "precision": 18, "scale": 0},
                {"name": "Opted_In__c", "label": "Opted In", "type": "boolean", "nillable": false,
                 "createable": true, "updateable": true, "defaultedOnCreate": true},
                {"name": "ConvertedDate", "label": "Converted Date", "type": "date", "nillable": true,
                 "createable": false, "updateable": false},
            ]
        }))
        .unwrap()
    }

    fn payload(value: Value) -> LeadPayload {
        let mut payload = LeadPayload::new();
        for (name, value) in value.as_object().unwrap() {
            payload.set(name, value.clone());
        }
        payload
    }

    fn check(
        value: Value,
        policy: TooLongText,
    ) -> Result<(LeadPayload, Vec<PreflightNote>), PreflightFailure> {
        let mut payload = payload(value);
        preflight(&mut payload, &describe(), policy).map(|notes| (payload, notes))
    }

    fn failure_of(value: Value) -> PreflightFailure {
        check(value, TooLongText::Suspend).unwrap_err()
    }

    #[test]
    fn a_good_payload_passes_with_values_in_the_fields_forms() {
        let (payload, notes) = check(
            json!({"LastName": "Lovelace", "Company": "Engines", "Email": "ada@example.com",
                   "Office_Licenses__c": "3000", "Opted_In__c": "TRUE", "Rating__c": "Hot", "FirstName": 7}),
            TooLongText::Suspend,
        )
        .unwrap();
        assert!(notes.is_empty());
        assert_eq!(payload.get("Office_Licenses__c"), Some(&json!(3000)));
        assert_eq!(payload.get("Opted_In__c"), Some(&json!(true)));
        assert_eq!(payload.get("FirstName"), Some(&json!("7")));
    }

    #[test]
    fn unknown_and_read_only_fields_are_refused_first() {
        let unknown = failure_of(json!({"LastName": "L", "Company": "C", "Nickname__c": "x"}));
        assert_eq!(unknown.code, ErrorCode::InvalidField);
        assert_eq!(
            unknown.message,
            "No such column 'Nickname__c' on sobject of type Lead"
        );
        let read_only = failure_of(json!({"LastName": "L", "Company": "C", "ConvertedDate": "2026-01-01"}));
        assert_eq!(read_only.code, ErrorCode::InvalidFieldForInsertUpdate);
        assert_eq!(read_only.fields, ["ConvertedDate"]);
        // Salesforce field names ignore case.
        assert!(check(json!({"lastname": "L", "COMPANY": "C"}), TooLongText::Suspend).is_ok());
    }

    #[test]
    fn missing_required_fields_are_listed_in_describe_order() {
        let missing = failure_of(json!({"FirstName": "Ada", "Company": " "}));
        assert_eq!(missing.code, ErrorCode::RequiredFieldMissing);
        assert_eq!(
            missing.message,
            "Required fields are missing: [LastName, Company]"
        );
        assert_eq!(missing.fields, ["LastName", "Company"]);
    }

    #[test]
    fn too_long_text_is_cut_by_characters_or_refused() {
        let long = "é".repeat(85);
        let (payload, notes) =
            check(json!({"LastName": long, "Company": "C"}), TooLongText::Truncate).unwrap();
        assert_eq!(payload.get("LastName"), Some(&json!("é".repeat(80))));
        assert_eq!(
            notes,
            [PreflightNote {
                field: "LastName".into(),
                message: "cut from 85 to 80 characters".into()
            }]
        );
        let refused = failure_of(json!({"LastName": long, "Company": "C"}));
        assert_eq!(refused.code, ErrorCode::StringTooLong);
        assert!(
            refused.message.starts_with("Last Name: data value too large: éé"),
            "{}",
            refused.message
        );
        assert!(
            refused.message.ends_with("(max length=80)"),
            "{}",
            refused.message
        );
        let exactly = "é".repeat(80);
        assert!(check(json!({"LastName": exactly, "Company": "C"}), TooLongText::Suspend).is_ok());
    }

    #[test]
    fn values_salesforce_would_refuse_fail_with_its_code() {
        let email = failure_of(json!({"LastName": "L", "Company": "C", "Email": "zoë.1@example.com"}));
        assert_eq!(email.code, ErrorCode::InvalidEmailAddress);
        assert_eq!(email.message, "Email: invalid email address: zoë.1@example.com");
        let picklist = failure_of(json!({"LastName": "L", "Company": "C", "Rating__c": "Cold"}));
        assert_eq!(picklist.code, ErrorCode::InvalidOrNullForRestrictedPicklist);
        assert_eq!(
            picklist.message,
            "Rating: bad value for restricted picklist field: Cold"
        );
        let number = failure_of(json!({"LastName": "L", "Company": "C", "Office_Licenses__c": "many"}));
        assert_eq!(number.code, ErrorCode::InvalidTypeOnFieldInRecord);
        assert_eq!(
            number.message,
            "Office Licenses: value not of required type: many"
        );
        let flag = failure_of(json!({"LastName": "L", "Company": "C", "Opted_In__c": "yes"}));
        assert_eq!(flag.code, ErrorCode::InvalidTypeOnFieldInRecord);
        // An unrestricted picklist takes any text, as Salesforce's standard Lead picklists do.
        assert!(
            check(
                json!({"LastName": "L", "Company": "C", "Status": "Anything"}),
                TooLongText::Suspend
            )
            .is_ok()
        );
    }
}
