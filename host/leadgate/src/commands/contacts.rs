//! `leadgate contacts show|list`.

use std::process::ExitCode;

use leadgate_model::{ContactRecord, score_total};

use super::context::CommandContext;
use super::table::table;
use crate::cli::{ContactsCommand, ContactsListArgs, ContactsShowArgs, ReplicationStateArg};
use crate::config::Config;
use crate::contact_filter::ContactFilter;
use crate::output::{ContactDocument, ContactShowDocument, timestamp};
use crate::store::{ReplicationRecord, ReplicationState, Store};

pub(super) fn run(command: ContactsCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    match command {
        ContactsCommand::Show(args) => show(&args, context),
        ContactsCommand::List(args) => list(&args, context),
    }
}

fn show(args: &ContactsShowArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let store = context.store()?;
    let Some(contact) = store.contact(&args.id)? else {
        anyhow::bail!("no contact `{}` in the store", args.id);
    };
    let activities = store.activities_of(&args.id)?;
    let now = jiff::Timestamp::now().as_millisecond();
    let by_score = store.outcomes_by_score(&args.id)?;
    let scores: Vec<(String, i64)> = config
        .scores
        .iter()
        .filter_map(|score| {
            let outcomes = by_score
                .get(&score.name)
                .filter(|outcomes| !outcomes.is_empty())?;
            Some((score.name.clone(), score_total(outcomes, now)))
        })
        .collect();
    let replication = store.replication_record(&args.id)?;
    if args.json {
        context.printer().json(&ContactShowDocument::new(
            &contact,
            &activities,
            &scores,
            replication.as_ref(),
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (field, value) in contact.standard_fields() {
        text.push_str(&format!("{field:<12} {value}\n"));
    }
    for (name, value) in &contact.attributes {
        text.push_str(&format!("{name:<12} {value}\n"));
    }
    text.push_str(&format!("\nactivities ({})\n", activities.len()));
    let rows: Vec<Vec<String>> = activities
        .iter()
        .map(|activity| {
            vec![
                timestamp(activity.occurred_at),
                activity.kind.clone(),
                activity.subject.clone().unwrap_or_default(),
                activity
                    .quantity
                    .map(|quantity| quantity.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    text.push_str(&table(&["when", "kind", "subject", "quantity"], &rows));
    if !scores.is_empty() {
        text.push_str("\nscores\n");
        for (score, points) in &scores {
            text.push_str(&format!("{points:>8}  {score}\n"));
        }
    }
    if let Some(record) = &replication {
        text.push_str(&replication_text(record));
    }
    context.printer().text(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ContactsListArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let filters = args
        .filter
        .iter()
        .map(|filter| filter.parse::<ContactFilter>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| anyhow::anyhow!("--filter {error}"))?;
    let store = context.store()?;
    let gate = match args.replication {
        Some(state) => Some(ReplicationGate::new(context.config()?, state)?),
        None => None,
    };
    let mut matches = Vec::new();
    for contact in store.contacts() {
        let contact = contact?;
        let in_state = match &gate {
            Some(gate) => gate.admits(store, &contact.id)?,
            None => true,
        };
        if in_state && ContactFilter::all_match(&filters, &contact) {
            matches.push(contact);
            if args.limit.is_some_and(|limit| matches.len() >= limit) {
                break;
            }
        }
    }
    if args.json {
        let documents: Vec<ContactDocument<'_>> = matches.iter().map(ContactDocument::from).collect();
        context.printer().json(&documents)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = matches
        .iter()
        .map(|contact| {
            vec![
                contact.id.clone(),
                full_name(contact),
                contact.email.clone().unwrap_or_default(),
                contact.company.clone().unwrap_or_default(),
                contact.title.clone().unwrap_or_default(),
            ]
        })
        .collect();
    context
        .printer()
        .text(&table(&["id", "name", "email", "company", "title"], &rows))?;
    eprintln!("{} contact(s)", matches.len());
    Ok(ExitCode::SUCCESS)
}

/// The replication section of `contacts show`.
fn replication_text(record: &ReplicationRecord) -> String {
    let mut text = format!("\nreplication: {}", record.state.name());
    if let Some(lead_id) = &record.lead_id {
        text.push_str(&format!(", Lead {lead_id}"));
    }
    if let Some(at) = record.replicated_at {
        text.push_str(&format!(", written {}", timestamp(at)));
    }
    text.push('\n');
    if let Some(error) = &record.last_error {
        text.push_str(&format!(
            "  last error ({}): {}: {}\n",
            timestamp(error.at),
            error.code,
            error.message
        ));
    }
    if let Some(at) = record.retry_at {
        text.push_str(&format!("  retried from {}\n", timestamp(at)));
    }
    for note in &record.notes {
        text.push_str(&format!("  note: {note}\n"));
    }
    text
}

/// `--replication STATE`: which contacts are in the state. `pending` needs the gate: at or
/// above the configured score, and not in the org (nor stopped) yet.
struct ReplicationGate {
    state: ReplicationStateArg,
    /// For `pending`: the gating score, the minimum and the time the totals are counted at.
    gate: Option<(String, i64, i64)>,
}

impl ReplicationGate {
    fn new(config: &Config, state: ReplicationStateArg) -> anyhow::Result<Self> {
        let gate = match (state, &config.replication) {
            (ReplicationStateArg::Pending, Some(settings)) => Some((
                settings.score.clone(),
                settings.min_points,
                jiff::Timestamp::now().as_millisecond(),
            )),
            (ReplicationStateArg::Pending, None) => {
                anyhow::bail!("--replication pending needs a `[replication]` table in leadgate.toml")
            }
            _ => None,
        };
        Ok(Self { state, gate })
    }

    fn admits(&self, store: &Store, contact_id: &str) -> anyhow::Result<bool> {
        let record = store.replication_record(contact_id)?;
        let state = record.as_ref().map(|record| record.state);
        Ok(match self.state {
            ReplicationStateArg::Replicated => state == Some(ReplicationState::Replicated),
            ReplicationStateArg::Suspended => state == Some(ReplicationState::Suspended),
            ReplicationStateArg::Disabled => state == Some(ReplicationState::Disabled),
            ReplicationStateArg::Converted => state == Some(ReplicationState::Converted),
            ReplicationStateArg::Pending => {
                let written = state.is_some_and(ReplicationState::is_settled);
                let qualifies = match &self.gate {
                    Some((score, min_points, now)) => {
                        score_total(&store.outcomes(score, contact_id)?, *now) >= *min_points
                    }
                    None => false,
                };
                qualifies && !written
            }
        })
    }
}

/// First and last name, whichever are known, separated by a space.
pub(super) fn full_name(contact: &ContactRecord) -> String {
    [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}
