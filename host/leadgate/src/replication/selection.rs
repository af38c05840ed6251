//! Which contacts a run writes: those that qualify and whose payload is not in the org yet.

use std::collections::BTreeMap;

use leadgate_model::{ContactRecord, score_total};
use leadgate_plugin_runtime::types::FieldDescription;

use super::error::ReplicationError;
use super::field_table::map_with_field_table;
use super::lead_payload::{LeadPayload, PayloadHash};
use super::plugin_mapping::{MappingPlugin, mapping_input};
use super::record_outcome::suspended;
use crate::config::{Config, MappedField, ReplicationSettings};
use crate::store::{ReplicationRecord, ReplicationState, Store};

/// How payloads are made: the field table, or the plugin with the org's fields.
pub(super) enum Mapper<'a> {
    /// `[replication.mapping.fields]`, or the standard mapping.
    Table(&'a [MappedField]),
    /// A `field-mapping` plugin.
    Plugin(&'a MappingPlugin, &'a [FieldDescription]),
}

/// A contact to write.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) contact_id: String,
    pub(super) email: Option<String>,
    pub(super) payload: LeadPayload,
    pub(super) hash: PayloadHash,
    /// What is stored about it: its Lead id, attempts so far.
    pub(super) record: Option<ReplicationRecord>,
    /// Times this run sent it again after a transient refusal.
    pub(super) resent: u32,
}

impl Candidate {
    /// The same contact and payload with `record` as what is stored about it.
    pub(super) fn with_record(&self, record: ReplicationRecord) -> Self {
        Self {
            record: Some(record),
            ..self.clone()
        }
    }
}

/// What selection found.
#[derive(Debug, Default)]
pub(super) struct Selection {
    /// The contacts to write.
    pub(super) candidates: Vec<Candidate>,
    /// Replicated with the same payload (or `keep-updated = false`): nothing to do.
    pub(super) unchanged: u64,
    /// Suspended and neither changed nor due for a retry.
    pub(super) waiting: u64,
    /// Disabled or converted: not written.
    pub(super) stopped: u64,
    /// The mapping refused them; each is suspended with the reason.
    pub(super) refused: Vec<(String, ReplicationRecord)>,
}

/// A qualifying contact on its way to a payload: the contact, its score totals, its record.
type Qualified = (ContactRecord, Vec<(String, i64)>, Option<ReplicationRecord>);

/// How many contacts are mapped at once (one plugin call each time).
const MAPPING_CHUNK: usize = 200;

/// The ids of the contacts a run considers: at or above the gate, and `forced` ones; only those
/// in `only` when it is not empty. A named contact (forced or only) that is not in the store is
/// an error; one that is below the gate and not forced gets a note saying why it is left out.
pub(super) fn qualifying_ids(
    store: &Store,
    settings: &ReplicationSettings,
    forced: &[String],
    only: &[String],
    now: i64,
) -> Result<(Vec<String>, Vec<String>), ReplicationError> {
    let unknown: Vec<String> = forced
        .iter()
        .chain(only)
        .filter_map(|id| match store.contact(id) {
            Ok(Some(_)) => None,
            Ok(None) => Some(Ok(id.clone())),
            Err(error) => Some(Err(error)),
        })
        .collect::<Result<_, _>>()?;
    if !unknown.is_empty() {
        return Err(ReplicationError::UnknownContacts { ids: unknown });
    }
    let mut qualifying: Vec<String> = store
        .totals(&settings.score, now)?
        .into_iter()
        .filter(|total| total.points >= settings.min_points)
        .map(|total| total.contact_id)
        .filter(|id| only.is_empty() || only.contains(id))
        .collect();
    for id in forced {
        if !qualifying.contains(id) {
            qualifying.push(id.clone());
        }
    }
    let mut notes = Vec::new();
    for id in only.iter().filter(|id| !qualifying.contains(id)) {
        let points = score_total(&store.outcomes(&settings.score, id)?, now);
        notes.push(format!(
            "`{id}` has {points} points in `{}`, below `min-points = {}`: not written (add --force to write it \
             anyway)",
            settings.score, settings.min_points
        ));
    }
    Ok((qualifying, notes))
}

