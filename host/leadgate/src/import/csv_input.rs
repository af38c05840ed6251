//! The byte stream the CSV parser reads: the file without its UTF-8 BOM, with `\r\n` and lone
//! `\r` turned into `\n`, and with an end marker appended so an unclosed quote can be told
//! from a complete last row.
//!
//! Why: the `csv` crate accepts a quote left open at the end of the file without a word (the
//! rest of the file silently becomes one field), does not skip a BOM, and counts lines by
//! `\n` in a way that is off by one after `\r\n`. With every line ending a `\n`, the line a
//! record starts on is exact; and after [`END_MARKER`] an unclosed quote is the only way for a
//! record to run to the very end of the stream.

use std::fmt;
use std::io::{self, Read};

/// Appended after the file's last byte: a line ending, then a row of one NUL byte. A complete
/// last row ends at the `\n`, and the marker row that follows is dropped; a row still inside a
/// quoted field swallows the whole marker.
pub(crate) const END_MARKER: &[u8] = b"\n\0";

/// The longest row read into memory (from its first byte, plus the read-ahead buffer) before
/// reading stops, so an unclosed quote early in a huge file cannot take all memory.
pub const MAX_ROW_BYTES: usize = 64 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The error payload of a read that stopped because a row grew over [`MAX_ROW_BYTES`].
#[derive(Debug)]
pub(crate) struct RowTooLong;

impl fmt::Display for RowTooLong {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "a row is longer than {} MiB",
            MAX_ROW_BYTES / (1024 * 1024)
        )
    }
}

impl std::error::Error for RowTooLong {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing read yet: look for a BOM.
    Start,
    /// Passing the file on.
    Body,
    /// The file is over; handing out [`END_MARKER`] from this position.
    Marker(usize),
    /// Everything handed out.
    Done,
}

/// Wraps the file for the CSV parser (see the module documentation).
#[derive(Debug)]
pub(crate) struct CsvInput<R> {
    inner: R,
    phase: Phase,
    /// The first bytes of the file when they were not a BOM, still to be handed out.
    head: [u8; 3],
    head_len: usize,
    head_position: usize,
    /// The last byte handed out was a `\r` (turned into `\n`): drop a `\n` right after it.
    after_carriage_return: bool,
    /// Bytes handed out so far.
    emitted: u64,
    /// The number of bytes of the file (after normalization), once its end was reached.
    content_len: Option<u64>,
    /// Where the row being read starts, for [`MAX_ROW_BYTES`].
    row_start: u64,
}

impl<R: Read> CsvInput<R> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            phase: Phase::Start,
            head: [0; 3],
            head_len: 0,
            head_position: 0,
            after_carriage_return: false,
            emitted: 0,
            content_len: None,
            row_start: 0,
        }
    }

    /// The length of the normalized file, without [`END_MARKER`], once its end was reached.
    pub(crate) fn content_len(&self) -> Option<u64> {
        self.content_len
    }

    /// Records where the next row starts (a byte offset of the normalized stream).
    pub(crate) fn set_row_start(&mut self, offset: u64) {
        self.row_start = offset;
    }

    /// Reads the first three bytes and keeps them unless they are a BOM.
    fn skip_bom(&mut self) -> io::Result<()> {
        while self.head_len < BOM.len() {
            match self.inner.read(&mut self.head[self.head_len..]) {
                Ok(0) => break,
                Ok(read) => self.head_len += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        if self.head[..self.head_len] == *BOM {
            self.head_len = 0;
        }
        Ok(())
    }

    /// Reads file bytes into `buffer`: the kept head first, then the inner reader.
    fn read_file(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.head_position < self.head_len {
            let head = &self.head[self.head_position..self.head_len];
            let count = head.len().min(buffer.len());
            buffer[..count].copy_from_slice(&head[..count]);
            self.head_position += count;
            return Ok(count);
        }
        loop {
            match self.inner.read(buffer) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                result => return result,
            }
        }
    }

    /// Turns `\r\n` and lone `\r` into `\n` in place; returns how many bytes are kept.
    fn normalize_line_endings(&mut self, bytes: &mut [u8]) -> usize {
        if !self.after_carriage_return && !bytes.contains(&b'\r') {
            return bytes.len();
        }
        let mut kept = 0;
        for index in 0..bytes.len() {
            let byte = bytes[index];
            if byte == b'\n' && self.after_carriage_return {
                self.after_carriage_return = false;
                continue;
            }
            self.after_carriage_return = byte == b'\r';
            bytes[kept] = if byte == b'\r' { b'\n' } else { byte };
            kept += 1;
        }
        kept
    }
}

