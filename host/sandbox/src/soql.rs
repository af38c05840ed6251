//! The SOQL subset the sandbox understands:
//!
//! ```text
//! SELECT field, … | COUNT() FROM Lead
//!   [WHERE condition] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]
//! condition := term {AND term} | term {OR term}      (mixing AND and OR needs parentheses)
//! term      := [NOT] ( condition ) | field op literal | field [NOT] IN (literal, …) | field LIKE 'text'
//! op        := = | != | <> | < | <= | > | >=
//! literal   := 'text' | number | true | false | null | YYYY-MM-DD | YYYY-MM-DDThh:mm:ssZ
//! ```
//!
//! Errors come back as Salesforce words them: `MALFORMED_QUERY` with the query, a caret under
//! the offending token and "unexpected token: …"; `INVALID_FIELD` for unknown or unfilterable
//! fields and mistyped values; `INVALID_TYPE` for objects other than Lead.

mod evaluate;
mod lexer;
mod parser;

pub use evaluate::{matches, sort_records};
pub use parser::{Comparison, Condition, Literal, Ordering, Query, parse};

/// A query Salesforce would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SoqlError {
    /// `MALFORMED_QUERY`, `INVALID_FIELD` or `INVALID_TYPE`.
    pub code: &'static str,
    /// The message, with the query and a caret for errors at a position.
    pub message: String,
}

impl SoqlError {
    /// An error at `column` (1-based, in characters) of `query`.
    fn at(code: &'static str, query: &str, column: usize, reason: &str) -> Self {
        let caret = " ".repeat(column.saturating_sub(1));
        Self {
            code,
            message: format!("\n{query}\n{caret}^\nERROR at Row:1:Column:{column}\n{reason}"),
        }
    }

    /// `MALFORMED_QUERY` "unexpected token: …".
    fn unexpected(query: &str, column: usize, token: &str) -> Self {
        Self::at(
            "MALFORMED_QUERY",
            query,
            column,
            &format!("unexpected token: {token}"),
        )
    }

    /// `INVALID_FIELD` "No such column …".
    fn no_such_column(query: &str, column: usize, name: &str) -> Self {
        Self::at(
            "INVALID_FIELD",
            query,
            column,
            &format!(
                "No such column '{name}' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::config::CustomField;
    use crate::lead_schema::LeadSchema;

    fn schema() -> LeadSchema {
        LeadSchema::new(&[CustomField::leadgate_id()])
    }

    fn record(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn parses_the_subset() {
        let schema = schema();
        let query = parse(
            "SELECT Id, LastName FROM Lead WHERE (Email LIKE '%@example.com' OR Company IN ('A','B')) AND IsDeleted = false ORDER BY LastName DESC NULLS LAST, Id LIMIT 10 OFFSET 5",
            &schema,
        )
        .unwrap();
        assert_eq!(query.fields, ["Id", "LastName"]);
        assert_eq!(query.limit, Some(10));
        assert_eq!(query.offset, Some(5));
        assert_eq!(query.order.len(), 2);
        let matching = record(json!({"Email": "a@EXAMPLE.com", "Company": "Z", "IsDeleted": false}));
        let other = record(json!({"Email": "a@else.com", "Company": "Z", "IsDeleted": false}));
        let condition = query.condition.unwrap();
        assert!(matches(&condition, &matching));
        assert!(!matches(&condition, &other));
    }

    #[test]
    fn count_and_comparisons() {
        let schema = schema();
        let query = parse(
            "select count() from lead where NumberOfEmployees >= 10 and CreatedDate > 2024-01-01T00:00:00Z",
            &schema,
        )
        .unwrap();
        assert!(query.count);
        let condition = query.condition.unwrap();
        let big = record(json!({"NumberOfEmployees": 12, "CreatedDate": "2024-05-01T00:00:00.000+0000"}));
        let small = record(json!({"NumberOfEmployees": 2, "CreatedDate": "2024-05-01T00:00:00.000+0000"}));
        let none = record(json!({"NumberOfEmployees": null, "CreatedDate": "2024-05-01T00:00:00.000+0000"}));
        assert!(matches(&condition, &big));
        assert!(!matches(&condition, &small));
        assert!(!matches(&condition, &none));
    }

    #[test]
    fn reports_errors_the_salesforce_way() {
        let schema = schema();
        let error = parse("SELECT Id FROM Lead WHERE", &schema).unwrap_err();
        assert_eq!(error.code, "MALFORMED_QUERY");
        assert!(
            error.message.ends_with("unexpected token: <EOF>"),
            "{}",
            error.message
        );
        let error = parse("SELECT Id, Nope FROM Lead", &schema).unwrap_err();
        assert_eq!(error.code, "INVALID_FIELD");
        assert!(
            error
                .message
                .contains("ERROR at Row:1:Column:12\nNo such column 'Nope' on entity 'Lead'"),
            "{}",
            error.message
        );
        let error = parse("select Id from XYZZY", &schema).unwrap_err();
        assert_eq!(error.code, "INVALID_TYPE");
        assert!(error.message.starts_with("\nselect Id from XYZZY\n               ^\nERROR at Row:1:Column:16\nsObject type 'XYZZY' is not supported."));
        let error = parse("SELECT Id FROM Lead WHERE LastName = 1", &schema).unwrap_err();
        assert_eq!(error.code, "INVALID_FIELD");
        let error = parse(
            "SELECT Id FROM Lead WHERE A = 'x' AND B = 'y' OR C = 'z'",
            &schema,
        )
        .unwrap_err();
        assert_eq!(error.code, "INVALID_FIELD");
        let error = parse(
            "SELECT Id FROM Lead WHERE LastName = 'x' AND Company = 'y' OR Email = 'z'",
            &schema,
        )
        .unwrap_err();
        assert_eq!(error.code, "MALFORMED_QUERY");
        let error = parse("SELECT Id FROM Lead WHERE Description = 'x'", &schema).unwrap_err();
        assert_eq!(error.code, "INVALID_FIELD");
        let error = parse("SELECT Id FROM Lead WHERE LastName = 'unterminated", &schema).unwrap_err();
        assert_eq!(error.code, "MALFORMED_QUERY");
    }

    #[test]
    fn sorts_with_nulls_first_ascending() {
        let schema = schema();
        let query = parse("SELECT Id FROM Lead ORDER BY LastName", &schema).unwrap();
        let mut records = vec![
            record(json!({"LastName": "b"})),
            record(json!({"LastName": null})),
            record(json!({"LastName": "A"})),
        ];
        sort_records(&mut records, &query.order);
        let names: Vec<&Value> = records.iter().map(|record| &record["LastName"]).collect();
        assert_eq!(names, [&Value::Null, &json!("A"), &json!("b")]);
    }
}
