//! Every environment variable leadgate reads, named in one place.
//!
//! The command line, the configuration and the secrets all refer to these constants; no other
//! file spells a `LEADGATE_*` name (a test below checks the sources). Precedence, wherever a
//! setting can come from several places: flags, then the environment, then `leadgate.toml`, then
//! the defaults (see [`crate::settings`]).
//!
//! Secrets are only ever read from the environment or a prompt, never from arguments, so that
//! they cannot show in `ps` or in shell history.

/// The configuration file, like `--config-file`.
pub const CONFIG_FILE: &str = "LEADGATE_CONFIG";
/// The data directory, like `--data-dir`; overrides `data-dir` of the file.
pub const DATA_DIR: &str = "LEADGATE_DATA_DIR";
/// Where compiled plugins are cached, like `--cache-dir`; overrides `[plugins] cache-dir`.
pub const CACHE_DIR: &str = "LEADGATE_CACHE_DIR";
/// The master key that seals stored credentials, as 64 hex digits or base64. When set, it wins
/// over the key file, which is then neither read nor created.
pub const MASTER_KEY: &str = "LEADGATE_MASTER_KEY";
/// An org's instance URL for `leadgate sf … --instance-url`.
pub const INSTANCE_URL: &str = "LEADGATE_INSTANCE_URL";
/// An access token: for `leadgate auth token`, and for `leadgate sf` with `--instance-url`.
pub const ACCESS_TOKEN: &str = "LEADGATE_ACCESS_TOKEN";
/// The connected app's consumer key, like `--client-id` of the `auth` commands.
pub const CLIENT_ID: &str = "LEADGATE_CLIENT_ID";
/// The connected app's consumer secret: the variable `--client-secret-env` names by default.
pub const CLIENT_SECRET: &str = "LEADGATE_CLIENT_SECRET";
/// The Salesforce password: the variable `auth password --password-env` names by default.
pub const SF_PASSWORD: &str = "LEADGATE_SF_PASSWORD";
/// The security token: the variable `auth password --security-token-env` names by default.
pub const SF_SECURITY_TOKEN: &str = "LEADGATE_SF_SECURITY_TOKEN";

/// Every variable above, for documentation and for tools (such as a test harness) that must
/// start leadgate with a clean environment.
pub const ALL: &[&str] = &[
    CONFIG_FILE,
    DATA_DIR,
    CACHE_DIR,
    MASTER_KEY,
    INSTANCE_URL,
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    SF_PASSWORD,
    SF_SECURITY_TOKEN,
];

/// A variable's value when it is set and not blank: an empty `LEADGATE_DATA_DIR=` counts as
/// unset, as it does for the flags that read the same variables.
pub fn non_blank(lookup: impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|value| !value.trim().is_empty())
}

/// Looks a variable up in this process's environment.
pub fn process_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    #[test]
    fn every_variable_is_a_distinct_leadgate_name() {
        let mut names: Vec<&str> = ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "a name is listed twice");
        for name in ALL {
            assert!(name.starts_with("LEADGATE_"), "{name}");
            assert!(name.chars().all(|c| c.is_ascii_uppercase() || c == '_'), "{name}");
        }
    }

    #[test]
    fn blank_values_count_as_unset() {
        let lookup = |name: &str| match name {
            "A" => Some("  ".to_owned()),
            "B" => Some("x".to_owned()),
            _ => None,
        };
        assert_eq!(non_blank(lookup, "A"), None);
        assert_eq!(non_blank(lookup, "B").as_deref(), Some("x"));
        assert_eq!(non_blank(lookup, "C"), None);
    }

    /// Other sources refer to the constants here: a `"LEADGATE_…"` literal anywhere else in the
    /// crate is a variable named outside this file.
    #[test]
    fn no_other_source_file_spells_a_variable_name() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut pending: Vec<PathBuf> = vec![root.clone()];
        while let Some(directory) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&directory) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|extension| extension == "rs")
                    && path != root.join("environment.rs")
                    && std::fs::read_to_string(&path).is_ok_and(|text| text.contains("\"LEADGATE_"))
                {
                    offenders.push(path.display().to_string());
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "variable names spelled out in {offenders:?}"
        );
    }
}
