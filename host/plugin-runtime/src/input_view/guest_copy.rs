//! The pieces the hand-written lowerings of the views share: copying text and attribute lists
//! into fresh guest allocations, and writing their pointers into a record's fixed bytes.
//!
//! Why by hand: scoring copies every contact and activity it reads into a plugin, so this is
//! the hottest path of a run. The derived lowering looks up guest memory once per field and
//! per option discriminant, and calls the guest's `realloc` even for empty lists. The views
//! instead make the allocations their text needs, then write their record's fixed part at
//! once.
//!
//! Empty text and empty lists get no guest allocation: they are written as the pointer `align`
//! with length 0. That is what wit-bindgen's `cabi_realloc` returns for a zero-byte request
//! (it allocates nothing), and its generated code never frees a zero-length buffer, so the
//! guest cannot tell the difference; it saves a call into the guest per activity, since most
//! activities have no attributes.
//!
//! Only guests that take UTF-8 strings (every Rust, C, Go and Python toolchain) get the fast
//! path; a guest that asked for UTF-16 or Latin-1 is given the owned contract types, lowered as
//! wasmtime derives it. An end-to-end test lowers the same input through the views and through
//! the owned contract types and compares what the guest received.

use leadgate_model::AttributeView;
use wasmtime::component::__internal::{
    CanonicalAbiInfo, LowerContext, wasmtime_environ::component::StringEncoding,
};
use wasmtime::component::ComponentType;

use crate::types::Attribute;

/// The canonical ABI limit on one string's length in bytes.
const MAX_STRING_BYTES: usize = (1 << 31) - 1;

/// Where each field of a record with these field layouts starts, as the canonical ABI lays
/// them out: each at the next multiple of its alignment.
pub(super) const fn record_field_offsets<const N: usize>(fields: [CanonicalAbiInfo; N]) -> [usize; N] {
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

/// True when the guest takes its strings as UTF-8, as the fast paths write them.
pub(super) fn takes_utf8<T>(cx: &LowerContext<'_, T>) -> bool {
    matches!(cx.options().string_encoding, StringEncoding::Utf8)
}

/// A string or list already in guest memory: its pointer and length.
#[derive(Clone, Copy)]
pub(super) struct GuestSlice {
    pointer: u32,
    length: u32,
}

impl GuestSlice {
    /// An empty string or list: no allocation, a pointer that satisfies the alignment.
    pub(super) fn empty(align: u32) -> Self {
        Self {
            pointer: align,
            length: 0,
        }
    }

    /// A string or list of `length` bytes or items that the guest's `realloc` placed at
    /// `pointer`.
    pub(super) fn new(pointer: usize, length: usize) -> wasmtime::Result<Self> {
        Ok(Self {
            pointer: u32::try_from(pointer)?,
            length: u32::try_from(length)?,
        })
    }

    /// Writes the pointer and length at `at` (a `string` or `list` field).
    pub(super) fn write(self, record: &mut [u8], at: usize) {
        record[at..at + 4].copy_from_slice(&self.pointer.to_le_bytes());
        record[at + 4..at + 8].copy_from_slice(&self.length.to_le_bytes());
    }

    /// Writes an `option<string>` at `at`: the discriminant, and the payload when present.
    /// A `none` leaves the payload bytes as they are (the caller's record starts zeroed).
    pub(super) fn write_optional(slice: Option<Self>, record: &mut [u8], at: usize, payload_offset: usize) {
        if let Some(slice) = slice {
            record[at] = 1;
            slice.write(record, at + payload_offset);
        }
    }
}

/// Copies UTF-8 `text` into one fresh guest allocation of exactly its length.
pub(super) fn copy_text<T>(cx: &mut LowerContext<'_, T>, text: &str) -> wasmtime::Result<GuestSlice> {
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
    GuestSlice::new(pointer, text.len())
}

/// [`copy_text`] for optional text.
pub(super) fn copy_optional_text<T>(
    cx: &mut LowerContext<'_, T>,
    text: Option<&str>,
) -> wasmtime::Result<Option<GuestSlice>> {
    text.map(|text| copy_text(cx, text)).transpose()
}

/// Byte offsets of an attribute's fields: name, value.
const ATTRIBUTE_OFFSETS: [usize; 2] = record_field_offsets([<&str as ComponentType>::ABI; 2]);
const ATTRIBUTE_SIZE: usize = <Attribute as ComponentType>::SIZE32;
const ATTRIBUTE_ALIGN: u32 = <Attribute as ComponentType>::ALIGN32;

/// Copies an attribute list (WIT `list<attribute>`) into one fresh guest allocation, or none
/// when it is empty; each attribute's text gets an allocation of its own.
pub(super) fn copy_attributes<T>(
    cx: &mut LowerContext<'_, T>,
    attributes: &[AttributeView<'_>],
) -> wasmtime::Result<GuestSlice> {
    if attributes.is_empty() {
        return Ok(GuestSlice::empty(ATTRIBUTE_ALIGN));
    }
    let size = attributes
        .len()
        .checked_mul(ATTRIBUTE_SIZE)
        .ok_or_else(|| wasmtime::format_err!("size overflow copying a list"))?;
    let pointer = cx.realloc(0, 0, ATTRIBUTE_ALIGN, size)?;
    let [name_at, value_at] = ATTRIBUTE_OFFSETS;
    for (index, attribute) in attributes.iter().enumerate() {
        let mut record = [0u8; ATTRIBUTE_SIZE];
        copy_text(cx, attribute.name)?.write(&mut record, name_at);
        copy_text(cx, attribute.value)?.write(&mut record, value_at);
        *cx.get::<ATTRIBUTE_SIZE>(pointer + index * ATTRIBUTE_SIZE) = record;
    }
    GuestSlice::new(pointer, attributes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attribute_is_two_strings() {
        assert_eq!(
            (ATTRIBUTE_OFFSETS, ATTRIBUTE_SIZE, ATTRIBUTE_ALIGN),
            ([0, 8], 16, 4)
        );
    }
}
