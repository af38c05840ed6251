//! End-to-end tests: real plugins built from source, run through the real runtime and CLI.

mod auth_cli;
mod cli;
mod containment;
mod crate_graph;
mod determinism;
mod example_plugins;
mod form_example;
mod loading;
mod lowering;
mod salesforce_auth;
mod salesforce_client;
mod salesforce_jwt_key;
mod sandbox_bulk;
mod sandbox_command;
mod sandbox_composite;
mod sandbox_concurrency;
mod sandbox_control;
mod sandbox_faults;
mod sandbox_oauth;
mod sandbox_oauth_settings;
mod sandbox_rest;
mod sandbox_tls;
mod scoring;
mod support;
mod workflow;
