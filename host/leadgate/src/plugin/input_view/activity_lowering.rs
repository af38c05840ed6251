//! How an [`ActivityView`] is copied into a plugin's memory (WIT `activity`), written by hand
//! for speed: see [`super::guest_copy`] for why and how.

use std::mem::MaybeUninit;

use wasmtime::component::__internal::{ComponentVariant, InterfaceType, LowerContext, map_maybe_uninit};
use wasmtime::component::{ComponentType, Lower};

use super::guest_copy::{
    GuestSlice, copy_attributes, copy_optional_text, copy_text, field_types, record_field_offsets, takes_utf8,
};
use super::{ActivityKindView, ActivityView, AttributeView};

/// Byte offsets of the record's fields, in WIT order: id, kind, occurred-at, subject,
/// quantity, value, attributes.
const FIELD_OFFSETS: [usize; 7] = record_field_offsets([
    <&str as ComponentType>::ABI,
    <ActivityKindView<'_> as ComponentType>::ABI,
    <i64 as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<u32> as ComponentType>::ABI,
    <Option<f64> as ComponentType>::ABI,
    <Vec<AttributeView<'_>> as ComponentType>::ABI,
]);
/// The record's size in bytes (80).
const RECORD_SIZE: usize = <ActivityView<'_> as ComponentType>::SIZE32;
const KIND_PAYLOAD: usize = <ActivityKindView<'_> as ComponentVariant>::PAYLOAD_OFFSET32;
const SUBJECT_PAYLOAD: usize = <Option<&str> as ComponentVariant>::PAYLOAD_OFFSET32;
const QUANTITY_PAYLOAD: usize = <Option<u32> as ComponentVariant>::PAYLOAD_OFFSET32;
const VALUE_PAYLOAD: usize = <Option<f64> as ComponentVariant>::PAYLOAD_OFFSET32;
/// The `custom` case of `activity-kind`, the only one with a payload.
const CUSTOM_KIND: u8 = 6;

impl ActivityView<'_> {
    /// The fast path: allocations first, then the fixed part in one write.
    fn lower_utf8_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        attributes_type: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        let id = copy_text(cx, self.id)?;
        let (kind, custom_name) = match self.kind {
            ActivityKindView::Purchase => (0, None),
            ActivityKindView::PageVisit => (1, None),
            ActivityKindView::FormSubmission => (2, None),
            ActivityKindView::EmailOpen => (3, None),
            ActivityKindView::EmailClick => (4, None),
            ActivityKindView::EventAttendance => (5, None),
            ActivityKindView::Custom(name) => (CUSTOM_KIND, Some(copy_text(cx, name)?)),
        };
        let subject = copy_optional_text(cx, self.subject)?;
        let attributes = copy_attributes(cx, attributes_type, &self.attributes)?;

        let [
            id_at,
            kind_at,
            occurred_at_at,
            subject_at,
            quantity_at,
            value_at,
            attributes_at,
        ] = FIELD_OFFSETS;
        // Bytes a case or `none` leaves unused are zeroed, so the guest's memory does not depend
        // on what the allocator left there.
        let mut record = [0u8; RECORD_SIZE];
        id.write(&mut record, id_at);
        record[kind_at] = kind;
        if let Some(name) = custom_name {
            name.write(&mut record, kind_at + KIND_PAYLOAD);
        }
        record[occurred_at_at..occurred_at_at + 8].copy_from_slice(&self.occurred_at.to_le_bytes());
        GuestSlice::write_optional(subject, &mut record, subject_at, SUBJECT_PAYLOAD);
        if let Some(quantity) = self.quantity {
            record[quantity_at] = 1;
            let at = quantity_at + QUANTITY_PAYLOAD;
            record[at..at + 4].copy_from_slice(&quantity.to_le_bytes());
        }
        if let Some(value) = self.value {
            record[value_at] = 1;
            let at = value_at + VALUE_PAYLOAD;
            record[at..at + 8].copy_from_slice(&value.to_bits().to_le_bytes());
        }
        attributes.write(&mut record, attributes_at);
        *cx.get::<RECORD_SIZE>(offset) = record;
        Ok(())
    }
}

// SAFETY: the lowering writes exactly the canonical ABI layout of `activity` that the derived
// `ComponentType` (whose type check this type keeps) describes: `FIELD_OFFSETS` and the payload
// offsets come from that layout, every guest pointer comes from the guest's `realloc` (or is an
// aligned pointer with length 0), and the test suite compares the result with the derived
// lowering of the owned type.
#[allow(
    unsafe_code,
    reason = "Lower is an unsafe trait; the flat lowering projects fields of MaybeUninit"
)]
unsafe impl Lower for ActivityView<'_> {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<Self::Lower>,
    ) -> wasmtime::Result<()> {
        // Activities only ever travel inside lists, in memory; this is the derive's lowering,
        // for completeness.
        let [id, kind, occurred_at, subject, quantity, value, attributes] = field_types(cx, ty);
        self.id.linear_lower_to_flat(cx, id, map_maybe_uninit!(dst.id))?;
        self.kind
            .linear_lower_to_flat(cx, kind, map_maybe_uninit!(dst.kind))?;
        self.occurred_at
            .linear_lower_to_flat(cx, occurred_at, map_maybe_uninit!(dst.occurred_at))?;
        self.subject
            .linear_lower_to_flat(cx, subject, map_maybe_uninit!(dst.subject))?;
        self.quantity
            .linear_lower_to_flat(cx, quantity, map_maybe_uninit!(dst.quantity))?;
        self.value
            .linear_lower_to_flat(cx, value, map_maybe_uninit!(dst.value))?;
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
        let [id, kind, occurred_at, subject, quantity, value, attributes] = field_types(cx, ty);
        if takes_utf8(cx) {
            return self.lower_utf8_to_memory(cx, attributes, offset);
        }
        let [
            id_at,
            kind_at,
            occurred_at_at,
            subject_at,
            quantity_at,
            value_at,
            attributes_at,
        ] = FIELD_OFFSETS;
        self.id.linear_lower_to_memory(cx, id, offset + id_at)?;
        self.kind.linear_lower_to_memory(cx, kind, offset + kind_at)?;
        self.occurred_at
            .linear_lower_to_memory(cx, occurred_at, offset + occurred_at_at)?;
        self.subject
            .linear_lower_to_memory(cx, subject, offset + subject_at)?;
        self.quantity
            .linear_lower_to_memory(cx, quantity, offset + quantity_at)?;
        self.value.linear_lower_to_memory(cx, value, offset + value_at)?;
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
        // string (8) | variant: u8 tag, string payload at 4 (12) | pad | s64 | option<string>
        // (12) | option<u32> (8) | pad | option<f64> (16) | list (8)
        assert_eq!(FIELD_OFFSETS, [0, 8, 24, 32, 44, 56, 72]);
        assert_eq!(RECORD_SIZE, 80);
        assert_eq!(
            (KIND_PAYLOAD, SUBJECT_PAYLOAD, QUANTITY_PAYLOAD, VALUE_PAYLOAD),
            (4, 4, 4, 8)
        );
    }
}
