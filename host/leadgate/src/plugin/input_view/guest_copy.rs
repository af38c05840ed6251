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
//! Only guests that take UTF-8 strings (every Rust, C and Go toolchain) get the fast path; a
//! guest that asked for UTF-16 or Latin-1 is lowered field by field, exactly as the derive
//! would. An end-to-end test lowers the same input through the views and through the owned
//! contract types (derived lowering) and compares what the guest received.

use wasmtime::component::__internal::{
    CanonicalAbiInfo, InterfaceType, LowerContext, bad_type_info, wasmtime_environ::component::StringEncoding,
};
use wasmtime::component::{ComponentType, Lower};

use super::AttributeView;

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

/// The field types of the record type `ty`, which has `N` fields.
pub(super) fn field_types<T, const N: usize>(
    cx: &LowerContext<'_, T>,
    ty: InterfaceType,
) -> [InterfaceType; N] {
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

/// A string or list already in guest memory: its pointer and length.
#[derive(Clone, Copy)]
pub(super) struct GuestSlice {
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
    Ok(GuestSlice {
        pointer: u32::try_from(pointer)?,
        length: u32::try_from(text.len())?,
    })
}

/// [`copy_text`] for optional text.
pub(super) fn copy_optional_text<T>(
    cx: &mut LowerContext<'_, T>,
    text: Option<&str>,
) -> wasmtime::Result<Option<GuestSlice>> {
    text.map(|text| copy_text(cx, text)).transpose()
}

/// Copies an attribute list (WIT `list<attribute>` of type `list_type`) into one fresh guest
/// allocation, or none when it is empty.
pub(super) fn copy_attributes<T>(
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
