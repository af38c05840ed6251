//! One replication run: select, map, preflight, write in batches, record every result.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use futures_util::future::join_all;
use leadgate_plugin_runtime::PluginRuntime;
use leadgate_salesforce::describe::ObjectDescribe;
use leadgate_salesforce::{Client, ErrorCode, SaveResult};
use serde::Serialize;
use serde_json::Value;

use super::error::ReplicationError;
use super::lead_describe::{fetch_lead_describe, lead_describe};
use super::org_check::{Severity, check_org};
use super::plugin_mapping::{MappingPlugin, field_descriptions};
use super::preflight::preflight;
use super::record_outcome::{WriteOutcome, record_after, suspended};
use super::selection::{Candidate, Mapper, qualifying_ids, select};
use crate::config::{AssignmentRule, Config, LeadMapping, ReplicationSettings};
use crate::store::{JournalEntry, ReplicationRecord, ReplicationRunRecord, ReplicationState, Store};

/// What a run is asked to do besides the configured replication.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Decide and report, but write nothing to the org or to the contacts' states.
    pub dry_run: bool,
    /// Contacts written whatever their score (`replicate --contact ID --force`).
    pub forced: Vec<String>,
    /// Only these contacts, when not empty (`replicate --contact ID`).
    pub only: Vec<String>,
}

/// What a run did (or, dry, would do), for the summary table and `--json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Nothing was written: the numbers say what would have been.
    pub dry_run: bool,
    /// Contacts at or above the gate (and forced ones).
    pub qualifying: u64,
    /// Already in the org with the same fields.
    pub unchanged: u64,
    /// Suspended, and neither changed nor due for a retry.
    pub waiting: u64,
    /// Disabled or converted: no longer written.
    pub stopped: u64,
    /// New Leads.
    pub created: u64,
    /// Existing Leads written again.
    pub updated: u64,
    /// Refused by preflight, the mapping or Salesforce, and suspended.
    pub suspended: u64,
    /// Lead deleted in the org: the contact is now disabled.
    pub disabled: u64,
    /// Lead converted in the org: the contact is no longer written.
    pub converted: u64,
    /// Lead merged into another in the org: the contact was written to the surviving Lead.
    pub merged: u64,
    /// Batches of an earlier run that were sent but whose results were never recorded; their
    /// contacts are written again (harmless: every write is an upsert or an update by id).
    pub resumed_batches: u64,
    /// API calls this run made.
    pub api_calls: u64,
    /// Why the run stopped before writing everything (the budget), if it did.
    pub stopped_early: Option<String>,
    /// What else a user should know about the run.
    pub notes: Vec<String>,
}

