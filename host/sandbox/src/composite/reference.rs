//! References between composite subrequests: `@{referenceId.path}` in a URL or a body, where the
//! path walks the earlier subrequest's JSON body with `.field` and `[index]` steps, e.g.
//! `@{newLead.id}` or `@{leads.records[0].Id}`.

use std::fmt;

use serde_json::Value;

/// The characters a reference opens and closes with.
const OPEN: &str = "@{";
const CLOSE: char = '}';

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `.name`: a key of an object.
    Field(String),
    /// `[n]`: an element of an array.
    Index(usize),
}

/// A parsed `@{…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    /// What stood between the braces, for messages.
    pub(crate) expression: String,
    /// The subrequest referred to.
    pub(crate) reference_id: String,
    /// The way through its body; empty for the whole body.
    pub(crate) path: Vec<Step>,
}

impl Reference {
    /// The value at the path in `body`, if there is one.
    pub(crate) fn lookup<'body>(&self, body: &'body Value) -> Option<&'body Value> {
        self.path.iter().try_fold(body, |value, step| match step {
            Step::Field(name) => value.as_object()?.get(name),
            Step::Index(index) => value.as_array()?.get(*index),
        })
    }
}

/// A `@{…}` that is not a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// The offending text.
    pub(crate) text: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Invalid reference specified: {}", self.text)
    }
}

/// A piece of a text: literal, or a reference to fill in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Reference(Reference),
}

/// Whether a subrequest's reference id has only the characters Salesforce allows.
pub(crate) fn is_valid_reference_id(text: &str) -> bool {
    let mut characters = text.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphanumeric())
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

fn is_name_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || character == '_'
}

/// Parses what stands between `@{` and `}`.
fn parse_expression(expression: &str) -> Result<Reference, SyntaxError> {
    let invalid = || SyntaxError {
        text: format!("{OPEN}{expression}{CLOSE}"),
    };
    let end = expression
        .find(|character: char| !is_name_character(character))
        .unwrap_or(expression.len());
    let (reference_id, mut rest) = expression.split_at(end);
    if reference_id.is_empty() {
        return Err(invalid());
    }
    let mut path = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after
                .find(|character: char| !is_name_character(character))
                .unwrap_or(after.len());
            if end == 0 {
                return Err(invalid());
            }
            path.push(Step::Field(after[..end].to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let (digits, remainder) = after.split_once(']').ok_or_else(invalid)?;
            let index = digits.parse::<usize>().map_err(|_| invalid())?;
            path.push(Step::Index(index));
            rest = remainder;
        } else {
            return Err(invalid());
        }
    }
    Ok(Reference {
        expression: expression.to_owned(),
        reference_id: reference_id.to_owned(),
        path,
    })
}

/// Splits a text into literals and references; an `@{` without its `}` is an error rather than
/// text, because a client that wrote one meant a reference.
fn pieces(text: &str) -> Result<Vec<Piece>, SyntaxError> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        if start > 0 {
            pieces.push(Piece::Literal(rest[..start].to_owned()));
        }
        let after = &rest[start + OPEN.len()..];
        let end = after.find(CLOSE).ok_or_else(|| SyntaxError {
            text: rest[start..].to_owned(),
        })?;
        pieces.push(Piece::Reference(parse_expression(&after[..end])?));
        rest = &after[end + CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest.to_owned()));
    }
    Ok(pieces)
}

/// Every reference in a text.
pub(crate) fn references_in_text(text: &str) -> Result<Vec<Reference>, SyntaxError> {
    Ok(pieces(text)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Reference(reference) => Some(reference),
            Piece::Literal(_) => None,
        })
        .collect())
}

