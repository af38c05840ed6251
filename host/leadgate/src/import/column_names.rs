//! The documented column names, how header cells and JSON keys match them, and a CSV header
//! mapped once to what each column holds.

use std::collections::HashMap;

use super::field_rules::attribute_name;
use super::import_error::ImportError;

/// Turns a column name or key into its matching form: trimmed, lowercased, with `-` and spaces
/// turned into `_` (`First-Name`, `first name` and ` FIRST_NAME ` all give `first_name`).
pub(crate) fn normalize_name(name: &str, normalized: &mut String) {
    normalized.clear();
    let name = name.trim();
    if name.is_ascii() {
        normalized.extend(name.bytes().map(|byte| match byte {
            b'-' | b' ' => '_',
            other => char::from(other.to_ascii_lowercase()),
        }));
        return;
    }
    for character in name.chars() {
        match character {
            '-' | ' ' => normalized.push('_'),
            other => normalized.extend(other.to_lowercase()),
        }
    }
}

/// A field with a documented column name; every other column is an attribute.
pub(crate) trait KnownField: Copy + Eq + std::hash::Hash + 'static {
    /// Every field, in documentation order.
    const ALL: &'static [Self];

    /// The documented (snake_case) name.
    fn name(self) -> &'static str;

    /// The position in [`KnownField::ALL`].
    fn index(self) -> usize;

    /// Other (normalized) names people give the field's column.
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }

    /// The field a normalized name (see [`normalize_name`]) stands for.
    fn from_normalized(normalized: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|field| field.name() == normalized || field.aliases().contains(&normalized))
    }

    /// The accepted column names, for hints.
    fn accepted_columns() -> String {
        let names: Vec<String> = Self::ALL
            .iter()
            .map(|field| format!("`{}`", field.name()))
            .collect();
        format!(
            "the columns leadgate knows are {} (case does not matter, and `-`, `_` and spaces are the same); every other column becomes an attribute",
            names.join(", ")
        )
    }
}

/// The documented fields of a contact file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ContactField {
    Id,
    Email,
    FirstName,
    LastName,
    Company,
    Title,
    Phone,
    Street,
    City,
    State,
    PostalCode,
    Country,
}

impl KnownField for ContactField {
    const ALL: &'static [Self] = &[
        Self::Id,
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Company,
        Self::Title,
        Self::Phone,
        Self::Street,
        Self::City,
        Self::State,
        Self::PostalCode,
        Self::Country,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Company => "company",
            Self::Title => "title",
            Self::Phone => "phone",
            Self::Street => "street",
            Self::City => "city",
            Self::State => "state",
            Self::PostalCode => "postal_code",
            Self::Country => "country",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            // Spreadsheet and CRM exports often spell it so.
            Self::Email => &["e_mail", "email_address"],
            _ => &[],
        }
    }
}

/// The documented fields of an activity file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ActivityField {
    Id,
    ContactId,
    Kind,
    OccurredAt,
    Subject,
    Quantity,
    Value,
}

impl KnownField for ActivityField {
    const ALL: &'static [Self] = &[
        Self::ContactId,
        Self::Kind,
        Self::OccurredAt,
        Self::Id,
        Self::Subject,
        Self::Quantity,
        Self::Value,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::ContactId => "contact_id",
            Self::Kind => "kind",
            Self::OccurredAt => "occurred_at",
            Self::Subject => "subject",
            Self::Quantity => "quantity",
            Self::Value => "value",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What one CSV column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Slot<F> {
    /// A documented field.
    Field(F),
    /// An attribute, by its name as written (trimmed).
    Attribute(String),
    /// A column with an empty header cell: its cells must be empty too.
    Unnamed,
}

/// The most columns a CSV file may have.
pub const MAX_COLUMNS: usize = 4_096;

/// A CSV header, mapped once: what each column holds and what it is called in the file.
#[derive(Debug, Clone)]
pub(crate) struct Header<F> {
    slots: Vec<Slot<F>>,
    labels: Vec<String>,
}

impl<F: KnownField> Header<F> {
    /// Maps the header cells. Fails on a cell that is not UTF-8 or not a valid attribute name,
    /// on a field or attribute named twice, and on more than [`MAX_COLUMNS`] columns.
    pub(crate) fn parse<'a>(
        cells: impl ExactSizeIterator<Item = &'a [u8]>,
        source_name: &str,
        line: u64,
    ) -> Result<Self, ImportError> {
        let invalid = |reason: String| ImportError::InvalidHeader {
            source_name: source_name.to_owned(),
            line,
            reason,
        };
        if cells.len() > MAX_COLUMNS {
            return Err(invalid(format!(
                "the header has {} columns, over the limit of {MAX_COLUMNS}",
                cells.len()
            )));
        }
        let mut slots = Vec::with_capacity(cells.len());
        let mut labels = Vec::with_capacity(cells.len());
        let mut positions: HashMap<Slot<F>, usize> = HashMap::with_capacity(cells.len());
        let mut normalized = String::new();
        for (index, raw) in cells.enumerate() {
            let position = index + 1;
            let cell = std::str::from_utf8(raw).map_err(|error| {
                invalid(format!(
                    "header column {position} {}",
                    super::field_rules::not_utf8(raw, error)
                ))
            })?;
            let label = cell.trim();
            normalize_name(label, &mut normalized);
            let slot = if label.is_empty() {
                Slot::Unnamed
            } else if let Some(field) = F::from_normalized(&normalized) {
                Slot::Field(field)
            } else {
                let name = attribute_name(label)
                    .map_err(|reason| invalid(format!("header column {position}: {reason}")))?;
                Slot::Attribute(name.to_owned())
            };
            if slot != Slot::Unnamed
                && let Some(first) = positions.insert(slot.clone(), position)
            {
                return Err(ImportError::DuplicateColumn {
                    source_name: source_name.to_owned(),
                    first_column: labels.get(first - 1).cloned().unwrap_or_default(),
                    column: label.to_owned(),
                    first,
                    second: position,
                    hint: F::accepted_columns(),
                });
            }
            slots.push(slot);
            labels.push(label.to_owned());
        }
        Ok(Self { slots, labels })
    }

