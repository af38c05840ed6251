//! leadgate: score website contacts with WebAssembly plugins and replicate the qualified ones
//! into Salesforce as Leads.
//!
//! The library is what the `leadgate` command is built from:
//! - [`records`]: the contacts and activities leadgate keeps;
//! - [`config`]: `leadgate.toml`;
//! - [`import`]: reading contacts and activities from CSV and JSON Lines;
//! - [`plugin`]: the sandboxed WebAssembly runtime for scoring rules and field mappings;
//! - [`cli`] and [`commands`]: the command line.

pub mod cli;
pub mod commands;
pub mod config;
pub mod import;
pub mod plugin;
pub mod records;
