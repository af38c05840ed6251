//! leadgate's domain model: the contacts and activities it keeps, the kinds of activity, the
//! borrowed views scoring reads them through, and the awards rules give.
//!
//! Everything else builds on these types (the importer produces them, the store keeps them,
//! the plugin runtime lowers them into plugins, the scoring engine sums awards), and this crate
//! depends on no other leadgate crate, so none of those has to depend on another to share them.
//!
//! - [`ContactRecord`] and [`ActivityRecord`]: the owned records, as imported and stored;
//! - [`ActivityKindView`] and [`STANDARD_ACTIVITY_KINDS`]: the activity kinds, declared once;
//! - [`ContactHistory`] and its parts: a contact and its activities borrowing their text from
//!   wherever it already is (the store's value bytes), so scoring copies no string;
//! - [`Award`] and [`RuleOutcome`]: what a rule gave a contact;
//! - [`parse_timestamp`]: the one parser of moments, for imports, JSON lines and `--now`.

mod activity;
mod activity_kind;
mod award;
mod contact;
mod history;
mod rule_outcome;
mod timestamp;

pub use activity::ActivityRecord;
pub use activity_kind::{ActivityKindView, STANDARD_ACTIVITY_KINDS};
pub use award::Award;
pub use contact::{ContactRecord, STANDARD_CONTACT_FIELDS};
pub use history::{ActivityView, AddressView, AttributeView, ContactHistory, ContactView};
pub use rule_outcome::{RuleOutcome, ScoreOutcomes, score_total};
pub use timestamp::{TimestampError, parse_timestamp};
