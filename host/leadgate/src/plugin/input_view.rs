//! Scoring input that borrows its text instead of owning it.
//!
//! The owned contract types ([`ContactActivities`] and its parts) need every string copied into
//! a `String` of its own before a call, and a contact copied once more for each rule that reads
//! it. Scoring reads every activity of every contact it scores, so those copies were a large
//! share of its work. These views lower into exactly the same WIT types (`contact-activities`,
//! `contact`, `activity`, …) straight from where the text already is: the store's value bytes.
//!
//! A [`ContactHistory`] holds one contact and its activities; each rule gets a
//! [`ContactActivitiesView`] that points into it, with only the activities the rule asks for.

mod activity_lowering;
mod contact_lowering;
mod guest_copy;

use wasmtime::component::{ComponentType, Lower};

use super::types::{ActivityKind, ContactActivities};

/// An input of `score-batch`: the owned contract type or a borrowed view of the same shape.
pub trait ScoringInput: ComponentType + Lower {
    /// The id of the contact the input is about, to name it in reports.
    fn contact_id(&self) -> &str;
}

impl ScoringInput for ContactActivities {
    fn contact_id(&self) -> &str {
        &self.contact.id
    }
}

impl ScoringInput for ContactActivitiesView<'_> {
    fn contact_id(&self) -> &str {
        self.contact.id
    }
}

/// An open-ended name and value (WIT `attribute`).
#[derive(ComponentType, Lower, Debug, Clone, Copy, PartialEq, Eq)]
#[component(record)]
pub struct AttributeView<'a> {
    /// The attribute's name.
    pub name: &'a str,
    /// Its value as text.
    pub value: &'a str,
}

/// A postal address (WIT `address`).
#[derive(ComponentType, Lower, Debug, Clone, Copy, Default, PartialEq, Eq)]
#[component(record)]
pub struct AddressView<'a> {
    /// Street and house number.
    pub street: Option<&'a str>,
    /// City or town.
    pub city: Option<&'a str>,
    /// State, province or region.
    pub state: Option<&'a str>,
    /// Postal or ZIP code.
    #[component(name = "postal-code")]
    pub postal_code: Option<&'a str>,
    /// Country.
    pub country: Option<&'a str>,
}

/// A contact (WIT `contact`). Its [`Lower`] is written by hand, for speed (see
/// `contact_lowering`).
#[derive(ComponentType, Debug, Clone, Default, PartialEq, Eq)]
#[component(record)]
pub struct ContactView<'a> {
    /// The stable external id.
    pub id: &'a str,
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Given name.
    #[component(name = "first-name")]
    pub first_name: Option<&'a str>,
    /// Family name.
    #[component(name = "last-name")]
    pub last_name: Option<&'a str>,
    /// Company.
    pub company: Option<&'a str>,
    /// Job title.
    pub title: Option<&'a str>,
    /// Phone number.
    pub phone: Option<&'a str>,
    /// Postal address.
    pub address: AddressView<'a>,
    /// Every other field of the source.
    pub attributes: Vec<AttributeView<'a>>,
}

/// What kind of thing a contact did (WIT `activity-kind`).
#[derive(ComponentType, Lower, Debug, Clone, Copy, PartialEq, Eq)]
#[component(variant)]
pub enum ActivityKindView<'a> {
    /// Bought something.
    #[component(name = "purchase")]
    Purchase,
    /// Viewed a page.
    #[component(name = "page-visit")]
    PageVisit,
    /// Submitted a form.
    #[component(name = "form-submission")]
    FormSubmission,
    /// Opened a marketing e-mail.
    #[component(name = "email-open")]
    EmailOpen,
    /// Clicked a link in a marketing e-mail.
    #[component(name = "email-click")]
    EmailClick,
    /// Registered for or attended an event.
    #[component(name = "event-attendance")]
    EventAttendance,
    /// Any other kind, by name.
    #[component(name = "custom")]
    Custom(&'a str),
}

impl<'a> ActivityKindView<'a> {
    /// The kind a stored kind name stands for (see [`crate::records::activity_kind`]).
    pub fn from_name(name: &'a str) -> Self {
        match name {
            "purchase" => Self::Purchase,
            "page-visit" => Self::PageVisit,
            "form-submission" => Self::FormSubmission,
            "email-open" => Self::EmailOpen,
            "email-click" => Self::EmailClick,
            "event-attendance" => Self::EventAttendance,
            custom => Self::Custom(custom),
        }
    }

