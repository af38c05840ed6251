//! JSON Lines one object at a time: each line read into one reused buffer and parsed into the
//! object's entries, in the order they are written.

use std::io::{self, BufRead, BufReader, Read};

use super::csv_input::MAX_ROW_BYTES;
use super::import_issue::Problem;
use super::json_value::{Entries, JsonObject};

/// How much of the file is read at once.
const BUFFER_BYTES: usize = 64 * 1024;

/// What [`JsonLines::next_object`] found.
#[derive(Debug)]
pub(crate) enum JsonNext<'a> {
    /// The object on `line`.
    Object {
        /// The 1-based line.
        line: u64,
        /// Its keys and values, in order (a key may repeat), text borrowed from the line.
        entries: Entries<'a>,
    },
    /// A line that is not a JSON object.
    Invalid {
        /// The 1-based line.
        line: u64,
        /// Why.
        problem: Problem,
    },
    /// Reading stopped; nothing follows.
    Failed {
        /// The line being read.
        line: u64,
        /// Why.
        error: io::Error,
    },
    /// The end of the file.
    End,
}

/// Reads a JSON Lines file: one object per line; blank lines are skipped; `\r\n` works; a
/// UTF-8 BOM at the start is skipped.
pub(crate) struct JsonLines<R> {
    reader: BufReader<R>,
    line_buffer: Vec<u8>,
    /// Lines read so far.
    line: u64,
    finished: bool,
}

enum LineRead {
    Line,
    TooLong,
    End,
}

impl<R: Read> JsonLines<R> {
    /// Starts reading `inner`, reading its first block right away so a file that cannot be read
    /// at all fails here.
    pub(crate) fn open(inner: R) -> io::Result<Self> {
        let mut reader = BufReader::with_capacity(BUFFER_BYTES, inner);
        fill_buffer(&mut reader)?;
        Ok(Self {
            reader,
            line_buffer: Vec::new(),
            line: 0,
            finished: false,
        })
    }

    /// The next object, or why there is none.
    pub(crate) fn next_object(&mut self) -> JsonNext<'_> {
        // Find the next line that is not blank.
        let (line, start) = loop {
            if self.finished {
                return JsonNext::End;
            }
            let read = match self.read_line() {
                Ok(read) => read,
                Err(error) => {
                    self.finished = true;
                    return JsonNext::Failed {
                        line: self.line + 1,
                        error,
                    };
                }
            };
            match read {
                LineRead::End => {
                    self.finished = true;
                    return JsonNext::End;
                }
                LineRead::TooLong => {
                    return JsonNext::Invalid {
                        line: self.line,
                        problem: Problem::row(format!(
                            "the line is longer than {} MiB",
                            MAX_ROW_BYTES / (1024 * 1024)
                        )),
                    };
                }
                LineRead::Line => {}
            }
            let start = if self.line == 1 && self.line_buffer.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            let blank = self.line_buffer[start..].iter().all(u8::is_ascii_whitespace);
            if !blank {
                break (self.line, start);
            }
        };
        let bytes = &self.line_buffer[start..];
        match serde_json::from_slice::<JsonObject<'_>>(bytes) {
            Ok(JsonObject(entries)) => JsonNext::Object { line, entries },
            Err(error) => JsonNext::Invalid {
                line,
                problem: Problem::row(json_error_reason(&error, bytes)),
            },
        }
    }

    /// Reads the next physical line (without its line ending) into the line buffer. A line over
    /// [`MAX_ROW_BYTES`] is skipped to its end without being kept.
    fn read_line(&mut self) -> io::Result<LineRead> {
        self.line_buffer.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = fill_buffer(&mut self.reader)?;
            if available.is_empty() {
                if !any {
                    return Ok(LineRead::End);
                }
                break;
            }
            any = true;
            let (chunk, consumed, ended) = match available.iter().position(|&byte| byte == b'\n') {
                Some(end) => (&available[..end], end + 1, true),
                None => (available, available.len(), false),
            };
            if !too_long {
                if self.line_buffer.len() + chunk.len() > MAX_ROW_BYTES {
                    too_long = true;
                    self.line_buffer = Vec::new();
                } else {
                    self.line_buffer.extend_from_slice(chunk);
                }
            }
            self.reader.consume(consumed);
            if ended {
                break;
            }
        }
        self.line += 1;
        if too_long {
            return Ok(LineRead::TooLong);
        }
        if self.line_buffer.last() == Some(&b'\r') {
            self.line_buffer.pop();
        }
        Ok(LineRead::Line)
    }
}

fn fill_buffer<R: Read>(reader: &mut BufReader<R>) -> io::Result<&[u8]> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    // Already filled: this hands out the buffered bytes without reading again (returning them
    // from inside the loop would keep the reader borrowed for the whole loop).
    reader.fill_buf()
}

/// What is wrong with a line serde_json could not read as an object.
fn json_error_reason(error: &serde_json::Error, bytes: &[u8]) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data => {
            let found = match bytes.iter().find(|byte| !byte.is_ascii_whitespace()) {
                Some(b'[') => "an array",
                Some(b'"') => "text",
                Some(b't' | b'f') => "a boolean",
                Some(b'n') => "null",
                _ => "a number",
            };
            format!("the line is {found}, not a JSON object")
        }
        Category::Syntax | Category::Eof | Category::Io => {
            let message = error.to_string();
            let position = format!(" at line {} column {}", error.line(), error.column());
            let message = message.strip_suffix(&position).unwrap_or(&message);
            format!("not valid JSON at column {}: {message}", error.column())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Vec<String> {
        let mut lines = JsonLines::open(input).unwrap();
        let mut found = Vec::new();
        loop {
            match lines.next_object() {
                JsonNext::Object { line, entries } => {
                    let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_ref()).collect();
                    found.push(format!("{line}: {}", keys.join(",")));
                }
                JsonNext::Invalid { line, problem } => found.push(format!("{line}! {}", problem.reason)),
                JsonNext::Failed { line, error } => found.push(format!("{line} failed: {error}")),
                JsonNext::End => return found,
            }
        }
    }

    #[test]
    fn objects_keep_their_keys_in_order_with_line_numbers() {
        let input = b"\xEF\xBB\xBF{\"b\":1,\"a\":2,\"b\":3}\r\n\n   \r\n{}\n{\"x\":null}";
        assert_eq!(read_all(input), ["1: b,a,b", "4: ", "5: x"]);
    }

    #[test]
    fn lines_that_are_not_objects_say_why() {
        let input = b"{\"id\": \"c-1\"\n[1,2]\n\"text\"\n42\n{\"id\":1} {}\n{\"name\":\"M\xfcller\"}\n";
        assert_eq!(
            read_all(input),
            [
                "1! not valid JSON at column 12: EOF while parsing an object",
                "2! the line is an array, not a JSON object",
                "3! the line is text, not a JSON object",
                "4! the line is a number, not a JSON object",
                "5! not valid JSON at column 10: trailing characters",
                "6! not valid JSON at column 11: invalid unicode code point",
            ]
        );
    }

    #[test]
    fn an_overlong_line_is_skipped_and_reading_goes_on() {
        let mut input = b"{\"a\":\"".to_vec();
        input.resize(MAX_ROW_BYTES + 10, b'x');
        input.extend_from_slice(b"\"}\n{\"b\":1}\n");
        assert_eq!(read_all(&input), ["1! the line is longer than 64 MiB", "2: b"]);
    }
}
