//! `leadgate.toml`: the configuration file.
