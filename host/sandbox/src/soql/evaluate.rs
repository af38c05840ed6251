//! Evaluating a WHERE condition and an ORDER BY against stored Lead values.

use std::cmp::Ordering as CmpOrdering;

use serde_json::{Map, Value};

use crate::soql::parser::{Comparison, Condition, Literal, Ordering};

/// Whether `record` satisfies `condition`. Text compares without regard to case, as in SOQL;
/// a null value satisfies only `= null`, `!= value` and `NOT IN`.
pub fn matches(condition: &Condition, record: &Map<String, Value>) -> bool {
    match condition {
        Condition::All(terms) => terms.iter().all(|term| matches(term, record)),
        Condition::Any(terms) => terms.iter().any(|term| matches(term, record)),
        Condition::Not(term) => !matches(term, record),
        Condition::Compare {
            field,
            comparison,
            value,
        } => {
            let stored = record.get(field).unwrap_or(&Value::Null);
            compare(stored, *comparison, value)
        }
        Condition::In {
            field,
            values,
            texts,
            negated,
        } => {
            let stored = record.get(field).unwrap_or(&Value::Null);
            let found = match (stored, texts) {
                (Value::String(text), Some(texts)) => {
                    texts.contains(&text.chars().flat_map(char::to_lowercase).collect::<String>())
                }
                _ => values
                    .iter()
                    .any(|value| compare(stored, Comparison::Equal, value)),
            };
            found != *negated
        }
        Condition::Like { field, pattern } => match record.get(field) {
            Some(Value::String(text)) => like(&text.to_lowercase(), &pattern.to_lowercase()),
            _ => false,
        },
    }
}

fn compare(stored: &Value, comparison: Comparison, literal: &Literal) -> bool {
    let ordering = match (stored, literal) {
        (Value::Null, Literal::Null) => Some(CmpOrdering::Equal),
        (Value::Null, _) | (_, Literal::Null) => None,
        (Value::Bool(stored), Literal::Boolean(value)) => Some(stored.cmp(value)),
        (Value::Number(stored), Literal::Number(value)) => {
            stored.as_f64().and_then(|stored| stored.partial_cmp(value))
        }
        (Value::String(stored), Literal::Text(value)) => Some(compare_text(stored, value)),
        (Value::String(stored), Literal::Date(value) | Literal::DateTime(value)) => {
            Some(stored.as_str().cmp(value))
        }
        _ => None,
    };
    match (comparison, ordering) {
        (Comparison::Equal, ordering) => ordering == Some(CmpOrdering::Equal),
        (Comparison::NotEqual, ordering) => ordering != Some(CmpOrdering::Equal),
        (_, None) => false,
        (Comparison::Less, Some(ordering)) => ordering == CmpOrdering::Less,
        (Comparison::LessOrEqual, Some(ordering)) => ordering != CmpOrdering::Greater,
        (Comparison::Greater, Some(ordering)) => ordering == CmpOrdering::Greater,
        (Comparison::GreaterOrEqual, Some(ordering)) => ordering != CmpOrdering::Less,
    }
}

fn compare_text(left: &str, right: &str) -> CmpOrdering {
    left.chars()
        .flat_map(char::to_lowercase)
        .cmp(right.chars().flat_map(char::to_lowercase))
}

/// SQL LIKE on lower-cased text: `%` any run, `_` one character, `\%` and `\_` literal.
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        tokens.push(match character {
            '\\' => PatternToken::Literal(characters.next().unwrap_or('\\')),
            '%' => PatternToken::Any,
            '_' => PatternToken::One,
            other => PatternToken::Literal(other),
        });
    }
    // Dynamic programming over (pattern position, text position): linear memory, no recursion.
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for token in &tokens {
        let mut next = vec![false; text.len() + 1];
        match token {
            PatternToken::Any => {
                let mut seen = false;
                for position in 0..=text.len() {
                    seen |= reachable[position];
                    next[position] = seen;
                }
            }
            PatternToken::One => {
                next[1..].copy_from_slice(&reachable[..text.len()]);
            }
            PatternToken::Literal(expected) => {
                for position in 0..text.len() {
                    next[position + 1] = reachable[position] && text[position] == *expected;
                }
            }
        }
        reachable = next;
    }
    reachable[text.len()]
}

enum PatternToken {
    Any,
    One,
    Literal(char),
}

/// Sorts records by the ORDER BY items (stable, so ties keep their order).
pub fn sort_records(records: &mut [Map<String, Value>], order: &[Ordering]) {
    if order.is_empty() {
        return;
    }
    records.sort_by(|left, right| {
        for item in order {
            let ordering = order_values(left.get(&item.field), right.get(&item.field), item);
            if ordering != CmpOrdering::Equal {
                return ordering;
            }
        }
        CmpOrdering::Equal
    });
}

fn order_values(left: Option<&Value>, right: Option<&Value>, item: &Ordering) -> CmpOrdering {
    let left = left.filter(|value| !value.is_null());
    let right = right.filter(|value| !value.is_null());
    match (left, right) {
        (None, None) => CmpOrdering::Equal,
        (None, Some(_)) => {
            if item.nulls_first {
                CmpOrdering::Less
            } else {
                CmpOrdering::Greater
            }
        }
        (Some(_), None) => {
            if item.nulls_first {
                CmpOrdering::Greater
            } else {
                CmpOrdering::Less
            }
        }
        (Some(left), Some(right)) => {
            let ordering = match (left, right) {
                (Value::Number(left), Value::Number(right)) => left
                    .as_f64()
                    .partial_cmp(&right.as_f64())
                    .unwrap_or(CmpOrdering::Equal),
                (Value::String(left), Value::String(right)) => compare_text(left, right),
                (Value::Bool(left), Value::Bool(right)) => left.cmp(right),
                _ => CmpOrdering::Equal,
            };
            if item.descending {
                ordering.reverse()
            } else {
                ordering
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_handles_wildcards_and_escapes() {
        assert!(like("jane@example.com", "%@example.com"));
        assert!(like("abc", "a_c"));
        assert!(!like("abbc", "a_c"));
        assert!(like("100%", "100\\%"));
        assert!(!like("1000", "100\\%"));
        assert!(like("", "%"));
    }
}
