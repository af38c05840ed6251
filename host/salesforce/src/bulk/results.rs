//! The result files of an ingest job (reference §5.5): successful rows (`sf__Id`,
//! `sf__Created`), failed rows (`sf__Id`, `sf__Error` as `CODE:message:fields --`) and
//! unprocessed rows, each with the original columns. Row order is not the upload's order.

use std::collections::BTreeMap;

use crate::error_code::ErrorCode;

/// A row that was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessfulRecord {
    /// The record's id.
    pub id: String,
    /// True when created, false when updated.
    pub created: bool,
    /// The row's original columns.
    pub fields: BTreeMap<String, String>,
}

/// A row that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRecord {
    /// The record's id, when known (failed updates and deletes).
    pub id: Option<String>,
    /// Why it failed.
    pub error: BulkRecordError,
    /// The row's original columns.
    pub fields: BTreeMap<String, String>,
}

/// A row that was never processed (the job was aborted or failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprocessedRecord {
    /// The row's original columns.
    pub fields: BTreeMap<String, String>,
}

/// The error of a failed row, from `sf__Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRecordError {
    /// The code, e.g. `REQUIRED_FIELD_MISSING`.
    pub code: ErrorCode,
    /// The message.
    pub message: String,
    /// The fields concerned.
    pub fields: Vec<String>,
}

impl BulkRecordError {
    /// Parses `CODE:message:fields --` (the message may itself contain colons; the fields are
    /// comma-separated and may be empty: `CODE:message:--`).
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let (code, rest) = text.split_once(':').unwrap_or((text, ""));
        let rest = rest.trim_end().trim_end_matches("--").trim_end();
        let (message, fields) = rest.rsplit_once(':').unwrap_or((rest, ""));
        Self {
            code: ErrorCode::parse(code),
            message: message.trim().to_owned(),
            fields: fields
                .split(',')
                .map(str::trim)
                .filter(|field| !field.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

impl std::fmt::Display for BulkRecordError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.code, self.message)
    }
}

/// A parsed CSV: header and rows as column → value maps.
fn rows(text: &str, delimiter: char) -> Result<Vec<BTreeMap<String, String>>, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(u8::try_from(delimiter).unwrap_or(b','))
        .from_reader(text.as_bytes());
    let header = reader.headers()?.clone();
    reader
        .records()
        .map(|record| {
            let record = record?;
            Ok(header
                .iter()
                .zip(record.iter())
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect())
        })
        .collect()
}

/// Removes `name` from a row.
fn take(row: &mut BTreeMap<String, String>, name: &str) -> String {
    row.remove(name).unwrap_or_default()
}

/// The rows of `successfulResults`.
pub(crate) fn parse_successful(text: &str, delimiter: char) -> Result<Vec<SuccessfulRecord>, csv::Error> {
    Ok(rows(text, delimiter)?
        .into_iter()
        .map(|mut row| SuccessfulRecord {
            id: take(&mut row, "sf__Id"),
            created: take(&mut row, "sf__Created").eq_ignore_ascii_case("true"),
            fields: row,
        })
        .collect())
}

/// The rows of `failedResults`.
pub(crate) fn parse_failed(text: &str, delimiter: char) -> Result<Vec<FailedRecord>, csv::Error> {
    Ok(rows(text, delimiter)?
        .into_iter()
        .map(|mut row| {
            let id = take(&mut row, "sf__Id");
            FailedRecord {
                id: (!id.is_empty()).then_some(id),
                error: BulkRecordError::parse(&take(&mut row, "sf__Error")),
                fields: row,
            }
        })
        .collect())
}

/// The rows of `unprocessedrecords`.
pub(crate) fn parse_unprocessed(text: &str, delimiter: char) -> Result<Vec<UnprocessedRecord>, csv::Error> {
    Ok(rows(text, delimiter)?
        .into_iter()
        .map(|fields| UnprocessedRecord { fields })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_error_formats_seen_in_real_orgs() {
        let error =
            BulkRecordError::parse("REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --");
        assert_eq!(error.code, ErrorCode::RequiredFieldMissing);
        assert_eq!(error.message, "Required fields are missing: [Name]");
        assert_eq!(error.fields, ["Name"]);
        let error = BulkRecordError::parse(
            "UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 200 records: 00Q5e00000ABCDEEA4:--",
        );
        assert_eq!(error.code, ErrorCode::UnableToLockRow);
        assert_eq!(
            error.message,
            "unable to obtain exclusive access to this record or 200 records: 00Q5e00000ABCDEEA4"
        );
        assert!(error.fields.is_empty());
        let error =
            BulkRecordError::parse("STRING_TOO_LONG:Last Name: data value too large:LastName,FirstName --");
        assert_eq!(error.fields, ["LastName", "FirstName"]);
    }

    #[test]
    fn parses_result_files() {
        let successful = "\"sf__Id\",\"sf__Created\",FirstName,LastName,Company\n\"00Q5e00000ABCDEEA4\",\"true\",\"Jane\",\"Doe\",\"Acme, Inc.\"\n";
        let rows = parse_successful(successful, ',').unwrap_or_default();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, "00Q5e00000ABCDEEA4");
        assert!(rows[0].created);
        assert_eq!(
            rows[0].fields.get("Company").map(String::as_str),
            Some("Acme, Inc.")
        );
        let failed = "\"sf__Id\",\"sf__Error\",LastName\n\"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --\",Doe\n";
        let rows = parse_failed(failed, ',').unwrap_or_default();
        assert_eq!(rows[0].id, None);
        assert_eq!(rows[0].error.fields, ["Company"]);
        let rows = parse_unprocessed("LastName|Company\nDoe|Acme\n", '|').unwrap_or_default();
        assert_eq!(rows[0].fields.get("Company").map(String::as_str), Some("Acme"));
    }
}
