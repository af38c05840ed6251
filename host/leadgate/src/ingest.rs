//! Bringing parsed contacts and activities into the store: good rows are written in atomic
//! chunks, bad ones are reported by line, and nothing is ever half-applied.

use std::collections::BTreeSet;

use leadgate_model::{ActivityRecord, ContactRecord};

use crate::import::{ImportIssue, Parsed};
use crate::store::{Store, StoreError, WriteOutcome};

/// Rows written per atomic store batch: large enough to amortize the write, small enough that
/// an interrupted import loses little and memory stays flat.
pub const CHUNK_ROWS: usize = 2_000;

/// How many rejected rows a summary keeps in full; the rest are only counted.
pub const KEPT_ISSUES: usize = 1_000;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    /// Rows read (good and bad).
    pub rows: u64,
    /// New records written.
    pub inserted: u64,
    /// Records that replaced a different version of themselves.
    pub updated: u64,
    /// Records already stored exactly so.
    pub unchanged: u64,
    /// Rows rejected (bad values, unknown contacts).
    pub rejected: u64,
    /// The first [`KEPT_ISSUES`] rejected rows, in file order.
    pub issues: Vec<ImportIssue>,
    /// True when `strict` rejected the whole file because a row was bad: nothing was written.
    pub aborted: bool,
}

impl IngestSummary {
    fn reject(&mut self, issue: ImportIssue) {
        self.rejected += 1;
        if self.issues.len() < KEPT_ISSUES {
            self.issues.push(issue);
        }
    }

    fn count(&mut self, outcome: WriteOutcome) {
        match outcome {
            WriteOutcome::Inserted => self.inserted += 1,
            WriteOutcome::Updated => self.updated += 1,
            WriteOutcome::Unchanged => self.unchanged += 1,
            WriteOutcome::UnknownContact => {}
        }
    }
}

/// One parsed row, or why it was rejected.
pub type Row<T> = Result<Parsed<T>, ImportIssue>;

/// Writes contacts from `rows`. With `strict`, nothing is written unless every row is good (the
/// good rows are held in memory until the end of the file).
pub fn ingest_contacts(
    store: &Store,
    rows: impl Iterator<Item = Row<ContactRecord>>,
    strict: bool,
) -> Result<IngestSummary, StoreError> {
    ingest(
        rows,
        strict,
        |chunk: &[Parsed<ContactRecord>], summary: &mut IngestSummary| {
            let records: Vec<ContactRecord> = chunk.iter().map(|row| row.record.clone()).collect();
            for outcome in store.upsert_contacts(&records)? {
                summary.count(outcome);
            }
            Ok(())
        },
    )
}

/// Writes activities from `rows`. An activity whose contact is not in the store is rejected,
/// naming its line. With `strict`, nothing is written unless every row is good and every
/// contact known.
pub fn ingest_activities(
    store: &Store,
    rows: impl Iterator<Item = Row<ActivityRecord>>,
    strict: bool,
    source: &str,
) -> Result<IngestSummary, StoreError> {
    if strict {
        // Unknown contacts must be found before anything is written.
        let mut known = BTreeSet::new();
        let checked = rows.map(|row| {
            let row = row?;
            let contact_id = &row.record.contact_id;
            if known.contains(contact_id) {
                return Ok(row);
            }
            match store.contact(contact_id) {
                Ok(Some(_)) => {
                    known.insert(contact_id.clone());
                    Ok(row)
                }
                Ok(None) => Err(unknown_contact(source, &row)),
                Err(error) => Err(ImportIssue {
                    source: source.to_owned(),
                    line: row.line,
                    column: None,
                    reason: format!("cannot read the store: {error}"),
                }),
            }
        });
        return ingest(checked, true, |chunk, summary| {
            write_activities(store, chunk, summary, source)
        });
    }
    ingest(rows, false, |chunk, summary| {
        write_activities(store, chunk, summary, source)
    })
}

fn write_activities(
    store: &Store,
    chunk: &[Parsed<ActivityRecord>],
    summary: &mut IngestSummary,
    source: &str,
) -> Result<(), StoreError> {
    let records: Vec<ActivityRecord> = chunk.iter().map(|row| row.record.clone()).collect();
    for (row, outcome) in chunk.iter().zip(store.upsert_activities(&records)?) {
        if outcome == WriteOutcome::UnknownContact {
            summary.reject(unknown_contact(source, row));
        } else {
            summary.count(outcome);
        }
    }
    Ok(())
}

fn unknown_contact(source: &str, row: &Parsed<ActivityRecord>) -> ImportIssue {
    ImportIssue {
        source: source.to_owned(),
        line: row.line,
        column: Some("contact_id".to_owned()),
        reason: format!(
            "contact `{}` is not in the store (import it first)",
            row.record.contact_id
        ),
    }
}

/// The chunking loop shared by both record kinds.
fn ingest<T>(
    rows: impl Iterator<Item = Row<T>>,
    strict: bool,
    mut write: impl FnMut(&[Parsed<T>], &mut IngestSummary) -> Result<(), StoreError>,
) -> Result<IngestSummary, StoreError> {
    let mut summary = IngestSummary::default();
    let mut pending: Vec<Parsed<T>> = Vec::with_capacity(CHUNK_ROWS);
    for row in rows {
        summary.rows += 1;
        match row {
            Ok(parsed) => {
                pending.push(parsed);
                if !strict && pending.len() >= CHUNK_ROWS {
                    write(&pending, &mut summary)?;
                    pending.clear();
                }
            }
            Err(issue) => summary.reject(issue),
        }
    }
    if strict && summary.rejected > 0 {
        summary.aborted = true;
        return Ok(summary);
    }
    for chunk in pending.chunks(CHUNK_ROWS) {
        write(chunk, &mut summary)?;
    }
    Ok(summary)
}
