//! Scoring input that borrows its text instead of owning it.
//!
//! The owned contract types ([`ContactActivities`] and its parts) need every string copied into
//! a `String` of its own before a call, and a contact copied once more for each rule that reads
//! it. Scoring reads every activity of every contact it scores, so those copies were a large
//! share of its work. A [`ContactActivitiesView`] points into a model
//! [`ContactHistory`] (whose text points into the store's value bytes) and lowers into exactly
//! the same WIT type, `contact-activities`, straight from there.

mod activity_lowering;
mod contact_lowering;
mod guest_copy;

use std::mem::MaybeUninit;

use leadgate_model::{ActivityKindView, ActivityView, ContactHistory, ContactView};
use wasmtime::component::__internal::{CanonicalAbiInfo, InstanceType, InterfaceType, LowerContext};
use wasmtime::component::{ComponentType, Lower};

use self::activity_lowering::copy_activities;
use self::contact_lowering::lower_contact;
use self::guest_copy::{record_field_offsets, takes_utf8};
use super::types::{Activity, Contact, ContactActivities};

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

/// A rule's input for one contact (WIT `contact-activities`), pointing into a
/// [`ContactHistory`]: references only, so building one per rule copies nothing but the list
/// of them.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactActivitiesView<'a> {
    /// The contact.
    pub contact: &'a ContactView<'a>,
    /// The activities the rule reads, oldest first.
    pub activities: Vec<&'a ActivityView<'a>>,
}

impl<'a> ContactActivitiesView<'a> {
    /// The input of a rule that reads the activities `wanted` accepts.
    pub fn select(
        history: &'a ContactHistory<'a>,
        mut wanted: impl FnMut(ActivityKindView<'_>) -> bool,
    ) -> Self {
        Self {
            contact: &history.contact,
            activities: history
                .activities
                .iter()
                .filter(|activity| wanted(activity.kind))
                .collect(),
        }
    }

    /// The same input as the owned contract type: what a guest that does not take UTF-8
    /// strings is given (lowered as wasmtime derives it), and what tests compare with.
    pub fn to_owned_input(&self) -> ContactActivities {
        ContactActivities {
            contact: Contact::from(self.contact),
            activities: self
                .activities
                .iter()
                .map(|activity| Activity::from(*activity))
                .collect(),
        }
    }
}

/// Byte offsets of `contact-activities`' fields: contact, activities.
const FIELD_OFFSETS: [usize; 2] = record_field_offsets([
    <Contact as ComponentType>::ABI,
    <Vec<Activity> as ComponentType>::ABI,
]);

// SAFETY: the view is the WIT type `contact-activities`, as the owned `ContactActivities` is:
// its type check, canonical ABI and flat representation are the owned type's.
#[allow(unsafe_code, reason = "ComponentType is an unsafe trait")]
unsafe impl ComponentType for ContactActivitiesView<'_> {
    type Lower = <ContactActivities as ComponentType>::Lower;

    const ABI: CanonicalAbiInfo = <ContactActivities as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <ContactActivities as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: a guest that takes UTF-8 gets the hand-written lowering, which writes exactly the
// canonical ABI layout of `contact-activities` (offsets from the owned types' layout, guest
// pointers only from the guest's `realloc`, see `guest_copy`); any other guest gets the owned
// type's derived lowering. The test suite compares the two.
#[allow(unsafe_code, reason = "Lower is an unsafe trait")]
unsafe impl Lower for ContactActivitiesView<'_> {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<Self::Lower>,
    ) -> wasmtime::Result<()> {
        // Inputs only ever travel in a list, in memory; this is for completeness.
        self.to_owned_input().linear_lower_to_flat(cx, ty, dst)
    }

    fn linear_lower_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        if !takes_utf8(cx) {
            return self.to_owned_input().linear_lower_to_memory(cx, ty, offset);
        }
        let [contact_at, activities_at] = FIELD_OFFSETS;
        lower_contact(cx, self.contact, offset + contact_at)?;
        let activities = copy_activities(cx, &self.activities)?;
        let mut list = [0u8; 8];
        activities.write(&mut list, 0);
        *cx.get::<8>(offset + activities_at) = list;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use leadgate_model::{ContactHistory, ContactView};

    use super::*;

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
        let purchases = ContactActivitiesView::select(&history, |kind| kind == ActivityKindView::Purchase);
        assert!(std::ptr::eq(purchases.contact, &history.contact));
        let ids: Vec<&str> = purchases.activities.iter().map(|activity| activity.id).collect();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(purchases.contact_id(), "c-1");
        assert_eq!(purchases.to_owned_input().activities.len(), 2);
    }

    #[test]
    fn the_layout_is_the_canonical_abis() {
        // contact (148 bytes, align 4) | list (8)
        assert_eq!(FIELD_OFFSETS, [0, 148]);
        assert_eq!(<ContactActivitiesView<'_> as ComponentType>::SIZE32, 156);
    }
}
