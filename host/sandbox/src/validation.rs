//! Lead validation, in the order the reference's checklist gives (§11): unknown field, read-only
//! field, value types, required fields, lengths (in characters), e-mail syntax, restricted
//! picklists, number ranges.

use serde_json::{Map, Value};

use crate::api_error::RecordError;
use crate::lead_schema::{FieldDefinition, FieldType, LeadSchema};

/// Whether the values are for a new record or an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// A create (or the insert of an upsert).
    Create,
    /// An update (or the update of an upsert).
    Update,
}

/// Checks the names and types of the fields a request sets and returns them under their API
/// names, converted to stored values (blank text becomes null, datetimes get Salesforce's form).
/// `attributes` is ignored.
pub fn clean_changes(
    schema: &LeadSchema,
    input: &Map<String, Value>,
    kind: WriteKind,
) -> Result<Map<String, Value>, RecordError> {
    let mut read_only = Vec::new();
    let mut changes = Map::new();
    for (name, value) in input {
        if name == "attributes" {
            continue;
        }
        let Some(field) = schema.field(name) else {
            return Err(RecordError::bad_request(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type Lead"),
                Vec::new(),
            ));
        };
        if field.name == "Id" {
            return Err(RecordError::bad_request(
                "INVALID_FIELD",
                "The Id field should not be specified in the sobject data.",
                Vec::new(),
            ));
        }
        let allowed = match kind {
            WriteKind::Create => field.createable,
            WriteKind::Update => field.updateable,
        };
        if !allowed {
            read_only.push(field.name.clone());
            continue;
        }
        changes.insert(field.name.clone(), convert(field, value)?);
    }
    if !read_only.is_empty() {
        return Err(RecordError::bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                read_only.join(", ")
            ),
            read_only,
        ));
    }
    Ok(changes)
}

/// Checks a whole record as it would be saved: required fields (listed in field order), lengths,
/// e-mail addresses, restricted picklists and number ranges of the fields in `changed`.
pub fn check_record(
    schema: &LeadSchema,
    record: &Map<String, Value>,
    changed: &Map<String, Value>,
) -> Result<(), RecordError> {
    let missing: Vec<String> = schema
        .fields()
        .iter()
        .filter(|field| field.required() && record.get(&field.name).is_none_or(Value::is_null))
        .map(|field| field.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(RecordError::bad_request(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
            missing,
        ));
    }
    for (name, value) in changed {
        let Some(field) = schema.field(name) else { continue };
        check_value(field, value)?;
    }
    Ok(())
}

