//! `leadgate contacts show|list`.

use std::io::Write;
use std::process::ExitCode;

use leadgate_model::{ActivityRecord, ContactRecord};
use serde_json::{Value, json};

use super::output::{table, timestamp};
use crate::cli::{ContactsCommand, ContactsListArgs, ContactsShowArgs, GlobalArgs};

pub(super) fn run(command: ContactsCommand, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    match command {
        ContactsCommand::Show(args) => show(&args, global),
        ContactsCommand::List(args) => list(&args, global),
    }
}

fn show(args: &ContactsShowArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let store = super::open_store(&config)?;
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
    let mut out = std::io::stdout().lock();
    if args.json {
        let document = json!({
            "contact": contact_json(&contact),
            "activities": activities.iter().map(activity_json).collect::<Vec<_>>(),
            "scores": scores.iter().map(|(score, points)| json!({ "score": score, "points": points })).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (field, value) in fields(&contact) {
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
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ContactsListArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let filters = args
        .filter
        .iter()
        .map(|filter| {
            filter
                .split_once('=')
                .map(|(field, text)| (field.trim().to_lowercase().replace('-', "_"), text.to_lowercase()))
                .ok_or_else(|| anyhow::anyhow!("--filter `{filter}` is not of the form FIELD=TEXT"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let config = super::load_config(global)?;
    let store = super::open_store(&config)?;
    let mut matches = Vec::new();
    for contact in store.contacts() {
        let contact = contact?;
        let keep = filters.iter().all(|(field, text)| {
            field_value(&contact, field).is_some_and(|value| value.to_lowercase().contains(text.as_str()))
        });
        if keep {
            matches.push(contact);
            if args.limit.is_some_and(|limit| matches.len() >= limit) {
                break;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let document: Vec<Value> = matches.iter().map(contact_json).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = matches
        .iter()
        .map(|contact| {
            let name = [contact.first_name.as_deref(), contact.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                contact.id.clone(),
                name,
                contact.email.clone().unwrap_or_default(),
                contact.company.clone().unwrap_or_default(),
                contact.title.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.write_all(table(&["id", "name", "email", "company", "title"], &rows).as_bytes())?;
    eprintln!("{} contact(s)", matches.len());
    Ok(ExitCode::SUCCESS)
}

/// The standard fields of a contact that have a value, by name.
fn fields(contact: &ContactRecord) -> Vec<(&'static str, &str)> {
    [
        ("id", Some(contact.id.as_str())),
        ("email", contact.email.as_deref()),
        ("first_name", contact.first_name.as_deref()),
        ("last_name", contact.last_name.as_deref()),
        ("company", contact.company.as_deref()),
        ("title", contact.title.as_deref()),
        ("phone", contact.phone.as_deref()),
        ("street", contact.street.as_deref()),
        ("city", contact.city.as_deref()),
        ("state", contact.state.as_deref()),
        ("postal_code", contact.postal_code.as_deref()),
        ("country", contact.country.as_deref()),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|value| (name, value)))
    .collect()
}

/// A standard field or, failing that, an attribute.
fn field_value<'a>(contact: &'a ContactRecord, field: &str) -> Option<&'a str> {
    fields(contact)
        .into_iter()
        .find(|(name, _)| *name == field)
        .map(|(_, value)| value)
        .or_else(|| contact.attributes.get(field).map(String::as_str))
}

fn contact_json(contact: &ContactRecord) -> Value {
    let mut object: serde_json::Map<String, Value> = fields(contact)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), json!(value)))
        .collect();
    object.insert("attributes".into(), json!(contact.attributes));
    Value::Object(object)
}

fn activity_json(activity: &ActivityRecord) -> Value {
    json!({
        "id": activity.id,
        "kind": activity.kind,
        "occurred_at": timestamp(activity.occurred_at),
        "subject": activity.subject,
        "quantity": activity.quantity,
        "value": activity.value,
        "attributes": activity.attributes,
    })
}
