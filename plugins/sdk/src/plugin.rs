//! The traits a plugin implements, and the batch loops the registration macros run them in.

use crate::{
    ActivityKind, Award, Config, ContactActivities, LeadField, LeadFields, MappingInput, Result, Timestamp,
};

/// A scoring rule: awards points to a contact for what they did and who they are.
///
/// Register the type with [`register_scoring_rule!`](crate::register_scoring_rule). For each
/// batch of contacts the host sends, the SDK reads the configuration, calls
/// [`from_config`](ScoringRule::from_config) once, then [`score`](ScoringRule::score) once per
/// contact.
pub trait ScoringRule: Sized {
    /// Validates the configuration and prepares everything scoring needs (parsed numbers,
    /// compiled patterns, lowercased names), so that `score` does as little as possible.
    ///
    /// Return invalid-config naming the key for a missing or bad value. The host also calls this
    /// through `check-config` before scoring anything.
    fn from_config(config: &Config) -> Result<Self>;

    /// The awards for one contact as of `now` (possibly none), or why it cannot be scored.
    ///
    /// Awards that expire at or before `now` are dropped by the host.
    fn score(&self, input: &ContactActivities, now: Timestamp) -> Result<Vec<Award>>;

    /// The kinds of activity this rule looks at, so the host sends no others: a rule about
    /// purchases should not pay for a contact's thousands of page visits. `None` (the default)
    /// asks for every activity; an empty list for none, for rules about the contact's fields.
    fn activity_kinds(&self) -> Option<Vec<ActivityKind>> {
        None
    }
}

/// A field mapping: turns a contact (and its score totals) into Salesforce Lead field values.
///
/// Register the type with [`register_field_mapping!`](crate::register_field_mapping). For each
/// batch the SDK reads the configuration, calls [`from_config`](FieldMapping::from_config) once,
/// then [`map`](FieldMapping::map) once per contact.
pub trait FieldMapping: Sized {
    /// Validates the configuration and prepares everything mapping needs.
    ///
    /// Return invalid-config naming the key for a missing or bad value. The host also calls this
    /// through `check-config` before mapping anything.
    fn from_config(config: &Config) -> Result<Self>;

    /// The Lead fields to write for one contact, or why it cannot be mapped.
    ///
    /// `lead_fields` describes the Lead object of the target org (empty when the host has no
    /// describe), so values can be fitted to lengths and picklists. Leave out fields that have no
    /// value rather than returning null, which would clear them in Salesforce.
    fn map(&self, input: &MappingInput, lead_fields: &LeadFields, now: Timestamp) -> Result<Vec<LeadField>>;
}

/// Scores a batch exactly as a registered rule does inside the host, without the host: builds the
/// rule from `config` once and scores every contact.
///
/// Returns one result per contact, in order. When the configuration is rejected, every contact
/// gets that same error. Use it in native tests of a rule.
pub fn run_scoring_batch<R: ScoringRule>(
    config: &Config,
    contacts: &[ContactActivities],
    now: Timestamp,
) -> Vec<Result<Vec<Award>>> {
    match R::from_config(config) {
        Ok(rule) => contacts.iter().map(|contact| rule.score(contact, now)).collect(),
        Err(error) => vec![Err(error); contacts.len()],
    }
}

/// Maps a batch exactly as a registered mapping does inside the host, without the host: builds
/// the mapping from `config` once and maps every input.
///
/// Returns one result per input, in order. When the configuration is rejected, every input gets
/// that same error. Use it in native tests of a mapping.
pub fn run_mapping_batch<M: FieldMapping>(
    config: &Config,
    inputs: &[MappingInput],
    lead_fields: &LeadFields,
    now: Timestamp,
) -> Vec<Result<Vec<LeadField>>> {
    match M::from_config(config) {
        Ok(mapping) => inputs
            .iter()
            .map(|input| mapping.map(input, lead_fields, now))
            .collect(),
        Err(error) => vec![Err(error); inputs.len()],
    }
}
