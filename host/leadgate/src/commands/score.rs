//! `leadgate score run|recalc|list|show|contacts`.

use std::process::ExitCode;

use anyhow::Context;
use leadgate_model::{RuleOutcome, score_total};

use super::contacts::full_name;
use super::context::CommandContext;
use super::printer::Printer;
use super::progress::progress_bar;
use super::table::table;
use crate::cli::{JsonArg, ScoreCommand, ScoreContactsArgs, ScoreRecalcArgs, ScoreRunArgs, ScoreShowArgs};
use crate::config::{Config, ScoreDefinition};
use crate::output::{
    ScoreContactDocument, ScoreListDocument, ScoreRunDocument, ScoreShowDocument, timestamp,
};
use crate::scoring::{self, ScoreRunReport};

pub(super) fn run(command: ScoreCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    match command {
        ScoreCommand::Run(args) => score_run(&args, context),
        ScoreCommand::Recalc(args) => recalc(&args, context),
        ScoreCommand::List(args) => list(&args, context),
        ScoreCommand::Show(args) => show(&args, context),
        ScoreCommand::Contacts(args) => contacts(&args, context),
    }
}

fn score_run(args: &ScoreRunArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    context.config()?;
    let now = super::moment(args.now.as_ref())?;
    context.store()?;
    execute(context, now, args.json)
}

fn recalc(args: &ScoreRecalcArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let now = super::moment(args.now.as_ref())?;
    let store = context.store()?;
    scoring::request_recalculation(store, config, args.score.as_deref())?;
    execute(context, now, args.json)
}

/// Runs the scoring engine with a progress bar and prints its summary.
fn execute(context: &CommandContext, now: i64, json: bool) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let store = context.store()?;
    if config.scores.is_empty() {
        anyhow::bail!(
            "no scores are configured{}\nhint: define `[[scores]]` in leadgate.toml (see examples/leadgate.toml)",
            config
                .source
                .as_ref()
                .map(|path| format!(" in `{}`", path.display()))
                .unwrap_or_default()
        );
    }
    let runtime = context.configured_plugin_runtime()?;
    let bar = progress_bar(0, "scoring");
    let reports = scoring::run(store, config, &runtime, now, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .context("scoring failed")?;
    bar.finish_and_clear();
    let failures: u64 = reports.iter().map(|report| report.run.failures).sum();
    print_reports(context.printer(), &reports, json)?;
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

fn print_reports(printer: &Printer, reports: &[ScoreRunReport], json: bool) -> anyhow::Result<()> {
    if json {
        let documents: Vec<ScoreRunDocument<'_>> = reports.iter().map(ScoreRunDocument::from).collect();
        return printer.json(&documents);
    }
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|report| {
            vec![
                report.score.clone(),
                report.run.contacts.to_string(),
                report.run.failures.to_string(),
                if report.run.recalculated {
                    "all contacts"
                } else {
                    "changed contacts"
                }
                .to_owned(),
            ]
        })
        .collect();
    printer.text(&table(&["score", "contacts scored", "failures", "scope"], &rows))?;
    if let Some(first) = reports.first() {
        eprintln!("scored in {} ms", first.run.elapsed_ms);
    }
    Ok(())
}

