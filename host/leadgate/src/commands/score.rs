//! `leadgate score run|recalc|list|show|contacts`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use leadgate_model::RuleOutcome;
use leadgate_plugin_runtime::RuntimeOptions;
use serde_json::{Value, json};

use super::output::{progress_bar, table, timestamp};
use crate::cli::{
    GlobalArgs, JsonArg, ScoreCommand, ScoreContactsArgs, ScoreRecalcArgs, ScoreRunArgs, ScoreShowArgs,
};
use crate::config::{Config, ScoreDefinition};
use crate::scoring::{self, ScoreRunReport};
use crate::store::Store;

pub(super) fn run(command: ScoreCommand, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    match command {
        ScoreCommand::Run(args) => score_run(&args, global),
        ScoreCommand::Recalc(args) => recalc(&args, global),
        ScoreCommand::List(args) => list(&args, global),
        ScoreCommand::Show(args) => show(&args, global),
        ScoreCommand::Contacts(args) => contacts(&args, global),
    }
}

fn score_run(args: &ScoreRunArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let now = super::moment(args.now.as_ref())?;
    let store = super::open_store(&config)?;
    execute(&config, &store, now, args.json, global)
}

fn recalc(args: &ScoreRecalcArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let now = super::moment(args.now.as_ref())?;
    let store = super::open_store(&config)?;
    scoring::request_recalculation(&store, &config, args.score.as_deref())?;
    execute(&config, &store, now, args.json, global)
}

/// Runs the scoring engine with a progress bar and prints its summary.
fn execute(
    config: &Config,
    store: &Store,
    now: i64,
    json: bool,
    global: &GlobalArgs,
) -> anyhow::Result<ExitCode> {
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
    let runtime = super::plugin_runtime(
        global,
        config.plugins.cache_dir.as_deref(),
        RuntimeOptions {
            limits: config.plugins.limits.clone(),
            ..RuntimeOptions::default()
        },
    )?;
    let bar = progress_bar(0, "scoring");
    let reports = scoring::run(store, config, &runtime, now, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .context("scoring failed")?;
    bar.finish_and_clear();
    let failures: u64 = reports.iter().map(|report| report.run.failures).sum();
    print_reports(&reports, json)?;
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

fn print_reports(reports: &[ScoreRunReport], json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let document: Vec<Value> = reports
            .iter()
            .map(|report| {
                json!({
                    "score": report.score,
                    "contacts": report.run.contacts,
                    "failures": report.run.failures,
                    "recalculated": report.run.recalculated,
                    "elapsed_ms": report.run.elapsed_ms,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(());
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
    out.write_all(table(&["score", "contacts scored", "failures", "scope"], &rows).as_bytes())?;
    if let Some(first) = reports.first() {
        eprintln!("scored in {} ms", first.run.elapsed_ms);
    }
    Ok(())
}

fn list(args: &JsonArg, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let store = super::open_store(&config)?;
    let now = jiff::Timestamp::now().as_millisecond();
    let mut entries = Vec::new();
    for score in &config.scores {
        let totals = store.totals(&score.name, now)?;
        let qualifying = totals.iter().filter(|total| total.points > 0).count();
        entries.push((score, totals.len(), qualifying, store.last_run(&score.name)?));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let document: Vec<Value> = entries
            .iter()
            .map(|(score, scored, with_points, last_run)| {
                json!({
                    "name": score.name,
                    "description": score.description,
                    "enabled": score.enabled,
                    "alert_thresholds": score.alert_thresholds,
                    "rules": score.rules.iter().map(|rule| json!({
                        "name": rule.name,
                        "plugin": rule.plugin.display().to_string(),
                        "config": rule.config.entries().collect::<std::collections::BTreeMap<_, _>>(),
                    })).collect::<Vec<_>>(),
                    "contacts_scored": scored,
                    "contacts_with_points": with_points,
                    "last_run": last_run.as_ref().map(|run| json!({
                        "finished_at": timestamp(run.finished_at),
                        "contacts": run.contacts,
                        "failures": run.failures,
                        "recalculated": run.recalculated,
                    })),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
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
    out.write_all(
        table(
            &[
                "score",
                "enabled",
                "rules",
                "contacts scored",
                "with points",
                "last run",
            ],
            &rows,
        )
        .as_bytes(),
    )?;
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

fn show(args: &ScoreShowArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let score = configured_score(&config, &args.score)?;
    let now = super::moment(args.now.as_ref())?;
    let store = super::open_store(&config)?;
    if store.contact(&args.contact)?.is_none() {
        anyhow::bail!("no contact `{}` in the store", args.contact);
    }
    let outcomes = store.outcomes(&score.name, &args.contact)?;
    let total: i64 = outcomes
        .values()
        .map(|outcome| outcome.points_at(now))
        .fold(0, i64::saturating_add);
    let mut out = std::io::stdout().lock();
    if args.json {
        let rules: Vec<Value> = score
            .rules
            .iter()
            .map(|rule| match outcomes.get(&rule.name) {
                None => json!({ "rule": rule.name, "scored": false }),
                Some(RuleOutcome::Failed { message }) => json!({ "rule": rule.name, "error": message }),
                Some(RuleOutcome::Awards(awards)) => json!({
                    "rule": rule.name,
                    "points": RuleOutcome::Awards(awards.clone()).points_at(now),
                    "awards": awards.iter().map(|award| json!({
                        "points": award.points,
                        "reason": award.reason,
                        "expires_at": award.expires_at.map(timestamp),
                        "expired": !award.counts_at(now),
                    })).collect::<Vec<_>>(),
                }),
            })
            .collect();
        let document = json!({
            "score": score.name,
            "contact": args.contact,
            "as_of": timestamp(now),
            "total": total,
            "rules": rules,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
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
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn contacts(args: &ScoreContactsArgs, global: &GlobalArgs) -> anyhow::Result<ExitCode> {
    let config = super::load_config(global)?;
    let score = configured_score(&config, &args.score)?;
    let now = super::moment(args.now.as_ref())?;
    let store = super::open_store(&config)?;
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
    let mut out = std::io::stdout().lock();
    if args.json {
        let document: Vec<Value> = totals
            .iter()
            .map(|total| json!({ "contact": total.contact_id, "points": total.points, "failed_rules": total.failed_rules }))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::with_capacity(totals.len());
    for total in &totals {
        let contact = store.contact(&total.contact_id)?;
        let name = contact
            .as_ref()
            .map(|contact| {
                [contact.first_name.as_deref(), contact.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let email = contact.and_then(|contact| contact.email).unwrap_or_default();
        rows.push(vec![
            total.points.to_string(),
            total.contact_id.clone(),
            name,
            email,
        ]);
    }
    out.write_all(table(&["points", "contact", "name", "email"], &rows).as_bytes())?;
    eprintln!(
        "{} contact(s) with at least {} point(s) in `{}`",
        totals.len(),
        args.min,
        score.name
    );
    Ok(ExitCode::SUCCESS)
}
