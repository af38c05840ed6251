//! How a [`ContactView`] is copied into a plugin's memory (WIT `contact`), written by hand for
//! speed: see [`super::guest_copy`] for why and how. Every rule of every batch gets the
//! contact, so it is copied once per rule that reads it.

use std::mem::MaybeUninit;

use wasmtime::component::__internal::{ComponentVariant, InterfaceType, LowerContext, map_maybe_uninit};
use wasmtime::component::{ComponentType, Lower};

use super::guest_copy::{
    GuestSlice, copy_attributes, copy_optional_text, copy_text, field_types, record_field_offsets, takes_utf8,
};
use super::{AddressView, AttributeView, ContactView};

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
    <AddressView<'_> as ComponentType>::ABI,
    <Vec<AttributeView<'_>> as ComponentType>::ABI,
]);
/// Byte offsets of the address's parts within it: street, city, state, postal-code, country.
const ADDRESS_OFFSETS: [usize; 5] = record_field_offsets([<Option<&str> as ComponentType>::ABI; 5]);
/// The record's size in bytes (148).
const RECORD_SIZE: usize = <ContactView<'_> as ComponentType>::SIZE32;
const TEXT_PAYLOAD: usize = <Option<&str> as ComponentVariant>::PAYLOAD_OFFSET32;

impl ContactView<'_> {
    /// The fast path: allocations first, then the fixed part in one write.
    fn lower_utf8_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        attributes_type: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        let id = copy_text(cx, self.id)?;
        let address = &self.address;
        let mut optional = [None; 11];
        for (slot, text) in optional.iter_mut().zip([
            self.email,
            self.first_name,
            self.last_name,
            self.company,
            self.title,
            self.phone,
            address.street,
            address.city,
            address.state,
            address.postal_code,
            address.country,
        ]) {
            *slot = copy_optional_text(cx, text)?;
        }
        let attributes = copy_attributes(cx, attributes_type, &self.attributes)?;

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
}

// SAFETY: the lowering writes exactly the canonical ABI layout of `contact` that the derived
// `ComponentType` (whose type check this type keeps) describes: `FIELD_OFFSETS`,
// `ADDRESS_OFFSETS` and the payload offset come from that layout, every guest pointer comes
// from the guest's `realloc` (or is an aligned pointer with length 0), and the test suite
// compares the result with the derived lowering of the owned type.
#[allow(
    unsafe_code,
    reason = "Lower is an unsafe trait; the flat lowering projects fields of MaybeUninit"
)]
unsafe impl Lower for ContactView<'_> {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<Self::Lower>,
    ) -> wasmtime::Result<()> {
        // Contacts only ever travel inside records in lists, in memory; this is the derive's
        // lowering, for completeness.
        let [
            id,
            email,
            first_name,
            last_name,
            company,
            title,
            phone,
            address,
            attributes,
        ] = field_types(cx, ty);
        self.id.linear_lower_to_flat(cx, id, map_maybe_uninit!(dst.id))?;
        self.email
            .linear_lower_to_flat(cx, email, map_maybe_uninit!(dst.email))?;
        self.first_name
            .linear_lower_to_flat(cx, first_name, map_maybe_uninit!(dst.first_name))?;
        self.last_name
            .linear_lower_to_flat(cx, last_name, map_maybe_uninit!(dst.last_name))?;
        self.company
            .linear_lower_to_flat(cx, company, map_maybe_uninit!(dst.company))?;
        self.title
            .linear_lower_to_flat(cx, title, map_maybe_uninit!(dst.title))?;
        self.phone
            .linear_lower_to_flat(cx, phone, map_maybe_uninit!(dst.phone))?;
        self.address
            .linear_lower_to_flat(cx, address, map_maybe_uninit!(dst.address))?;
        self.attributes
            .linear_lower_to_flat(cx, attributes, map_maybe_uninit!(dst.attributes))?;
        Ok(())
    }

    fn linear_lower_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        let [
            id,
            email,
            first_name,
            last_name,
            company,
            title,
            phone,
            address,
            attributes,
        ] = field_types(cx, ty);
        if takes_utf8(cx) {
            return self.lower_utf8_to_memory(cx, attributes, offset);
        }
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
        self.id.linear_lower_to_memory(cx, id, offset + id_at)?;
        self.email.linear_lower_to_memory(cx, email, offset + email_at)?;
        self.first_name
            .linear_lower_to_memory(cx, first_name, offset + first_name_at)?;
        self.last_name
            .linear_lower_to_memory(cx, last_name, offset + last_name_at)?;
        self.company
            .linear_lower_to_memory(cx, company, offset + company_at)?;
        self.title.linear_lower_to_memory(cx, title, offset + title_at)?;
        self.phone.linear_lower_to_memory(cx, phone, offset + phone_at)?;
        self.address
            .linear_lower_to_memory(cx, address, offset + address_at)?;
        self.attributes
            .linear_lower_to_memory(cx, attributes, offset + attributes_at)?;
        Ok(())
    }
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
