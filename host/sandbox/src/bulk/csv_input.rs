//! Reading an uploaded job's CSV (reference §5.6): UTF-8, a header of field API names, the job's
//! column delimiter and line ending, quoted fields with doubled quotes.

use crate::bulk::job_spec::LineEnding;

/// The most characters the header row may have.
const MAX_HEADER_CHARACTERS: usize = 32_000;

/// A parsed upload: the header and the data rows, each as long as the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvData {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// Parses an upload, or explains (as the job's `errorMessage`) why it cannot be processed.
pub(crate) fn parse(bytes: &[u8], delimiter: u8, line_ending: LineEnding) -> Result<CsvData, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_line_ending(bytes, line_ending)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(describe(&error)),
        None => return Err("InvalidBatch : The CSV file has no header row".to_owned()),
    };
    let header: Vec<String> = header.iter().map(str::to_owned).collect();
    let header_characters: usize = header.iter().map(|name| name.chars().count() + 1).sum();
    if header_characters > MAX_HEADER_CHARACTERS {
        return Err(format!(
            "InvalidBatch : The header row has more than {MAX_HEADER_CHARACTERS} characters"
        ));
    }
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|error| describe(&error))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(CsvData { header, rows })
}

/// Salesforce checks the end of the lines against the job's `lineEnding` and fails the job
/// when they differ; looking at the header row's end is enough to catch a wrong setting.
fn check_line_ending(bytes: &[u8], line_ending: LineEnding) -> Result<(), String> {
    let Some(end) = bytes.iter().position(|&byte| byte == b'\n') else {
        return Ok(());
    };
    let carriage_return = end > 0 && bytes.get(end - 1) == Some(&b'\r');
    if carriage_return == (line_ending == LineEnding::Crlf) {
        Ok(())
    } else {
        Err(format!(
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {}",
            line_ending.name()
        ))
    }
}

fn describe(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "InvalidBatch : Wrong number of columns in row {}: expected {expected_len}, found {len}",
            pos.as_ref().map_or(0, csv::Position::record)
        ),
        csv::ErrorKind::Utf8 { .. } => "InvalidBatch : The CSV file is not valid UTF-8".to_owned(),
        _ => format!("InvalidBatch : Failed to parse CSV: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_with_delimiters_quotes_and_newlines() {
        let data = parse(
            b"LastName,Company,Description\n\"Doe, Jr.\",\"Acme \"\"Labs\"\"\",\"two\nlines\"\n",
            b',',
            LineEnding::Lf,
        )
        .unwrap();
        assert_eq!(data.header, ["LastName", "Company", "Description"]);
        assert_eq!(data.rows, [["Doe, Jr.", "Acme \"Labs\"", "two\nlines"]]);
    }

    #[test]
    fn uses_the_jobs_delimiter_and_skips_a_byte_order_mark() {
        let data = parse(
            b"\xEF\xBB\xBFLastName|Company\r\nDoe|Acme\r\n",
            b'|',
            LineEnding::Crlf,
        )
        .unwrap();
        assert_eq!(data.header, ["LastName", "Company"]);
        assert_eq!(data.rows, [["Doe", "Acme"]]);
    }

    #[test]
    fn explains_wrong_line_endings_and_column_counts() {
        let error = parse(b"LastName,Company\r\nDoe,Acme\r\n", b',', LineEnding::Lf).unwrap_err();
        assert!(
            error.starts_with("ClientInputError : LineEnding is invalid"),
            "{error}"
        );
        let error = parse(b"LastName,Company\nDoe\n", b',', LineEnding::Lf).unwrap_err();
        assert!(
            error.starts_with("InvalidBatch : Wrong number of columns"),
            "{error}"
        );
        let error = parse(b"", b',', LineEnding::Lf).unwrap_err();
        assert!(error.contains("no header row"), "{error}");
    }
}
