//! How model [`ActivityView`]s are copied into a plugin's memory (WIT `list<activity>`), written
//! by hand for speed: see [`super::guest_copy`] for why and how.

use leadgate_model::{ActivityKindView, ActivityView};
use wasmtime::component::__internal::{ComponentVariant, LowerContext};
use wasmtime::component::ComponentType;

use super::guest_copy::{GuestSlice, copy_attributes, copy_optional_text, copy_text, record_field_offsets};
use crate::types::{Activity, ActivityKind, Attribute};

/// Byte offsets of the record's fields, in WIT order: id, kind, occurred-at, subject,
/// quantity, value, attributes.
const FIELD_OFFSETS: [usize; 7] = record_field_offsets([
    <&str as ComponentType>::ABI,
    <ActivityKind as ComponentType>::ABI,
    <i64 as ComponentType>::ABI,
    <Option<&str> as ComponentType>::ABI,
    <Option<u32> as ComponentType>::ABI,
    <Option<f64> as ComponentType>::ABI,
    <Vec<Attribute> as ComponentType>::ABI,
]);
/// The record's size in bytes (80).
const RECORD_SIZE: usize = <Activity as ComponentType>::SIZE32;
const RECORD_ALIGN: u32 = <Activity as ComponentType>::ALIGN32;
const KIND_PAYLOAD: usize = <ActivityKind as ComponentVariant>::PAYLOAD_OFFSET32;
const SUBJECT_PAYLOAD: usize = <Option<&str> as ComponentVariant>::PAYLOAD_OFFSET32;
const QUANTITY_PAYLOAD: usize = <Option<u32> as ComponentVariant>::PAYLOAD_OFFSET32;
const VALUE_PAYLOAD: usize = <Option<f64> as ComponentVariant>::PAYLOAD_OFFSET32;
/// The `custom` case of `activity-kind`, the only one with a payload.
const CUSTOM_KIND: u8 = 6;

/// The kind's case number in the WIT variant `activity-kind` (in its order), and the payload of
/// the `custom` case.
fn kind_case(kind: ActivityKindView<'_>) -> (u8, Option<&str>) {
    match kind {
        ActivityKindView::Purchase => (0, None),
        ActivityKindView::PageVisit => (1, None),
        ActivityKindView::FormSubmission => (2, None),
        ActivityKindView::EmailOpen => (3, None),
        ActivityKindView::EmailClick => (4, None),
        ActivityKindView::EventAttendance => (5, None),
        ActivityKindView::Custom(name) => (CUSTOM_KIND, Some(name)),
    }
}

/// Copies `activities` into one fresh guest allocation as a WIT `list<activity>`, or none
/// when there are none, for a guest that takes UTF-8.
pub(super) fn copy_activities<T>(
    cx: &mut LowerContext<'_, T>,
    activities: &[&ActivityView<'_>],
) -> wasmtime::Result<GuestSlice> {
    if activities.is_empty() {
        return Ok(GuestSlice::empty(RECORD_ALIGN));
    }
    let size = activities
        .len()
        .checked_mul(RECORD_SIZE)
        .ok_or_else(|| wasmtime::format_err!("size overflow copying a list"))?;
    let pointer = cx.realloc(0, 0, RECORD_ALIGN, size)?;
    for (index, activity) in activities.iter().enumerate() {
        lower_activity(cx, activity, pointer + index * RECORD_SIZE)?;
    }
    GuestSlice::new(pointer, activities.len())
}

/// Writes one activity at `offset`: the allocations its text needs first, then the fixed part
/// in one write.
fn lower_activity<T>(
    cx: &mut LowerContext<'_, T>,
    activity: &ActivityView<'_>,
    offset: usize,
) -> wasmtime::Result<()> {
    let id = copy_text(cx, activity.id)?;
    let (kind, custom_name) = kind_case(activity.kind);
    let custom_name = copy_optional_text(cx, custom_name)?;
    let subject = copy_optional_text(cx, activity.subject)?;
    let attributes = copy_attributes(cx, &activity.attributes)?;

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
    record[occurred_at_at..occurred_at_at + 8].copy_from_slice(&activity.occurred_at.to_le_bytes());
    GuestSlice::write_optional(subject, &mut record, subject_at, SUBJECT_PAYLOAD);
    if let Some(quantity) = activity.quantity {
        record[quantity_at] = 1;
        let at = quantity_at + QUANTITY_PAYLOAD;
        record[at..at + 4].copy_from_slice(&quantity.to_le_bytes());
    }
    if let Some(value) = activity.value {
        record[value_at] = 1;
        let at = value_at + VALUE_PAYLOAD;
        record[at..at + 8].copy_from_slice(&value.to_bits().to_le_bytes());
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
        // string (8) | variant: u8 tag, string payload at 4 (12) | pad | s64 | option<string>
        // (12) | option<u32> (8) | pad | option<f64> (16) | list (8)
        assert_eq!(FIELD_OFFSETS, [0, 8, 24, 32, 44, 56, 72]);
        assert_eq!((RECORD_SIZE, RECORD_ALIGN), (80, 8));
        assert_eq!(
            (KIND_PAYLOAD, SUBJECT_PAYLOAD, QUANTITY_PAYLOAD, VALUE_PAYLOAD),
            (4, 4, 4, 8)
        );
    }

    #[test]
    fn standard_kinds_take_the_contract_cases_in_order() {
        let cases: Vec<(u8, Option<&str>)> = leadgate_model::STANDARD_ACTIVITY_KINDS
            .into_iter()
            .map(|name| kind_case(ActivityKindView::from_name(name)))
            .collect();
        assert_eq!(cases, [0, 1, 2, 3, 4, 5].map(|case| (case, None)));
        assert_eq!(
            kind_case(ActivityKindView::Custom("webinar")),
            (CUSTOM_KIND, Some("webinar"))
        );
    }
}
