//! Whether the org is set up for the configured replication: the External ID field, the mapped
//! fields, the required ones. Checked from the Lead describe, before anything is written.

use leadgate_salesforce::describe::{FieldDescribe, ObjectDescribe};
use serde::Serialize;

use crate::config::{FieldSource, LeadMapping, ReplicationSettings};

/// The longest contact id an import accepts, in characters; an External ID field this long
/// holds every one.
const LONGEST_CONTACT_ID: u64 = 255;

/// One finding of [`check_org`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgFinding {
    /// `error`: replication cannot run until it is fixed; `warning`: some contacts will be
    /// suspended.
    pub severity: Severity,
    /// What is wrong and what to do, naming the field.
    pub message: String,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing can be written until it is fixed.
    Error,
    /// Some contacts will be refused.
    Warning,
}

/// Checks the Lead `describe` against `settings`: the External ID field is a unique External
/// ID text field this user can write, long enough for contact ids; every field the table mapping
/// writes exists and can be written; every field Salesforce requires is mapped.
pub fn check_org(describe: &ObjectDescribe, settings: &ReplicationSettings) -> Vec<OrgFinding> {
    let mut findings = Vec::new();
    let error = |message: String| OrgFinding {
        severity: Severity::Error,
        message,
    };
    let warning = |message: String| OrgFinding {
        severity: Severity::Warning,
        message,
    };
    let name = &settings.external_id_field;
    match describe.field(name) {
        None => findings.push(error(format!(
            "the Lead has no field `{name}` for leadgate's contact ids: create it in Setup → Object Manager → \
             Lead → Fields & Relationships → New: a Text field of length 255, field name `{}`, with \"Unique\" and \
             \"External ID\" ticked, visible and editable for this user",
            name.strip_suffix("__c").unwrap_or(name)
        ))),
        Some(field) => {
            if field.field_type != "string" {
                findings.push(error(format!(
                    "`{name}` is a {} field; the contact ids need a Text field (create a new one: Text, length 255, \
                     \"Unique\" and \"External ID\")",
                    field.field_type
                )));
            }
            if !field.external_id {
                findings.push(error(format!(
                    "`{name}` is not marked External ID, so Leads cannot be upserted on it: edit the field and tick \
                     \"External ID\""
                )));
            }
            if !field.unique {
                findings.push(error(format!(
                    "`{name}` is not Unique, so two Leads could carry one contact id: edit the field and tick \"Unique\""
                )));
            }
            if !field.createable || !field.updateable {
                findings.push(error(writable_message(field)));
            }
            if field.field_type == "string" && field.length < LONGEST_CONTACT_ID {
                findings.push(warning(format!(
                    "`{name}` holds at most {} characters: contacts with longer ids are suspended (ids may have up \
                     to {LONGEST_CONTACT_ID})",
                    field.length
                )));
            }
        }
    }
    let LeadMapping::Fields(fields) = &settings.mapping else {
        return findings;
    };
    for mapped in fields {
        match describe.field(&mapped.lead_field) {
            None => findings.push(error(format!(
                "the mapping writes `{}`, which the Lead does not have (`leadgate sf describe Lead` lists its fields)",
                mapped.lead_field
            ))),
            Some(field) if !field.createable || !field.updateable => findings.push(error(writable_message(field))),
            Some(_) => {}
        }
    }
    for required in describe.fields.iter().filter(|field| field.is_required()) {
        if required.name.eq_ignore_ascii_case(name) {
            continue;
        }
        match fields
            .iter()
            .find(|mapped| mapped.lead_field.eq_ignore_ascii_case(&required.name))
        {
            None => findings.push(error(format!(
                "Salesforce requires `{}` on every Lead, and the mapping does not write it: map it, with a `default` \
                 for contacts that have no value",
                required.name
            ))),
            Some(mapped) if mapped.default.is_none() && !matches!(mapped.source, FieldSource::Constant(_)) => {
                findings.push(warning(format!(
                    "`{}` is required but has no `default`: contacts without a value are suspended with \
                     REQUIRED_FIELD_MISSING",
                    required.name
                )));
            }
            Some(_) => {}
        }
    }
    findings
}

fn writable_message(field: &FieldDescribe) -> String {
    format!(
        "`{}` cannot be written by this user (field-level security): make it editable for the user leadgate \
         logs in as",
        field.name
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::{Config, MappedField};

    fn settings() -> ReplicationSettings {
        Config::from_toml(
            "[[scores]]\nname = \"s\"\n[replication]\nscore = \"s\"\nmin-points = 1\n",
            "leadgate.toml",
            std::path::Path::new("/"),
        )
        .unwrap()
        .replication
        .unwrap()
    }

    fn describe(external_id: serde_json::Value) -> ObjectDescribe {
        let text = |name: &str, nillable: bool| {
            json!({"name": name, "type": "string", "length": 80, "nillable": nillable, "createable": true,
                   "updateable": true})
        };
        let mut fields = vec![text("LastName", false), text("Company", false)];
        for name in [
            "FirstName",
            "Email",
            "Title",
            "Phone",
            "Street",
            "City",
            "State",
            "PostalCode",
            "Country",
        ] {
            fields.push(text(name, true));
        }
        if !external_id.is_null() {
            fields.push(external_id);
        }
        serde_json::from_value(json!({"name": "Lead", "fields": fields})).unwrap()
    }

    fn good_external_id() -> serde_json::Value {
        json!({"name": "LeadgateId__c", "type": "string", "length": 255, "nillable": true, "createable": true,
               "updateable": true, "externalId": true, "unique": true})
    }

    #[test]
    fn a_well_set_up_org_has_no_findings() {
        assert_eq!(check_org(&describe(good_external_id()), &settings()), []);
    }

    #[test]
    fn a_missing_external_id_field_says_how_to_create_it() {
        let findings = check_org(&describe(serde_json::Value::Null), &settings());
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(
            findings[0].message.contains("field name `LeadgateId`"),
            "{findings:?}"
        );
        assert!(
            findings[0].message.contains("\"External ID\" ticked"),
            "{findings:?}"
        );
    }

    #[test]
    fn a_field_that_is_not_a_unique_external_id_text_field_is_refused() {
        let mut field = good_external_id();
        field["externalId"] = json!(false);
        field["unique"] = json!(false);
        field["length"] = json!(50);
        let findings = check_org(&describe(field), &settings());
        let messages: Vec<(&Severity, &str)> = findings
            .iter()
            .map(|finding| (&finding.severity, finding.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].1.contains("not marked External ID"));
        assert!(messages[1].1.contains("not Unique"));
        assert_eq!(messages[2].0, &Severity::Warning);
        assert!(messages[2].1.contains("holds at most 50 characters"));
    }

    #[test]
    fn unmapped_required_fields_and_unknown_mapped_ones_are_named() {
        let mut settings = settings();
        settings.mapping = LeadMapping::Fields(vec![
            MappedField {
                lead_field: "LastName".into(),
                source: FieldSource::Contact("last_name"),
                default: None,
            },
            MappedField {
                lead_field: "Nickname__c".into(),
                source: FieldSource::Attribute("nick".into()),
                default: None,
            },
        ]);
        let findings = check_org(&describe(good_external_id()), &settings);
        let messages: Vec<&str> = findings.iter().map(|finding| finding.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("writes `Nickname__c`, which the Lead does not have"));
        assert!(messages[1].contains("`LastName` is required but has no `default`"));
        assert!(messages[2].contains("requires `Company` on every Lead"));
    }
}
