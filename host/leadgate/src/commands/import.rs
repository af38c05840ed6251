//! `leadgate import contacts|activities`.

use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;

use super::context::CommandContext;
use super::printer::Printer;
use super::progress::progress_bar;
use crate::cli::{FormatArg, ImportArgs, ImportCommand};
use crate::import::{self, InputFormat};
use crate::ingest::{self, IngestSummary};
use crate::output::ImportDocument;

pub(super) fn run(command: ImportCommand, context: &CommandContext) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Contacts(args) => import_file(&args, context, Kind::Contacts),
        ImportCommand::Activities(args) => import_file(&args, context, Kind::Activities),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Contacts,
    Activities,
}

fn import_file(args: &ImportArgs, context: &CommandContext, kind: Kind) -> anyhow::Result<ExitCode> {
    let from_stdin = args.file.as_os_str() == "-";
    let source = if from_stdin {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    let format = match args.format {
        Some(FormatArg::Csv) => InputFormat::Csv,
        Some(FormatArg::Jsonl) => InputFormat::JsonLines,
        None if from_stdin => anyhow::bail!("reading standard input needs `--format csv` or `--format jsonl`"),
        None => InputFormat::from_path(&args.file).ok_or_else(|| {
            anyhow::anyhow!(
                "`{source}`: cannot tell the format from the file name\nhint: name it .csv or .jsonl, or pass `--format`"
            )
        })?,
    };
    let (reader, length): (Box<dyn Read>, Option<u64>) = if from_stdin {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = File::open(&args.file).with_context(|| format!("cannot open `{source}`"))?;
        let length = file.metadata().ok().map(|metadata| metadata.len());
        (Box::new(file), length)
    };
    let read_bytes = Arc::new(AtomicU64::new(0));
    let reader = CountingReader {
        inner: reader,
        read: read_bytes.clone(),
    };

    let store = context.store()?;
    let bar = progress_bar(length.unwrap_or(0), "importing");
    let update = || bar.set_position(read_bytes.load(Ordering::Relaxed));
    let summary = match kind {
        Kind::Contacts => {
            let mut rows = import::contacts(reader, &source, format)?;
            let summary = ingest::ingest_contacts(store, rows.by_ref().inspect(|_| update()), args.strict)?;
            rows.finish()?;
            summary
        }
        Kind::Activities => {
            let mut rows = import::activities(reader, &source, format)?;
            let summary =
                ingest::ingest_activities(store, rows.by_ref().inspect(|_| update()), args.strict, &source)?;
            rows.finish()?;
            summary
        }
    };
    store.flush()?;
    bar.finish_and_clear();
    report(context.printer(), &summary, &source, kind, args.json)?;
    Ok(if summary.rejected == 0 {
        ExitCode::SUCCESS
    } else if summary.aborted {
        ExitCode::from(super::EXIT_FAILURE)
    } else {
        ExitCode::from(super::EXIT_PARTIAL)
    })
}

fn report(
    printer: &Printer,
    summary: &IngestSummary,
    source: &str,
    kind: Kind,
    json: bool,
) -> anyhow::Result<()> {
    let noun = match kind {
        Kind::Contacts => "contacts",
        Kind::Activities => "activities",
    };
    if json {
        return printer.json(&ImportDocument::new(summary, source, noun));
    }
    let mut errors = std::io::stderr().lock();
    for issue in &summary.issues {
        writeln!(errors, "rejected: {issue}")?;
    }
    if summary.rejected > summary.issues.len() as u64 {
        writeln!(
            errors,
            "… and {} more rejected rows",
            summary.rejected - summary.issues.len() as u64
        )?;
    }
    if summary.aborted {
        writeln!(
            errors,
            "{source}: nothing imported: {} of {} rows are bad and `--strict` was given",
            summary.rejected, summary.rows
        )?;
    } else {
        writeln!(
            errors,
            "{source}: {} {noun} imported ({} new, {} updated, {} unchanged), {} rejected",
            summary.inserted + summary.updated + summary.unchanged,
            summary.inserted,
            summary.updated,
            summary.unchanged,
            summary.rejected
        )?;
    }
    Ok(())
}

/// Counts the bytes read, for the progress bar.
struct CountingReader {
    inner: Box<dyn Read>,
    read: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.read.fetch_add(count as u64, Ordering::Relaxed);
        Ok(count)
    }
}
