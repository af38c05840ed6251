//! Which reader a file needs, from its name.

use std::path::Path;

/// The two file formats leadgate imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Comma-separated values with a header row (`.csv`).
    Csv,
    /// One JSON object per line (`.jsonl`, `.ndjson`, or `.json` holding JSON Lines).
    JsonLines,
}

impl InputFormat {
    /// The extensions leadgate recognizes, for hints.
    pub const EXTENSIONS: &'static str = "`.csv`, `.jsonl`, `.ndjson` or `.json` (JSON Lines)";

    /// The format a file's extension (case-insensitive) names: `.csv` is CSV; `.jsonl`,
    /// `.ndjson` and `.json` are JSON Lines. `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("csv") {
            Some(Self::Csv)
        } else if ["jsonl", "ndjson", "json"]
            .iter()
            .any(|known| extension.eq_ignore_ascii_case(known))
        {
            Some(Self::JsonLines)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_extension_in_any_case() {
        assert_eq!(
            InputFormat::from_path(Path::new("a/contacts.csv")),
            Some(InputFormat::Csv)
        );
        assert_eq!(
            InputFormat::from_path(Path::new("contacts.CSV")),
            Some(InputFormat::Csv)
        );
        for name in ["x.jsonl", "x.ndjson", "x.json", "x.JSONL"] {
            assert_eq!(
                InputFormat::from_path(Path::new(name)),
                Some(InputFormat::JsonLines),
                "{name}"
            );
        }
        for name in ["x.txt", "x", "csv", "x.csv.gz", ".csv"] {
            assert_eq!(InputFormat::from_path(Path::new(name)), None, "{name}");
        }
    }
}
