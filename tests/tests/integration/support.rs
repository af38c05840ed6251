//! Helpers shared by the test files; nothing in here is a test.

pub(crate) mod fake_server;
pub(crate) mod leadgate_command;
pub(crate) mod sandbox;
