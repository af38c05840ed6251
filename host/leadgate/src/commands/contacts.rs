//! `leadgate contacts show|list`.

use std::process::ExitCode;

use leadgate_model::ContactRecord;

use super::context::CommandContext;
use super::table::table;
use crate::cli::{ContactsCommand, ContactsListArgs, ContactsShowArgs};
use crate::contact_filter::ContactFilter;
use crate::output::{ContactDocument, ContactShowDocument, timestamp};

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
    let mut scores = Vec::new();
    for score in &config.scores {
        let outcomes = store.outcomes(&score.name, &args.id)?;
        if !outcomes.is_empty() {
            let points: i64 = outcomes.values().map(|outcome| outcome.points_at(now)).sum();
            scores.push((score.name.clone(), points));
        }
    }
    if args.json {
        context
            .printer()
            .json(&ContactShowDocument::new(&contact, &activities, &scores))?;
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
    let mut matches = Vec::new();
    for contact in store.contacts() {
        let contact = contact?;
        if ContactFilter::all_match(&filters, &contact) {
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

/// First and last name, whichever are known, separated by a space.
pub(super) fn full_name(contact: &ContactRecord) -> String {
    [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}
