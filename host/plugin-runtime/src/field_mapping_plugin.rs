//! A loaded field mapping and the calls it answers.

use std::sync::Arc;

use super::RuleConfig;
use super::batching::{PluginRun, run_in_batches};
use super::bindings::field_mapping::FieldMappingPre;
use super::call::{CallStats, CallTarget, call_plugin, contact_results};
use super::error::{BatchLabel, ContactFailure, PluginTrap};
use super::host_state::HostState;
use super::runtime::{PluginDetails, RuntimeShared};
use super::types::{FieldDescription, FieldValue, LeadField, MappingInput, PluginError, Timestamp};

/// Bytes counted per field on top of its name and text, for the output cap.
const FIELD_OVERHEAD_BYTES: usize = 16;

/// The Lead fields of one batch, one result per contact.
#[derive(Debug, Clone)]
pub struct MappedBatch {
    /// Per contact, in input order: its Lead fields, or why it has none.
    pub results: Vec<Result<Vec<LeadField>, ContactFailure>>,
    /// What the call cost.
    pub stats: CallStats,
}

/// A compiled, linked field mapping, ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct FieldMappingPlugin {
    runtime: Arc<RuntimeShared>,
    details: Arc<PluginDetails>,
    pre: FieldMappingPre<HostState>,
}

impl std::fmt::Debug for FieldMappingPlugin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FieldMappingPlugin")
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

impl FieldMappingPlugin {
    pub(crate) fn new(
        runtime: Arc<RuntimeShared>,
        details: PluginDetails,
        pre: FieldMappingPre<HostState>,
    ) -> Self {
        Self {
            runtime,
            details: Arc::new(details),
            pre,
        }
    }

    /// What is known about the plugin.
    pub fn details(&self) -> &PluginDetails {
        &self.details
    }

    /// Asks the plugin whether `config` is usable, before scoring anything with it.
    ///
    /// The outer error is a crash; the inner one the plugin's own verdict on the configuration.
    pub fn check_config(&self, config: &RuleConfig) -> Result<Result<(), PluginError>, Box<PluginTrap>> {
        call_plugin(
            &self.runtime,
            &self.target("check-config"),
            BatchLabel::none(),
            config,
            0,
            |store| {
                self.pre
                    .instantiate(&mut *store)?
                    .leadgate_plugin_mapping()
                    .call_check_config(&mut *store)
            },
        )
        .map(|(verdict, _)| verdict)
    }

    /// Maps one batch in one call, in a fresh store.
    ///
    /// `lead_fields` is the org's Lead describe. A contact whose fields are larger than the
    /// output cap gets [`ContactFailure::OutputTooLarge`]. A crash fails the whole call;
    /// [`FieldMappingPlugin::map_contacts`] isolates crashing contacts instead.
    pub fn map_batch(
        &self,
        config: &RuleConfig,
        inputs: &[MappingInput],
        lead_fields: &[FieldDescription],
        now: Timestamp,
    ) -> Result<MappedBatch, Box<PluginTrap>> {
        let batch = BatchLabel::from_ids(inputs.iter().map(|input| input.contact.id.as_str()));
        let target = self.target("map-batch");
        let (mapped, stats) = call_plugin(&self.runtime, &target, batch.clone(), config, now, |store| {
            self.pre
                .instantiate(&mut *store)?
                .leadgate_plugin_mapping()
                .call_map_batch(&mut *store, inputs, lead_fields, now)
        })?;
        let limit = self.runtime.limits.output_bytes_per_contact;
        let results = contact_results(mapped, inputs.len(), &target, batch, &stats, limit, |fields| {
            fields.iter().map(field_size).sum()
        })?;
        Ok(MappedBatch { results, stats })
    }

    /// Maps any number of contacts in batches of `batch_size`, isolating contacts that crash
    /// the plugin (see [`PluginRun`]).
    pub fn map_contacts(
        &self,
        config: &RuleConfig,
        inputs: &[MappingInput],
        lead_fields: &[FieldDescription],
        now: Timestamp,
        batch_size: usize,
    ) -> PluginRun<Vec<LeadField>> {
        run_in_batches(inputs, batch_size, |batch| {
            self.map_batch(config, batch, lead_fields, now)
                .map(|mapped| (mapped.results, mapped.stats))
        })
    }

    fn target(&self, function: &'static str) -> CallTarget<'_> {
        CallTarget {
            plugin: &self.details.name,
            version: &self.details.version,
            function,
        }
    }
}

fn field_size(field: &LeadField) -> usize {
    let value = match &field.value {
        FieldValue::Text(text) => text.len(),
        _ => 8,
    };
    field.name.len() + value + FIELD_OVERHEAD_BYTES
}
