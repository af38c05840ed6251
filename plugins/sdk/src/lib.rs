//! Write leadgate scoring rules and field mappings in Rust, as WebAssembly components.
//!
//! leadgate stores marketing contacts, scores them with plugins and replicates qualified ones to
//! Salesforce as Leads. A plugin is a WebAssembly component built for one of two worlds of the
//! `leadgate:plugin` WIT package:
//!
//! * **scoring rules** (world `scoring-rule`) award points to a contact for what they did and
//!   who they are: implement [`ScoringRule`] and register it with [`register_scoring_rule!`];
//! * **field mappings** (world `field-mapping`) turn a contact into Lead field values:
//!   implement [`FieldMapping`] and register it with [`register_field_mapping!`].
//!
//! The SDK owns the generated bindings: a plugin crate depends on this crate only, is a `cdylib`
//! and is built with `cargo build --release --target wasm32-wasip2`. The registration macros
//! answer the host's `info` (name, version and description from the plugin's `Cargo.toml`),
//! `check-config` and batch calls: they read the [`Config`] once per batch, build the rule with
//! `from_config` once, and return exactly one result per contact, in order.
//!
//! Plugins have no clock: `now` is a [`Timestamp`] (milliseconds since the Unix epoch, UTC) given
//! by the host, so the same input always gives the same output. They log through the host with
//! [`trace!`], [`debug!`], [`info!`], [`warn!`] and [`error!`]; a panic is logged at error level
//! (message and location) before the instance traps.
//!
//! # A scoring rule
//!
//! ```no_run
//! use leadgate_plugin_sdk::{
//!     ActivityKind, Award, Config, ContactActivities, PluginError, Result, ScoringRule,
//!     Timestamp, days, register_scoring_rule,
//! };
//!
//! /// `points` (default 10) for every event the contact attended, each counting for
//! /// `valid-days` days (default 90).
//! struct EventAttendance {
//!     points: i64,
//!     valid_for: i64,
//! }
//!
//! impl ScoringRule for EventAttendance {
//!     fn from_config(config: &Config) -> Result<Self> {
//!         config.reject_unknown(&["points", "valid-days"])?;
//!         let valid_days: i64 = config.get_or("valid-days", 90)?;
//!         if valid_days <= 0 {
//!             return Err(PluginError::invalid_config_key(
//!                 "valid-days",
//!                 format_args!("must be greater than 0, got `{valid_days}`"),
//!             ));
//!         }
//!         Ok(Self {
//!             points: config.get_or("points", 10)?,
//!             valid_for: days(valid_days),
//!         })
//!     }
//!
//!     fn score(&self, input: &ContactActivities, _now: Timestamp) -> Result<Vec<Award>> {
//!         // The host drops awards that expired at or before `now`, so no need to filter here.
//!         Ok(input
//!             .activities
//!             .iter()
//!             .filter(|activity| activity.kind == ActivityKind::EventAttendance)
//!             .map(|activity| {
//!                 let event = activity.subject().unwrap_or("an event");
//!                 Award::new(self.points, format!("attended {event}"))
//!                     .expires_at(activity.occurred_at.saturating_add(self.valid_for))
//!             })
//!             .collect())
//!     }
//! }
//!
//! register_scoring_rule!(EventAttendance);
//! # fn main() {}
//! ```
//!
//! # A field mapping
//!
//! ```no_run
//! use leadgate_plugin_sdk::text::non_blank;
//! use leadgate_plugin_sdk::{
//!     Config, FieldMapping, LeadField, LeadFields, MappingInput, PluginError, Result, Timestamp,
//!     register_field_mapping,
//! };
//!
//! /// Last name, company and e-mail, plus the sum of all scores in the field `score-field`.
//! struct Minimal {
//!     score_field: Option<String>,
//! }
//!
//! impl FieldMapping for Minimal {
//!     fn from_config(config: &Config) -> Result<Self> {
//!         config.reject_unknown(&["score-field"])?;
//!         Ok(Self {
//!             score_field: config.get("score-field").map(str::to_owned),
//!         })
//!     }
//!
//!     fn map(
//!         &self,
//!         input: &MappingInput,
//!         lead_fields: &LeadFields,
//!         _now: Timestamp,
//!     ) -> Result<Vec<LeadField>> {
//!         let contact = &input.contact;
//!         let last_name = non_blank(contact.last_name.as_deref()).ok_or_else(|| {
//!             PluginError::invalid_input(format!("contact `{}` has no last name", contact.id))
//!         })?;
//!         let company = non_blank(contact.company.as_deref()).unwrap_or("[not provided]");
//!         let mut fields = vec![
//!             LeadField::text("LastName", last_name),
//!             LeadField::text("Company", company),
//!         ];
//!         if let Some(email) = non_blank(contact.email.as_deref()) {
//!             fields.push(LeadField::text("Email", email));
//!         }
//!         if let Some(score_field) = &self.score_field {
//!             let total: i64 = input.scores.iter().map(|score| score.points).sum();
//!             fields.push(LeadField::number(score_field.as_str(), total as f64));
//!         }
//!         // Without a describe, send everything; with one, only what the org has.
//!         if !lead_fields.is_empty() {
//!             fields.retain(|field| lead_fields.contains(&field.name));
//!         }
//!         Ok(fields)
//!     }
//! }
//!
//! register_field_mapping!(Minimal);
//! # fn main() {}
//! ```
//!
//! # Cargo features
//!
//! * `fast-alloc` (on by default): installs a size-class allocator as the plugin's global
//!   allocator on WebAssembly. Lifting a batch from the host allocates and frees every string of
//!   every contact; with it a batch takes roughly 30–50 % fewer instructions than with the system
//!   allocator, for about 1.5× the peak memory (a few MiB for 1,000 contacts). Turn it off with
//!   `default-features = false` to keep the system allocator or to install your own.
//!
//! # Testing natively
//!
//! Keep the logic in plain functions and test it on the build machine's target (the bindings'
//! imports are never called there): build a [`Config`] with [`Config::from_entries`] and run a
//! whole batch with [`run_scoring_batch`] or [`run_mapping_batch`]:
//!
//! ```text
//! cargo test --target x86_64-unknown-linux-gnu -p my-plugin
//! ```