    /// True when this is the contract kind `kind`.
    pub fn is(self, kind: &ActivityKind) -> bool {
        match (self, kind) {
            (Self::Purchase, ActivityKind::Purchase)
            | (Self::PageVisit, ActivityKind::PageVisit)
            | (Self::FormSubmission, ActivityKind::FormSubmission)
            | (Self::EmailOpen, ActivityKind::EmailOpen)
            | (Self::EmailClick, ActivityKind::EmailClick)
            | (Self::EventAttendance, ActivityKind::EventAttendance) => true,
            (Self::Custom(name), ActivityKind::Custom(other)) => name == other,
            _ => false,
        }
    }
}

/// One thing a contact did (WIT `activity`). Its [`Lower`] is written by hand, for speed (see
/// `activity_lowering`).
#[derive(ComponentType, Debug, Clone, PartialEq)]
#[component(record)]
pub struct ActivityView<'a> {
    /// The activity's id.
    pub id: &'a str,
    /// What kind of activity it is.
    pub kind: ActivityKindView<'a>,
    /// When it happened, in milliseconds since the Unix epoch.
    #[component(name = "occurred-at")]
    pub occurred_at: i64,
    /// Product, URL, form or campaign.
    pub subject: Option<&'a str>,
    /// Units, e.g. licenses bought.
    pub quantity: Option<u32>,
    /// An amount, e.g. the price paid.
    pub value: Option<f64>,
    /// Every other field of the source.
    pub attributes: Vec<AttributeView<'a>>,
}

/// A contact and all its activities, oldest first, borrowed from their stored bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactHistory<'a> {
    /// The contact.
    pub contact: ContactView<'a>,
    /// Its activities, oldest first (ties in id order).
    pub activities: Vec<ActivityView<'a>>,
}

impl ContactHistory<'_> {
    /// The input of a rule that reads the activities `wanted` accepts: references only, nothing
    /// is copied but the list of them.
    pub fn select(&self, mut wanted: impl FnMut(ActivityKindView<'_>) -> bool) -> ContactActivitiesView<'_> {
        ContactActivitiesView {
            contact: &self.contact,
            activities: self
                .activities
                .iter()
                .filter(|activity| wanted(activity.kind))
                .collect(),
        }
    }
}

/// A rule's input for one contact (WIT `contact-activities`), pointing into a
/// [`ContactHistory`].
#[derive(ComponentType, Lower, Debug, Clone, PartialEq)]
#[component(record)]
pub struct ContactActivitiesView<'a> {
    /// The contact.
    pub contact: &'a ContactView<'a>,
    /// The activities the rule reads, oldest first.
    pub activities: Vec<&'a ActivityView<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{STANDARD_ACTIVITY_KINDS, activity_kind};

    #[test]
    fn kind_views_match_the_contract_kinds_they_name() {
        for name in STANDARD_ACTIVITY_KINDS.into_iter().chain(["webinar-replay"]) {
            let view = ActivityKindView::from_name(name);
            for other in STANDARD_ACTIVITY_KINDS
                .into_iter()
                .chain(["webinar-replay", "webinar"])
            {
                assert_eq!(view.is(&activity_kind(other)), name == other, "{name} vs {other}");
            }
        }
    }

    #[test]
    fn a_rule_gets_references_to_the_activities_it_wants() {
        let activity = |id, kind| ActivityView {
            id,
            kind,
            occurred_at: 0,
            subject: None,
            quantity: None,
            value: None,
            attributes: Vec::new(),
        };
        let history = ContactHistory {
            contact: ContactView {
                id: "c-1",
                ..ContactView::default()
            },
            activities: vec![
                activity("a", ActivityKindView::Purchase),
                activity("b", ActivityKindView::PageVisit),
                activity("c", ActivityKindView::Purchase),
            ],
        };
        let purchases = history.select(|kind| kind == ActivityKindView::Purchase);
        assert!(std::ptr::eq(purchases.contact, &history.contact));
        let ids: Vec<&str> = purchases.activities.iter().map(|activity| activity.id).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(purchases.contact_id(), "c-1");
    }
}
