//! The row iterators: a file's records one by one, each a record or an issue.

use std::io::Read;
use std::iter::FusedIterator;

use leadgate_model::{ActivityRecord, ContactRecord};

use super::activity_builder::ActivityBuilder;
use super::column_names::{Header, KnownField};
use super::contact_builder::ContactBuilder;
use super::csv_input::MAX_ROW_BYTES;
use super::csv_records::{CsvNext, CsvRecords, ReadFailure};
use super::import_error::ImportError;
use super::import_issue::{ImportIssue, Problem};
use super::input_format::InputFormat;
use super::json_lines::{JsonLines, JsonNext};
use super::record_builder::{RecordBuilder, csv_row, json_row};

/// A record read from a file, with the line its row starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The 1-based line where the row starts (the header is line 1 of a CSV file).
    pub line: u64,
    /// The validated record.
    pub record: T,
}

/// A contact read from a file.
pub type ParsedContact = Parsed<ContactRecord>;

/// An activity read from a file.
pub type ParsedActivity = Parsed<ActivityRecord>;

/// A row's line and what came of it: a record, nothing (a row to skip), or a problem.
type RowOutcome<T> = (u64, Result<Option<T>, Problem>);

enum Input<R, F> {
    Csv {
        records: CsvRecords<R>,
        header: Header<F>,
    },
    JsonLines(JsonLines<R>),
}

/// The rows of one file, built by `B`.
pub(crate) struct Rows<R, B: RecordBuilder> {
    source_name: String,
    input: Input<R, B::Field>,
    builder: B,
    fatal: Option<ImportError>,
}

impl<R: Read, B: RecordBuilder> Rows<R, B> {
    /// Opens the file: for CSV, reads and checks the header.
    fn open(reader: R, source_name: &str, format: InputFormat) -> Result<Self, ImportError> {
        let input = match format {
            InputFormat::Csv => {
                let mut records = CsvRecords::new(reader);
                let header = read_header::<R, B>(&mut records, source_name)?;
                Input::Csv { records, header }
            }
            InputFormat::JsonLines => {
                Input::JsonLines(JsonLines::open(reader).map_err(|source| ImportError::Unreadable {
                    source_name: source_name.to_owned(),
                    source,
                })?)
            }
        };
        Ok(Self {
            source_name: source_name.to_owned(),
            input,
            builder: B::default(),
            fatal: None,
        })
    }

    fn next_row(&mut self) -> Option<Result<Parsed<B::Record>, ImportIssue>> {
        loop {
            let (line, result) = self.read_row()?;
            return Some(match result {
                Ok(Some(record)) => Ok(Parsed { line, record }),
                // A row of empty cells: skipped like a blank line.
                Ok(None) => continue,
                Err(problem) => Err(problem.at(&self.source_name, line)),
            });
        }
    }

    /// The next row's line and outcome (`Ok(None)` for a row to skip), or `None` at the end.
    fn read_row(&mut self) -> Option<RowOutcome<B::Record>> {
        let source_name = self.source_name.as_str();
        Some(match &mut self.input {
            Input::Csv { records, header } => match records.next_record() {
                CsvNext::Record { line, record } => (line, csv_row(&mut self.builder, header, record)),
                CsvNext::Unclosed { line, record } => {
                    let last = record.len().saturating_sub(1);
                    let reason = "a quoted value starts in this row and is never closed: it runs to the end of the file"
                        .to_owned();
                    let problem = match header.label(last) {
                        label if last < header.len() && !label.is_empty() => Problem::column(label, reason),
                        _ => Problem::row(reason),
                    };
                    (line, Err(problem))
                }
                CsvNext::Failed { line, failure } => {
                    let (error, reason) = match failure {
                        ReadFailure::Io(source) => {
                            let reason =
                                format!("reading stopped here: {source}; the rest of the file was not read");
                            let error = ImportError::ReadFailed {
                                source_name: source_name.to_owned(),
                                line,
                                source,
                            };
                            (error, reason)
                        }
                        ReadFailure::RowTooLong => {
                            let limit_mib = MAX_ROW_BYTES / (1024 * 1024);
                            let reason = format!(
                                "the row starting here is longer than {limit_mib} MiB (is a quote never closed?); the rest of the file was not read"
                            );
                            let error = ImportError::RowTooLong {
                                source_name: source_name.to_owned(),
                                line,
                                limit_mib,
                            };
                            (error, reason)
                        }
                    };
                    self.fatal = Some(error);
                    (line, Err(Problem::row(reason)))
                }
                CsvNext::End => return None,
            },
            Input::JsonLines(lines) => match lines.next_object() {
                JsonNext::Object { line, entries } => (line, json_row(&mut self.builder, &entries).map(Some)),
                JsonNext::Invalid { line, problem } => (line, Err(problem)),
                JsonNext::Failed { line, error } => {
                    let reason = format!("reading stopped here: {error}; the rest of the file was not read");
                    self.fatal = Some(ImportError::ReadFailed {
                        source_name: source_name.to_owned(),
                        line,
                        source: error,
                    });
                    (line, Err(Problem::row(reason)))
                }
                JsonNext::End => return None,
            },
        })
    }

