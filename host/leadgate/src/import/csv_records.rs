//! CSV records one at a time, into one reused buffer, each with the line it starts on.

use std::io::{self, Read};

use csv::ByteRecord;

use super::csv_input::{CsvInput, RowTooLong};

/// How much of the file the parser reads at once.
const BUFFER_BYTES: usize = 64 * 1024;

/// What [`CsvRecords::next_record`] found.
#[derive(Debug)]
pub(crate) enum CsvNext<'a> {
    /// A record starting on `line`.
    Record {
        /// The 1-based line of the record's first byte.
        line: u64,
        /// Its fields, exactly as parsed.
        record: &'a ByteRecord,
    },
    /// A record whose last field opens a quote that is never closed: it ran to the end of the
    /// file. Nothing follows.
    Unclosed {
        /// The 1-based line of the record's first byte.
        line: u64,
        /// Its fields, the last one running to the end of the file.
        record: &'a ByteRecord,
    },
    /// Reading stopped; nothing follows.
    Failed {
        /// The line of the record being read.
        line: u64,
        /// Why.
        failure: ReadFailure,
    },
    /// The end of the file.
    End,
}

/// Why reading stopped part-way.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The file could not be read further.
    Io(io::Error),
    /// A row grew over [`super::csv_input::MAX_ROW_BYTES`].
    RowTooLong,
}

/// Reads CSV records (comma-separated, `"` quotes with `""` escapes, any number of fields per
/// record) from a [`CsvInput`].
pub(crate) struct CsvRecords<R> {
    reader: csv::Reader<CsvInput<R>>,
    record: ByteRecord,
    finished: bool,
}

impl<R: Read> CsvRecords<R> {
    /// Starts reading `inner`.
    pub(crate) fn new(inner: R) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(CsvInput::new(inner));
        Self {
            reader,
            record: ByteRecord::new(),
            finished: false,
        }
    }

    /// The next record, or why there is none.
    pub(crate) fn next_record(&mut self) -> CsvNext<'_> {
        if self.finished {
            return CsvNext::End;
        }
        let start = self.reader.position().clone();
        self.reader.get_mut().set_row_start(start.byte());
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => {
                self.finished = true;
                return CsvNext::End;
            }
            Err(error) => {
                self.finished = true;
                return CsvNext::Failed {
                    line: start.line(),
                    failure: read_failure(error),
                };
            }
        }
        // Every line ending is a `\n` (see `CsvInput`), and a record is always ended by one
        // that the parser consumes with it, except when it runs to the end of the stream. So
        // the record starts on the line where the parser stands now, minus the line ending,
        // minus the newlines inside its quoted fields.
        let after = self.reader.position();
        let newlines_inside =
            |record: &ByteRecord| record.as_slice().iter().filter(|&&byte| byte == b'\n').count() as u64;
        if let Some(content_len) = self.reader.get_ref().content_len()
            && after.byte() >= content_len + super::csv_input::END_MARKER.len() as u64
        {
            // This record reached the end of the marker: it is the marker itself, or a record
            // that swallowed it inside an unclosed quote (so no line ending of its own).
            self.finished = true;
            if self.record.len() == 1 && self.record.get(0) == Some(b"\0".as_slice()) {
                return CsvNext::End;
            }
            return CsvNext::Unclosed {
                line: after.line().saturating_sub(newlines_inside(&self.record)).max(1),
                record: &self.record,
            };
        }
        // Most records hold no newline and follow the previous one directly: no need to count.
        let line = if after.line().saturating_sub(start.line()) == 1 {
            start.line()
        } else {
            after
                .line()
                .saturating_sub(newlines_inside(&self.record) + 1)
                .max(1)
        };
        CsvNext::Record {
            line,
            record: &self.record,
        }
    }
}

fn read_failure(error: csv::Error) -> ReadFailure {
    match error.into_kind() {
        csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) => {
            ReadFailure::RowTooLong
        }
        csv::ErrorKind::Io(io) => ReadFailure::Io(io),
        // Flexible byte records have no other errors; keep the message if one appears anyway.
        other => ReadFailure::Io(io::Error::other(format!("{other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, fields), and how the file ended.
    fn records(input: &[u8]) -> (Vec<(u64, Vec<String>)>, String) {
        let mut reader = CsvRecords::new(input);
        let mut found = Vec::new();
        loop {
            match reader.next_record() {
                CsvNext::Record { line, record } => found.push((
                    line,
                    record
                        .iter()
                        .map(|field| String::from_utf8_lossy(field).into_owned())
                        .collect(),
                )),
                CsvNext::Unclosed { line, record } => {
                    return (found, format!("unclosed at {line} in field {}", record.len()));
                }
                CsvNext::Failed { line, failure } => {
                    return (found, format!("failed at {line}: {failure:?}"));
                }
                CsvNext::End => return (found, "end".into()),
            }
        }
    }

    fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|field| (*field).to_owned()).collect())
    }

    #[test]
    fn records_carry_the_line_they_start_on_whatever_the_line_endings() {
        let expected = vec![
            row(1, &["h1", "h2"]),
            row(2, &["a", "b"]),
            row(4, &["c", "d"]),
            row(5, &["x\ny", "z"]),
            row(7, &["e", ""]),
        ];
        for ending in ["\n", "\r\n", "\r"] {
            let text = "h1,h2\na,b\n\nc,d\n\"x\ny\",z\ne,\n".replace('\n', ending);
            assert_eq!(
                records(text.as_bytes()),
                (expected.clone(), "end".into()),
                "{ending:?}"
            );
            let without_last_ending = text.strip_suffix(ending).unwrap();
            assert_eq!(
                records(without_last_ending.as_bytes()),
                (expected.clone(), "end".into()),
                "{ending:?}"
            );
            let with_blank_lines = format!("{text}{ending}{ending}");
            assert_eq!(
                records(with_blank_lines.as_bytes()),
                (expected.clone(), "end".into()),
                "{ending:?}"
            );
        }
    }

    #[test]
    fn quotes_closed_at_the_very_end_are_fine() {
        assert_eq!(records(b"a,\"b\""), (vec![row(1, &["a", "b"])], "end".into()));
        assert_eq!(
            records(b"a,\"b\"\"\""),
            (vec![row(1, &["a", "b\""])], "end".into())
        );
        assert_eq!(records(b"\"\""), (vec![row(1, &[""])], "end".into()));
        assert_eq!(records(b"\0"), (vec![row(1, &["\0"])], "end".into()));
    }

    #[test]
    fn a_quote_never_closed_is_reported_at_the_line_it_starts() {
        assert_eq!(
            records(b"h1,h2\na,b\nc,\"d\ne,f\n\n"),
            (
                vec![row(1, &["h1", "h2"]), row(2, &["a", "b"])],
                "unclosed at 3 in field 2".into()
            )
        );
        assert_eq!(records(b"a,\""), (vec![], "unclosed at 1 in field 2".into()));
        assert_eq!(records(b"a,\"\"\""), (vec![], "unclosed at 1 in field 2".into()));
    }

    #[test]
    fn empty_input_has_no_records() {
        for input in [&b""[..], b"\n", b"\r\n\r\n", b"\xEF\xBB\xBF"] {
            assert_eq!(records(input), (vec![], "end".into()), "{input:?}");
        }
    }
}
