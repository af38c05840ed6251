//! Host-side bindings of each contract version the host loads, one module per version.
//!
//! Today there is one, [`v0_1`]. When a breaking contract version ships, its bindings go in a
//! module of their own beside it (`v0_2`), the frozen package stays under `wit/`, and plugins
//! built against either keep loading (see `wit/README.md`).

pub mod v0_1;

pub use v0_1::{config_interface, field_mapping, logging, scoring_rule, types};
