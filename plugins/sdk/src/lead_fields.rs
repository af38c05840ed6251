//! The describe of the target org's Lead object, with lookups by field name.

use crate::text::truncate_chars;
use crate::{FieldDescription, FieldType};

/// The Lead fields of the target org, as its describe reports them.
///
/// Lookups by API name are binary searches over an index built once per batch. An empty list
/// means the host did not pass a describe: mappings then cannot check fields and should send
/// what they have.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeadFields {
    fields: Vec<FieldDescription>,
    /// Indexes into `fields`, sorted by field name.
    by_name: Vec<usize>,
}

impl LeadFields {
    /// Indexes `fields` by name. When a name appears twice, lookups find the first.
    pub fn new(fields: Vec<FieldDescription>) -> Self {
        let mut by_name: Vec<usize> = (0..fields.len()).collect();
        // Stable, so among equal names the first stays first.
        by_name.sort_by(|&left, &right| fields[left].name.cmp(&fields[right].name));
        Self { fields, by_name }
    }

    /// The description of the field with API name `name` (exact, case-sensitive).
    pub fn get(&self, name: &str) -> Option<&FieldDescription> {
        let start = self
            .by_name
            .partition_point(|&index| self.fields[index].name.as_str() < name);
        self.by_name
            .get(start)
            .map(|&index| &self.fields[index])
            .filter(|field| field.name == name)
    }

    /// True when the describe has a field called `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// True when the host passed no describe.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The number of fields described.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The fields in the order the host gave them.
    pub fn iter(&self) -> core::slice::Iter<'_, FieldDescription> {
        self.fields.iter()
    }

    /// The fields in the order the host gave them.
    pub fn as_slice(&self) -> &[FieldDescription] {
        &self.fields
    }
}

impl From<Vec<FieldDescription>> for LeadFields {
    fn from(fields: Vec<FieldDescription>) -> Self {
        Self::new(fields)
    }
}

impl<'a> IntoIterator for &'a LeadFields {
    type Item = &'a FieldDescription;
    type IntoIter = core::slice::Iter<'a, FieldDescription>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FieldType {
    /// True for the types that take a text value: text, textarea, e-mail, phone, URL and
    /// (multi-)picklists.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::Text
                | Self::Textarea
                | Self::Email
                | Self::Phone
                | Self::Url
                | Self::Picklist
                | Self::Multipicklist
        )
    }
}

impl FieldDescription {
    /// The maximum length in characters, `None` when the describe sets none (length 0).
    pub fn max_chars(&self) -> Option<usize> {
        (self.length > 0).then(|| usize::try_from(self.length).unwrap_or(usize::MAX))
    }

    /// `text` cut to the field's maximum length in characters (never splitting a character).
    pub fn fit_text<'a>(&self, text: &'a str) -> &'a str {
        match self.max_chars() {
            Some(max_chars) => truncate_chars(text, max_chars),
            None => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn field(name: &str, length: u32, createable: bool) -> FieldDescription {
        FieldDescription {
            name: name.into(),
            label: name.into(),
            field_type: FieldType::Text,
            length,
            required: false,
            createable,
            updateable: createable,
            picklist_values: Vec::new(),
            restricted_picklist: false,
        }
    }

    #[test]
    fn lookups_by_name() {
        let fields = LeadFields::new(vec![
            field("LastName", 80, true),
            field("Company", 255, true),
            field("Email", 80, true),
            field("IsConverted", 0, false),
        ]);
        assert_eq!(fields.len(), 4);
        assert!(!fields.is_empty());
        assert_eq!(fields.get("Company").map(|f| f.length), Some(255));
        assert_eq!(fields.get("IsConverted").map(|f| f.createable), Some(false));
        assert!(fields.get("company").is_none());
        assert!(fields.get("Zzz").is_none());
        assert!(fields.get("").is_none());
        assert!(fields.contains("LastName"));
        let order: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(order, ["LastName", "Company", "Email", "IsConverted"]);
        assert!(LeadFields::default().is_empty());
    }

    #[test]
    fn duplicate_names_find_the_first() {
        let fields = LeadFields::new(vec![field("A", 1, true), field("A", 2, true)]);
        assert_eq!(fields.get("A").map(|f| f.length), Some(1));
    }

    #[test]
    fn fitting_text() {
        assert_eq!(field("City", 3, true).fit_text("Zürich"), "Zür");
        assert_eq!(field("City", 0, true).fit_text("Zürich"), "Zürich");
        assert!(FieldType::Picklist.is_text());
        assert!(!FieldType::Boolean.is_text());
    }
}