#![deny(missing_docs)]

// The generated bindings and the exported macros name this crate by its path, which also has
// to resolve inside the crate itself.
extern crate self as leadgate_plugin_sdk;

#[cfg(any(
    test,
    all(
        feature = "fast-alloc",
        target_arch = "wasm32",
        not(target_feature = "atomics")
    )
))]
mod allocator;
mod cap;
mod config;
mod error;
pub mod event_points;
pub mod glob;
mod lead_fields;
mod logging;
mod model;
mod plugin;
pub mod text;
mod time;

/// The global allocator of every plugin (see `allocator.rs` for why), on single-threaded
/// WebAssembly only, and only with the `fast-alloc` feature (on by default).
#[cfg(all(
    feature = "fast-alloc",
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: allocator::SizeClassAllocator = allocator::SizeClassAllocator::new();

pub use bindings::scoring::exports::leadgate::plugin::scoring::Requirements;
pub use cap::{Granted, PointsCap};
pub use config::Config;
pub use error::{PluginError, Result};
pub use event_points::{CountedEvent, EventPoints};
pub use glob::{Glob, glob_match};
pub use lead_fields::LeadFields;
pub use logging::{LogLevel, log};
pub use model::ContactField;
pub use plugin::{FieldMapping, ScoringRule, run_mapping_batch, run_scoring_batch};
pub use time::{MILLIS_PER_DAY, Timestamp, days};

pub use bindings::scoring::leadgate::plugin::types::{
    Activity, ActivityKind, Address, Attribute, Award, Contact, ContactActivities, Date, FieldDescription,
    FieldType, FieldValue, LeadField, MappingInput, PluginInfo, Role, ScoreTotal,
};

