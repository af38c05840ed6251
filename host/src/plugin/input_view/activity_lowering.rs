//! How an [`ActivityView`] is copied into a plugin's memory (WIT `activity`), written by hand.
//!
//! Scoring copies every activity it reads into a plugin, so this copy is on the hottest path of
//! a run. The derived lowering writes each of the record's seven fields, and each option's
//! discriminant, through a memory lookup of its own (about a dozen per activity); this one
//! makes the guest allocations the strings and the attribute list need, then writes the
//! record's fixed 80 bytes with a single lookup.
//!
//! Empty text and empty lists get no guest allocation: they are written as the pointer `align`
//! with length 0, which is what wit-bindgen's `cabi_realloc` returns for a zero-byte request
//! (it allocates nothing), and what its generated code never frees. Allocating nothing for
//! nothing saves one call into the guest per activity: most activities have no attributes.
//!
//! Only UTF-8 guests (every Rust, C and Go toolchain) take the fast path; a guest that asked
//! for UTF-16 or Latin-1 strings is lowered field by field, exactly as the derive would.
//! A test lowers the same activities through this code and through the derived lowering of the
//! owned contract type, and compares what the guest received.

use std::mem::MaybeUninit;

use wasmtime::component::__internal::{
    CanonicalAbiInfo, ComponentVariant, InterfaceType, LowerContext, bad_type_info, map_maybe_uninit,
    wasmtime_environ::component::StringEncoding,
};
use wasmtime::component::{ComponentType, Lower};

use super::{ActivityKindView, ActivityView, AttributeView};

/// The canonical ABI limit on one string's length in bytes.
const MAX_STRING_BYTES: usize = (1 << 31) - 1;

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

/// Where each field of a record with these field layouts starts, as the canonical ABI lays
/// them out: each at the next multiple of its alignment.
const fn record_field_offsets<const N: usize>(fields: [CanonicalAbiInfo; N]) -> [usize; N] {
    let mut offsets = [0; N];
    let mut end: u32 = 0;
    let mut index = 0;
    while index < N {
        let align = fields[index].align32;
        let start = end.div_ceil(align) * align;
        offsets[index] = start as usize;
        end = start + fields[index].size32;
        index += 1;
    }
    offsets
}

/// A string or list already in guest memory: its pointer and length.
#[derive(Clone, Copy)]
struct GuestSlice {
    pointer: u32,
    length: u32,
}

impl GuestSlice {
    /// An empty string or list: no allocation, a pointer that satisfies the alignment.
    fn empty(align: u32) -> Self {
        Self {
            pointer: align,
            length: 0,
        }
    }

    fn write(self, record: &mut [u8], at: usize) {
        record[at..at + 4].copy_from_slice(&self.pointer.to_le_bytes());
        record[at + 4..at + 8].copy_from_slice(&self.length.to_le_bytes());
    }
}

/// Copies UTF-8 `text` into one fresh guest allocation of exactly its length.
fn copy_text<T>(cx: &mut LowerContext<'_, T>, text: &str) -> wasmtime::Result<GuestSlice> {
    if text.is_empty() {
        return Ok(GuestSlice::empty(1));
    }
    if text.len() > MAX_STRING_BYTES {
        wasmtime::bail!("string length of {} too large to copy into wasm", text.len());
    }
    let pointer = cx.realloc(0, 0, 1, text.len())?;
    // `realloc` has checked that the allocation lies inside memory.
    let destination = cx
        .as_slice_mut()
        .get_mut(pointer..pointer + text.len())
        .ok_or_else(|| wasmtime::format_err!("realloc return: beyond end of memory"))?;
    destination.copy_from_slice(text.as_bytes());
    Ok(GuestSlice {
        pointer: u32::try_from(pointer)?,
        length: u32::try_from(text.len())?,
    })
}

/// Copies the attribute list into one fresh guest allocation (none when empty).
fn copy_attributes<T>(
    cx: &mut LowerContext<'_, T>,
    list_type: InterfaceType,
    attributes: &[AttributeView<'_>],
) -> wasmtime::Result<GuestSlice> {
    let align = AttributeView::ALIGN32;
    if attributes.is_empty() {
        return Ok(GuestSlice::empty(align));
    }
    let element = match list_type {
        InterfaceType::List(index) => cx.types[index].element,
        _ => bad_type_info(),
    };
    let size = attributes
        .len()
        .checked_mul(AttributeView::SIZE32)
        .ok_or_else(|| wasmtime::format_err!("size overflow copying a list"))?;
    let pointer = cx.realloc(0, 0, align, size)?;
    AttributeView::linear_store_list_to_memory(cx, element, pointer, attributes)?;
    Ok(GuestSlice {
        pointer: u32::try_from(pointer)?,
        length: u32::try_from(attributes.len())?,
    })
}

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
        let subject = match self.subject {
            Some(subject) => Some(copy_text(cx, subject)?),
            None => None,
        };
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
        if let Some(subject) = subject {
            record[subject_at] = 1;
            subject.write(&mut record, subject_at + SUBJECT_PAYLOAD);
        }
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

/// The field types of the WIT `activity` record `ty`.
fn field_types<T>(cx: &LowerContext<'_, T>, ty: InterfaceType) -> [InterfaceType; 7] {
    let record = match ty {
        InterfaceType::Record(index) => &cx.types[index],
        _ => bad_type_info(),
    };
    std::array::from_fn(|index| {
        record
            .fields
            .get(index)
            .map_or_else(bad_type_info, |field| field.ty)
    })
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
        if matches!(cx.options().string_encoding, StringEncoding::Utf8) {
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