/// Runs replication once, as `leadgate replicate` does. `runtime` loads the mapping plugin when
/// the configuration names one (and may be `None` otherwise). A run with nothing to write makes
/// no API call at all, not even a token refresh: the client is used only once there is
/// something to send.
pub async fn replicate(
    store: &Store,
    config: &Config,
    runtime: Option<&PluginRuntime>,
    client: &Client,
    now: i64,
    options: &RunOptions,
) -> Result<RunSummary, ReplicationError> {
    let settings = config
        .replication
        .as_ref()
        .ok_or(ReplicationError::NotConfigured)?;
    let started_at = jiff::Timestamp::now().as_millisecond();
    let mut summary = RunSummary {
        dry_run: options.dry_run,
        ..RunSummary::default()
    };
    if !settings.enabled {
        summary.stopped_early =
            Some("replication is disabled (`enabled = false` in `[replication]`)".to_owned());
        return Ok(summary);
    }
    let pending = store.pending_changes()?;
    if !pending.contact_ids.is_empty() {
        return Err(ReplicationError::StaleScores {
            contacts: pending.contact_ids.len(),
        });
    }
    let calls_before = client.call_counts().total;
    // The header only when the setting is not Salesforce's own default, which needs none.
    let assigning;
    let client = match &settings.assignment_rule {
        AssignmentRule::Default => client,
        rule => {
            assigning = client.with_auto_assign(rule.header_value());
            &assigning
        }
    };
    let journaled = store.journaled_batches()?;
    summary.resumed_batches = journaled.len() as u64;

    let plugin = match &settings.mapping {
        LeadMapping::Plugin { plugin, config } => {
            let runtime = runtime.ok_or_else(|| {
                ReplicationError::MappingPlugin(format!(
                    "`{}` needs a plugin runtime, and none was given",
                    plugin.display()
                ))
            })?;
            Some(MappingPlugin::load(runtime, plugin, config)?)
        }
        LeadMapping::Fields(_) => None,
    };
    // A mapping plugin is given the org's Lead fields, so it needs the describe before
    // selection; a field table needs it only once there is something to write.
    let mut describe = match &plugin {
        Some(_) => Some(lead_describe(store, client, now).await?),
        None => None,
    };
    let plugin_fields = describe.as_ref().map(field_descriptions).unwrap_or_default();
    let mapper = match (&settings.mapping, &plugin) {
        (_, Some(plugin)) => Mapper::Plugin(plugin, &plugin_fields),
        (LeadMapping::Fields(fields), None) => Mapper::Table(fields),
        (LeadMapping::Plugin { .. }, None) => return Err(ReplicationError::NotConfigured),
    };
    let (ids, notes) = qualifying_ids(store, settings, &options.forced, &options.only, now)?;
    summary.notes.extend(notes);
    summary.qualifying = ids.len() as u64;
    let mut org: Option<(ObjectDescribe, usize)> = None;
    let mut journal_cleared = false;
    for chunk in ids.chunks(SELECTION_CHUNK) {
        let selection = select(store, config, settings, &mapper, chunk, now)?;
        summary.unchanged += selection.unchanged;
        summary.waiting += selection.waiting;
        summary.stopped += selection.stopped;
        summary.suspended += selection.refused.len() as u64;
        if !options.dry_run {
            store.apply_replication_results(None, &selection.refused)?;
        }
        if selection.candidates.is_empty() {
            continue;
        }
        if org.is_none() {
            org = Some(checked_org(store, client, settings, describe.take(), now).await?);
        }
        let Some((describe, id_length)) = &org else {
            continue;
        };
        let (mut writable, refused) = preflighted(selection.candidates, describe, *id_length, settings, now);
        summary.suspended += refused.len() as u64;
        if !options.dry_run {
            store.apply_replication_results(None, &refused)?;
        }
        if settings.match_by_email && !options.dry_run {
            adopt_by_email(
                client,
                &mut writable,
                settings.batch_size,
                settings.requests_in_flight,
            )
            .await?;
        }
        let (updates, creates): (Vec<Candidate>, Vec<Candidate>) =
            writable.into_iter().partition(|candidate| {
                candidate
                    .record
                    .as_ref()
                    .is_some_and(|record| record.lead_id.is_some())
            });
        if options.dry_run {
            summary.created += creates.len() as u64;
            summary.updated += updates.len() as u64;
            continue;
        }
        if !journal_cleared {
            clear_journal(store, &journaled)?;
            journal_cleared = true;
        }
        if !write(
            store,
            client,
            settings,
            now,
            creates,
            updates,
            &mut summary,
            calls_before,
        )
        .await?
        {
            break;
        }
    }
    if !options.dry_run && !journal_cleared {
        clear_journal(store, &journaled)?;
    }
    let to_write = summary.created + summary.updated;
    if to_write > settings.bulk_threshold {
        summary.notes.push(format!(
            "{to_write} contacts to write is above `bulk-threshold = {}`, but Bulk API 2.0 is not used yet: they \
             went through sObject Collections, {} per call",
            settings.bulk_threshold, settings.batch_size
        ));
    }
    summary.api_calls = client.call_counts().total - calls_before;
    if !options.dry_run {
        store.record_replication_run(&ReplicationRunRecord {
            started_at,
            finished_at: jiff::Timestamp::now().as_millisecond(),
            qualifying: summary.qualifying,
            created: summary.created,
            updated: summary.updated,
            unchanged: summary.unchanged,
            suspended: summary.suspended,
            disabled: summary.disabled,
            converted: summary.converted,
            merged: summary.merged,
            api_calls: summary.api_calls,
            stopped_early: summary.stopped_early.clone(),
        })?;
    }
    Ok(summary)
}