/// The bindings generated from `wit/`, one module per world. Not a stable API: use the
/// re-exports at the crate root.
///
/// `types`, `logging` and `config` are generated once, in `scoring`; `mapping` reuses them, so a
/// [`Contact`] is the same type in both worlds. The WIT `plugin-error` is [`PluginError`], written
/// by hand so that it can have a readable `Display`.
#[doc(hidden)]
#[allow(unsafe_code, missing_docs, reason = "generated by wit-bindgen")]
pub mod bindings {
    /// The `scoring-rule` world.
    pub mod scoring {
        wit_bindgen::generate!({
            world: "scoring-rule",
            path: "../../wit",
            pub_export_macro: true,
            export_macro_name: "__export_scoring_rule",
            default_bindings_module: "leadgate_plugin_sdk::bindings::scoring",
            runtime_path: "leadgate_plugin_sdk::__private::wit_bindgen::rt",
            additional_derives: [PartialEq],
            additional_type_attributes: {
                "leadgate:plugin/types@0.1.0/date": [#[derive(Eq, Hash, PartialOrd, Ord)]],
            },
            with: {
                "leadgate:plugin/types@0.1.0/plugin-error": crate::PluginError,
            },
        });
    }

    /// The `field-mapping` world, sharing the `scoring` module's `types`, `logging` and `config`.
    pub mod mapping {
        wit_bindgen::generate!({
            world: "field-mapping",
            path: "../../wit",
            pub_export_macro: true,
            export_macro_name: "__export_field_mapping",
            default_bindings_module: "leadgate_plugin_sdk::bindings::mapping",
            runtime_path: "leadgate_plugin_sdk::__private::wit_bindgen::rt",
            with: {
                "leadgate:plugin/types@0.1.0/plugin-error": crate::PluginError,
                "leadgate:plugin/types@0.1.0": crate::bindings::scoring::leadgate::plugin::types,
                "leadgate:plugin/logging@0.1.0": crate::bindings::scoring::leadgate::plugin::logging,
                "leadgate:plugin/config@0.1.0": crate::bindings::scoring::leadgate::plugin::config,
            },
        });
    }
}

/// What the registration macros expand to call. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;

    use crate::{
        Award, Config, ContactActivities, FieldDescription, FieldMapping, LeadField, LeadFields,
        MappingInput, PluginInfo, Requirements, Result, Role, ScoringRule, Timestamp,
    };

    /// Runs on entry to every export: installs the panic hook.
    fn enter() {
        crate::logging::install_panic_hook();
    }

    /// The plugin's `info`, from its crate's `Cargo.toml`.
    pub fn plugin_info(name: &str, version: &str, description: &str, role: Role) -> PluginInfo {
        enter();
        PluginInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            role,
            description: description.to_owned(),
        }
    }

    /// `scoring.check-config`.
    pub fn check_scoring_config<R: ScoringRule>() -> Result<Requirements> {
        enter();
        R::from_config(&Config::from_host()).map(|rule| Requirements {
            activity_kinds: rule.activity_kinds(),
        })
    }

    /// `scoring.score-batch`.
    pub fn score_batch<R: ScoringRule>(
        contacts: Vec<ContactActivities>,
        now: Timestamp,
    ) -> Vec<Result<Vec<Award>>> {
        enter();
        crate::run_scoring_batch::<R>(&Config::from_host(), &contacts, now)
    }

    /// `mapping.check-config`.
    pub fn check_mapping_config<M: FieldMapping>() -> Result<()> {
        enter();
        M::from_config(&Config::from_host()).map(drop)
    }

    /// `mapping.map-batch`.
    pub fn map_batch<M: FieldMapping>(
        inputs: Vec<MappingInput>,
        lead_fields: Vec<FieldDescription>,
        now: Timestamp,
    ) -> Vec<Result<Vec<LeadField>>> {
        enter();
        let lead_fields = LeadFields::new(lead_fields);
        crate::run_mapping_batch::<M>(&Config::from_host(), &inputs, &lead_fields, now)
    }
}

