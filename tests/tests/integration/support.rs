//! Helpers shared by the test files; nothing in here is a test. A helper moves here when a
//! second file needs it; until then it stays in the one file that uses it.

pub(crate) mod data_dir;
pub(crate) mod fake_server;
pub(crate) mod leadgate_command;
pub(crate) mod oauth_server;
pub(crate) mod salesforce_client;
pub(crate) mod salesforce_login;
pub(crate) mod sandbox;
pub(crate) mod workspace;