fn list(args: &JsonArg, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let store = context.store()?;
    let now = jiff::Timestamp::now().as_millisecond();
    let mut entries = Vec::new();
    for score in &config.scores {
        let totals = store.totals(&score.name, now)?;
        let qualifying = totals.iter().filter(|total| total.points > 0).count();
        entries.push((score, totals.len(), qualifying, store.last_run(&score.name)?));
    }
    if args.json {
        let documents: Vec<ScoreListDocument<'_>> = entries
            .iter()
            .map(|(score, scored, with_points, last_run)| {
                ScoreListDocument::new(score, *scored, *with_points, last_run.as_ref())
            })
            .collect();
        context.printer().json(&documents)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|(score, scored, with_points, last_run)| {
            vec![
                score.name.clone(),
                if score.enabled { "yes" } else { "no" }.to_owned(),
                score
                    .rules
                    .iter()
                    .map(|rule| rule.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                scored.to_string(),
                with_points.to_string(),
                last_run
                    .as_ref()
                    .map_or_else(|| "never".to_owned(), |run| timestamp(run.finished_at)),
            ]
        })
        .collect();
    context.printer().text(&table(
        &[
            "score",
            "enabled",
            "rules",
            "contacts scored",
            "with points",
            "last run",
        ],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn configured_score<'a>(config: &'a Config, name: &str) -> anyhow::Result<&'a ScoreDefinition> {
    config.score(name).ok_or_else(|| {
        let known: Vec<&str> = config.scores.iter().map(|score| score.name.as_str()).collect();
        anyhow::anyhow!(
            "no score named `{name}` in the configuration (configured: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )
    })
}

fn show(args: &ScoreShowArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let score = configured_score(config, &args.score)?;
    let now = super::moment(args.now.as_ref())?;
    let store = context.store()?;
    if store.contact(&args.contact)?.is_none() {
        anyhow::bail!("no contact `{}` in the store", args.contact);
    }
    let outcomes = store.outcomes(&score.name, &args.contact)?;
    let total = score_total(&outcomes, now);
    if args.json {
        context.printer().json(&ScoreShowDocument::new(
            score,
            &args.contact,
            &outcomes,
            now,
            total,
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{} · contact {} · as of {}\n",
        score.name,
        args.contact,
        timestamp(now)
    );
    for rule in &score.rules {
        match outcomes.get(&rule.name) {
            None => text.push_str(&format!(
                "  {}: not scored yet (run `leadgate score run`)\n",
                rule.name
            )),
            Some(RuleOutcome::Failed { message }) => {
                text.push_str(&format!("  {}: failed: {message}\n", rule.name))
            }
            Some(outcome @ RuleOutcome::Awards(awards)) => {
                text.push_str(&format!("  {}: {:+}\n", rule.name, outcome.points_at(now)));
                for award in awards {
                    let validity = match award.expires_at {
                        None => String::new(),
                        Some(at) if award.counts_at(now) => format!(" (until {})", timestamp(at)),
                        Some(at) => format!(" (expired {})", timestamp(at)),
                    };
                    text.push_str(&format!("    {:>+8}  {}{validity}\n", award.points, award.reason));
                }
            }
        }
    }
    text.push_str(&format!("  total: {total}\n"));
    context.printer().text(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn contacts(args: &ScoreContactsArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let score = configured_score(config, &args.score)?;
    let now = super::moment(args.now.as_ref())?;
    let store = context.store()?;
    let mut totals: Vec<_> = store
        .totals(&score.name, now)?
        .into_iter()
        .filter(|total| total.points >= args.min)
        .collect();
    // Highest first; ties in id order, so the listing is stable.
    totals.sort_by(|left, right| {
        right
            .points
            .cmp(&left.points)
            .then(left.contact_id.cmp(&right.contact_id))
    });
    if let Some(limit) = args.limit {
        totals.truncate(limit);
    }
    if args.json {
        let documents: Vec<ScoreContactDocument<'_>> =
            totals.iter().map(ScoreContactDocument::from).collect();
        context.printer().json(&documents)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::with_capacity(totals.len());
    for total in &totals {
        let contact = store.contact(&total.contact_id)?;
        let name = contact.as_ref().map(full_name).unwrap_or_default();
        let email = contact.and_then(|contact| contact.email).unwrap_or_default();
        rows.push(vec![
            total.points.to_string(),
            total.contact_id.clone(),
            name,
            email,
        ]);
    }
    context
        .printer()
        .text(&table(&["points", "contact", "name", "email"], &rows))?;
    eprintln!(
        "{} contact(s) with at least {} point(s) in `{}`",
        totals.len(),
        args.min,
        score.name
    );
    Ok(ExitCode::SUCCESS)
}