/// Makes the crate a scoring-rule plugin served by `$rule`, a type implementing [`ScoringRule`].
///
/// Use it once, at the root of a `cdylib` crate. The plugin's `info` takes its name, version and
/// description from the crate's `Cargo.toml` (`package.name` should be kebab-case, and
/// `package.description` one sentence on what the rule does).
///
/// ```ignore
/// leadgate_plugin_sdk::register_scoring_rule!(PurchaseCount);
/// ```
#[macro_export]
macro_rules! register_scoring_rule {
    ($rule:ty) => {
        // The generated export glue defines `#[unsafe(export_name)]` functions.
        #[allow(unsafe_code, reason = "the export glue generated by wit-bindgen")]
        const _: () = {
            #[doc(hidden)]
            struct __LeadgateScoringRule;

            impl $crate::bindings::scoring::exports::leadgate::plugin::scoring::Guest
                for __LeadgateScoringRule
            {
                fn info() -> $crate::PluginInfo {
                    $crate::__private::plugin_info(
                        ::core::env!("CARGO_PKG_NAME"),
                        ::core::env!("CARGO_PKG_VERSION"),
                        ::core::env!("CARGO_PKG_DESCRIPTION"),
                        $crate::Role::ScoringRule,
                    )
                }

                fn check_config() -> $crate::Result<$crate::Requirements> {
                    $crate::__private::check_scoring_config::<$rule>()
                }

                fn score_batch(
                    contacts: ::std::vec::Vec<$crate::ContactActivities>,
                    now: $crate::Timestamp,
                ) -> ::std::vec::Vec<$crate::Result<::std::vec::Vec<$crate::Award>>> {
                    $crate::__private::score_batch::<$rule>(contacts, now)
                }
            }

            $crate::bindings::scoring::__export_scoring_rule!(
                __LeadgateScoringRule with_types_in $crate::bindings::scoring
            );
        };
    };
}

/// Makes the crate a field-mapping plugin served by `$mapping`, a type implementing
/// [`FieldMapping`].
///
/// Use it once, at the root of a `cdylib` crate. The plugin's `info` takes its name, version and
/// description from the crate's `Cargo.toml`.
///
/// ```ignore
/// leadgate_plugin_sdk::register_field_mapping!(StandardLeadMapping);
/// ```
#[macro_export]
macro_rules! register_field_mapping {
    ($mapping:ty) => {
        // The generated export glue defines `#[unsafe(export_name)]` functions.
        #[allow(unsafe_code, reason = "the export glue generated by wit-bindgen")]
        const _: () = {
            #[doc(hidden)]
            struct __LeadgateFieldMapping;

            impl $crate::bindings::mapping::exports::leadgate::plugin::mapping::Guest
                for __LeadgateFieldMapping
            {
                fn info() -> $crate::PluginInfo {
                    $crate::__private::plugin_info(
                        ::core::env!("CARGO_PKG_NAME"),
                        ::core::env!("CARGO_PKG_VERSION"),
                        ::core::env!("CARGO_PKG_DESCRIPTION"),
                        $crate::Role::FieldMapping,
                    )
                }

                fn check_config() -> $crate::Result<()> {
                    $crate::__private::check_mapping_config::<$mapping>()
                }

                fn map_batch(
                    inputs: ::std::vec::Vec<$crate::MappingInput>,
                    lead_fields: ::std::vec::Vec<$crate::FieldDescription>,
                    now: $crate::Timestamp,
                ) -> ::std::vec::Vec<$crate::Result<::std::vec::Vec<$crate::LeadField>>> {
                    $crate::__private::map_batch::<$mapping>(inputs, lead_fields, now)
                }
            }

            $crate::bindings::mapping::__export_field_mapping!(
                __LeadgateFieldMapping with_types_in $crate::bindings::mapping
            );
        };
    };
}
