//! The settings a command runs with, resolved once from every source.
//!
//! Precedence, highest first: command-line flags, then the environment
//! ([`crate::environment`]), then `leadgate.toml`, then the defaults. The CLI and the HTTP API
//! both start from [`SettingsOverrides`] (what the flags say) and a variable lookup, so the same
//! inputs give the same [`Settings`] whichever edge a request comes through.

use std::path::{Path, PathBuf};

use leadgate_plugin_runtime::default_cache_directory;

use crate::config::{Config, ConfigError, DEFAULT_FILE_NAME};

/// What the command line says about the settings; `None` leaves a setting to the lower layers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsOverrides {
    /// `--config-file`: the configuration file. Without it, `./leadgate.toml` is read when it
    /// exists, and the defaults apply otherwise.
    pub config_file: Option<PathBuf>,
    /// `--data-dir`: replaces `data-dir` of the file and the environment.
    pub data_dir: Option<PathBuf>,
    /// `--cache-dir`: replaces `[plugins] cache-dir` of the file and the environment.
    pub cache_dir: Option<PathBuf>,
    /// `--no-cache`: compile plugins on every load.
    pub no_cache: bool,
}

/// The resolved settings: the configuration with every layer applied, and the plugin cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The configuration: the file (or the defaults), then the environment, then the flags.
    pub config: Config,
    /// Where compiled plugins are cached; `None` when caching is off (`--no-cache`) or there is
    /// nowhere to put the cache (no home directory and nothing configured).
    pub cache_directory: Option<PathBuf>,
}

impl Settings {
    /// Resolves the settings: reads the configuration file the overrides name (or
    /// `./leadgate.toml` when it exists), applies the environment through `lookup` and then the
    /// overrides.
    pub fn resolve(
        overrides: &SettingsOverrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let default_file = Path::new(DEFAULT_FILE_NAME);
        let config = match &overrides.config_file {
            Some(path) => Config::load(path)?,
            None if default_file.is_file() => Config::load(default_file)?,
            None => Config::default(),
        };
        Ok(Self::layered(config, overrides, lookup))
    }

    /// The settings of a command that reads no configuration file (`plugin inspect`, `plugin
    /// run`): the defaults, then the environment and the overrides. A broken `leadgate.toml`
    /// in the current directory must not stop a command that never uses it.
    pub fn without_file(overrides: &SettingsOverrides, lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self::layered(Config::default(), overrides, lookup)
    }

    fn layered(
        mut config: Config,
        overrides: &SettingsOverrides,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Self {
        config.apply_environment(lookup);
        if let Some(data_dir) = &overrides.data_dir {
            config.data_dir.clone_from(data_dir);
        }
        if let Some(cache_dir) = &overrides.cache_dir {
            config.plugins.cache_dir = Some(cache_dir.clone());
        }
        let cache_directory = if overrides.no_cache {
            None
        } else {
            config.plugins.cache_dir.clone().or_else(default_cache_directory)
        };
        Self {
            config,
            cache_directory,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment;

    fn config_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("leadgate.toml");
        std::fs::write(&path, text).unwrap();
        (directory, path)
    }

    fn no_variables(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_file() {
        let (directory, path) =
            config_file("data-dir = \"from-file\"\n[plugins]\ncache-dir = \"cache-from-file\"\n");
        let environment = |name: &str| match name {
            environment::DATA_DIR => Some("/from/environment".to_owned()),
            environment::CACHE_DIR => Some("/cache/from/environment".to_owned()),
            _ => None,
        };
        let file_only = Settings::resolve(
            &SettingsOverrides {
                config_file: Some(path.clone()),
                ..SettingsOverrides::default()
            },
            no_variables,
        )
        .unwrap();
        assert_eq!(file_only.config.data_dir, directory.path().join("from-file"));
        assert_eq!(
            file_only.cache_directory,
            Some(directory.path().join("cache-from-file"))
        );

        let with_environment = Settings::resolve(
            &SettingsOverrides {
                config_file: Some(path.clone()),
                ..SettingsOverrides::default()
            },
            environment,
        )
        .unwrap();
        assert_eq!(with_environment.config.data_dir, Path::new("/from/environment"));
        assert_eq!(
            with_environment.cache_directory.as_deref(),
            Some(Path::new("/cache/from/environment"))
        );

        let with_flags = Settings::resolve(
            &SettingsOverrides {
                config_file: Some(path),
                data_dir: Some("/from/flag".into()),
                cache_dir: Some("/cache/from/flag".into()),
                no_cache: false,
            },
            environment,
        )
        .unwrap();
        assert_eq!(with_flags.config.data_dir, Path::new("/from/flag"));
        assert_eq!(
            with_flags.cache_directory.as_deref(),
            Some(Path::new("/cache/from/flag"))
        );
        assert_eq!(with_flags.config.plugins.cache_dir, with_flags.cache_directory);
    }

    #[test]
    fn no_cache_turns_every_cache_directory_off() {
        let (_directory, path) = config_file("[plugins]\ncache-dir = \"cache\"\n");
        let settings = Settings::resolve(
            &SettingsOverrides {
                config_file: Some(path),
                cache_dir: Some("/cache/from/flag".into()),
                no_cache: true,
                ..SettingsOverrides::default()
            },
            no_variables,
        )
        .unwrap();
        assert_eq!(settings.cache_directory, None);
    }

    #[test]
    fn without_a_file_the_defaults_apply_under_the_environment() {
        let settings = Settings::without_file(&SettingsOverrides::default(), |name: &str| {
            (name == environment::DATA_DIR).then(|| "/data".to_owned())
        });
        assert_eq!(settings.config.data_dir, Path::new("/data"));
        assert_eq!(settings.config.scores, Vec::new());
        assert_eq!(settings.cache_directory, default_cache_directory());
    }

    #[test]
    fn a_named_file_that_does_not_exist_is_an_error() {
        let error = Settings::resolve(
            &SettingsOverrides {
                config_file: Some("/no/such/leadgate.toml".into()),
                ..SettingsOverrides::default()
            },
            no_variables,
        )
        .unwrap_err();
        assert!(error.to_string().contains("/no/such/leadgate.toml"), "{error}");
    }
}