/// Of the contacts `ids`, selects those to write: not disabled or converted, and with a payload
/// the org does not have yet.
pub(super) fn select(
    store: &Store,
    config: &Config,
    settings: &ReplicationSettings,
    mapper: &Mapper<'_>,
    ids: &[String],
    now: i64,
) -> Result<Selection, ReplicationError> {
    let mut selection = Selection::default();
    for chunk in ids.chunks(MAPPING_CHUNK) {
        let mut contacts = Vec::with_capacity(chunk.len());
        for id in chunk {
            let record = store.replication_record(id)?;
            if record.as_ref().is_some_and(|record| {
                matches!(
                    record.state,
                    ReplicationState::Disabled | ReplicationState::Converted
                )
            }) {
                selection.stopped += 1;
                continue;
            }
            let Some(contact) = store.contact(id)? else {
                continue;
            };
            let totals = score_totals(store, config, id, now)?;
            contacts.push((contact, totals, record));
        }
        let payloads = map(mapper, &contacts, now);
        for ((contact, _, record), payload) in contacts.into_iter().zip(payloads) {
            let payload = match payload {
                Ok(payload) => payload,
                Err(reason) => {
                    selection.refused.push((
                        contact.id.clone(),
                        suspended(record, "MAPPING_FAILED", reason, None, now),
                    ));
                    continue;
                }
            };
            let hash = payload.hash();
            if !needs_writing(record.as_ref(), hash, settings.keep_updated, now) {
                match record.as_ref().map(|record| record.state) {
                    Some(ReplicationState::Suspended) => selection.waiting += 1,
                    _ => selection.unchanged += 1,
                }
                continue;
            }
            selection.candidates.push(Candidate {
                contact_id: contact.id.clone(),
                email: contact.email.clone(),
                payload,
                hash,
                record,
                resent: 0,
            });
        }
    }
    Ok(selection)
}

/// Whether a contact with this stored record and this payload must be written.
fn needs_writing(
    record: Option<&ReplicationRecord>,
    hash: PayloadHash,
    keep_updated: bool,
    now: i64,
) -> bool {
    let Some(record) = record else {
        return true;
    };
    let changed = record.payload_hash != Some(hash.0);
    match record.state {
        ReplicationState::Replicated => keep_updated && changed,
        ReplicationState::Suspended => changed || record.retry_at.is_some_and(|at| at <= now),
        ReplicationState::Disabled | ReplicationState::Converted => false,
    }
}

/// Every configured score's total for the contact, for mappings that write scores.
fn score_totals(
    store: &Store,
    config: &Config,
    contact_id: &str,
    now: i64,
) -> Result<Vec<(String, i64)>, ReplicationError> {
    let by_score = store.outcomes_by_score(contact_id)?;
    Ok(config
        .scores
        .iter()
        .filter(|score| score.enabled)
        .filter_map(|score| {
            let outcomes = by_score
                .get(&score.name)
                .filter(|outcomes| !outcomes.is_empty())?;
            Some((score.name.clone(), score_total(outcomes, now)))
        })
        .collect())
}

fn map(mapper: &Mapper<'_>, contacts: &[Qualified], now: i64) -> Vec<Result<LeadPayload, String>> {
    match mapper {
        Mapper::Table(fields) => contacts
            .iter()
            .map(|(contact, totals, _)| {
                let totals: BTreeMap<String, i64> = totals.iter().cloned().collect();
                Ok(map_with_field_table(fields, contact, &totals))
            })
            .collect(),
        Mapper::Plugin(plugin, lead_fields) => {
            let inputs: Vec<_> = contacts
                .iter()
                .map(|(contact, totals, _)| mapping_input(contact.clone(), totals))
                .collect();
            plugin.map(&inputs, lead_fields, now)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: ReplicationState, hash: u8, retry_at: Option<i64>) -> ReplicationRecord {
        ReplicationRecord {
            payload_hash: Some([hash; 32]),
            retry_at,
            ..ReplicationRecord::with_state(state)
        }
    }

    #[test]
    fn only_new_changed_or_due_contacts_are_written() {
        let same = PayloadHash([1; 32]);
        let other = PayloadHash([2; 32]);
        assert!(needs_writing(None, same, true, 0));
        let replicated = record(ReplicationState::Replicated, 1, None);
        assert!(!needs_writing(Some(&replicated), same, true, 0), "unchanged");
        assert!(
            needs_writing(Some(&replicated), other, true, 0),
            "changed, keep-updated"
        );
        assert!(
            !needs_writing(Some(&replicated), other, false, 0),
            "changed, written once"
        );
        let suspended = record(ReplicationState::Suspended, 1, Some(100));
        assert!(
            !needs_writing(Some(&suspended), same, true, 99),
            "waiting for its retry"
        );
        assert!(needs_writing(Some(&suspended), same, true, 100), "due");
        assert!(
            needs_writing(Some(&suspended), other, true, 0),
            "the contact or mapping changed"
        );
        let refused = record(ReplicationState::Suspended, 1, None);
        assert!(
            !needs_writing(Some(&refused), same, true, i64::MAX),
            "a permanent refusal waits for a change"
        );
        for state in [ReplicationState::Disabled, ReplicationState::Converted] {
            assert!(!needs_writing(Some(&record(state, 1, None)), other, true, 0));
        }
    }
}
