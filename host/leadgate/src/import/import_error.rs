//! Problems that stop a whole import file.

use std::io;

/// A problem that stops the whole file: it cannot be read, or its header cannot be understood.
/// Every message names the file; header problems end with a `hint:` line listing the accepted
/// column names.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be opened or read at all.
    #[error("{source_name}: cannot read the file: {source}")]
    Unreadable {
        /// The file name.
        source_name: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The file name does not say which format it is in.
    #[error("{source_name}: unknown file type\nhint: name the file {extensions}")]
    UnknownFormat {
        /// The file name.
        source_name: String,
        /// The recognized extensions.
        extensions: &'static str,
    },
    /// A CSV file without a header row (it is empty, or holds only blank lines).
    #[error(
        "{source_name}: the file is empty: a CSV file starts with a header row naming its columns\nhint: {hint}"
    )]
    NoHeader {
        /// The file name.
        source_name: String,
        /// The accepted column names.
        hint: String,
    },
    /// The header lacks a column the file cannot do without.
    #[error("{source_name}: the header has no {missing} column\nhint: {hint}")]
    MissingColumn {
        /// The file name.
        source_name: String,
        /// What is missing, e.g. ``` `contact_id` ``` or ``` `id` or `email` ```.
        missing: String,
        /// The accepted column names (and a note when the file looks semicolon-separated).
        hint: String,
    },
    /// Two header columns name the same field or attribute.
    #[error(
        "{source_name}: the header names one column twice: `{first_column}` (column {first}) and `{column}` (column {second})\nhint: {hint}"
    )]
    DuplicateColumn {
        /// The file name.
        source_name: String,
        /// The first column's name as written.
        first_column: String,
        /// The second column's name as written.
        column: String,
        /// The first column's 1-based position.
        first: usize,
        /// The second column's 1-based position.
        second: usize,
        /// The accepted column names.
        hint: String,
    },
    /// The header row itself is malformed: invalid UTF-8, a control character or an overlong
    /// name, too many columns, or an unclosed quote.
    #[error("{source_name}: line {line}: {reason}")]
    InvalidHeader {
        /// The file name.
        source_name: String,
        /// The line where the header starts.
        line: u64,
        /// What is wrong, naming the column (`header column 3: …`).
        reason: String,
    },
    /// Reading failed part-way; rows before `line` were read, nothing from `line` on.
    #[error("{source_name}: line {line}: reading stopped: {source}; the rest of the file was not read")]
    ReadFailed {
        /// The file name.
        source_name: String,
        /// The line of the row being read when it failed.
        line: u64,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A single row is longer than the reader holds in memory, usually because a quote is
    /// never closed; nothing from `line` on was read.
    #[error(
        "{source_name}: line {line}: the row starting here is longer than {limit_mib} MiB; the rest of the file was not read\nhint: look for a quote (`\"`) that is never closed"
    )]
    RowTooLong {
        /// The file name.
        source_name: String,
        /// The line where the row starts.
        line: u64,
        /// The limit in MiB.
        limit_mib: usize,
    },
}
