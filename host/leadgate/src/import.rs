//! Reading contacts and activities from CSV and JSON Lines files, validating every field.
//!
//! [`contacts`] and [`activities`] stream a file row by row (a 1M-row file never sits in
//! memory) and yield, in file order, a [`Parsed`] record for every good row and one
//! [`ImportIssue`] for every rejected row: the first problem found in it, left to right, naming
//! the line and the column. A rejected row never yields a partial record, and the rest of the
//! file is still read. Problems that stop the whole file are an [`ImportError`]: from the
//! function for a file that cannot be read or a CSV header that lacks a required column, and
//! from [`ContactRows::finish`] / [`ActivityRows::finish`] when reading stops part-way (the
//! iterator yields an issue for that too, as its last item). This module only reads and
//! validates; it writes nothing.
//!
//! # Contact files
//!
//! CSV with a header row. The documented columns are `id`, `email`, `first_name`,
//! `last_name`, `company`, `title`, `phone`, `street`, `city`, `state`, `postal_code` and
//! `country`, matched ignoring case and surrounding spaces, with `-`, `_` and inner spaces
//! alike (`First Name`, `first-name`). Every other column is an attribute named by its header
//! cell as written (trimmed); empty attribute cells are skipped; a column with an empty header
//! cell must have empty cells.
//!
//! A contact is keyed by its `id`. A file without an `id` column must have an `email` column,
//! and then each contact's id is its e-mail address, trimmed and lowercased (the `email` field
//! itself keeps the address as written). A row with an empty `id` (when the column exists), or
//! with an empty `email` when that is the key, is rejected.
//!
//! JSON Lines: one object per line with the same field names, an optional `attributes` object,
//! and any other top-level key as an attribute, exactly like an extra CSV column:
//!
//! ```json
//! {"id":"c-1","email":"ada@example.com","first_name":"Ada","attributes":{"employees":250},"vip":true}
//! ```
//!
//! Keys match the documented names the same way CSV headers do. Values may be text, numbers or
//! booleans (taken as their text, e.g. `250`, `true`); `null` is the same as leaving the key out
//! (so a contact with `"id": null` is keyed by its e-mail address); arrays and objects, other
//! than `attributes` itself, reject the row, and so does a field or attribute given twice (also
//! as `email` and `Email`). Blank lines are skipped; a line that is not a JSON object is
//! rejected, naming serde_json's column when it is not JSON at all.
//!
//! # Activity files
//!
//! Columns (or keys): `contact_id`, `kind` and `occurred_at` (all required), `id`, `subject`,
//! `quantity`, `value`; every other column is an attribute, as for contacts.
//!
//! - `kind`: `purchase`, `page-visit`, `form-submission`, `email-open`, `email-click`,
//!   `event-attendance`, or a custom kind of lowercase letters, digits and single inner
//!   hyphens, at most 64 characters. Case is ignored and `_` and spaces become `-`, so
//!   `Page_Visit` is `page-visit`.
//! - `occurred_at`: RFC 3339 (`2026-03-01T10:00:00Z`, `2026-03-01T12:00:00+02:00`), an integer
//!   number of milliseconds since the Unix epoch, or a date (`2026-03-01`, midnight UTC).
//! - `quantity`: an integer from 0 to 4,294,967,295; `value`: a finite decimal number with `.`
//!   as the decimal separator.
//! - `id`: when absent or empty, derived from the content ([`derived_activity_id`]): importing
//!   the same file again gives the same ids, and identical activities become one.
//!
//! # Rules for every field
//!
//! - Ids are trimmed, not empty, at most 255 characters, without control characters.
//! - E-mail addresses are trimmed; at most 254 characters; exactly one `@`; 1 to 64 characters
//!   before it without spaces or control characters; a domain with at least one dot, made of
//!   labels of letters, digits and hyphens that do not start or end with a hyphen.
//! - Text (names, subject, attribute values…) is trimmed, empty means absent, at most 1,000
//!   characters, without control characters other than tab and newline.
//! - No field may be over 64 KiB; messages quote at most about 40 characters of a value.
//! - Attribute names are at most 255 characters, without control characters.
//!
//! # CSV details
//!
//! Comma-separated, `"` quotes with `""` for a quote inside. A UTF-8 BOM is skipped; `\n`,
//! `\r\n` and `\r` line endings all work, mixed too, and become `\n` inside quoted values;
//! quoted values may span lines (the row's line is where it starts). Fields must be UTF-8. Blank
//! lines, and rows whose cells are all empty (`,,,` at the end of spreadsheet exports), are
//! skipped. A row with more or fewer values than the header has columns is rejected; so is a row
//! whose quote is never closed (it runs to the end of the file). A header with a field named twice, more than
//! 4,096 columns, or a cell that is not UTF-8 stops the file. A row over 64 MiB (a quote never
//! closed, most likely) stops reading rather than filling memory.

mod activity_builder;
mod activity_id;
mod activity_values;
mod column_names;
mod contact_builder;
mod csv_input;
mod csv_records;
mod field_rules;
mod import_error;
mod import_issue;
mod input_format;
mod json_lines;
mod json_value;
mod record_builder;
mod rows;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod generated_input_tests;

use std::fs::File;
use std::io::Read;
use std::path::Path;

pub use activity_id::{DERIVED_ID_PREFIX, derived_activity_id};
pub use activity_values::MAX_KIND_CHARS;
pub use column_names::MAX_COLUMNS;
pub use csv_input::MAX_ROW_BYTES;
pub use field_rules::{
    MAX_ATTRIBUTE_NAME_CHARS, MAX_DOMAIN_LABEL_CHARS, MAX_EMAIL_CHARS, MAX_EMAIL_LOCAL_CHARS,
    MAX_FIELD_BYTES, MAX_ID_CHARS, MAX_TEXT_CHARS,
};
pub use import_error::ImportError;
pub use import_issue::ImportIssue;
pub use input_format::InputFormat;
pub use rows::{ActivityRows, ContactRows, Parsed, ParsedActivity, ParsedContact};

/// Reads the contacts of a file (see the [module documentation](self) for the format). For CSV
/// the header is read and checked here: an empty file, a header without an `id` or `email`
/// column, or a malformed header is an `Err`.
pub fn contacts<R: Read>(
    reader: R,
    source: &str,
    format: InputFormat,
) -> Result<ContactRows<R>, ImportError> {
    ContactRows::open(reader, source, format)
}

/// Reads the activities of a file (see the [module documentation](self) for the format). For
/// CSV the header is read and checked here: an empty file, a header without `contact_id`,
/// `kind` or `occurred_at`, or a malformed header is an `Err`.
pub fn activities<R: Read>(
    reader: R,
    source: &str,
    format: InputFormat,
) -> Result<ActivityRows<R>, ImportError> {
    ActivityRows::open(reader, source, format)
}

/// Opens a file for [`contacts`] or [`activities`]: its format from its extension, and the
/// file itself (the readers buffer it).
pub fn open(path: &Path) -> Result<(File, InputFormat), ImportError> {
    let source_name = path.display().to_string();
    let format = InputFormat::from_path(path).ok_or_else(|| ImportError::UnknownFormat {
        source_name: source_name.clone(),
        extensions: InputFormat::EXTENSIONS,
    })?;
    let file = File::open(path).map_err(|source| ImportError::Unreadable { source_name, source })?;
    Ok((file, format))
}