/// Every reference in the strings of a JSON value.
pub(crate) fn references_in_json(value: &Value) -> Result<Vec<Reference>, SyntaxError> {
    match value {
        Value::String(text) => references_in_text(text),
        Value::Array(items) => items.iter().try_fold(Vec::new(), |mut all, item| {
            all.extend(references_in_json(item)?);
            Ok(all)
        }),
        Value::Object(object) => object.values().try_fold(Vec::new(), |mut all, item| {
            all.extend(references_in_json(item)?);
            Ok(all)
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(Vec::new()),
    }
}

/// A referenced value as text: strings as they are, anything else as JSON.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Fills the references of a text in with `resolve`'s values.
pub(crate) fn fill_text<E>(
    text: &str,
    resolve: &mut impl FnMut(&Reference) -> Result<Value, E>,
    syntax: impl Fn(SyntaxError) -> E,
) -> Result<String, E> {
    let mut filled = String::with_capacity(text.len());
    for piece in pieces(text).map_err(syntax)? {
        match piece {
            Piece::Literal(literal) => filled.push_str(&literal),
            Piece::Reference(reference) => filled.push_str(&as_text(&resolve(&reference)?)),
        }
    }
    Ok(filled)
}

/// Fills the references in the strings of a JSON value. A string that is one reference and
/// nothing else takes the referenced value itself, so that a number stays a number and a null
/// stays null; references inside a longer string are filled in as text.
pub(crate) fn fill_json<E>(
    value: Value,
    resolve: &mut impl FnMut(&Reference) -> Result<Value, E>,
    syntax: &impl Fn(SyntaxError) -> E,
) -> Result<Value, E> {
    match value {
        Value::String(text) => {
            let parts = pieces(&text).map_err(syntax)?;
            match parts.as_slice() {
                [Piece::Reference(reference)] => resolve(reference),
                _ => fill_text(&text, resolve, syntax).map(Value::String),
            }
        }
        Value::Array(items) => items
            .into_iter()
            .map(|item| fill_json(item, resolve, syntax))
            .collect::<Result<Vec<_>, E>>()
            .map(Value::Array),
        Value::Object(object) => object
            .into_iter()
            .map(|(key, item)| Ok((key, fill_json(item, resolve, syntax)?)))
            .collect::<Result<serde_json::Map<_, _>, E>>()
            .map(Value::Object),
        other @ (Value::Null | Value::Bool(_) | Value::Number(_)) => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reference(text: &str) -> Reference {
        references_in_text(text).unwrap().remove(0)
    }

    #[test]
    fn parses_fields_and_indexes() {
        let parsed = reference("/x/@{leads.records[0].Id}?a=b");
        assert_eq!(parsed.reference_id, "leads");
        assert_eq!(
            parsed.path,
            vec![
                Step::Field("records".into()),
                Step::Index(0),
                Step::Field("Id".into())
            ]
        );
        assert_eq!(parsed.expression, "leads.records[0].Id");
        assert_eq!(reference("@{whole}").path, Vec::new());
    }

    #[test]
    fn refuses_what_is_not_a_reference() {
        for text in [
            "@{}", "@{.id}", "@{a.}", "@{a[x]}", "@{a[0}", "@{a-b}", "x @{a.id",
        ] {
            assert!(references_in_text(text).is_err(), "{text}");
        }
        assert!(
            references_in_text("no references, just {braces} and @ signs").is_ok_and(|all| all.is_empty())
        );
    }

    #[test]
    fn looks_values_up_along_the_path() {
        let body = json!({"records": [{"Id": "00Q1"}, {"Id": null}], "totalSize": 2});
        assert_eq!(
            reference("@{q.records[0].Id}").lookup(&body),
            Some(&json!("00Q1"))
        );
        assert_eq!(reference("@{q.records[1].Id}").lookup(&body), Some(&Value::Null));
        assert_eq!(reference("@{q.records[2].Id}").lookup(&body), None);
        assert_eq!(reference("@{q.totalSize.x}").lookup(&body), None);
        assert_eq!(reference("@{q}").lookup(&body), Some(&body));
    }

    #[test]
    fn fills_whole_strings_with_values_and_longer_strings_with_text() {
        let mut resolve = |reference: &Reference| -> Result<Value, String> {
            match reference.reference_id.as_str() {
                "lead" => Ok(json!("00Q5")),
                "count" => Ok(json!(3)),
                other => Err(format!("no {other}")),
            }
        };
        let syntax = |error: SyntaxError| error.to_string();
        let body = json!({"Id": "@{lead.id}", "Employees": "@{count.n}",
            "Description": "lead @{lead.id} of @{count.n}", "Tags": ["@{count.n}"], "Flag": true});
        assert_eq!(
            fill_json(body, &mut resolve, &syntax),
            Ok(
                json!({"Id": "00Q5", "Employees": 3, "Description": "lead 00Q5 of 3",
                "Tags": [3], "Flag": true})
            )
        );
        assert_eq!(
            fill_text("/sobjects/Lead/@{lead.id}", &mut resolve, syntax),
            Ok("/sobjects/Lead/00Q5".to_owned())
        );
        assert_eq!(
            fill_text("@{other.id}", &mut resolve, syntax),
            Err("no other".to_owned())
        );
    }

    #[test]
    fn reference_ids_are_letters_digits_and_underscores() {
        assert!(is_valid_reference_id("newLead_1"));
        assert!(is_valid_reference_id("1st"));
        assert!(!is_valid_reference_id("_lead"));
        assert!(!is_valid_reference_id("new-lead"));
        assert!(!is_valid_reference_id(""));
    }
}
