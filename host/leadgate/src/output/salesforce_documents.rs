//! `sf describe --json`.

use leadgate_salesforce::describe::{FieldDescribe, ObjectDescribe};
use serde::Serialize;

/// An object's describe, cut to what deciding a mapping needs. Keys are Salesforce's own
/// (`keyPrefix`, `externalId`), so the output reads like the REST API's.
#[derive(Debug, Serialize)]
pub struct ObjectDescribeDocument<'a> {
    createable: bool,
    fields: Vec<FieldDescribeDocument<'a>>,
    #[serde(rename = "keyPrefix")]
    key_prefix: Option<&'a str>,
    label: &'a str,
    name: &'a str,
    updateable: bool,
}

impl<'a> From<&'a ObjectDescribe> for ObjectDescribeDocument<'a> {
    fn from(describe: &'a ObjectDescribe) -> Self {
        Self {
            createable: describe.createable,
            fields: describe.fields.iter().map(FieldDescribeDocument::from).collect(),
            key_prefix: describe.key_prefix.as_deref(),
            label: &describe.label,
            name: &describe.name,
            updateable: describe.updateable,
        }
    }
}

/// One field of an object's describe.
#[derive(Debug, Serialize)]
pub struct FieldDescribeDocument<'a> {
    createable: bool,
    #[serde(rename = "externalId")]
    external_id: bool,
    label: &'a str,
    length: u64,
    name: &'a str,
    required: bool,
    #[serde(rename = "type")]
    field_type: &'a str,
    unique: bool,
    updateable: bool,
}

impl<'a> From<&'a FieldDescribe> for FieldDescribeDocument<'a> {
    fn from(field: &'a FieldDescribe) -> Self {
        Self {
            createable: field.createable,
            external_id: field.external_id,
            label: &field.label,
            length: field.length,
            name: &field.name,
            required: field.is_required(),
            field_type: &field.field_type,
            unique: field.unique,
            updateable: field.updateable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn describes_keep_salesforce_key_names_in_order() {
        let describe: ObjectDescribe = serde_json::from_value(serde_json::json!({
            "name": "Lead", "label": "Lead", "labelPlural": "Leads", "keyPrefix": "00Q",
            "createable": true, "updateable": true, "deletable": true, "queryable": true, "custom": false,
            "urls": {},
            "fields": [{
                "name": "LastName", "label": "Last Name", "type": "string", "length": 80,
                "digits": 0, "precision": 0, "scale": 0, "nillable": false, "createable": true,
                "updateable": true, "defaultedOnCreate": false, "custom": false, "externalId": false,
                "unique": false
            }]
        }))
        .unwrap();
        let document = ObjectDescribeDocument::from(&describe);
        assert_eq!(
            keys(&document),
            ["createable", "fields", "keyPrefix", "label", "name", "updateable"]
        );
        assert!(in_order(&document));
        let field = FieldDescribeDocument::from(&describe.fields[0]);
        assert_eq!(
            keys(&field),
            [
                "createable",
                "externalId",
                "label",
                "length",
                "name",
                "required",
                "type",
                "unique",
                "updateable"
            ]
        );
        assert_eq!(serde_json::to_value(&field).unwrap()["required"], true);
    }
}
