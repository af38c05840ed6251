//! leadgate: score website contacts with WebAssembly plugins and replicate the qualified ones
//! into Salesforce as Leads.
//!
//! The library is what the `leadgate` command is built from, on top of the crates beside it:
//! `leadgate-model` (contacts, activities, awards), `leadgate-plugin-runtime` (the sandboxed
//! WebAssembly runtime), `leadgate-salesforce` (the REST client and every OAuth flow) and
//! `leadgate-sandbox` (the local Salesforce-compatible org).
//! - [`config`]: the configuration file, `leadgate.toml`;
//! - [`environment`]: every environment variable leadgate reads;
//! - [`settings`]: flags, environment, file and defaults resolved into one value;
//! - [`import`]: reading contacts and activities from CSV and JSON Lines;
//! - [`ingest`]: writing them into the store;
//! - [`store`]: the contact store on sled;
//! - [`contact_filter`]: selecting contacts by field;
//! - [`replication`]: contacts into Salesforce Leads (the payload and its preflight so far);
//! - [`scoring`]: the scoring engine;
//! - [`secrets`]: tokens and client secrets encrypted at rest;
//! - [`output`]: the typed JSON documents commands print (and the HTTP API will serve);
//! - [`cli`] and [`commands`]: the command line.

pub mod cli;
pub mod commands;
pub mod config;
pub mod contact_filter;
pub mod environment;
pub mod import;
pub mod ingest;
pub mod output;
pub mod replication;
pub mod scoring;
pub mod secrets;
pub mod settings;
pub mod store;
