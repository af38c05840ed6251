//! How a model [`ContactView`] is copied into a plugin's memory (WIT `contact`), written by hand
//! for speed: see [`super::guest_copy`] for why and how. Every rule of every batch gets the
//! contact, so it is copied once per rule that reads it.

use leadgate_model::ContactView;
use wasmtime::component::__internal::{ComponentVariant, LowerContext};
use wasmtime::component::ComponentType;

use super::guest_copy::{GuestSlice, copy_attributes, copy_optional_text, copy_text, record_field_offsets};
use crate::types::{Address, Attribute, Contact};

/// Byte offsets of the record's fields, in WIT order: id, email, first-name, last-name,
/// company, title, phone, address, attributes.
const FIELD_OFFSETS: [usize; 9] = record_field_offsets([
    <&str as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Address as ComponentType>::ABI,
    <Vec<Attribute> as ComponentType>::ABI,
]);
/// Byte offsets of the address's parts within it: street, city, state, postal-code, country.
const ADDRESS_OFFSETS: [usize; 5] = record_field_offsets([<Option<&str> as ComponentType>::ABI; 5]);
/// The record's size in bytes (148).
const RECORD_SIZE: usize = <Contact as ComponentType>::SIZE32;
const TEXT_PAYLOAD: usize = <Option<&str> as ComponentVariant>::PAYLOAD_OFFSET32;

/// Writes `contact` as a WIT `contact` at `offset`, for a guest that takes UTF-8: the
/// allocations its text needs first, then the fixed part in one write.
pub(super) fn lower_contact<T>(
    cx: &mut LowerContext<'_, T>,
    contact: &ContactView<'_>,
    offset: usize,
) -> wasmtime::Result<()> {
    let id = copy_text(cx, contact.id)?;
    let address = &contact.address;
    let mut optional = [None; 11];
    for (slot, text) in optional.iter_mut().zip([
        contact.email,
        contact.first_name,
        contact.last_name,
        contact.company,
        contact.title,
        contact.phone,
        address.street,
        address.city,
        address.state,
        address.postal_code,
        address.country,
    ]) {
        *slot = copy_optional_text(cx, text)?;
    }
    let attributes = copy_attributes(cx, &contact.attributes)?;

    let [
        id_at,
        email_at,
        first_name_at,
        last_name_at,
        company_at,
        title_at,
        phone_at,
        address_at,
        attributes_at,
    ] = FIELD_OFFSETS;
    let optional_at = [
        email_at,
        first_name_at,
        last_name_at,
        company_at,
        title_at,
        phone_at,
    ]
    .into_iter()
    .chain(ADDRESS_OFFSETS.map(|part| address_at + part));
    // Bytes a `none` leaves unused are zeroed, so the guest's memory does not depend on what
    // its allocator left there.
    let mut record = [0u8; RECORD_SIZE];
    id.write(&mut record, id_at);
    for (text, at) in optional.into_iter().zip(optional_at) {
        GuestSlice::write_optional(text, &mut record, at, TEXT_PAYLOAD);
    }
    attributes.write(&mut record, attributes_at);
    *cx.get::<RECORD_SIZE>(offset) = record;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_the_canonical_abis() {
        // string (8) | six option<string> (12 each) | address: five option<string> | list (8)
        assert_eq!(FIELD_OFFSETS, [0, 8, 20, 32, 44, 56, 68, 80, 140]);
        assert_eq!(ADDRESS_OFFSETS, [0, 12, 24, 36, 48]);
        assert_eq!((RECORD_SIZE, TEXT_PAYLOAD), (148, 4));
    }
}
