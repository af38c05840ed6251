//! `leadgate plugin inspect` and `leadgate plugin run`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use leadgate_plugin_runtime::types::{Award, LeadField};
use leadgate_plugin_runtime::{
    CallStats, ContactFailure, Plugin, PluginLimits, PluginRun, RuleConfig, describe_plugin_error,
    read_contacts_json_lines,
};

use super::context::CommandContext;
use crate::cli::{PluginCommand, PluginInspectArgs, PluginRunArgs};
use crate::output::{
    AwardsDocument, ContactResultDocument, FailureDocument, LeadFieldValueDocument, PluginDocument,
    PluginResultDocument, PluginRunDocument, PluginRunStatsDocument, timestamp,
};

pub(super) fn run(command: PluginCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::Inspect(args) => inspect(args, context),
        PluginCommand::Run(args) => run_plugin(args, context),
    }
}

fn inspect(args: PluginInspectArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let runtime = context.standalone_plugin_runtime(PluginLimits::default())?;
    let plugin = runtime.load(&args.file)?;
    let details = plugin.details();
    if args.json {
        context.printer().json(&PluginDocument::from(details))?;
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
        context.printer().text(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_plugin(args: PluginRunArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
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
    let now = super::moment(args.now.as_ref())?;
    let contacts = read_input(&args)?;

    let runtime = context.standalone_plugin_runtime(limits)?;
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
            summarize(
                run,
                |awards| PluginResultDocument::Awards(AwardsDocument::from(awards)),
                awards_text,
            )
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
                .collect::<Result<Vec<_>, _>>()?;
            let run = mapping.map_contacts(&config, &inputs, &[], now, batch_size);
            summarize(run, PluginResultDocument::fields, fields_text)
        }
    };

    let failed = results.iter().filter(|result| result.is_err()).count();
    let details = plugin.details();
    if args.json {
        let results = contacts
            .iter()
            .zip(results.iter())
            .map(|((contact, _), result)| match result {
                Ok((document, _)) => ContactResultDocument::Ok {
                    contact: &contact.id,
                    ok: document.clone(),
                },
                Err(failure) => ContactResultDocument::Err {
                    contact: &contact.id,
                    error: FailureDocument::from(failure),
                },
            })
            .collect();
        let stats = PluginRunStatsDocument::new(details, &stats, contacts.len(), failed, calls);
        context
            .printer()
            .json(&PluginRunDocument::new(details, now, results, stats))?;
    } else {
        let mut text = String::new();
        for ((contact, _), result) in contacts.iter().zip(&results) {
            writeln!(text, "{}", contact.id)?;
            match result {
                Ok(value) => text.push_str(&value.1),
                Err(failure) => writeln!(text, "  error: {failure}")?,
            }
        }
        context.printer().text(&text)?;
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
type Rendered = Result<(PluginResultDocument, String), ContactFailure>;

fn summarize<T: std::ops::Deref>(
    run: PluginRun<T>,
    to_json: fn(&T::Target) -> PluginResultDocument,
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

fn awards_text(awards: &[Award]) -> String {
    let mut text = String::new();
    for award in awards {
        let _ = write!(text, "  {:>+8}  {}", award.points, award.reason);
        if let Some(expires_at) = award.expires_at {
            let _ = write!(text, " (until {})", timestamp(expires_at));
        }
        text.push('\n');
    }
    let total: i64 = awards.iter().map(|award| award.points).sum();
    let _ = writeln!(text, "  {total:>+8}  total");
    text
}

fn fields_text(fields: &[LeadField]) -> String {
    let mut text = String::new();
    for field in fields {
        let _ = writeln!(
            text,
            "  {:<24} {}",
            field.name,
            LeadFieldValueDocument::from(&field.value)
        );
    }
    text
}
