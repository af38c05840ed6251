//! `leadgate sf describe|query|limits`: the Salesforce client from the command line.
//!
//! The session comes from the authorization stored by `leadgate auth …`, or — with
//! `--instance-url URL` (or `LEADGATE_INSTANCE_URL`) — from the access token in
//! `LEADGATE_ACCESS_TOKEN`, which is never taken as an argument so it cannot show in `ps`.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use futures_util::TryStreamExt;
use leadgate_salesforce::auth::OAuthSessionProvider;
use leadgate_salesforce::record_columns::{cell_text, flatten_record, ordered_columns};
use leadgate_salesforce::session::SessionProvider;
use leadgate_salesforce::{Client, Record, StaticSession};
use serde_json::{Map, Value};

use super::context::CommandContext;
use super::table::table;
use crate::cli::{SfCommand, SfConnectionArgs, SfDescribeArgs, SfLimitsArgs, SfQueryArgs};
use crate::environment::ACCESS_TOKEN as ACCESS_TOKEN_ENV;
use crate::output::ObjectDescribeDocument;
use crate::secrets::open_credentials;

pub(super) fn run(command: SfCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match command {
            SfCommand::Describe(args) => describe(&args, context).await,
            SfCommand::Query(args) => query(&args, context).await,
            SfCommand::Limits(args) => limits(&args, context).await,
        }
    })
}

/// A client for the stored authorization, or for `--instance-url` and `LEADGATE_ACCESS_TOKEN`.
/// With the stored authorization, the root certificate stored with it (`auth … --ca-certificate`,
/// e.g. for the local sandbox org over HTTPS) is trusted too, as `leadgate auth status` does.
async fn client(connection: &SfConnectionArgs, context: &CommandContext) -> anyhow::Result<Client> {
    let mut certificates: Vec<PathBuf> = Vec::new();
    let provider: Arc<dyn SessionProvider> = match &connection.instance_url {
        Some(instance_url) => {
            let token = std::env::var(ACCESS_TOKEN_ENV)
                .ok()
                .filter(|token| !token.trim().is_empty())
                .with_context(|| format!("--instance-url needs the access token in `{ACCESS_TOKEN_ENV}`"))?;
            Arc::new(StaticSession::from_token(instance_url.clone(), token.trim()))
        }
        None => {
            let provider = open_credentials(&context.config()?.data_dir)
                .and_then(OAuthSessionProvider::open)
                .with_context(no_authorization)?;
            certificates.extend(provider.authorization().await.ca_certificate_file);
            Arc::new(provider)
        }
    };
    certificates.extend(connection.ca_certificate.clone());
    let mut builder = Client::builder();
    if let Some(version) = &connection.api_version {
        builder = builder.api_version(version.clone());
    }
    for path in &certificates {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read the certificate `{}`", path.display()))?;
        builder = builder.add_root_certificate_pem(pem);
    }
    Ok(builder.build_shared(provider)?)
}

/// Why there is no session without `--instance-url`.
fn no_authorization() -> String {
    format!(
        "no usable Salesforce authorization (run `leadgate auth login`, or pass --instance-url with {ACCESS_TOKEN_ENV})"
    )
}

async fn describe(args: &SfDescribeArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let client = client(&args.connection, context).await?;
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
    let client = client(&args.connection, context).await?;
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
    let client = client(&args.connection, context).await?;
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
