//! Selecting contacts by their fields: `contacts list --filter city=paris`, and the HTTP API's
//! contact search.

use std::str::FromStr;

use leadgate_model::ContactRecord;

/// `FIELD=TEXT`: keeps contacts whose standard field or attribute `FIELD` contains `TEXT`,
/// ignoring case. The field name ignores case and surrounding spaces, and `-` stands for `_`
/// (`First-Name` is `first_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFilter {
    field: String,
    needle: String,
}

/// A filter that is not of the form `FIELD=TEXT`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not of the form FIELD=TEXT")]
pub struct ContactFilterError {
    text: String,
}

impl FromStr for ContactFilter {
    type Err = ContactFilterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (field, needle) = text.split_once('=').ok_or_else(|| ContactFilterError {
            text: text.to_owned(),
        })?;
        Ok(Self {
            field: field.trim().to_lowercase().replace('-', "_"),
            needle: needle.to_lowercase(),
        })
    }
}

impl ContactFilter {
    /// True when the contact has the field (or attribute) and its value contains the text.
    pub fn matches(&self, contact: &ContactRecord) -> bool {
        contact
            .field_or_attribute(&self.field)
            .is_some_and(|value| value.to_lowercase().contains(self.needle.as_str()))
    }

    /// True when the contact passes every filter (and so when there are none).
    pub fn all_match(filters: &[Self], contact: &ContactRecord) -> bool {
        filters.iter().all(|filter| filter.matches(contact))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn contact() -> ContactRecord {
        ContactRecord {
            id: "c-1".into(),
            first_name: Some("Zoë".into()),
            city: Some("Paris".into()),
            attributes: BTreeMap::from([("plan".to_owned(), "Enterprise".to_owned())]),
            ..ContactRecord::default()
        }
    }

    fn filter(text: &str) -> ContactFilter {
        text.parse().unwrap()
    }

    #[test]
    fn fields_and_attributes_match_by_substring_ignoring_case() {
        assert!(filter("city=par").matches(&contact()));
        assert!(filter(" First-Name =ZOË").matches(&contact()));
        assert!(filter("plan=prise").matches(&contact()));
        assert!(!filter("city=lyon").matches(&contact()));
        assert!(
            !filter("phone=").matches(&contact()),
            "a field without a value never matches"
        );
        assert!(
            filter("city=").matches(&contact()),
            "empty text matches any value"
        );
    }

    #[test]
    fn every_filter_must_match() {
        let both = [filter("city=paris"), filter("plan=enter")];
        assert!(ContactFilter::all_match(&both, &contact()));
        let one_wrong = [filter("city=paris"), filter("plan=free")];
        assert!(!ContactFilter::all_match(&one_wrong, &contact()));
        assert!(ContactFilter::all_match(&[], &contact()));
    }

    #[test]
    fn the_text_after_the_first_equals_sign_is_the_needle() {
        assert!(filter("plan=enterprise").matches(&contact()));
        let with_equals: ContactFilter = "note=a=b".parse().unwrap();
        assert_eq!(with_equals.needle, "a=b");
        let error = "city".parse::<ContactFilter>().unwrap_err();
        assert_eq!(error.to_string(), "`city` is not of the form FIELD=TEXT");
    }
}
