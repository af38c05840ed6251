//! A `field-mapping` plugin as the mapping: the org's Lead fields in, Lead fields out.

use std::path::Path;

use leadgate_plugin_runtime::types::{FieldDescription, FieldType, LeadField, MappingInput, ScoreTotal};
use leadgate_plugin_runtime::{FieldMappingPlugin, PluginRuntime, RuleConfig, describe_plugin_error};
use leadgate_salesforce::describe::{FieldDescribe, ObjectDescribe};
use serde_json::Value;

use super::error::ReplicationError;
use super::lead_payload::LeadPayload;
use crate::output::LeadFieldValueDocument;

/// A loaded mapping plugin whose configuration it accepted.
pub(super) struct MappingPlugin {
    plugin: FieldMappingPlugin,
    config: RuleConfig,
}

impl MappingPlugin {
    /// Loads the plugin at `path` and has it check `config`.
    pub(super) fn load(
        runtime: &PluginRuntime,
        path: &Path,
        config: &RuleConfig,
    ) -> Result<Self, ReplicationError> {
        let plugin = runtime
            .load_field_mapping(path)
            .map_err(|error| ReplicationError::MappingPlugin(format!("`{}`: {error}", path.display())))?;
        match plugin.check_config(config) {
            Ok(Ok(())) => Ok(Self {
                plugin,
                config: config.clone(),
            }),
            Ok(Err(refusal)) => Err(ReplicationError::MappingPlugin(format!(
                "`{}` rejects its configuration: {}",
                path.display(),
                describe_plugin_error(&refusal)
            ))),
            Err(trap) => Err(ReplicationError::MappingPlugin(format!(
                "`{}`: {trap}",
                path.display()
            ))),
        }
    }

    /// Each input's payload, or why the plugin gave none for it.
    pub(super) fn map(
        &self,
        inputs: &[MappingInput],
        lead_fields: &[FieldDescription],
        now: i64,
    ) -> Vec<Result<LeadPayload, String>> {
        let run = self
            .plugin
            .map_contacts(&self.config, inputs, lead_fields, now, inputs.len().max(1));
        run.results
            .into_iter()
            .map(|result| {
                result
                    .map(|fields| payload(&fields))
                    .map_err(|failure| failure.to_string())
            })
            .collect()
    }
}

/// The contract's input for one contact with its score totals.
pub(super) fn mapping_input(
    contact: leadgate_model::ContactRecord,
    totals: &[(String, i64)],
) -> MappingInput {
    MappingInput {
        contact: contact.into(),
        scores: totals
            .iter()
            .map(|(score, points)| ScoreTotal {
                score: score.clone(),
                points: *points,
            })
            .collect(),
    }
}

/// The org's Lead fields as the contract describes them to a mapping.
pub(super) fn field_descriptions(describe: &ObjectDescribe) -> Vec<FieldDescription> {
    describe.fields.iter().map(field_description).collect()
}

fn field_description(field: &FieldDescribe) -> FieldDescription {
    FieldDescription {
        name: field.name.clone(),
        label: field.label.clone(),
        field_type: match field.field_type.as_str() {
            "string" => FieldType::Text,
            "textarea" => FieldType::Textarea,
            "email" => FieldType::Email,
            "phone" => FieldType::Phone,
            "url" => FieldType::Url,
            "picklist" => FieldType::Picklist,
            "multipicklist" => FieldType::Multipicklist,
            "boolean" => FieldType::Boolean,
            "int" | "long" => FieldType::Integer,
            "double" => FieldType::Double,
            "currency" => FieldType::Currency,
            "percent" => FieldType::Percent,
            "date" => FieldType::Date,
            "datetime" => FieldType::Datetime,
            "reference" | "id" => FieldType::Reference,
            _ => FieldType::Other,
        },
        length: u32::try_from(field.length).unwrap_or(u32::MAX),
        required: field.is_required(),
        createable: field.createable,
        updateable: field.updateable,
        picklist_values: field
            .picklist_values
            .iter()
            .filter(|value| value.active)
            .map(|value| value.value.clone())
            .collect(),
        restricted_picklist: field.restricted_picklist,
    }
}

/// A plugin's fields as a payload: dates as `YYYY-MM-DD`, moments as RFC 3339, `null` clears.
fn payload(fields: &[LeadField]) -> LeadPayload {
    let mut payload = LeadPayload::new();
    for field in fields {
        let value = serde_json::to_value(LeadFieldValueDocument::from(&field.value)).unwrap_or(Value::Null);
        payload.set(&field.name, value);
    }
    payload
}
