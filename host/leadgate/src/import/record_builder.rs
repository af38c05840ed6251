//! Turning one CSV record or JSON object into a record, field by field, through a
//! [`RecordBuilder`] shared by both formats.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::column_names::{Header, KnownField, Slot, normalize_name};
use super::field_rules::{attribute_name, check_field_size, normalize_newlines, not_utf8, text};
use super::import_issue::{Problem, quoted};
use super::json_value::JsonValue;

/// Builds one kind of record from text fields. A row is: [`RecordBuilder::start`], then
/// [`RecordBuilder::set`] or [`RecordBuilder::attributes`] per field, then
/// [`RecordBuilder::finish`]; the first error rejects the row and nothing of it is kept.
pub(crate) trait RecordBuilder: Default {
    /// The documented fields.
    type Field: KnownField;
    /// What a row becomes.
    type Record;

    /// What a CSV header lacks (e.g. `` `contact_id` ``), or `None` when it has what it needs.
    fn missing_columns(header: &Header<Self::Field>) -> Option<String>;

    /// Forgets everything of the previous row.
    fn start(&mut self);

    /// Sets a documented field from its text; the reason names no column.
    fn set(&mut self, field: Self::Field, value: &str) -> Result<(), String>;

    /// The row's attributes so far.
    fn attributes(&mut self) -> &mut BTreeMap<String, String>;

    /// The record, or what is missing: the field (when one is to blame) and the reason.
    fn finish(&mut self) -> Result<Self::Record, (Option<Self::Field>, String)>;
}

/// Adds an attribute: the value follows the text rules, an empty one is skipped, and a name
/// may appear once per row.
pub(crate) fn add_attribute(
    attributes: &mut BTreeMap<String, String>,
    name: &str,
    value: &str,
) -> Result<(), String> {
    let Some(value) = text(value)? else {
        return Ok(());
    };
    match attributes.entry(name.to_owned()) {
        Entry::Vacant(entry) => {
            entry.insert(value);
            Ok(())
        }
        Entry::Occupied(_) => Err(format!("the attribute `{name}` is given twice")),
    }
}

/// Builds a record from a CSV record mapped by `header`; `None` for a row whose cells are all
/// empty (like `,,,` at the end of spreadsheet exports), which is skipped like a blank line. The
/// first problem, left to right, rejects the row.
pub(crate) fn csv_row<B: RecordBuilder>(
    builder: &mut B,
    header: &Header<B::Field>,
    record: &csv::ByteRecord,
) -> Result<Option<B::Record>, Problem> {
    if record.iter().all(|field| field.trim_ascii().is_empty()) {
        return Ok(None);
    }
    if record.len() != header.len() {
        return Err(Problem::row(format!(
            "has {} values but the header has {} columns",
            record.len(),
            header.len()
        )));
    }
    builder.start();
    // One UTF-8 check for the whole record; a field is then a slice of it, unless the record is
    // not UTF-8 or a character straddles two fields, when each field is checked on its own.
    let bytes = record.as_slice();
    let whole = std::str::from_utf8(bytes).ok();
    for index in 0..record.len() {
        let problem = |reason: String| {
            let label = header.label(index);
            if label.is_empty() {
                Problem::row(format!("column {} (no name in the header) {reason}", index + 1))
            } else {
                Problem::column(label, reason)
            }
        };
        let range = record.range(index).unwrap_or_default();
        check_field_size(range.len()).map_err(problem)?;
        let value = match whole.and_then(|whole| whole.get(range.clone())) {
            Some(value) => value,
            None => {
                let raw = bytes.get(range).unwrap_or_default();
                std::str::from_utf8(raw).map_err(|error| problem(not_utf8(raw, error)))?
            }
        };
        match header.slot(index) {
            Some(Slot::Field(field)) => builder.set(*field, value).map_err(problem)?,
            Some(Slot::Attribute(name)) => {
                add_attribute(builder.attributes(), name, value).map_err(problem)?
            }
            Some(Slot::Unnamed) | None => {
                if !value.trim().is_empty() {
                    return Err(Problem::row(format!(
                        "column {} has no name in the header, but holds {}",
                        index + 1,
                        quoted(value.trim())
                    )));
                }
            }
        }
    }
    builder.finish().map(Some).map_err(|(field, reason)| match field {
        Some(field) => Problem::column(header.label_of(field), reason),
        None => Problem::row(reason),
    })
}

