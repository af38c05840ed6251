//! The result files of a job (reference §5.5): the `sf__` columns first, quoted, then the
//! original header as uploaded; every value quoted, embedded quotes doubled; the job's
//! delimiter and line ending.

use crate::api_error::RecordError;
use crate::bulk::job_spec::{ColumnDelimiter, LineEnding};

/// How a job's result files are laid out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CsvFormat {
    pub(crate) delimiter: ColumnDelimiter,
    pub(crate) line_ending: LineEnding,
}

/// One line of a result file being built.
struct Line<'format> {
    format: &'format CsvFormat,
    text: String,
    empty: bool,
}

impl<'format> Line<'format> {
    fn new(format: &'format CsvFormat) -> Self {
        Self {
            format,
            text: String::new(),
            empty: true,
        }
    }

    fn separate(&mut self) {
        if !self.empty {
            self.text.push(char::from(self.format.delimiter.byte()));
        }
        self.empty = false;
    }

    /// A value, always quoted.
    fn quoted(&mut self, value: &str) -> &mut Self {
        self.separate();
        self.text.push('"');
        self.text.push_str(&value.replace('"', "\"\""));
        self.text.push('"');
        self
    }

    /// An original header name: as uploaded, quoted only when it has to be.
    fn name(&mut self, name: &str) -> &mut Self {
        let needs_quotes = name.chars().any(|character| {
            matches!(character, '"' | '\r' | '\n') || character == char::from(self.format.delimiter.byte())
        });
        if needs_quotes {
            self.quoted(name)
        } else {
            self.separate();
            self.text.push_str(name);
            self
        }
    }

    fn finish(&mut self, output: &mut String) {
        output.push_str(&self.text);
        output.push_str(self.format.line_ending.text());
    }
}

fn header(format: &CsvFormat, columns: &[&str], original: &[String]) -> String {
    let mut output = String::new();
    let mut line = Line::new(format);
    for column in columns {
        line.quoted(column);
    }
    for name in original {
        line.name(name);
    }
    line.finish(&mut output);
    output
}

/// `successfulResults/`: `"sf__Id","sf__Created"`, then the original columns.
pub(crate) fn successful<'row>(
    format: &CsvFormat,
    original: &[String],
    rows: impl IntoIterator<Item = (String, bool, &'row [String])>,
) -> String {
    let mut output = header(format, &["sf__Id", "sf__Created"], original);
    for (id, created, values) in rows {
        let mut line = Line::new(format);
        line.quoted(&id).quoted(if created { "true" } else { "false" });
        for value in values {
            line.quoted(value);
        }
        line.finish(&mut output);
    }
    output
}

/// `failedResults/`: `"sf__Id","sf__Error"`, then the original columns; `sf__Id` is empty when
/// the record has no id (a failed insert).
pub(crate) fn failed<'row>(
    format: &CsvFormat,
    original: &[String],
    rows: impl IntoIterator<Item = (Option<String>, &'row RecordError, &'row [String])>,
) -> String {
    let mut output = header(format, &["sf__Id", "sf__Error"], original);
    for (id, error, values) in rows {
        let mut line = Line::new(format);
        line.quoted(id.as_deref().unwrap_or_default())
            .quoted(&error_text(error));
        for value in values {
            line.quoted(value);
        }
        line.finish(&mut output);
    }
    output
}

/// `unprocessedrecords/`: the original columns only.
pub(crate) fn unprocessed<'row>(
    format: &CsvFormat,
    original: &[String],
    rows: impl IntoIterator<Item = &'row [String]>,
) -> String {
    let mut output = header(format, &[], original);
    for values in rows {
        let mut line = Line::new(format);
        for value in values {
            line.quoted(value);
        }
        line.finish(&mut output);
    }
    output
}

/// `sf__Error`: `STATUS_CODE:message:field,field --`, or `STATUS_CODE:message:--` without fields.
pub(crate) fn error_text(error: &RecordError) -> String {
    let fields = error.fields.clone().unwrap_or_default();
    if fields.is_empty() {
        format!("{}:{}:--", error.code, error.message)
    } else {
        format!("{}:{}:{} --", error.code, error.message, fields.join(","))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    const COMMA_LF: CsvFormat = CsvFormat {
        delimiter: ColumnDelimiter::Comma,
        line_ending: LineEnding::Lf,
    };

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    }

    #[test]
    fn successful_results_quote_every_value_and_double_quotes() {
        let header = strings(&["FirstName", "LastName", "Company"]);
        let row = strings(&["Jane \"JJ\"", "Doe, Jr.", "Acme\nLabs"]);
        let text = successful(
            &COMMA_LF,
            &header,
            [("00Q5e0000000001AAA".to_owned(), true, row.as_slice())],
        );
        assert_eq!(
            text,
            "\"sf__Id\",\"sf__Created\",FirstName,LastName,Company\n\
             \"00Q5e0000000001AAA\",\"true\",\"Jane \"\"JJ\"\"\",\"Doe, Jr.\",\"Acme\nLabs\"\n"
        );
    }

    #[test]
    fn failed_results_carry_the_error_and_an_empty_id_for_inserts() {
        let header = strings(&["LastName", "Company"]);
        let row = strings(&["", "Acme"]);
        let error = RecordError::bad_request(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LastName]",
            vec!["LastName".into()],
        );
        let text = failed(&COMMA_LF, &header, [(None, &error, row.as_slice())]);
        assert_eq!(
            text,
            "\"sf__Id\",\"sf__Error\",LastName,Company\n\
             \"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --\",\"\",\"Acme\"\n"
        );
    }

    #[test]
    fn errors_without_fields_end_in_a_bare_separator() {
        let error = RecordError::plain(
            StatusCode::BAD_REQUEST,
            "UNABLE_TO_LOCK_ROW",
            "unable to obtain exclusive access to this record",
        );
        assert_eq!(
            error_text(&error),
            "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--"
        );
        let error = RecordError::bad_request("X", "m", vec!["A".into(), "B".into()]);
        assert_eq!(error_text(&error), "X:m:A,B --");
    }

    #[test]
    fn unprocessed_records_use_the_jobs_delimiter_and_line_ending() {
        let format = CsvFormat {
            delimiter: ColumnDelimiter::Pipe,
            line_ending: LineEnding::Crlf,
        };
        let header = strings(&["LastName", "Odd|Name"]);
        let row = strings(&["a|b", "c"]);
        assert_eq!(
            unprocessed(&format, &header, [row.as_slice()]),
            "LastName|\"Odd|Name\"\r\n\"a|b\"|\"c\"\r\n"
        );
    }
}
