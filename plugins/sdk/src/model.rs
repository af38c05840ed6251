//! Conveniences on the WIT types: lookups on contacts and activities, and constructors for the
//! values plugins return.

use crate::{
    Activity, ActivityKind, Address, Attribute, Award, Contact, ContactActivities, Date, FieldValue,
    LeadField, Timestamp,
};

/// Finds the value of the attribute called `name` (names are case-sensitive and unique).
fn find_attribute<'a>(attributes: &'a [Attribute], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|attribute| attribute.name == name)
        .map(|attribute| attribute.value.as_str())
}

/// A standard field of a [`Contact`], by its kebab-case name.
///
/// Rules that let the configuration pick a contact field (like `attribute-match`'s `field`) can
/// parse the name with [`ContactField::from_name`] and read it with [`Contact::field`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactField {
    /// `id`: the contact's external id.
    Id,
    /// `email`.
    Email,
    /// `first-name`.
    FirstName,
    /// `last-name`.
    LastName,
    /// `company`.
    Company,
    /// `title`.
    Title,
    /// `phone`.
    Phone,
    /// `street`, from the address.
    Street,
    /// `city`, from the address.
    City,
    /// `state`, from the address.
    State,
    /// `postal-code`, from the address.
    PostalCode,
    /// `country`, from the address.
    Country,
}

impl ContactField {
    /// Every standard field, in the order of the WIT record.
    pub const ALL: [Self; 12] = [
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

    /// The kebab-case name, e.g. `first-name`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Email => "email",
            Self::FirstName => "first-name",
            Self::LastName => "last-name",
            Self::Company => "company",
            Self::Title => "title",
            Self::Phone => "phone",
            Self::Street => "street",
            Self::City => "city",
            Self::State => "state",
            Self::PostalCode => "postal-code",
            Self::Country => "country",
        }
    }

    /// The field called `name` (exactly as [`ContactField::name`] spells it), if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.name() == name)
    }
}

impl Attribute {
    /// An attribute called `name` with the text `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl Contact {
    /// A contact with the external id `id` and nothing else, e.g. to start a test value with
    /// `Contact { title: Some("IT Director".into()), ..Contact::new("c-1") }`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            email: None,
            first_name: None,
            last_name: None,
            company: None,
            title: None,
            phone: None,
            address: Address {
                street: None,
                city: None,
                state: None,
                postal_code: None,
                country: None,
            },
            attributes: Vec::new(),
        }
    }

    /// The value of the custom attribute `name` (case-sensitive), if the contact has it.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        find_attribute(&self.attributes, name)
    }

    /// The value of a standard field, `None` when absent. Address parts come from `address`.
    pub fn field(&self, field: ContactField) -> Option<&str> {
        match field {
            ContactField::Id => Some(self.id.as_str()),
            ContactField::Email => self.email.as_deref(),
            ContactField::FirstName => self.first_name.as_deref(),
            ContactField::LastName => self.last_name.as_deref(),
            ContactField::Company => self.company.as_deref(),
            ContactField::Title => self.title.as_deref(),
            ContactField::Phone => self.phone.as_deref(),
            ContactField::Street => self.address.street.as_deref(),
            ContactField::City => self.address.city.as_deref(),
            ContactField::State => self.address.state.as_deref(),
            ContactField::PostalCode => self.address.postal_code.as_deref(),
            ContactField::Country => self.address.country.as_deref(),
        }
    }
}

impl ContactActivities {
    /// A contact with its activities (oldest first, as the host sends them).
    pub fn new(contact: Contact, activities: Vec<Activity>) -> Self {
        Self { contact, activities }
    }
}

impl Activity {
    /// An activity of `kind` at `occurred_at` with no subject, quantity, value or attributes;
    /// add them with the `with_*` methods (handy in tests).
    pub fn new(id: impl Into<String>, kind: ActivityKind, occurred_at: Timestamp) -> Self {
        Self {
            id: id.into(),
            kind,
            occurred_at,
            subject: None,
            quantity: None,
            value: None,
            attributes: Vec::new(),
        }
    }

    /// The same activity with `subject`.
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The same activity with `quantity`.
    #[must_use]
    pub fn with_quantity(mut self, quantity: u32) -> Self {
        self.quantity = Some(quantity);
        self
    }

