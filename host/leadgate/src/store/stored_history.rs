//! A contact's stored bytes, read once and decoded into views that borrow their text.
//!
//! Scoring reads every activity of every contact it scores and hands it to plugins; decoding
//! each string into a `String` of its own, only to copy it into the plugin and drop it, was a
//! large share of a run. [`StoredHistory`] keeps the value bytes sled returned, and
//! [`StoredHistory::decode`] builds a [`ContactHistory`] whose strings point into them.

use std::fmt;

use leadgate_model::{
    ActivityKindView, ActivityView, AddressView, AttributeView, ContactHistory, ContactView,
};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use super::contacts::ACTIVITIES_PER_CHUNK;
use super::keys::{self, Table};
use super::{Store, StoreError, codec};

/// One contact's record and activity chunks, as stored.
#[derive(Debug, Clone)]
pub struct StoredHistory {
    contact_key: Vec<u8>,
    contact: sled::IVec,
    /// Activity chunks with their keys, in chunk order.
    chunks: Vec<(Vec<u8>, sled::IVec)>,
}

impl Store {
    /// A contact's stored record and activities, if the contact is stored; decode them with
    /// [`StoredHistory::decode`].
    pub fn stored_history(&self, contact_id: &str) -> Result<Option<StoredHistory>, StoreError> {
        let contact_key = keys::contact(contact_id);
        let Some(contact) = self.data.get(&contact_key)? else {
            return Ok(None);
        };
        let first_key = keys::activity_chunk(contact_id, 0);
        let mut chunks = Vec::new();
        if let Some(first) = self.data.get(&first_key)? {
            // Chunks fill in order, so a first chunk that is not full is the whole history (see
            // `Store::activity_chunks`): one lookup, and the range scan only for long histories.
            let full = codec::sequence_length(&first).is_none_or(|length| length >= ACTIVITIES_PER_CHUNK);
            chunks.push((first_key, first));
            if full {
                for entry in self
                    .data
                    .range(keys::activity_chunk(contact_id, 1)..keys::activities_after(contact_id))
                {
                    let (key, value) = entry?;
                    chunks.push((key.to_vec(), value));
                }
            }
        }
        Ok(Some(StoredHistory {
            contact_key,
            contact,
            chunks,
        }))
    }
}

impl StoredHistory {
    /// The contact and its activities, oldest first (ties in id order, as
    /// [`Store::activities_of`]), borrowing their text from the stored bytes.
    pub fn decode(&self) -> Result<ContactHistory<'_>, StoreError> {
        let contact: BorrowedContact<'_> =
            codec::decode(Table::Contacts.name(), &self.contact_key, &self.contact)?;
        let mut activities = Vec::new();
        for (key, value) in &self.chunks {
            let chunk: Vec<BorrowedActivity<'_>> = codec::decode(Table::Activities.name(), key, value)?;
            activities.extend(chunk.into_iter().map(BorrowedActivity::into_view));
        }
        activities.sort_by(|left: &ActivityView<'_>, right| {
            left.occurred_at
                .cmp(&right.occurred_at)
                .then_with(|| left.id.cmp(right.id))
        });
        Ok(ContactHistory {
            contact: contact.into_view(),
            activities,
        })
    }
}

/// [`leadgate_model::ContactRecord`] as stored, field for field in the same order (postcard
/// has no field names), with borrowed text.
#[derive(Deserialize)]
struct BorrowedContact<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow)]
    email: Option<&'a str>,
    #[serde(borrow)]
    first_name: Option<&'a str>,
    #[serde(borrow)]
    last_name: Option<&'a str>,
    #[serde(borrow)]
    company: Option<&'a str>,
    #[serde(borrow)]
    title: Option<&'a str>,
    #[serde(borrow)]
    phone: Option<&'a str>,
    #[serde(borrow)]
    street: Option<&'a str>,
    #[serde(borrow)]
    city: Option<&'a str>,
    #[serde(borrow)]
    state: Option<&'a str>,
    #[serde(borrow)]
    postal_code: Option<&'a str>,
    #[serde(borrow)]
    country: Option<&'a str>,
    #[serde(borrow, deserialize_with = "borrowed_attributes")]
    attributes: Vec<AttributeView<'a>>,
}

impl<'a> BorrowedContact<'a> {
    fn into_view(self) -> ContactView<'a> {
        ContactView {
            id: self.id,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            company: self.company,
            title: self.title,
            phone: self.phone,
            address: AddressView {
                street: self.street,
                city: self.city,
                state: self.state,
                postal_code: self.postal_code,
                country: self.country,
            },
            attributes: self.attributes,
        }
    }
}

/// An activity as stored in its chunk (`StoredActivity` in `contacts.rs`), field for field in
/// the same order, with borrowed text.
#[derive(Deserialize)]
struct BorrowedActivity<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow)]
    kind: &'a str,
    occurred_at: i64,
    #[serde(borrow)]
    subject: Option<&'a str>,
    quantity: Option<u32>,
    value: Option<f64>,
    #[serde(borrow, deserialize_with = "borrowed_attributes")]
    attributes: Vec<AttributeView<'a>>,
}

