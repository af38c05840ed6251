//! `leadgate replicate`: a replication run now, and `check`, `status`, `runs`, `resume`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;

use super::context::CommandContext;
use super::salesforce_connection::connect;
use super::table::table;
use crate::cli::{
    JsonArg, ReplicateAction, ReplicateArgs, ReplicateCheckArgs, ReplicateResumeArgs, ReplicateRunsArgs,
};
use crate::config::LeadMapping;
use crate::output::timestamp;
use crate::replication::{
    ReplicationError, RunOptions, RunSummary, Severity, check_org, fetch_lead_describe, replicate,
    replication_status, resume,
};

pub(super) fn run(args: &ReplicateArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    match &args.action {
        Some(ReplicateAction::Status(status_args)) => status(status_args, context),
        Some(ReplicateAction::Check(check_args)) => check(check_args, context),
        Some(ReplicateAction::Runs(runs_args)) => runs(runs_args, context),
        Some(ReplicateAction::Resume(resume_args)) => resume_contacts(resume_args, context),
        None => run_once(args, context),
    }
}

/// `replicate status`: counts per state, from the store alone.
fn status(args: &JsonArg, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let store = context.store()?;
    let status = replication_status(store, config, jiff::Timestamp::now().as_millisecond())?;
    if args.json {
        context.printer().json(&status)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for (label, count) in [
        ("pending", status.pending),
        ("replicated", status.replicated),
        ("suspended", status.suspended),
        ("disabled", status.disabled),
        ("converted", status.converted),
    ] {
        let _ = writeln!(text, "{label:<11} {count:>7}");
    }
    if status.interrupted_batches > 0 {
        let _ = writeln!(
            text,
            "{} batch(es) of an interrupted run: the next `leadgate replicate` sends them again",
            status.interrupted_batches
        );
    }
    context.printer().text(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `replicate runs`: the run log, newest first.
fn runs(args: &ReplicateRunsArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let runs = context.store()?.replication_runs(args.limit)?;
    if args.json {
        context.printer().json(&runs)?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            vec![
                timestamp(run.finished_at),
                format!("{:.1} s", (run.finished_at - run.started_at) as f64 / 1000.0),
                run.created.to_string(),
                run.updated.to_string(),
                run.suspended.to_string(),
                run.api_calls.to_string(),
                run.stopped_early.clone().unwrap_or_default(),
            ]
        })
        .collect();
    context.printer().text(&table(
        &[
            "finished",
            "took",
            "created",
            "updated",
            "suspended",
            "API calls",
            "stopped early",
        ],
        &rows,
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `replicate resume`: suspended contacts are tried again, disabled ones recreated.
fn resume_contacts(args: &ReplicateResumeArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let summary = resume(context.store()?, &args.contacts)?;
    if args.json {
        context.printer().json(&summary)?;
    } else {
        let mut text = format!(
            "{} suspended contact(s) will be tried again and {} disabled one(s) written as new Leads on the next \
             `leadgate replicate`\n",
            summary.resumed, summary.reenabled
        );
        if !summary.left_alone.is_empty() {
            let _ = writeln!(
                text,
                "not suspended or disabled, left as they are: {}",
                summary.left_alone.join(", ")
            );
        }
        context.printer().text(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `replicate check`: the org's set-up against `[replication]`, from a fresh describe.
fn check(args: &ReplicateCheckArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let settings = config
        .replication
        .as_ref()
        .ok_or(ReplicationError::NotConfigured)?;
    let store = context.store()?;
    let describe = super::block_on(async {
        let client = connect(&args.connection, context).await?;
        fetch_lead_describe(store, &client, jiff::Timestamp::now().as_millisecond())
            .await
            .context("cannot read the Lead describe")
    })?;
    let findings = check_org(&describe, settings);
    let errors = findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .count();
    if args.json {
        context.printer().json(&findings)?;
    } else {
        let mut text = String::new();
        for finding in &findings {
            let label = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(text, "{label}: {}", finding.message);
        }
        if errors == 0 {
            let _ = writeln!(
                text,
                "the org is ready: `{}` holds the contact ids and every mapped field can be written",
                settings.external_id_field
            );
        }
        context.printer().text(&text)?;
    }
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FAILURE)
    })
}

fn run_once(args: &ReplicateArgs, context: &CommandContext) -> anyhow::Result<ExitCode> {
    let config = context.config()?;
    let Some(settings) = &config.replication else {
        return Err(ReplicationError::NotConfigured.into());
    };
    for note in settings.not_yet_effective() {
        eprintln!("warning: {note}");
    }
    let now = super::moment(args.now.as_ref())?;
    let store = context.store()?;
    // Only a mapping plugin needs the WebAssembly engine; a field table does not start one.
    let plugins = match &settings.mapping {
        LeadMapping::Plugin { .. } => Some(context.configured_plugin_runtime()?),
        LeadMapping::Fields(_) => None,
    };
    let options = RunOptions {
        dry_run: args.dry_run,
        forced: if args.force {
            args.contacts.clone()
        } else {
            Vec::new()
        },
        only: args.contacts.clone(),
    };
    let summary = super::block_on(async {
        let client = connect(&args.connection, context).await?;
        replicate(store, config, plugins.as_ref(), &client, now, &options)
            .await
            .context("replication failed")
    })?;
    if args.json {
        context.printer().json(&summary)?;
    } else {
        context
            .printer()
            .text(&summary_text(&summary, &settings.score, settings.min_points))?;
    }
    Ok(if summary.suspended == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

/// The run as a short table, one line per count that says something.
fn summary_text(summary: &RunSummary, score: &str, min_points: i64) -> String {
    let (created, updated) = if summary.dry_run {
        ("would create", "would update")
    } else {
        ("created", "updated")
    };
    let rows: [(&str, u64, String); 11] = [
        (
            "qualifying",
            summary.qualifying,
            format!("at least {min_points} points in `{score}`"),
        ),
        (created, summary.created, "new Leads".to_owned()),
        (updated, summary.updated, "Leads written again".to_owned()),
        (
            "unchanged",
            summary.unchanged,
            "already in the org as they are".to_owned(),
        ),
        (
            "suspended",
            summary.suspended,
            "refused; see `leadgate contacts show ID`".to_owned(),
        ),
        (
            "waiting",
            summary.waiting,
            "suspended, until they change or their retry is due".to_owned(),
        ),
        ("disabled", summary.disabled, "their Lead was deleted".to_owned()),
        (
            "converted",
            summary.converted,
            "their Lead was converted".to_owned(),
        ),
        (
            "merged",
            summary.merged,
            "written to the Lead that survived a merge".to_owned(),
        ),
        (
            "stopped",
            summary.stopped,
            "disabled or converted earlier".to_owned(),
        ),
        (
            "resumed",
            summary.resumed_batches,
            "batches of an interrupted run, sent again".to_owned(),
        ),
    ];
    let mut text = String::new();
    if summary.dry_run {
        text.push_str("dry run: nothing was written\n");
    }
    for (label, count, meaning) in rows {
        if count > 0 || matches!(label, "qualifying" | "created" | "would create") {
            let _ = writeln!(text, "{label:<13} {count:>7}  {meaning}");
        }
    }
    let _ = writeln!(text, "{:<13} {:>7}", "API calls", summary.api_calls);
    if let Some(reason) = &summary.stopped_early {
        let _ = writeln!(text, "stopped early: {reason}");
    }
    for note in &summary.notes {
        let _ = writeln!(text, "note: {note}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_what_happened_and_leaves_out_empty_lines() {
        let summary = RunSummary {
            qualifying: 3,
            created: 2,
            suspended: 1,
            api_calls: 2,
            ..RunSummary::default()
        };
        let text = summary_text(&summary, "Office buyers", 3000);
        assert_eq!(
            text,
            "qualifying          3  at least 3000 points in `Office buyers`\n\
             created             2  new Leads\n\
             suspended           1  refused; see `leadgate contacts show ID`\n\
             API calls           2\n"
        );
        let dry = summary_text(
            &RunSummary {
                dry_run: true,
                ..summary
            },
            "Office buyers",
            3000,
        );
        assert!(dry.starts_with("dry run: nothing was written\n"), "{dry}");
        assert!(dry.contains("would create        2"), "{dry}");
    }
}
