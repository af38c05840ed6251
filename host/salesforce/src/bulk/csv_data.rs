//! [`CsvData`]: the CSV of an ingest job, as the Bulk API wants it (reference §5.6): a header
//! of field API names, fields quoted when they hold the delimiter, a quote, a line break or
//! edge spaces, embedded quotes doubled, `#N/A` for null.
//!
//! An empty field leaves the record's value unchanged on update and upsert; only `#N/A`
//! clears it. So "no value" and "clear the value" are different [`CsvValue`]s.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::bulk::job::{ColumnDelimiter, LineEnding};
use crate::error::SalesforceError;

/// The text that sets a field to null.
pub const NULL_VALUE: &str = "#N/A";

/// One field of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvValue {
    /// A value, written as is (quoted when needed).
    Text(String),
    /// Clear the field (`#N/A`).
    Null,
    /// Leave the field as it is (an empty field).
    Unchanged,
}

impl From<&str> for CsvValue {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for CsvValue {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl<T: Into<CsvValue>> From<Option<T>> for CsvValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// CSV text under construction.
#[derive(Debug, Clone)]
pub struct CsvData {
    columns: Vec<String>,
    delimiter: char,
    line_ending: LineEnding,
    text: String,
    rows: usize,
}

impl CsvData {
    /// Comma-separated CSV with LF line endings and these columns.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Self::with_format(columns, ColumnDelimiter::Comma, LineEnding::Lf)
    }

    /// CSV with this delimiter and line ending (the job must say the same).
    pub fn with_format<S: Into<String>>(
        columns: impl IntoIterator<Item = S>,
        delimiter: ColumnDelimiter,
        line_ending: LineEnding,
    ) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let mut data = Self {
            columns: Vec::new(),
            delimiter: delimiter.character(),
            line_ending,
            text: String::new(),
            rows: 0,
        };
        let header: Vec<CsvValue> = columns
            .iter()
            .map(|column| CsvValue::Text(column.clone()))
            .collect();
        data.write_line(&header);
        data.columns = columns;
        data
    }

    /// The columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Rows written, the header not counted.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The CSV text so far.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The CSV text.
    pub fn into_string(self) -> String {
        self.text
    }

    /// Adds a row with one value per column.
    pub fn push_row<V: Into<CsvValue>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> Result<(), SalesforceError> {
        let values: Vec<CsvValue> = values.into_iter().map(Into::into).collect();
        if values.len() != self.columns.len() {
            return Err(SalesforceError::InvalidRequest(format!(
                "a row has {} values for {} columns",
                values.len(),
                self.columns.len()
            )));
        }
        self.write_line(&values);
        self.rows += 1;
        Ok(())
    }

    /// Adds a row from a JSON record: a missing key leaves the field unchanged, `null` clears
    /// it, strings are written as they are, numbers and booleans as JSON writes them.
    pub fn push_record(&mut self, record: &Map<String, Value>) -> Result<(), SalesforceError> {
        let values = self
            .columns
            .iter()
            .map(|column| match record.get(column) {
                None => Ok(CsvValue::Unchanged),
                Some(Value::Null) => Ok(CsvValue::Null),
                Some(Value::String(text)) => Ok(CsvValue::Text(text.clone())),
                Some(Value::Bool(flag)) => Ok(CsvValue::Text(flag.to_string())),
                Some(Value::Number(number)) => Ok(CsvValue::Text(number.to_string())),
                Some(_) => Err(SalesforceError::InvalidRequest(format!(
                    "`{column}` holds an object or array, which a CSV field cannot"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.push_row(values)
    }

    fn write_line(&mut self, values: &[CsvValue]) {
        for (index, value) in values.iter().enumerate() {
            if index > 0 {
                self.text.push(self.delimiter);
            }
            match value {
                CsvValue::Text(text) => self.text.push_str(&quote(text, self.delimiter)),
                CsvValue::Null => self.text.push_str(NULL_VALUE),
                CsvValue::Unchanged => {}
            }
        }
        self.text.push_str(self.line_ending.text());
    }
}

/// `text` as a CSV field: quoted when it holds the delimiter, a quote, a line break, or spaces
/// at either end (which a parser might trim), with inner quotes doubled. An empty text is
/// quoted too, so that it stays distinct from "unchanged" in the file.
fn quote(text: &str, delimiter: char) -> Cow<'_, str> {
    let needs_quotes = text.is_empty()
        || text.contains([delimiter, '"', '\n', '\r'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_only_what_needs_it_and_writes_nulls() {
        let mut csv = CsvData::new(["LastName", "Company", "Description", "Email"]);
        let row: [CsvValue; 4] = [
            "Doe".into(),
            "Acme, Inc.".into(),
            "said \"hi\"\nthen left".into(),
            CsvValue::Null,
        ];
        assert!(csv.push_row(row).is_ok());
        assert!(
            csv.push_row([
                CsvValue::from("Roe"),
                " padded ".into(),
                CsvValue::Unchanged,
                "".into()
            ])
            .is_ok()
        );
        assert_eq!(
            csv.as_str(),
            "LastName,Company,Description,Email\nDoe,\"Acme, Inc.\",\"said \"\"hi\"\"\nthen left\",#N/A\nRoe,\" padded \",,\"\"\n"
        );
        assert_eq!(csv.rows(), 2);
        assert!(csv.push_row([CsvValue::from("too few")]).is_err());
    }

    #[test]
    fn records_map_missing_keys_to_unchanged_and_null_to_na() {
        let mut csv = CsvData::with_format(["A", "B", "C", "D"], ColumnDelimiter::Pipe, LineEnding::Crlf);
        let record = json!({"A": "x|y", "B": null, "D": 5})
            .as_object()
            .cloned()
            .unwrap_or_default();
        assert!(csv.push_record(&record).is_ok());
        assert_eq!(csv.as_str(), "A|B|C|D\r\n\"x|y\"|#N/A||5\r\n");
        let nested = json!({"A": {"b": 1}}).as_object().cloned().unwrap_or_default();
        assert!(csv.push_record(&nested).is_err());
    }
}
