//! The one place command output is written: data to stdout, as text or as JSON of typed
//! [`serde::Serialize`] documents (see [`crate::output`]).

use std::io::Write as _;

use serde::Serialize;

/// Writes command output to stdout. Broken pipes surface as errors that
/// [`super::is_broken_pipe`] recognises, so `leadgate … | head` ends quietly.
#[derive(Debug, Default)]
pub(super) struct Printer;

impl Printer {
    /// `document` as indented JSON and a newline.
    pub(super) fn json<T: Serialize + ?Sized>(&self, document: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(document)?;
        writeln!(std::io::stdout().lock(), "{text}")?;
        Ok(())
    }

    /// `document` as JSON on one line, for output that scripts read line by line.
    pub(super) fn json_line<T: Serialize + ?Sized>(&self, document: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string(document)?;
        writeln!(std::io::stdout().lock(), "{text}")?;
        Ok(())
    }

    /// Text as it is.
    pub(super) fn text(&self, text: &str) -> anyhow::Result<()> {
        std::io::stdout().lock().write_all(text.as_bytes())?;
        Ok(())
    }

    /// Bytes as they are (CSV).
    pub(super) fn bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        std::io::stdout().lock().write_all(bytes)?;
        Ok(())
    }
}