/// Builds a record from the entries of a JSON object, in the order they appear. Keys match
/// the documented names like CSV headers do; `attributes` holds an object of attributes; any
/// other key is an attribute. Values are text, numbers or booleans (used as text); `null` is
/// the same as leaving the key out; arrays and objects are rejected.
pub(crate) fn json_row<B: RecordBuilder>(
    builder: &mut B,
    entries: &[(Cow<'_, str>, JsonValue<'_>)],
) -> Result<B::Record, Problem> {
    builder.start();
    let mut given = 0_u64;
    let mut normalized = String::new();
    for (key, value) in entries {
        // Keys are mostly written exactly as documented: normalize only the others.
        let exact = B::Field::from_normalized(key);
        let name = if exact.is_some() || key == "attributes" {
            key.as_ref()
        } else {
            normalize_name(key, &mut normalized);
            normalized.as_str()
        };
        if name == "attributes" {
            json_attributes(builder.attributes(), key, value)?;
            continue;
        }
        let problem = |reason: String| Problem::column(key, reason);
        let Some(text) = scalar_text(value).map_err(problem)? else {
            continue;
        };
        check_field_size(text.len()).map_err(problem)?;
        match exact.or_else(|| B::Field::from_normalized(name)) {
            Some(field) => {
                let bit = 1_u64 << field.index();
                if given & bit != 0 {
                    return Err(problem(format!("`{}` is given twice", field.name())));
                }
                given |= bit;
                builder.set(field, &text).map_err(problem)?;
            }
            None => {
                let name = attribute_name(key).map_err(problem)?;
                add_attribute(builder.attributes(), name, &text).map_err(problem)?;
            }
        }
    }
    builder.finish().map_err(|(field, reason)| match field {
        Some(field) => Problem::column(field.name(), reason),
        None => Problem::row(reason),
    })
}

fn json_attributes(
    attributes: &mut BTreeMap<String, String>,
    key: &str,
    value: &JsonValue<'_>,
) -> Result<(), Problem> {
    let object = match value {
        JsonValue::Null => return Ok(()),
        JsonValue::Object(object) => object,
        other => {
            return Err(Problem::column(
                key,
                format!(
                    "is {}; it must be an object of attribute names to text, numbers or booleans",
                    other.kind()
                ),
            ));
        }
    };
    for (name, value) in object {
        let problem = |reason: String| Problem::column(&format!("{key}.{name}"), reason);
        let Some(text) = scalar_text(value).map_err(problem)? else {
            continue;
        };
        check_field_size(text.len()).map_err(problem)?;
        let name = attribute_name(name).map_err(problem)?;
        add_attribute(attributes, name, &text).map_err(problem)?;
    }
    Ok(())
}

/// The text of a JSON scalar (`None` for `null`); arrays and objects are an error.
fn scalar_text<'a>(value: &'a JsonValue<'_>) -> Result<Option<Cow<'a, str>>, String> {
    match value {
        JsonValue::Null => Ok(None),
        JsonValue::Bool(true) => Ok(Some(Cow::Borrowed("true"))),
        JsonValue::Bool(false) => Ok(Some(Cow::Borrowed("false"))),
        JsonValue::Number(number) => Ok(Some(Cow::Owned(number.to_string()))),
        JsonValue::Text(text) => Ok(Some(normalize_newlines(text))),
        JsonValue::Array | JsonValue::Object(_) => Err(format!(
            "is {}; only text, numbers, booleans and null are accepted here",
            value.kind()
        )),
    }
}