    fn finish(self) -> Result<(), ImportError> {
        self.fatal.map_or(Ok(()), Err)
    }
}

/// Reads the header row and checks it has the columns `B` needs.
fn read_header<R: Read, B: RecordBuilder>(
    records: &mut CsvRecords<R>,
    source_name: &str,
) -> Result<Header<B::Field>, ImportError> {
    let hint = || B::Field::accepted_columns();
    match records.next_record() {
        CsvNext::Record { line, record } => {
            let header = Header::<B::Field>::parse(record.iter(), source_name, line)?;
            if let Some(missing) = B::missing_columns(&header) {
                let mut hint = hint();
                if header.looks_semicolon_separated() {
                    hint.push_str(
                        "\nhint: the header looks separated by `;`: leadgate reads comma-separated files",
                    );
                }
                return Err(ImportError::MissingColumn {
                    source_name: source_name.to_owned(),
                    missing,
                    hint,
                });
            }
            Ok(header)
        }
        CsvNext::Unclosed { line, .. } => Err(ImportError::InvalidHeader {
            source_name: source_name.to_owned(),
            line,
            reason: "the header has a quote (`\"`) that is never closed".to_owned(),
        }),
        CsvNext::Failed { line, failure } => Err(match failure {
            ReadFailure::Io(source) if line <= 1 => ImportError::Unreadable {
                source_name: source_name.to_owned(),
                source,
            },
            ReadFailure::Io(source) => ImportError::ReadFailed {
                source_name: source_name.to_owned(),
                line,
                source,
            },
            ReadFailure::RowTooLong => ImportError::RowTooLong {
                source_name: source_name.to_owned(),
                line,
                limit_mib: MAX_ROW_BYTES / (1024 * 1024),
            },
        }),
        CsvNext::End => Err(ImportError::NoHeader {
            source_name: source_name.to_owned(),
            hint: hint(),
        }),
    }
}

macro_rules! row_iterator {
    ($(#[$doc:meta])* $name:ident, $builder:ty, $record:ty) => {
        $(#[$doc])*
        pub struct $name<R>(Rows<R, $builder>);

        impl<R: Read> $name<R> {
            pub(crate) fn open(reader: R, source_name: &str, format: InputFormat) -> Result<Self, ImportError> {
                Rows::open(reader, source_name, format).map(Self)
            }

            /// The file name given when opening.
            pub fn source_name(&self) -> &str {
                &self.0.source_name
            }

            /// After the last row: `Err` when reading stopped before the end of the file (an
            /// I/O error, or a row over the size limit). The iterator has yielded an issue for
            /// it too, as its last item.
            pub fn finish(self) -> Result<(), ImportError> {
                self.0.finish()
            }
        }

        impl<R: Read> Iterator for $name<R> {
            type Item = Result<Parsed<$record>, ImportIssue>;

            fn next(&mut self) -> Option<Self::Item> {
                self.0.next_row()
            }
        }

        impl<R: Read> FusedIterator for $name<R> {}
    };
}

row_iterator!(
    /// The contacts of one file, in file order: a [`ParsedContact`] per good row, an
    /// [`ImportIssue`] per rejected one. Call [`ContactRows::finish`] at the end.
    ContactRows,
    ContactBuilder,
    ContactRecord
);

row_iterator!(
    /// The activities of one file, in file order: a [`ParsedActivity`] per good row, an
    /// [`ImportIssue`] per rejected one. Call [`ActivityRows::finish`] at the end.
    ActivityRows,
    ActivityBuilder,
    ActivityRecord
);
