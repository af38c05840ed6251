//! Between the domain model (`leadgate-model`) and the contract's own types (the bindings of
//! [`types`](crate::types)): owned records into contract values, and activity kinds both ways.
//!
//! The kinds are declared once, in the model; the matches here are exhaustive, so a kind added
//! there does not compile until the contract maps it.

use std::collections::BTreeMap;

use leadgate_model::{
    ActivityKindView, ActivityRecord, ActivityView, AttributeView, ContactRecord, ContactView,
};

use crate::types::{Activity, ActivityKind, Address, Attribute, Contact};

/// The contract's kind for a stored kind.
pub(crate) fn contract_kind(kind: ActivityKindView<'_>) -> ActivityKind {
    match kind {
        ActivityKindView::Purchase => ActivityKind::Purchase,
        ActivityKindView::PageVisit => ActivityKind::PageVisit,
        ActivityKindView::FormSubmission => ActivityKind::FormSubmission,
        ActivityKindView::EmailOpen => ActivityKind::EmailOpen,
        ActivityKindView::EmailClick => ActivityKind::EmailClick,
        ActivityKindView::EventAttendance => ActivityKind::EventAttendance,
        ActivityKindView::Custom(name) => ActivityKind::Custom(name.to_owned()),
    }
}

/// The stored kind a contract kind stands for, borrowing a custom kind's name.
pub(crate) fn kind_view(kind: &ActivityKind) -> ActivityKindView<'_> {
    match kind {
        ActivityKind::Purchase => ActivityKindView::Purchase,
        ActivityKind::PageVisit => ActivityKindView::PageVisit,
        ActivityKind::FormSubmission => ActivityKindView::FormSubmission,
        ActivityKind::EmailOpen => ActivityKindView::EmailOpen,
        ActivityKind::EmailClick => ActivityKindView::EmailClick,
        ActivityKind::EventAttendance => ActivityKindView::EventAttendance,
        ActivityKind::Custom(name) => ActivityKindView::Custom(name),
    }
}

/// The name of a contract kind, as stored and imported.
pub fn activity_kind_name(kind: &ActivityKind) -> &str {
    kind_view(kind).name()
}

/// The contract's kind for a kind name (a custom kind for any name that is not standard).
pub(crate) fn activity_kind(name: &str) -> ActivityKind {
    contract_kind(ActivityKindView::from_name(name))
}

impl From<ContactRecord> for Contact {
    fn from(record: ContactRecord) -> Self {
        Self {
            id: record.id,
            email: record.email,
            first_name: record.first_name,
            last_name: record.last_name,
            company: record.company,
            title: record.title,
            phone: record.phone,
            address: Address {
                street: record.street,
                city: record.city,
                state: record.state,
                postal_code: record.postal_code,
                country: record.country,
            },
            attributes: owned_attributes(record.attributes),
        }
    }
}

/// The activity as plugins see it (the contact id is not part of it).
impl From<ActivityRecord> for Activity {
    fn from(record: ActivityRecord) -> Self {
        Self {
            id: record.id,
            kind: activity_kind(&record.kind),
            occurred_at: record.occurred_at,
            subject: record.subject,
            quantity: record.quantity,
            value: record.value,
            attributes: owned_attributes(record.attributes),
        }
    }
}

impl From<&ContactView<'_>> for Contact {
    fn from(view: &ContactView<'_>) -> Self {
        let owned = |text: Option<&str>| text.map(str::to_owned);
        Self {
            id: view.id.to_owned(),
            email: owned(view.email),
            first_name: owned(view.first_name),
            last_name: owned(view.last_name),
            company: owned(view.company),
            title: owned(view.title),
            phone: owned(view.phone),
            address: Address {
                street: owned(view.address.street),
                city: owned(view.address.city),
                state: owned(view.address.state),
                postal_code: owned(view.address.postal_code),
                country: owned(view.address.country),
            },
            attributes: attribute_copies(&view.attributes),
        }
    }
}

impl From<&ActivityView<'_>> for Activity {
    fn from(view: &ActivityView<'_>) -> Self {
        Self {
            id: view.id.to_owned(),
            kind: contract_kind(view.kind),
            occurred_at: view.occurred_at,
            subject: view.subject.map(str::to_owned),
            quantity: view.quantity,
            value: view.value,
            attributes: attribute_copies(&view.attributes),
        }
    }
}

fn owned_attributes(attributes: BTreeMap<String, String>) -> Vec<Attribute> {
    attributes
        .into_iter()
        .map(|(name, value)| Attribute { name, value })
        .collect()
}

fn attribute_copies(attributes: &[AttributeView<'_>]) -> Vec<Attribute> {
    attributes
        .iter()
        .map(|attribute| Attribute {
            name: attribute.name.to_owned(),
            value: attribute.value.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use leadgate_model::STANDARD_ACTIVITY_KINDS;

    use super::*;

    #[test]
    fn every_kind_maps_to_the_contract_and_back() {
        for name in STANDARD_ACTIVITY_KINDS.into_iter().chain(["webinar-replay"]) {
            let kind = activity_kind(name);
            assert_eq!(activity_kind_name(&kind), name);
            assert_eq!(kind_view(&kind), ActivityKindView::from_name(name));
        }
        assert_eq!(activity_kind("webinar"), ActivityKind::Custom("webinar".into()));
        assert_eq!(activity_kind("purchase"), ActivityKind::Purchase);
    }
}