impl<R: Read> Read for CsvInput<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        if self.emitted.saturating_sub(self.row_start) > MAX_ROW_BYTES as u64 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLong));
        }
        loop {
            match self.phase {
                Phase::Start => {
                    self.skip_bom()?;
                    self.phase = Phase::Body;
                }
                Phase::Body => {
                    let read = self.read_file(buffer)?;
                    if read == 0 {
                        self.content_len = Some(self.emitted);
                        self.phase = Phase::Marker(0);
                        continue;
                    }
                    let kept = self.normalize_line_endings(&mut buffer[..read]);
                    if kept > 0 {
                        self.emitted += kept as u64;
                        return Ok(kept);
                    }
                }
                Phase::Marker(position) => {
                    let rest = &END_MARKER[position..];
                    let count = rest.len().min(buffer.len());
                    buffer[..count].copy_from_slice(&rest[..count]);
                    self.phase = if position + count == END_MARKER.len() {
                        Phase::Done
                    } else {
                        Phase::Marker(position + count)
                    };
                    self.emitted += count as u64;
                    return Ok(count);
                }
                Phase::Done => return Ok(0),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out one byte per call, to cross every chunk boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buffer.first_mut()) {
                (Some((&byte, rest)), Some(slot)) => {
                    *slot = byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn normalized(input: &[u8]) -> (Vec<u8>, Option<u64>) {
        let mut wrapped = CsvInput::new(input);
        let mut output = Vec::new();
        wrapped.read_to_end(&mut output).unwrap();
        let mut trickled = CsvInput::new(Trickle(input));
        let mut trickle_output = Vec::new();
        trickled.read_to_end(&mut trickle_output).unwrap();
        assert_eq!(output, trickle_output, "chunking changed the result");
        assert_eq!(wrapped.content_len(), trickled.content_len());
        (output, wrapped.content_len())
    }

    #[test]
    fn the_bom_goes_line_endings_become_newlines_and_the_marker_follows() {
        assert_eq!(
            normalized(b"\xEF\xBB\xBFa,b\r\nc\rd\n"),
            (b"a,b\nc\nd\n\n\0".to_vec(), Some(8))
        );
        assert_eq!(normalized(b"\r\n\r\n"), (b"\n\n\n\0".to_vec(), Some(2)));
        assert_eq!(normalized(b""), (b"\n\0".to_vec(), Some(0)));
        assert_eq!(normalized(b"\xEF\xBB"), (b"\xEF\xBB\n\0".to_vec(), Some(2)));
        assert_eq!(normalized(b"\xEF\xBB\xBF"), (b"\n\0".to_vec(), Some(0)));
        assert_eq!(
            normalized(b"x\xEF\xBB\xBF"),
            (b"x\xEF\xBB\xBF\n\0".to_vec(), Some(4))
        );
    }

    #[test]
    fn a_row_over_the_limit_stops_reading() {
        let mut wrapped = CsvInput::new(io::repeat(b'x'));
        let mut buffer = vec![0; 1024 * 1024];
        let mut total = 0;
        let error = loop {
            match wrapped.read(&mut buffer) {
                Ok(read) => total += read,
                Err(error) => break error,
            }
        };
        assert!(total > MAX_ROW_BYTES && total <= MAX_ROW_BYTES + buffer.len());
        assert!(error.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()));
        wrapped.set_row_start(total as u64);
        assert!(wrapped.read(&mut buffer).is_ok());
    }
}
