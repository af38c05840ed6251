//! Query results as rows and columns, for tables, CSV and anything else that wants a grid.
//!
//! Salesforce returns records as JSON objects with an `attributes` member and relationship
//! fields nested (`"Owner": {"attributes": …, "Name": "Ann"}`), and serialises their keys in no
//! promised order. [`flatten_record`] turns a record into `Owner.Name`-style columns and
//! [`ordered_columns`] puts them in the order the query's SELECT list names them.

use serde_json::{Map, Value};

use crate::Record;

/// A record without `attributes`, with relationship fields flattened to `Owner.Name`.
pub fn flatten_record(record: &Record) -> Map<String, Value> {
    let mut flat = Map::new();
    flatten_into(&mut flat, "", record);
    flat
}

fn flatten_into(flat: &mut Map<String, Value>, prefix: &str, record: &Record) {
    for (key, value) in record {
        if key == "attributes" {
            continue;
        }
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(nested) if nested.contains_key("attributes") => {
                flatten_into(flat, &format!("{name}."), nested);
            }
            other => {
                flat.insert(name, other.clone());
            }
        }
    }
}

/// The columns of `rows`: first those the SELECT list of `soql` names, in its order and with
/// the records' spelling (SOQL ignores case), then any others in the order first seen. With no
/// rows, the SELECT list itself, so an empty result still has a header.
pub fn ordered_columns(soql: &str, rows: &[Map<String, Value>]) -> Vec<String> {
    let mut present: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !present.contains(key) {
                present.push(key.clone());
            }
        }
    }
    let mut ordered: Vec<String> = Vec::new();
    for selected in select_list(soql) {
        if let Some(found) = present.iter().find(|key| key.eq_ignore_ascii_case(&selected))
            && !ordered.contains(found)
        {
            ordered.push(found.clone());
        }
    }
    if ordered.is_empty() && present.is_empty() {
        return select_list(soql);
    }
    for key in present {
        if !ordered.contains(&key) {
            ordered.push(key);
        }
    }
    ordered
}

/// The field names between SELECT and FROM, outside parentheses (a subquery is not a column).
pub fn select_list(soql: &str) -> Vec<String> {
    let upper = soql.to_ascii_uppercase();
    let Some(start) = upper.find("SELECT") else {
        return Vec::new();
    };
    let Some(end) = upper.find(" FROM ").or_else(|| upper.find("\nFROM ")) else {
        return Vec::new();
    };
    if end <= start + 6 {
        return Vec::new();
    }
    let mut fields = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for character in soql[start + 6..end].chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => fields.push(std::mem::take(&mut current)),
            other if depth == 0 => current.push(other),
            _ => {}
        }
    }
    fields.push(current);
    fields
        .into_iter()
        .map(|field| field.trim().to_owned())
        .filter(|field| !field.is_empty())
        .collect()
}

/// A value as a table or CSV cell: text as it is, null or missing as empty, anything else as
/// its JSON.
pub fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(value: Value) -> Record {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn columns_follow_the_select_list() {
        let rows = vec![flatten_record(&record(
            json!({"attributes": {"type": "Lead"}, "LastName": "Doe", "Id": "00Q", "Owner": {"attributes": {}, "Name": "Ann"}}),
        ))];
        assert_eq!(
            ordered_columns("SELECT Id, lastname, Owner.Name FROM Lead", &rows),
            ["Id", "LastName", "Owner.Name"]
        );
        assert_eq!(
            ordered_columns("select Id, Email from Lead", &[]),
            ["Id", "Email"]
        );
        assert_eq!(select_list("SELECT Id, (SELECT Id FROM Tasks) FROM Lead"), ["Id"]);
    }

    #[test]
    fn fields_outside_the_select_list_come_last_in_the_order_seen() {
        let rows = vec![
            flatten_record(&record(json!({"Id": "1", "Zeta": 1}))),
            flatten_record(&record(json!({"Id": "2", "Alpha": 2}))),
        ];
        assert_eq!(
            ordered_columns("SELECT Id FROM Lead", &rows),
            ["Id", "Zeta", "Alpha"]
        );
        assert_eq!(
            ordered_columns("SELECT COUNT() FROM Lead", &rows),
            ["Id", "Zeta", "Alpha"]
        );
    }

    #[test]
    fn flattening_drops_attributes_and_keeps_plain_objects_whole() {
        let flat = flatten_record(&record(json!({
            "attributes": {"type": "Lead"},
            "Owner": {"attributes": {"type": "User"}, "Manager": {"attributes": {}, "Name": "Bo"}},
            "Address": {"city": "Paris"}
        })));
        assert_eq!(flat.get("Owner.Manager.Name"), Some(&json!("Bo")));
        assert_eq!(flat.get("Address"), Some(&json!({"city": "Paris"})));
        assert!(!flat.contains_key("attributes"));
    }

    #[test]
    fn select_lists_need_select_and_from() {
        assert!(select_list("Id FROM Lead").is_empty());
        assert!(select_list("SELECT Id").is_empty());
        assert!(select_list("SELECT FROM Lead").is_empty());
        assert_eq!(select_list("SELECT\n  Id,\n  Name\nFROM Lead"), ["Id", "Name"]);
    }

    #[test]
    fn cells_show_text_bare_and_other_values_as_json() {
        assert_eq!(cell_text(None), "");
        assert_eq!(cell_text(Some(&Value::Null)), "");
        assert_eq!(cell_text(Some(&json!("a,b"))), "a,b");
        assert_eq!(cell_text(Some(&json!(2.5))), "2.5");
        assert_eq!(cell_text(Some(&json!(true))), "true");
    }
}