/// How many qualifying contacts are selected, mapped and written at a time: a run holds one
/// chunk's payloads, whatever the number of contacts.
const SELECTION_CHUNK: usize = 5_000;

/// The Lead describe for preflight (`describe` when the run already has it), checked for the
/// replication's set-up (re-read once when a cached one fails, as the admin may have fixed it
/// since), with the External ID field's length.
async fn checked_org(
    store: &Store,
    client: &Client,
    settings: &ReplicationSettings,
    describe: Option<ObjectDescribe>,
    now: i64,
) -> Result<(ObjectDescribe, usize), ReplicationError> {
    let mut describe = match describe {
        Some(describe) => describe,
        None => lead_describe(store, client, now).await?,
    };
    if !setup_problems(&describe, settings).is_empty() {
        describe = fetch_lead_describe(store, client, now).await?;
        let problems = setup_problems(&describe, settings);
        if !problems.is_empty() {
            return Err(ReplicationError::OrgSetup { problems });
        }
    }
    let id_length = describe
        .field(&settings.external_id_field)
        .map_or(0, |field| usize::try_from(field.length).unwrap_or(usize::MAX));
    Ok((describe, id_length))
}

/// The candidates that pass preflight (with the external id set and their notes), and the
/// records of those that do not.
fn preflighted(
    candidates: Vec<Candidate>,
    describe: &ObjectDescribe,
    id_length: usize,
    settings: &ReplicationSettings,
    now: i64,
) -> (Vec<Candidate>, Vec<(String, ReplicationRecord)>) {
    let mut writable = Vec::with_capacity(candidates.len());
    let mut refused = Vec::new();
    for mut candidate in candidates {
        let id_chars = candidate.contact_id.chars().count();
        if id_chars > id_length {
            // Never cut an id: a cut id could name another contact's Lead.
            let message = format!(
                "the contact id has {id_chars} characters, more than `{}` holds ({id_length})",
                settings.external_id_field
            );
            refused.push((
                candidate.contact_id.clone(),
                suspended(
                    candidate.record.clone(),
                    "STRING_TOO_LONG",
                    message,
                    Some(candidate.hash.0),
                    now,
                ),
            ));
            continue;
        }
        candidate.payload.set(
            &settings.external_id_field,
            Value::from(candidate.contact_id.as_str()),
        );
        match preflight(&mut candidate.payload, describe, settings.too_long_text) {
            Ok(notes) => {
                if !notes.is_empty() {
                    let record = candidate
                        .record
                        .get_or_insert_with(|| ReplicationRecord::with_state(ReplicationState::Suspended));
                    record.notes = notes
                        .iter()
                        .map(|note| format!("{}: {}", note.field, note.message))
                        .collect();
                }
                writable.push(candidate);
            }
            Err(failure) => {
                let record = suspended(
                    candidate.record.clone(),
                    failure.code.as_str(),
                    failure.message,
                    Some(candidate.hash.0),
                    now,
                );
                refused.push((candidate.contact_id, record));
            }
        }
    }
    (writable, refused)
}

