//! A rejected row: where it is and what is wrong with it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One rejected row of an import file. The rest of the file is still read.
///
/// Displays as `contacts.csv:12: column `email`: `foo@` is not an e-mail address (nothing after
/// the `@`)`, or without the `column …:` part when the problem is the whole row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// The file (or other source) name, as given to the reader.
    pub source: String,
    /// The 1-based physical line where the row starts (the header is line 1 of a CSV file).
    pub line: u64,
    /// The column (CSV: its header as written; JSON Lines: the key, `attributes.<name>` inside
    /// `attributes`), when the problem is in one field.
    pub column: Option<String>,
    /// What is wrong, quoting the value (shortened to about 40 characters).
    pub reason: String,
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}: ", self.source, self.line)?;
        if let Some(column) = &self.column {
            write!(formatter, "column `{column}`: ")?;
        }
        formatter.write_str(&self.reason)
    }
}

// Not derived with thiserror: it would take the field `source` for the error's cause.
impl std::error::Error for ImportIssue {}

/// What is wrong with a row, before the file name and line are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The column or key, when the problem is in one field.
    pub(crate) column: Option<String>,
    /// What is wrong.
    pub(crate) reason: String,
}

impl Problem {
    /// A problem with the whole row.
    pub(crate) fn row(reason: String) -> Self {
        Self { column: None, reason }
    }

    /// A problem in one column.
    pub(crate) fn column(column: &str, reason: String) -> Self {
        Self {
            column: Some(column.to_owned()),
            reason,
        }
    }

    /// The issue for the row at `line` of `source`.
    pub(crate) fn at(self, source: &str, line: u64) -> ImportIssue {
        ImportIssue {
            source: source.to_owned(),
            line,
            column: self.column,
            reason: self.reason,
        }
    }
}

/// The longest quotation of a value in a message, in characters.
const QUOTE_CHARS: usize = 40;

/// A value for a message: in backticks, control characters escaped, and cut to about 40
/// characters (`…` plus the full length) so a huge field never ends up in a message whole.
pub(crate) fn quoted(value: &str) -> String {
    let mut text = String::with_capacity(value.len().min(QUOTE_CHARS * 2) + 2);
    text.push('`');
    let mut chars = value.chars();
    for character in chars.by_ref().take(QUOTE_CHARS) {
        if character.is_control() {
            text.extend(character.escape_default());
        } else {
            text.push(character);
        }
    }
    let cut = chars.next().is_some();
    if cut {
        text.push('…');
    }
    text.push('`');
    if cut {
        text.push_str(&format!(" ({} characters)", value.chars().count()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_names_the_file_line_and_column() {
        let issue = Problem::column("email", "`foo@` is not an e-mail address".into()).at("contacts.csv", 12);
        assert_eq!(
            issue.to_string(),
            "contacts.csv:12: column `email`: `foo@` is not an e-mail address"
        );
        let issue = Problem::row("has 3 values but the header has 4 columns".into()).at("a.csv", 2);
        assert_eq!(
            issue.to_string(),
            "a.csv:2: has 3 values but the header has 4 columns"
        );
    }

    #[test]
    fn quoting_escapes_control_characters_and_cuts_long_values() {
        assert_eq!(quoted("a\u{7}b\tc"), "`a\\u{7}b\\tc`");
        assert_eq!(quoted(&"x".repeat(40)), format!("`{}`", "x".repeat(40)));
        assert_eq!(
            quoted(&"é".repeat(100_000)),
            format!("`{}…` (100000 characters)", "é".repeat(40))
        );
    }
}
