//! `leadgate sf describe|query|limits`: the Salesforce client from the command line.
//!
//! The session comes from the authorization stored by `leadgate auth …`, or — with
//! `--instance-url URL` (or `LEADGATE_INSTANCE_URL`) — from the access token in
//! `LEADGATE_ACCESS_TOKEN`, which is never taken as an argument so it cannot show in `ps`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use futures_util::TryStreamExt;
use leadgate_salesforce::Record;
use leadgate_salesforce::record_columns::{cell_text, flatten_record, ordered_columns};
use serde_json::{Map, Value};

use super::context::CommandContext;
use super::salesforce_connection::connect;
use super::table::table;
use crate::cli::{SfCommand, SfDescribeArgs, SfLimitsArgs, SfQueryArgs};
use crate::output::ObjectDescribeDocument;

pub(super) fn run(command: SfCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    super::block_on(async {
        match command {
            SfCommand::Describe(args) => describe(&args, context).await,
            SfCommand::Query(args) => query(&args, context).await,
            SfCommand::Limits(args) => limits(&args, context).await,
        }
    })
}

async fn describe(args: &SfDescribeArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let client = connect(&args.connection, context).await?;
    let describe = client
        .describe(&args.object)
        .await
        .with_context(|| format!("cannot describe `{}`", args.object))?;
    if args.json {
        context
            .printer()
            .json(&ObjectDescribeDocument::from(describe.as_ref()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    writeln!(
        out,
        "{} ({}), key prefix {}, {} fields\n",
        describe.name,
        describe.label,
        describe.key_prefix.as_deref().unwrap_or("-"),
        describe.fields.len()
    )?;
    let rows: Vec<Vec<String>> = describe
        .fields
        .iter()
        .map(|field| {
            let mut flags = Vec::new();
            if field.is_required() {
                flags.push("required");
            }
            if !field.createable && !field.updateable {
                flags.push("read-only");
            }
            if field.external_id {
                flags.push("external-id");
            }
            if field.unique {
                flags.push("unique");
            }
            vec![
                field.name.clone(),
                field.field_type.clone(),
                if field.length > 0 {
                    field.length.to_string()
                } else {
                    String::new()
                },
                field.label.clone(),
                flags.join(" "),
            ]
        })
        .collect();
    out.push_str(&table(&["field", "type", "length", "label", "flags"], &rows));
    context.printer().text(&out)?;
    Ok(ExitCode::SUCCESS)
}

async fn query(args: &SfQueryArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let client = connect(&args.connection, context).await?;
    let stream = if args.all {
        client.query_all(&args.soql)
    } else {
        client.query(&args.soql)
    };
    let records: Vec<Record> = stream.try_collect().await.context("the query failed")?;
    let rows: Vec<Map<String, Value>> = records.iter().map(flatten_record).collect();
    let columns = ordered_columns(&args.soql, &rows);
    if args.json {
        context.printer().json(&rows)?;
    } else if args.csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&columns)?;
        for row in &rows {
            writer.write_record(columns.iter().map(|column| cell_text(row.get(column))))?;
        }
        context
            .printer()
            .bytes(&writer.into_inner().context("cannot write the CSV")?)?;
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| columns.iter().map(|column| cell_text(row.get(column))).collect())
            .collect();
        let header: Vec<&str> = columns.iter().map(String::as_str).collect();
        context.printer().text(&table(&header, &cells))?;
        if std::io::stderr().is_terminal() {
            eprintln!("{} records", rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn limits(args: &SfLimitsArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let client = connect(&args.connection, context).await?;
    let limits = client.limits().await.context("cannot read the org's limits")?;
    if args.json {
        context.printer().json(&limits)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = limits
        .0
        .iter()
        .map(|(name, limit)| {
            vec![
                name.clone(),
                limit.used().to_string(),
                limit.remaining.to_string(),
                limit.max.to_string(),
            ]
        })
        .collect();
    let mut out = table(&["limit", "used", "remaining", "max"], &rows);
    if let Some(usage) = client.api_usage() {
        writeln!(
            out,
            "\nAPI usage (Sforce-Limit-Info): {}/{}",
            usage.used, usage.limit
        )?;
    }
    context.printer().text(&out)?;
    Ok(ExitCode::SUCCESS)
}