/// Writes `creates` (upserts on the external id) and `updates` (by Lead id) in batches, several
/// in flight, each journaled before it is sent; follows merged and recreates deleted Leads.
/// False when the budget stopped it (the reason is in `summary.stopped_early`).
#[expect(
    clippy::too_many_arguments,
    reason = "one run's state, passed down from replicate"
)]
async fn write(
    store: &Store,
    client: &Client,
    settings: &ReplicationSettings,
    now: i64,
    creates: Vec<Candidate>,
    updates: Vec<Candidate>,
    summary: &mut RunSummary,
    calls_before: u64,
) -> Result<bool, ReplicationError> {
    let mut queue: VecDeque<(WriteKind, Vec<Candidate>)> = VecDeque::new();
    for (kind, candidates) in [(WriteKind::Upsert, creates), (WriteKind::Update, updates)] {
        let mut candidates = candidates.into_iter().peekable();
        while candidates.peek().is_some() {
            queue.push_back((kind, candidates.by_ref().take(settings.batch_size).collect()));
        }
    }
    while !queue.is_empty() {
        if let Some(reason) = over_budget(settings, client, calls_before) {
            summary.stopped_early = Some(reason);
            return Ok(false);
        }
        let mut window: Vec<(u64, WriteKind, Vec<Candidate>)> =
            Vec::with_capacity(settings.requests_in_flight);
        while window.len() < settings.requests_in_flight
            && let Some((kind, candidates)) = queue.pop_front()
        {
            window.push((store.next_journal_id()?, kind, candidates));
        }
        for (batch_id, _, candidates) in &window {
            store.journal_batch(
                *batch_id,
                &JournalEntry {
                    contacts: candidates
                        .iter()
                        .map(|candidate| (candidate.contact_id.clone(), candidate.hash.0))
                        .collect(),
                    started_at: now,
                },
            )?;
        }
        let answers = join_all(
            window
                .iter()
                .map(|(_, kind, candidates)| send(client, settings, *kind, candidates)),
        )
        .await;
        let mut follow_ups = Vec::new();
        let mut resend_after = Duration::ZERO;
        for ((batch_id, kind, candidates), answer) in window.iter().zip(answers) {
            let results = answer?;
            let survivors = merge_survivors(client, candidates, &results).await?;
            let mut records = Vec::with_capacity(candidates.len());
            for (candidate, result) in candidates.iter().zip(&results) {
                if let Some(master) = survivors.get(&candidate.contact_id) {
                    // Merged away: write the contact to the Lead that survived the merge.
                    let mut record = candidate
                        .record
                        .clone()
                        .unwrap_or_else(|| ReplicationRecord::with_state(ReplicationState::Suspended));
                    record.lead_id = Some(master.clone());
                    record.notes.push(format!("its Lead was merged into {master}"));
                    follow_ups.push((WriteKind::Update, candidate.with_record(record.clone())));
                    records.push((candidate.contact_id.clone(), record));
                    summary.merged += 1;
                    continue;
                }
                if result.is_retryable() && candidate.resent < RESENDS_PER_RUN {
                    // A row lock or a busy server: send it again in this run, after a pause.
                    let mut again = candidate.clone();
                    again.resent += 1;
                    resend_after = resend_after.max(resend_delay(again.resent));
                    follow_ups.push((*kind, again));
                    continue;
                }
                let (record, outcome) = record_after(candidate, result, settings, now);
                match outcome {
                    WriteOutcome::Created => summary.created += 1,
                    WriteOutcome::Updated => summary.updated += 1,
                    WriteOutcome::Suspended => summary.suspended += 1,
                    WriteOutcome::Disabled => summary.disabled += 1,
                    WriteOutcome::Converted => summary.converted += 1,
                    WriteOutcome::Recreate => {
                        follow_ups.push((WriteKind::Upsert, candidate.with_record(record.clone())));
                    }
                }
                records.push((candidate.contact_id.clone(), record));
            }
            store.apply_replication_results(Some(*batch_id), &records)?;
        }
        if !resend_after.is_zero() {
            tokio::time::sleep(resend_after).await;
        }
        for kind in [WriteKind::Update, WriteKind::Upsert] {
            let mut of_kind = follow_ups
                .iter()
                .filter(|(follow_up_kind, _)| *follow_up_kind == kind)
                .map(|(_, candidate)| candidate.clone())
                .peekable();
            while of_kind.peek().is_some() {
                queue.push_back((kind, of_kind.by_ref().take(settings.batch_size).collect()));
            }
        }
    }
    Ok(true)
}

