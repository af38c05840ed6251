//! A contact and its activities, borrowing their text instead of owning it.
//!
//! Scoring reads every activity of every contact it scores and hands it to plugins; decoding
//! each string into a `String` of its own, only to copy it into the plugin and drop it, was a
//! large share of a run. The store decodes its value bytes into a [`ContactHistory`] whose
//! strings point into them, and the plugin runtime copies them into the plugin from there.

use crate::ActivityKindView;

/// An open-ended name and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeView<'a> {
    /// The attribute's name.
    pub name: &'a str,
    /// Its value as text.
    pub value: &'a str,
}

/// A postal address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressView<'a> {
    /// Street and house number.
    pub street: Option<&'a str>,
    /// City or town.
    pub city: Option<&'a str>,
    /// State, province or region.
    pub state: Option<&'a str>,
    /// Postal or ZIP code.
    pub postal_code: Option<&'a str>,
    /// Country.
    pub country: Option<&'a str>,
}

/// A contact, as [`ContactRecord`](crate::ContactRecord) with borrowed text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactView<'a> {
    /// The stable external id.
    pub id: &'a str,
    /// E-mail address.
    pub email: Option<&'a str>,
    /// Given name.
    pub first_name: Option<&'a str>,
    /// Family name.
    pub last_name: Option<&'a str>,
    /// Company.
    pub company: Option<&'a str>,
    /// Job title.
    pub title: Option<&'a str>,
    /// Phone number.
    pub phone: Option<&'a str>,
    /// Postal address.
    pub address: AddressView<'a>,
    /// Every other field of the source, in name order.
    pub attributes: Vec<AttributeView<'a>>,
}

/// One thing a contact did, as [`ActivityRecord`](crate::ActivityRecord) with borrowed text
/// (and without the contact id, which its history holds).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityView<'a> {
    /// The activity's id.
    pub id: &'a str,
    /// What kind of activity it is.
    pub kind: ActivityKindView<'a>,
    /// When it happened, in milliseconds since the Unix epoch.
    pub occurred_at: i64,
    /// Product, URL, form or campaign.
    pub subject: Option<&'a str>,
    /// Units, e.g. licenses bought.
    pub quantity: Option<u32>,
    /// An amount, e.g. the price paid.
    pub value: Option<f64>,
    /// Every other field of the source, in name order.
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