    /// The number of columns.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// What the column at `index` holds.
    pub(crate) fn slot(&self, index: usize) -> Option<&Slot<F>> {
        self.slots.get(index)
    }

    /// The column at `index` as written in the header (trimmed); empty for an unnamed column.
    pub(crate) fn label(&self, index: usize) -> &str {
        self.labels.get(index).map_or("", String::as_str)
    }

    /// Whether some column holds `field`.
    pub(crate) fn has(&self, field: F) -> bool {
        self.slots.contains(&Slot::Field(field))
    }

    /// The header cell of the column holding `field`, or its documented name.
    pub(crate) fn label_of(&self, field: F) -> &str {
        self.slots
            .iter()
            .position(|slot| *slot == Slot::Field(field))
            .map_or(field.name(), |index| self.label(index))
    }

    /// Whether the header is a single column containing `;`: a file separated by semicolons
    /// rather than commas.
    pub(crate) fn looks_semicolon_separated(&self) -> bool {
        self.labels.len() == 1 && self.labels.iter().any(|label| label.contains(';'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<Header<ContactField>, ImportError> {
        Header::parse(cells.iter().map(|cell| cell.as_bytes()), "contacts.csv", 1)
    }

    #[test]
    fn names_match_ignoring_case_spaces_and_separators() {
        let mut normalized = String::new();
        for name in ["first_name", " First-Name ", "FIRST NAME", "first_Name"] {
            normalize_name(name, &mut normalized);
            assert_eq!(
                ContactField::from_normalized(&normalized),
                Some(ContactField::FirstName),
                "{name}"
            );
        }
        normalize_name("firstname", &mut normalized);
        assert_eq!(ContactField::from_normalized(&normalized), None);
        for name in ["E-Mail", "Email Address", "email"] {
            normalize_name(name, &mut normalized);
            assert_eq!(
                ContactField::from_normalized(&normalized),
                Some(ContactField::Email),
                "{name}"
            );
        }
        let error = header(&["id", "Email", "E-Mail"]).unwrap_err();
        assert!(error.to_string().contains("E-Mail"), "{error}");
    }

    #[test]
    fn a_header_maps_fields_attributes_and_unnamed_columns() {
        let header = header(&["ID", " Mail ", "Email", "Industry ", ""]).unwrap();
        assert_eq!(header.slot(0), Some(&Slot::Field(ContactField::Id)));
        // `mail` is not `email`: it becomes an attribute.
        assert_eq!(header.slot(1), Some(&Slot::Attribute("Mail".into())));
        assert_eq!(header.slot(2), Some(&Slot::Field(ContactField::Email)));
        assert_eq!(header.slot(3), Some(&Slot::Attribute("Industry".into())));
        assert_eq!(header.slot(4), Some(&Slot::Unnamed));
        assert_eq!(header.label_of(ContactField::Email), "Email");
        assert_eq!(header.label_of(ContactField::City), "city");
        assert!(header.has(ContactField::Id) && !header.has(ContactField::City));
    }

    #[test]
    fn a_field_or_attribute_named_twice_stops_the_file() {
        let error = header(&["id", "email", "EMAIL"]).unwrap_err();
        assert!(
            matches!(
                &error,
                ImportError::DuplicateColumn {
                    first: 2,
                    second: 3,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("contacts.csv: the header names one column twice: `email` (column 2) and `EMAIL` (column 3)\nhint: the columns leadgate knows are `id`, `email`, `first_name`"),
            "{error}"
        );
        assert!(matches!(
            header(&["id", "industry", " industry"]),
            Err(ImportError::DuplicateColumn {
                first: 2,
                second: 3,
                ..
            })
        ));
        assert!(header(&["id", "", ""]).is_ok());
    }

    #[test]
    fn malformed_header_cells_stop_the_file() {
        let error = Header::<ContactField>::parse([b"id".as_slice(), b"G\xf6\xdfe"].into_iter(), "c.csv", 1)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.csv: line 1: header column 2 is not valid UTF-8 (byte 0xF6 at byte 2 of the value); save the file as UTF-8"
        );
        let error = header(&["id", "a\u{1}b"]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "contacts.csv: line 1: header column 2: the attribute name `a\\u{1}b` contains the control character U+0001"
        );
        let many: Vec<String> = (0..=MAX_COLUMNS).map(|index| format!("c{index}")).collect();
        let error =
            Header::<ContactField>::parse(many.iter().map(|cell| cell.as_bytes()), "c.csv", 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "c.csv: line 1: the header has 4097 columns, over the limit of 4096"
        );
    }
}
