//! leadgate: score website contacts with WebAssembly plugins and replicate the qualified ones
//! into Salesforce as Leads.
//!
//! The library is what the `leadgate` command is built from:
//! - [`plugin`]: the sandboxed WebAssembly runtime for scoring rules and field mappings;
//! - [`cli`] and [`commands`]: the command line.

pub mod cli;
pub mod commands;
pub mod plugin;
