//! `import contacts|activities --json`.

use serde::Serialize;

use crate::import::ImportIssue;
use crate::ingest::IngestSummary;

/// What an import did with a file.
#[derive(Debug, Serialize)]
pub struct ImportDocument<'a> {
    aborted: bool,
    inserted: u64,
    issues: Vec<ImportIssueDocument<'a>>,
    kind: &'a str,
    rejected: u64,
    rows: u64,
    source: &'a str,
    unchanged: u64,
    updated: u64,
}

impl<'a> ImportDocument<'a> {
    /// The summary of importing `kind` (`contacts` or `activities`) from `source`.
    pub fn new(summary: &'a IngestSummary, source: &'a str, kind: &'a str) -> Self {
        Self {
            aborted: summary.aborted,
            inserted: summary.inserted,
            issues: summary.issues.iter().map(ImportIssueDocument::from).collect(),
            kind,
            rejected: summary.rejected,
            rows: summary.rows,
            source,
            unchanged: summary.unchanged,
            updated: summary.updated,
        }
    }
}

/// A rejected row: where, why, and the whole message as the text output prints it.
#[derive(Debug, Serialize)]
pub struct ImportIssueDocument<'a> {
    column: Option<&'a str>,
    line: u64,
    message: String,
    reason: &'a str,
}

impl<'a> From<&'a ImportIssue> for ImportIssueDocument<'a> {
    fn from(issue: &'a ImportIssue) -> Self {
        Self {
            column: issue.column.as_deref(),
            line: issue.line,
            message: issue.to_string(),
            reason: &issue.reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::{in_order, keys};

    #[test]
    fn import_summaries_keep_their_keys() {
        let summary = IngestSummary {
            rows: 2,
            inserted: 1,
            rejected: 1,
            issues: vec![ImportIssue {
                source: "a.csv".into(),
                line: 3,
                column: Some("email".into()),
                reason: "not an e-mail address".into(),
            }],
            ..IngestSummary::default()
        };
        let document = ImportDocument::new(&summary, "a.csv", "contacts");
        assert_eq!(
            keys(&document),
            [
                "aborted",
                "inserted",
                "issues",
                "kind",
                "rejected",
                "rows",
                "source",
                "unchanged",
                "updated"
            ]
        );
        assert!(in_order(&document));
        let value = serde_json::to_value(&document).unwrap();
        assert_eq!(value["issues"][0]["line"], 3);
        assert!(value["issues"][0]["message"].as_str().unwrap().contains("a.csv"));
    }
}