    /// The same activity with the amount `value`.
    #[must_use]
    pub fn with_value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    /// The same activity with one more attribute.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push(Attribute::new(name, value));
        self
    }

    /// The value of the activity's attribute `name` (case-sensitive), if it has it.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        find_attribute(&self.attributes, name)
    }

    /// The subject (product, URL, form, campaign), `None` when absent.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }
}

impl ActivityKind {
    /// The kind's kebab-case name as in the WIT (`purchase`, `page-visit`, …), or the source
    /// system's name for a custom kind.
    pub fn name(&self) -> &str {
        match self {
            Self::Purchase => "purchase",
            Self::PageVisit => "page-visit",
            Self::FormSubmission => "form-submission",
            Self::EmailOpen => "email-open",
            Self::EmailClick => "email-click",
            Self::EventAttendance => "event-attendance",
            Self::Custom(name) => name,
        }
    }
}

impl Award {
    /// An award of `points` that never expires.
    pub fn new(points: i64, reason: impl Into<String>) -> Self {
        Self {
            points,
            reason: reason.into(),
            expires_at: None,
        }
    }

    /// The same award, expiring at `timestamp` (the host stops counting it from then on).
    #[must_use]
    pub fn expires_at(mut self, timestamp: Timestamp) -> Self {
        self.expires_at = Some(timestamp);
        self
    }
}

impl FieldValue {
    /// The text, for a text value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }
}

impl LeadField {
    /// A text value (text, e-mail, phone, URL and picklist fields).
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Text(value.into()),
        }
    }

    /// A number (integer, double, currency and percent fields).
    pub fn number(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Number(value),
        }
    }

    /// A boolean.
    pub fn boolean(name: impl Into<String>, value: bool) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Boolean(value),
        }
    }

    /// A calendar date.
    pub fn date(name: impl Into<String>, value: Date) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Date(value),
        }
    }

    /// A moment in time.
    pub fn datetime(name: impl Into<String>, value: Timestamp) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Datetime(value),
        }
    }

    /// Clears the field in Salesforce. (To leave a field alone, do not return it at all.)
    pub fn null(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Contact {
        let mut contact = Contact {
            email: Some("jane@example.com".into()),
            last_name: Some("Doe".into()),
            title: Some("IT Director".into()),
            attributes: vec![Attribute::new("industry", "Software")],
            ..Contact::new("c-1")
        };
        contact.address.city = Some("Berlin".into());
        contact.address.postal_code = Some("10115".into());
        contact
    }

    #[test]
    fn contact_lookups() {
        let contact = contact();
        assert_eq!(contact.attribute("industry"), Some("Software"));
        assert_eq!(contact.attribute("Industry"), None);
        assert_eq!(contact.field(ContactField::Id), Some("c-1"));
        assert_eq!(contact.field(ContactField::Title), Some("IT Director"));
        assert_eq!(contact.field(ContactField::City), Some("Berlin"));
        assert_eq!(contact.field(ContactField::PostalCode), Some("10115"));
        assert_eq!(contact.field(ContactField::Company), None);
    }

    #[test]
    fn field_names_round_trip() {
        for field in ContactField::ALL {
            assert_eq!(ContactField::from_name(field.name()), Some(field));
        }
        assert_eq!(ContactField::from_name("industry"), None);
        assert_eq!(ContactField::from_name("First-Name"), None);
    }

    #[test]
    fn constructors() {
        let award = Award::new(5, "visited").expires_at(10);
        assert_eq!(award.points, 5);
        assert_eq!(award.expires_at, Some(10));
        assert_eq!(LeadField::text("Company", "Acme").value.as_text(), Some("Acme"));
        assert_eq!(LeadField::null("Company").value, FieldValue::Null);
        assert_eq!(
            ActivityKind::Custom("webinar-replay".into()).name(),
            "webinar-replay"
        );
        assert_eq!(ActivityKind::PageVisit.name(), "page-visit");
        let activity = Activity::new("a-1", ActivityKind::Purchase, 7)
            .with_subject("Visio")
            .with_quantity(3)
            .with_value(9.5)
            .with_attribute("currency", "EUR");
        assert_eq!(activity.subject(), Some("Visio"));
        assert_eq!(activity.quantity, Some(3));
        assert_eq!(activity.attribute("currency"), Some("EUR"));
        assert_eq!(activity.attribute("missing"), None);
    }
}
