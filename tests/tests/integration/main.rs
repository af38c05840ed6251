//! End-to-end tests: real plugins built from source, run through the real runtime and CLI.

mod cli;
mod containment;
mod determinism;
mod example_plugins;
mod loading;
mod scoring;
mod workflow;
