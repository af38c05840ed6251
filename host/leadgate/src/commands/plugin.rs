//! `leadgate plugin inspect` and `leadgate plugin run`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use leadgate_plugin_runtime::types::{Award, FieldValue, LeadField};
use leadgate_plugin_runtime::{
    CallStats, ContactFailure, Plugin, PluginDetails, PluginLimits, PluginRun, RuleConfig, RuntimeOptions,
    describe_plugin_error, parse_timestamp, read_contacts_json_lines,
};
use serde_json::{Value, json};

use crate::cli::{GlobalArgs, PluginCommand, PluginInspectArgs, PluginRunArgs};

pub(super) fn run(command: PluginCommand, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::Inspect(args) => inspect(args, global),
        PluginCommand::Run(args) => run_plugin(args, global),
    }
}

fn inspect(args: PluginInspectArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let runtime = super::plugin_runtime(global, None, RuntimeOptions::default())?;
    let plugin = runtime.load(&args.file)?;
    let details = plugin.details();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&details_json(details))?)?;
    } else {
        let mut text = String::new();
        writeln!(text, "name:        {}", details.name)?;
        writeln!(text, "version:     {}", details.version)?;
        writeln!(text, "role:        {}", details.role)?;
        writeln!(text, "contract:    leadgate:plugin@{}", details.contract_version)?;
        writeln!(text, "description: {}", details.description)?;
        writeln!(text, "file:        {}", details.source)?;
        writeln!(text, "size:        {} bytes", details.size_bytes)?;
        writeln!(text, "sha256:      {}", details.sha256)?;
        writeln!(text, "exports:     {}", details.exports.join(", "))?;
        writeln!(text, "imports:")?;
        for import in &details.imports {
            writeln!(text, "  {import}")?;
        }
        out.write_all(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_plugin(args: PluginRunArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let mut limits = PluginLimits::default();
    if let Some(fuel) = args.fuel_per_contact {
        limits.fuel_per_contact = fuel;
    }
    if let Some(mebibytes) = args.memory_mib {
        limits.memory_bytes = usize::try_from(mebibytes.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
    }
    if let Some(milliseconds) = args.deadline_ms {
        limits.deadline = Duration::from_millis(milliseconds);
    }
    let config = RuleConfig::from_assignments(&args.config)?;
    let now = match &args.now {
        Some(text) => parse_timestamp(text).map_err(|message| anyhow::anyhow!("--now: {message}"))?,
        None => jiff::Timestamp::now().as_millisecond(),
    };
    let contacts = read_input(&args)?;

    let runtime = super::plugin_runtime(
        global,
        None,
        RuntimeOptions {
            limits,
            ..RuntimeOptions::default()
        },
    )?;
    let plugin = runtime.load(&args.file)?;
    let batch_size = usize::try_from(args.batch_size).unwrap_or(100);

    let (results, stats, calls) = match &plugin {
        Plugin::ScoringRule(rule) => {
            if let Err(error) = rule.check_config(&config)? {
                bail!(
                    "plugin `{}` rejects its configuration: {}",
                    rule.details().name,
                    describe_plugin_error(&error)
                );
            }
            let inputs: Vec<_> = contacts.iter().map(|(_, converted)| converted.clone()).collect();
            let run = rule.score_contacts(&config, &inputs, now, batch_size);
            summarize(run, awards_json, awards_text)
        }
        Plugin::FieldMapping(mapping) => {
            if let Err(error) = mapping.check_config(&config)? {
                bail!(
                    "plugin `{}` rejects its configuration: {}",
                    mapping.details().name,
                    describe_plugin_error(&error)
                );
            }
            let inputs = contacts
                .iter()
                .map(|(contact, _)| contact.to_mapping_input())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| anyhow::anyhow!("{message}"))?;
            let run = mapping.map_contacts(&config, &inputs, &[], now, batch_size);
            summarize(run, fields_json, fields_text)
        }
    };

    let failed = results.iter().filter(|result| result.is_err()).count();
    let mut out = std::io::stdout().lock();
    let details = plugin.details();
    if args.json {
        let contacts_json: Vec<Value> = contacts
            .iter()
            .zip(&results)
            .map(|((contact, _), result)| match result {
                Ok(value) => json!({ "contact": contact.id, "ok": value.0 }),
                Err(failure) => json!({ "contact": contact.id, "error": failure_json(failure) }),
            })
            .collect();
        let document = json!({
            "plugin": details_json(details),
            "now": now,
            "contacts": contacts_json,
            "stats": {
                "contacts": contacts.len(),
                "failed": failed,
                "calls": calls,
                "fuel_used": stats.fuel_used,
                "elapsed_ms": stats.elapsed.as_secs_f64() * 1000.0,
                "log_messages_dropped": stats.log_messages_dropped,
                "load_ms": details.load_time.as_secs_f64() * 1000.0,
                "loaded_from_cache": details.loaded_from_cache,
            },
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        let mut text = String::new();
        for ((contact, _), result) in contacts.iter().zip(&results) {
            writeln!(text, "{}", contact.id)?;
            match result {
                Ok(value) => text.push_str(&value.1),
                Err(failure) => writeln!(text, "  error: {failure}")?,
            }
        }
        out.write_all(text.as_bytes())?;
        eprintln!(
            "{} {} · {} contacts ({} failed) in {} call(s) · fuel {} · {:.1} ms (load {:.1} ms{})",
            details.name,
            details.version,
            contacts.len(),
            failed,
            calls,
            stats.fuel_used,
            stats.elapsed.as_secs_f64() * 1000.0,
            details.load_time.as_secs_f64() * 1000.0,
            if details.loaded_from_cache { ", cached" } else { "" },
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// Each contact's result rendered as JSON and as text.
type Rendered = Result<(Value, String), ContactFailure>;

fn summarize<T: std::ops::Deref>(
    run: PluginRun<T>,
    to_json: fn(&T::Target) -> Value,
    to_text: fn(&T::Target) -> String,
) -> (Vec<Rendered>, CallStats, usize) {
    let results = run
        .results
        .into_iter()
        .map(|result| result.map(|value| (to_json(&value), to_text(&value))))
        .collect();
    (results, run.stats, run.calls)
}

fn read_input(
    args: &PluginRunArgs,
) -> anyhow::Result<
    Vec<(
        leadgate_plugin_runtime::ContactJson,
        leadgate_plugin_runtime::types::ContactActivities,
    )>,
> {
    if args.input.as_os_str() == "-" {
        return Ok(read_contacts_json_lines(std::io::stdin().lock(), "<stdin>")?);
    }
    let file =
        File::open(&args.input).with_context(|| format!("cannot open input `{}`", args.input.display()))?;
    Ok(read_contacts_json_lines(
        BufReader::new(file),
        &args.input.display().to_string(),
    )?)
}

fn awards_json(awards: &[Award]) -> Value {
    let total: i64 = awards.iter().map(|award| award.points).sum();
    json!({
        "total": total,
        "awards": awards.iter().map(|award| json!({
            "points": award.points,
            "reason": award.reason,
            "expires_at": award.expires_at.map(format_timestamp),
        })).collect::<Vec<_>>(),
    })
}

fn awards_text(awards: &[Award]) -> String {
    let mut text = String::new();
    for award in awards {
        let _ = write!(text, "  {:>+8}  {}", award.points, award.reason);
        if let Some(expires_at) = award.expires_at {
            let _ = write!(text, " (until {})", format_timestamp(expires_at));
        }
        text.push('\n');
    }
    let total: i64 = awards.iter().map(|award| award.points).sum();
    let _ = writeln!(text, "  {total:>+8}  total");
    text
}

fn fields_json(fields: &[LeadField]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|field| (field.name.clone(), field_value_json(&field.value)))
            .collect(),
    )
}

fn fields_text(fields: &[LeadField]) -> String {
    let mut text = String::new();
    for field in fields {
        let _ = writeln!(text, "  {:<24} {}", field.name, field_value_json(&field.value));
    }
    text
}

fn field_value_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(text) => json!(text),
        FieldValue::Number(number) => json!(number),
        FieldValue::Boolean(flag) => json!(flag),
        FieldValue::Date(date) => json!(format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)),
        FieldValue::Datetime(millis) => json!(format_timestamp(*millis)),
        FieldValue::Null => Value::Null,
    }
}

fn failure_json(failure: &ContactFailure) -> Value {
    json!({ "kind": failure.kind_name(), "message": failure.to_string() })
}

fn details_json(details: &PluginDetails) -> Value {
    json!({
        "name": details.name,
        "version": details.version,
        "role": details.role.to_string(),
        "contract": format!("leadgate:plugin@{}", details.contract_version),
        "description": details.description,
        "file": details.source,
        "size_bytes": details.size_bytes,
        "sha256": details.sha256,
        "exports": details.exports,
        "imports": details.imports,
    })
}

fn format_timestamp(millis: i64) -> String {
    jiff::Timestamp::from_millisecond(millis)
        .map_or_else(|_| format!("{millis} ms"), |timestamp| timestamp.to_string())
}
