//! Where in a configuration file something was written.

use std::fmt;
use std::ops::Range;

/// A position in a configuration file: its name, a 1-based line and a 1-based column counted in
/// characters. Displays as `file:line:column`, the form editors and terminals turn into links.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file's name as it was given (`leadgate.toml`, `/etc/leadgate/leadgate.toml`).
    pub file: String,
    /// The line, starting at 1.
    pub line: usize,
    /// The column in characters (not bytes), starting at 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The text of a configuration file with its name, to turn the byte offsets of the TOML parser
/// into [`Location`]s.
#[derive(Debug, Clone, Copy)]
pub(super) struct SourceText<'a> {
    name: &'a str,
    text: &'a str,
}

impl<'a> SourceText<'a> {
    /// The text `text` of the file called `name`.
    pub(super) fn new(name: &'a str, text: &'a str) -> Self {
        Self { name, text }
    }

    /// The location of the byte at `offset` (clamped to the text; an offset inside a character
    /// counts as that character).
    pub(super) fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = self.text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let line = before.matches('\n').count() + 1;
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        Location {
            file: self.name.to_owned(),
            line,
            column,
        }
    }

    /// The location where `span` starts.
    pub(super) fn start_of(&self, span: &Range<usize>) -> Location {
        self.location(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_one_based_lines_and_character_columns() {
        let source = SourceText::new("leadgate.toml", "a = 1\nname = \"Büro\" # x\r\nz");
        assert_eq!(source.location(0).to_string(), "leadgate.toml:1:1");
        assert_eq!(source.location(4).to_string(), "leadgate.toml:1:5");
        assert_eq!(source.location(6).to_string(), "leadgate.toml:2:1");
        // `#` is the 15th character of its line but its 16th byte: `ü` takes two.
        let hash = "a = 1\nname = \"Büro\" ".len();
        assert_eq!(source.location(hash).to_string(), "leadgate.toml:2:15");
        assert_eq!(source.location(1000).to_string(), "leadgate.toml:3:2");
    }

    #[test]
    fn an_offset_inside_a_character_counts_as_that_character() {
        let source = SourceText::new("f", "ü");
        assert_eq!(source.location(1).column, 1);
    }
}