impl<'a> BorrowedActivity<'a> {
    fn into_view(self) -> ActivityView<'a> {
        ActivityView {
            id: self.id,
            kind: ActivityKindView::from_name(self.kind),
            occurred_at: self.occurred_at,
            subject: self.subject,
            quantity: self.quantity,
            value: self.value,
            attributes: self.attributes,
        }
    }
}

/// Reads a stored attribute map (name → value, in name order) as borrowed pairs.
fn borrowed_attributes<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<AttributeView<'de>>, D::Error> {
    struct Pairs;
    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<AttributeView<'de>>;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a map of attribute names to values")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((name, value)) = map.next_entry::<&'de str, &'de str>()? {
                pairs.push(AttributeView { name, value });
            }
            Ok(pairs)
        }
    }
    deserializer.deserialize_map(Pairs)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use leadgate_model::{ActivityRecord, ContactRecord};

    fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn owned_attributes(views: &[AttributeView<'_>]) -> BTreeMap<String, String> {
        views
            .iter()
            .map(|view| (view.name.to_owned(), view.value.to_owned()))
            .collect()
    }

    fn owned_contact(view: &ContactView<'_>) -> ContactRecord {
        let text = |value: Option<&str>| value.map(str::to_owned);
        ContactRecord {
            id: view.id.to_owned(),
            email: text(view.email),
            first_name: text(view.first_name),
            last_name: text(view.last_name),
            company: text(view.company),
            title: text(view.title),
            phone: text(view.phone),
            street: text(view.address.street),
            city: text(view.address.city),
            state: text(view.address.state),
            postal_code: text(view.address.postal_code),
            country: text(view.address.country),
            attributes: owned_attributes(&view.attributes),
        }
    }

    fn owned_activity(contact_id: &str, view: &ActivityView<'_>) -> ActivityRecord {
        ActivityRecord {
            contact_id: contact_id.to_owned(),
            id: view.id.to_owned(),
            kind: view.kind.name().to_owned(),
            occurred_at: view.occurred_at,
            subject: view.subject.map(str::to_owned),
            quantity: view.quantity,
            value: view.value,
            attributes: owned_attributes(&view.attributes),
        }
    }

    #[test]
    fn the_borrowed_history_is_the_owned_one_field_for_field() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        let contact = ContactRecord {
            id: "c-1".into(),
            email: Some("ada@example.com".into()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            company: Some("Analytical Engines".into()),
            title: Some("Engineer".into()),
            phone: Some("+44 20".into()),
            street: Some("1 St James's Square".into()),
            city: Some("London".into()),
            state: Some("Greater London".into()),
            postal_code: Some("SW1Y".into()),
            country: Some("GB".into()),
            attributes: attributes(&[("industry", "computing"), ("source", "fair")]),
        };
        store.upsert_contacts(std::slice::from_ref(&contact)).unwrap();
        // More than a chunk, out of order, with every kind of field: the later chunks are read
        // and the order is the owned history's.
        let activities: Vec<ActivityRecord> = (0..ACTIVITIES_PER_CHUNK + 20)
            .map(|index| ActivityRecord {
                contact_id: "c-1".into(),
                id: format!("a-{index:04}"),
                kind: ["purchase", "page-visit", "webinar-replay"][index % 3].into(),
                occurred_at: i64::try_from((index * 7919) % 500).unwrap(),
                subject: (index % 2 == 0).then(|| format!("subject {index}")),
                quantity: (index % 5 == 0).then_some(u32::try_from(index).unwrap()),
                value: (index % 7 == 0).then_some(index as f64 / 3.0),
                attributes: if index % 4 == 0 {
                    attributes(&[("campaign", "spring"), ("utm", "mail")])
                } else {
                    BTreeMap::new()
                },
            })
            .collect();
        store.upsert_activities(&activities).unwrap();

        let owned_contact_record = store.contact("c-1").unwrap().unwrap();
        let owned_activities = store.activities_of("c-1").unwrap();
        let stored = store.stored_history("c-1").unwrap().unwrap();
        assert!(stored.chunks.len() > 1, "the history spans chunks");
        let history = stored.decode().unwrap();
        assert_eq!(owned_contact(&history.contact), owned_contact_record);
        let borrowed: Vec<ActivityRecord> = history
            .activities
            .iter()
            .map(|activity| owned_activity("c-1", activity))
            .collect();
        assert_eq!(borrowed, owned_activities);

        assert!(store.stored_history("nobody").unwrap().is_none());
    }

    #[test]
    fn a_contact_without_activities_has_an_empty_history() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path()).unwrap();
        store
            .upsert_contacts(&[ContactRecord {
                id: "c-2".into(),
                ..ContactRecord::default()
            }])
            .unwrap();
        let stored = store.stored_history("c-2").unwrap().unwrap();
        let history = stored.decode().unwrap();
        assert_eq!(history.contact.id, "c-2");
        assert!(history.activities.is_empty());
    }

    #[test]
    fn a_corrupt_value_is_named_not_decoded() {
        let stored = StoredHistory {
            contact_key: keys::contact("c-3"),
            contact: sled::IVec::from(vec![codec::VALUE_VERSION, 0xff]),
            chunks: Vec::new(),
        };
        let error = stored.decode().unwrap_err();
        assert!(error.to_string().contains("c-3"), "{error}");
    }
}