/// The errors among the org check's findings.
fn setup_problems(
    describe: &leadgate_salesforce::describe::ObjectDescribe,
    settings: &ReplicationSettings,
) -> Vec<String> {
    check_org(describe, settings)
        .into_iter()
        .filter(|finding| finding.severity == Severity::Error)
        .map(|finding| finding.message)
        .collect()
}

/// How often one run sends a record again after a transient refusal (a row lock, a busy server)
/// before it suspends the contact with a growing delay.
const RESENDS_PER_RUN: u32 = 2;

/// The pause before resend `resend` (1, 2, …): doubling from a quarter second, with up to a
/// fifth of jitter, so that records locked together are not sent into the same lock again.
fn resend_delay(resend: u32) -> Duration {
    let base = 250_u64 << resend.saturating_sub(1).min(8);
    Duration::from_millis(base + rand::random_range(0..=base / 5))
}

/// The surviving Lead of every candidate whose Lead was merged away: among the candidates
/// Salesforce answered `ENTITY_IS_DELETED` for, those whose deleted Lead names a
/// `MasterRecordId`. One queryAll call, and only when a batch had such an answer.
async fn merge_survivors(
    client: &Client,
    candidates: &[Candidate],
    results: &[SaveResult],
) -> Result<BTreeMap<String, String>, ReplicationError> {
    use futures_util::TryStreamExt as _;

    let deleted: Vec<(&str, &str)> = candidates
        .iter()
        .zip(results)
        .filter(|(_, result)| result.error_code() == Some(&ErrorCode::EntityIsDeleted))
        .filter_map(|(candidate, _)| {
            let lead_id = candidate.record.as_ref()?.lead_id.as_deref()?;
            Some((candidate.contact_id.as_str(), lead_id))
        })
        .collect();
    if deleted.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<String> = deleted
        .iter()
        .filter(|(_, lead_id)| lead_id.bytes().all(|byte| byte.is_ascii_alphanumeric()))
        .map(|(_, lead_id)| format!("'{lead_id}'"))
        .collect();
    let soql = format!(
        "SELECT Id, MasterRecordId FROM Lead WHERE Id IN ({})",
        ids.join(", ")
    );
    let leads: Vec<leadgate_salesforce::Record> = client.query_all(&soql).try_collect().await?;
    let mut masters: BTreeMap<String, String> = BTreeMap::new();
    for lead in leads {
        if let (Some(Value::String(id)), Some(Value::String(master))) =
            (lead.get("Id"), lead.get("MasterRecordId"))
        {
            masters.insert(id.clone(), master.clone());
        }
    }
    Ok(deleted
        .into_iter()
        .filter_map(|(contact, lead_id)| {
            masters
                .iter()
                .find(|(id, _)| same_record_id(id, lead_id))
                .map(|(_, master)| (contact.to_owned(), master.clone()))
        })
        .collect())
}

/// Record ids compared as Salesforce does: a 15-character id is the first 15 of its 18.
fn same_record_id(left: &str, right: &str) -> bool {
    left.get(..15)
        .is_some_and(|prefix| Some(prefix) == right.get(..15))
}

/// How a batch is written: new contacts by upsert on the external id (a replayed batch finds the
/// Lead it created), known ones by their Lead id (so a deleted or converted Lead answers so,
/// instead of an upsert quietly creating a second one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteKind {
    Upsert,
    Update,
}

async fn send(
    client: &Client,
    settings: &ReplicationSettings,
    kind: WriteKind,
    candidates: &[Candidate],
) -> Result<Vec<SaveResult>, ReplicationError> {
    let bodies: Vec<serde_json::Map<String, Value>> = candidates
        .iter()
        .map(|candidate| {
            let mut body = candidate.payload.as_json().clone();
            if kind == WriteKind::Update
                && let Some(lead_id) = candidate
                    .record
                    .as_ref()
                    .and_then(|record| record.lead_id.as_deref())
            {
                body.insert("Id".to_owned(), Value::from(lead_id));
            }
            body
        })
        .collect();
    let results = match kind {
        WriteKind::Upsert => {
            client
                .upsert_records("Lead", &settings.external_id_field, &bodies, false)
                .await?
        }
        WriteKind::Update => client.update_records("Lead", &bodies, false).await?,
    };
    Ok(results)
}

