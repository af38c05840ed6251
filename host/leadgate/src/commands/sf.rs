//! `leadgate sf describe|query|limits`: the Salesforce client from the command line.
//!
//! The session comes from the authorization stored by `leadgate auth …`, or — with
//! `--instance-url URL` (or `LEADGATE_INSTANCE_URL`) — from the access token in
//! `LEADGATE_ACCESS_TOKEN`, which is never taken as an argument so it cannot show in `ps`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use futures_util::TryStreamExt;
use leadgate_salesforce::auth::OAuthSessionProvider;
use leadgate_salesforce::session::SessionProvider;
use leadgate_salesforce::{Client, Record, StaticSession};
use serde_json::{Map, Value, json};

use super::output::table;
use crate::cli::{GlobalArgs, SfCommand, SfConnectionArgs, SfDescribeArgs, SfLimitsArgs, SfQueryArgs};
use crate::secrets::open_credentials;

/// Environment variable: an access token for `--instance-url`.
const ACCESS_TOKEN_ENV: &str = "LEADGATE_ACCESS_TOKEN";

pub(super) fn run(command: SfCommand, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match command {
            SfCommand::Describe(args) => describe(&args, global).await,
            SfCommand::Query(args) => query(&args, global).await,
            SfCommand::Limits(args) => limits(&args, global).await,
        }
    })
}

/// A client for the stored authorization, or for `--instance-url` and `LEADGATE_ACCESS_TOKEN`.
/// With the stored authorization, the root certificate stored with it (`auth … --ca-certificate`,
/// e.g. for the local sandbox org over HTTPS) is trusted too, as `leadgate auth status` does.
async fn client(connection: &SfConnectionArgs, global: &GlobalArgs) -> anyhow::Result<Client> {
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
            let config = super::load_config(global)?;
            let provider = open_credentials(&config.data_dir)
                .and_then(OAuthSessionProvider::open)
                .context(NO_AUTHORIZATION)?;
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
const NO_AUTHORIZATION: &str = "no usable Salesforce authorization (run `leadgate auth login`, or pass --instance-url with LEADGATE_ACCESS_TOKEN)";

async fn describe(args: &SfDescribeArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let client = client(&args.connection, global).await?;
    let describe = client
        .describe(&args.object)
        .await
        .with_context(|| format!("cannot describe `{}`", args.object))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let fields: Vec<Value> = describe
            .fields
            .iter()
            .map(|field| {
                json!({
                    "name": field.name, "label": field.label, "type": field.field_type, "length": field.length,
                    "required": field.is_required(), "createable": field.createable, "updateable": field.updateable,
                    "externalId": field.external_id, "unique": field.unique,
                })
            })
            .collect();
        let document = json!({
            "name": describe.name, "label": describe.label, "keyPrefix": describe.key_prefix,
            "createable": describe.createable, "updateable": describe.updateable, "fields": fields,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(ExitCode::SUCCESS);
    }
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
    write!(
        out,
        "{}",
        table(&["field", "type", "length", "label", "flags"], &rows)
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn query(args: &SfQueryArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let client = client(&args.connection, global).await?;
    let stream = if args.all {
        client.query_all(&args.soql)
    } else {
        client.query(&args.soql)
    };
    let records: Vec<Record> = stream.try_collect().await.context("the query failed")?;
    let rows: Vec<Map<String, Value>> = records.into_iter().map(|record| flatten(&record)).collect();
    let columns = columns(&args.soql, &rows);
    let mut out = std::io::stdout().lock();
    if args.json {
        let records: Vec<Value> = rows.into_iter().map(Value::Object).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&records)?)?;
    } else if args.csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&columns)?;
        for row in &rows {
            writer.write_record(columns.iter().map(|column| cell(row.get(column))))?;
        }
        out.write_all(&writer.into_inner().context("cannot write the CSV")?)?;
    } else {
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| columns.iter().map(|column| cell(row.get(column))).collect())
            .collect();
        let header: Vec<&str> = columns.iter().map(String::as_str).collect();
        write!(out, "{}", table(&header, &cells))?;
        if std::io::stderr().is_terminal() {
            eprintln!("{} records", rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn limits(args: &SfLimitsArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let client = client(&args.connection, global).await?;
    let limits = client.limits().await.context("cannot read the org's limits")?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&limits)?)?;
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
    write!(out, "{}", table(&["limit", "used", "remaining", "max"], &rows))?;
    if let Some(usage) = client.api_usage() {
        writeln!(
            out,
            "\nAPI usage (Sforce-Limit-Info): {}/{}",
            usage.used, usage.limit
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A record without `attributes`, relationship fields flattened to `Owner.Name`.
fn flatten(record: &Record) -> Map<String, Value> {
    let mut flat = Map::new();
    flatten_into(&mut flat, "", record);
    flat
}

fn flatten_into(flat: &mut Map<String, Value>, prefix: &str, record: &Record) {
    for (key, value) in record {
        if key == "attributes" {
            continue;
        }
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(nested) if nested.contains_key("attributes") => {
                flatten_into(flat, &format!("{name}."), nested);
            }
            other => {
                flat.insert(name, other.clone());
            }
        }
    }
}

/// The columns in the order of the SELECT list (records' JSON keys come back sorted), then
/// any others.
fn columns(soql: &str, rows: &[Map<String, Value>]) -> Vec<String> {
    let mut present: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !present.contains(key) {
                present.push(key.clone());
            }
        }
    }
    let mut ordered: Vec<String> = Vec::new();
    for selected in select_list(soql) {
        if let Some(found) = present.iter().find(|key| key.eq_ignore_ascii_case(&selected))
            && !ordered.contains(found)
        {
            ordered.push(found.clone());
        }
    }
    if ordered.is_empty() && present.is_empty() {
        return select_list(soql);
    }
    for key in present {
        if !ordered.contains(&key) {
            ordered.push(key);
        }
    }
    ordered
}

/// The field names between SELECT and FROM, outside parentheses.
fn select_list(soql: &str) -> Vec<String> {
    let upper = soql.to_ascii_uppercase();
    let Some(start) = upper.find("SELECT") else {
        return Vec::new();
    };
    let Some(end) = upper.find(" FROM ").or_else(|| upper.find("\nFROM ")) else {
        return Vec::new();
    };
    if end <= start + 6 {
        return Vec::new();
    }
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for character in soql[start + 6..end].chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => fields.push(std::mem::take(&mut current)),
            other if depth == 0 => current.push(other),
            _ => {}
        }
    }
    fields.push(current);
    fields
        .into_iter()
        .map(|field| field.trim().to_owned())
        .filter(|field| !field.is_empty())
        .collect()
}

/// A value as table or CSV text: strings as they are, null as empty.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_select_list() {
        let record = json!({"attributes": {"type": "Lead"}, "LastName": "Doe", "Id": "00Q", "Owner": {"attributes": {}, "Name": "Ann"}})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let rows = vec![flatten(&record)];
        assert_eq!(
            columns("SELECT Id, lastname, Owner.Name FROM Lead", &rows),
            ["Id", "LastName", "Owner.Name"]
        );
        assert_eq!(columns("select Id, Email from Lead", &[]), ["Id", "Email"]);
        assert_eq!(select_list("SELECT Id, (SELECT Id FROM Tasks) FROM Lead"), ["Id"]);
    }
}