fn check_value(field: &FieldDefinition, value: &Value) -> Result<(), RecordError> {
    match value {
        Value::String(text) => {
            if field.field_type.is_text() && text.chars().count() > field.length {
                return Err(RecordError::bad_request(
                    "STRING_TOO_LONG",
                    format!(
                        "{}: data value too large: {text} (max length={})",
                        field.label, field.length
                    ),
                    vec![field.name.clone()],
                ));
            }
            if field.field_type == FieldType::Email && !is_email_address(text) {
                return Err(RecordError::bad_request(
                    "INVALID_EMAIL_ADDRESS",
                    format!("{}: invalid email address: {text}", field.label),
                    vec![field.name.clone()],
                ));
            }
            if field.restricted_picklist && !field.picklist_values.iter().any(|entry| entry.value == *text) {
                return Err(RecordError::bad_request(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!("{}: bad value for restricted picklist field: {text}", field.label),
                    vec![field.name.clone()],
                ));
            }
        }
        Value::Number(number) => {
            let magnitude = number.as_f64().unwrap_or(0.0).abs();
            let outside = match field.name.as_str() {
                "Latitude" => magnitude > 90.0,
                "Longitude" => magnitude > 180.0,
                _ if field.precision > 0 => {
                    let whole_digits = field.precision.saturating_sub(field.scale);
                    magnitude >= 10f64.powi(i32::try_from(whole_digits).unwrap_or(i32::MAX))
                }
                _ => false,
            };
            if outside {
                return Err(RecordError::bad_request(
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    format!(
                        "{}: value outside of valid range on numeric field: {number}",
                        field.label
                    ),
                    vec![field.name.clone()],
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Converts a JSON value to the stored value of `field`, or `JSON_PARSER_ERROR` when the JSON type
/// does not fit (as Salesforce's deserializer reports it).
fn convert(field: &FieldDefinition, value: &Value) -> Result<Value, RecordError> {
    let mismatch = || {
        let token = match value {
            Value::Bool(_) => "VALUE_TRUE_OR_FALSE",
            Value::Number(_) => "VALUE_NUMBER",
            Value::String(_) => "VALUE_STRING",
            Value::Array(_) => "START_ARRAY",
            Value::Object(_) => "START_OBJECT",
            Value::Null => "VALUE_NULL",
        };
        RecordError::json_parser(format!(
            "Cannot deserialize instance of {} from {token} value {value} or request may be missing a required field",
            field.field_type.describe_name()
        ))
    };
    if value.is_null() {
        return Ok(Value::Null);
    }
    match field.field_type {
        FieldType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(mismatch()),
        },
        FieldType::Double | FieldType::Currency => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(text) if text.trim().is_empty() => Ok(Value::Null),
            Value::String(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(mismatch),
            _ => Err(mismatch()),
        },
        FieldType::Int => match value {
            Value::Number(number) if number.is_i64() => Ok(value.clone()),
            Value::Number(number) => number
                .as_f64()
                .filter(|float| float.fract() == 0.0)
                .map(|float| Value::from(float as i64))
                .ok_or_else(mismatch),
            Value::String(text) if text.trim().is_empty() => Ok(Value::Null),
            Value::String(text) => text
                .trim()
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| mismatch()),
            _ => Err(mismatch()),
        },
        FieldType::Date => match value {
            Value::String(text) if text.is_empty() => Ok(Value::Null),
            Value::String(text) => text
                .parse::<jiff::civil::Date>()
                .map(|date| Value::String(date.to_string()))
                .map_err(|_| mismatch()),
            _ => Err(mismatch()),
        },
        FieldType::DateTime => match value {
            Value::String(text) if text.is_empty() => Ok(Value::Null),
            Value::String(text) => parse_datetime(text).map(Value::String).ok_or_else(mismatch),
            _ => Err(mismatch()),
        },
        FieldType::Address => Err(mismatch()),
        _ => match value {
            Value::String(text) if text.is_empty() => Ok(Value::Null),
            Value::String(_) => Ok(value.clone()),
            Value::Number(number) => Ok(Value::String(number.to_string())),
            Value::Bool(flag) => Ok(Value::String(flag.to_string())),
            _ => Err(mismatch()),
        },
    }
}

/// Parses an ISO 8601 datetime (with `Z`, `+00:00` or `+0000`) into Salesforce's output form.
pub fn parse_datetime(text: &str) -> Option<String> {
    let normalized = normalize_offset(text);
    let timestamp: jiff::Timestamp = normalized.parse().ok()?;
    Some(format_datetime(timestamp))
}

/// `2024-01-02T03:04:05.000+0000`.
pub fn format_datetime(timestamp: jiff::Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Turns a trailing `+hhmm` offset into `+hh:mm`, which RFC 3339 parsers expect.
fn normalize_offset(text: &str) -> String {
    let bytes = text.as_bytes();
    if bytes.len() > 5 {
        let sign = bytes[bytes.len() - 5];
        let digits = &text[text.len() - 4..];
        if (sign == b'+' || sign == b'-') && digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return format!("{}:{}", &text[..text.len() - 2], &text[text.len() - 2..]);
        }
    }
    text.to_owned()
}

/// A practical check of an e-mail address: one `@`, a local part of the characters RFC 5322
/// allows unquoted, and a domain of at least two dot-separated labels.
pub fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(character));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|character| character.is_alphanumeric() || character == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::CustomField;

    fn schema() -> LeadSchema {
        LeadSchema::new(&[CustomField::leadgate_id()])
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let schema = schema();
        let changes = clean_changes(
            &schema,
            &object(json!({"LastName": "é".repeat(80), "Company": "X"})),
            WriteKind::Create,
        )
        .unwrap();
        check_record(&schema, &changes, &changes).unwrap();
        let changes = clean_changes(
            &schema,
            &object(json!({"LastName": "é".repeat(81), "Company": "X"})),
            WriteKind::Create,
        )
        .unwrap();
        let error = check_record(&schema, &changes, &changes).unwrap_err();
        assert_eq!(error.code, "STRING_TOO_LONG");
        assert_eq!(error.fields, Some(vec!["LastName".to_owned()]));
    }

    #[test]
    fn required_fields_are_listed_in_field_order() {
        let schema = schema();
        let changes = clean_changes(&schema, &object(json!({"FirstName": "A"})), WriteKind::Create).unwrap();
        let error = check_record(&schema, &changes, &changes).unwrap_err();
        assert_eq!(error.message, "Required fields are missing: [LastName, Company]");
    }

    #[test]
    fn rejects_unknown_read_only_and_mistyped_fields() {
        let schema = schema();
        let code = |input: Value, kind| clean_changes(&schema, &object(input), kind).unwrap_err().code;
        assert_eq!(code(json!({"Nope": 1}), WriteKind::Create), "INVALID_FIELD");
        assert_eq!(code(json!({"Id": "x"}), WriteKind::Create), "INVALID_FIELD");
        assert_eq!(
            code(json!({"Name": "x"}), WriteKind::Create),
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            code(json!({"IsConverted": true}), WriteKind::Update),
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            code(json!({"NumberOfEmployees": "many"}), WriteKind::Create),
            "JSON_PARSER_ERROR"
        );
    }

    #[test]
    fn validates_email_addresses() {
        assert!(is_email_address("jane.doe+x@example.co.uk"));
        for bad in [
            "abc",
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@-x.com",
            "a..b@example.com",
        ] {
            assert!(!is_email_address(bad), "{bad}");
        }
    }

    #[test]
    fn datetimes_get_the_salesforce_form() {
        assert_eq!(
            parse_datetime("2024-01-02T03:04:05Z").unwrap(),
            "2024-01-02T03:04:05.000+0000"
        );
        assert_eq!(
            parse_datetime("2024-01-02T05:04:05.5+0200").unwrap(),
            "2024-01-02T03:04:05.500+0000"
        );
    }
}