/// Why no further batch may be sent, if the budget is spent: the run's own cap, or the org's
/// usage today against the configured share of its daily allocation.
fn over_budget(settings: &ReplicationSettings, client: &Client, calls_before: u64) -> Option<String> {
    let used_by_run = client.call_counts().total - calls_before;
    if let Some(cap) = settings.budget.max_calls_per_run
        && used_by_run >= cap
    {
        return Some(format!(
            "the run made {used_by_run} API calls, its cap (`max-calls-per-run = {cap}`); the next run goes on"
        ));
    }
    let usage = client.api_usage()?;
    let share = u64::from(settings.budget.daily_share_percent);
    (usage.limit > 0 && usage.used.saturating_mul(100) >= usage.limit.saturating_mul(share)).then(|| {
        format!(
            "the org has used {} of its {} daily API requests, {share}% (`daily-share-percent`); the next run goes on",
            usage.used, usage.limit
        )
    })
}

/// Never-replicated contacts whose e-mail address a Lead already has adopt that Lead: they are
/// then written by its id (with the external id set), and no duplicate is created. One query per
/// batch of new contacts, `in_flight` at a time.
async fn adopt_by_email(
    client: &Client,
    writable: &mut [Candidate],
    batch_size: usize,
    in_flight: usize,
) -> Result<(), ReplicationError> {
    use futures_util::TryStreamExt as _;

    let new: Vec<usize> = writable
        .iter()
        .enumerate()
        .filter(|(_, candidate)| {
            candidate
                .record
                .as_ref()
                .is_none_or(|record| record.lead_id.is_none())
                && candidate.email.is_some()
        })
        .map(|(index, _)| index)
        .collect();
    let queries: Vec<String> = new
        .chunks(batch_size.max(1))
        .map(|chunk| {
            let addresses: Vec<String> = chunk
                .iter()
                .filter_map(|index| writable[*index].email.as_deref())
                .map(|email| format!("'{}'", email.replace('\\', "\\\\").replace('\'', "\\'")))
                .collect();
            format!(
                "SELECT Id, Email FROM Lead WHERE IsConverted = false AND Email IN ({})",
                addresses.join(", ")
            )
        })
        .collect();
    let mut by_email: BTreeMap<String, String> = BTreeMap::new();
    for window in queries.chunks(in_flight.max(1)) {
        let answers = join_all(window.iter().map(|soql| async move {
            client
                .query(soql)
                .try_collect::<Vec<leadgate_salesforce::Record>>()
                .await
        }))
        .await;
        for leads in answers {
            for lead in leads? {
                if let (Some(Value::String(id)), Some(Value::String(email))) =
                    (lead.get("Id"), lead.get("Email"))
                {
                    by_email.entry(email.to_lowercase()).or_insert_with(|| id.clone());
                }
            }
        }
    }
    for index in new {
        let candidate = &mut writable[index];
        let Some(lead_id) = candidate
            .email
            .as_deref()
            .and_then(|email| by_email.get(&email.to_lowercase()))
        else {
            continue;
        };
        let record = candidate
            .record
            .get_or_insert_with(|| ReplicationRecord::with_state(ReplicationState::Suspended));
        record.lead_id = Some(lead_id.clone());
        record
            .notes
            .push(format!("adopted the existing Lead {lead_id} by e-mail address"));
    }
    Ok(())
}

/// Forgets journaled batches of an earlier run: their contacts were selected again and are
/// written by this run.
fn clear_journal(store: &Store, journaled: &[(u64, JournalEntry)]) -> Result<(), ReplicationError> {
    for (batch_id, _) in journaled {
        store.apply_replication_results(Some(*batch_id), &[])?;
    }
    Ok(())
}
