//! A declarative mapping applied to one contact.

use std::collections::BTreeMap;

use leadgate_model::ContactRecord;
use serde_json::Value;

use super::lead_payload::LeadPayload;
use crate::config::{FieldSource, MappedField};

/// The Lead fields `fields` make of `contact`, whose score totals are `totals` (score name →
/// points). A source without a value gives the field's `default`; with no default the field is
/// left out, so the Lead keeps whatever it has there. Texts are sent as they are (blank text
/// counts as no value); score totals as numbers.
pub fn map_with_field_table(
    fields: &[MappedField],
    contact: &ContactRecord,
    totals: &BTreeMap<String, i64>,
) -> LeadPayload {
    let mut payload = LeadPayload::new();
    for field in fields {
        let value = match &field.source {
            FieldSource::Contact(name) => text(contact.standard_field(name)),
            FieldSource::Attribute(name) => text(contact.attributes.get(name).map(String::as_str)),
            FieldSource::ScoreTotal(score) => totals.get(score).map(|points| Value::from(*points)),
            FieldSource::Constant(constant) => Some(Value::from(constant.as_str())),
        };
        if let Some(value) = value.or_else(|| field.default.as_deref().map(Value::from)) {
            payload.set(&field.lead_field, value);
        }
    }
    payload
}

/// Text that is there and not blank.
fn text(value: Option<&str>) -> Option<Value> {
    value.filter(|text| !text.trim().is_empty()).map(Value::from)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::{LeadMapping, NOT_PROVIDED};

    fn contact() -> ContactRecord {
        ContactRecord {
            id: "c-1".into(),
            last_name: Some("Lovelace".into()),
            company: Some("  ".into()),
            attributes: BTreeMap::from([
                ("industry".to_owned(), "Software".to_owned()),
                ("email".to_owned(), "not-the-email@example.com".to_owned()),
            ]),
            ..ContactRecord::default()
        }
    }

    #[test]
    fn each_source_fills_its_field_and_defaults_fill_the_gaps() {
        let field = |lead_field: &str, source: FieldSource, default: Option<&str>| MappedField {
            lead_field: lead_field.into(),
            source,
            default: default.map(str::to_owned),
        };
        let fields = [
            field("LastName", FieldSource::Contact("last_name"), None),
            field("Company", FieldSource::Contact("company"), Some("Unknown")),
            field("Email", FieldSource::Contact("email"), None),
            field("Industry", FieldSource::Attribute("industry".into()), None),
            field("Office__c", FieldSource::ScoreTotal("Office buyers".into()), None),
            field("Fit__c", FieldSource::ScoreTotal("Fit".into()), Some("0")),
            field("LeadSource", FieldSource::Constant("Web".into()), None),
        ];
        let totals = BTreeMap::from([("Office buyers".to_owned(), 3000)]);
        let payload = map_with_field_table(&fields, &contact(), &totals);
        assert_eq!(
            Value::Object(payload.as_json().clone()),
            json!({
                "LastName": "Lovelace",
                "Company": "Unknown",
                "Industry": "Software",
                "Office__c": 3000,
                "Fit__c": "0",
                "LeadSource": "Web",
            }),
            "a blank company takes the default; an attribute named like a field is not the field"
        );
    }

    #[test]
    fn the_standard_mapping_fills_the_required_fields() {
        let LeadMapping::Fields(fields) = LeadMapping::standard() else {
            unreachable!("the standard mapping is a table");
        };
        let payload = map_with_field_table(&fields, &contact(), &BTreeMap::new());
        assert_eq!(payload.get("LastName"), Some(&json!("Lovelace")));
        assert_eq!(payload.get("Company"), Some(&json!(NOT_PROVIDED)));
        assert_eq!(payload.get("Email"), None);
    }
}
