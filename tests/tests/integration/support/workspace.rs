//! A temporary directory with a `leadgate.toml` and a data directory, and the `leadgate`
//! command run on them.

use std::path::PathBuf;
use std::process::Output;

use leadgate_tests::plugins;

use super::leadgate_command::LeadgateCommand;

/// The repository's `examples/` directory.
pub(crate) const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");

/// A configuration file and a data directory in a temporary directory.
pub(crate) struct Workspace {
    directory: tempfile::TempDir,
}

impl Workspace {
    /// With `examples/leadgate.toml`, its plugin paths pointing at the plugins this build made.
    pub(crate) fn example() -> Self {
        let config = std::fs::read_to_string(format!("{EXAMPLES}/leadgate.toml"))
            .expect("example config")
            .replace(
                "../plugins/target/wasm32-wasip2/release/purchase_count.wasm",
                plugins::PURCHASE_COUNT,
            )
            .replace(
                "../plugins/target/wasm32-wasip2/release/page_visits.wasm",
                plugins::PAGE_VISITS,
            )
            .replace(
                "../plugins/target/wasm32-wasip2/release/attribute_match.wasm",
                plugins::ATTRIBUTE_MATCH,
            );
        Self::with_config(&config)
    }

    /// With `config` as its `leadgate.toml`.
    pub(crate) fn with_config(config: &str) -> Self {
        let directory = tempfile::tempdir().expect("temp dir");
        std::fs::write(directory.path().join("leadgate.toml"), config).expect("write config");
        Self { directory }
    }

    /// A file of the workspace.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    /// `leadgate ARGS` on this workspace's configuration file and data directory.
    pub(crate) fn command(&self, args: &[&str]) -> LeadgateCommand {
        LeadgateCommand::new(["--config-file"])
            .arg(self.path("leadgate.toml"))
            .data_dir(self.path("data"))
            .args(args)
    }

    /// Runs `leadgate ARGS` to its end.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output()
    }

    /// Writes `text` to the file `name` and returns its path.
    pub(crate) fn write(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write input");
        path.display().to_string()
    }

    /// Replaces `from` with `to` in the configuration, which must contain it.
    pub(crate) fn edit_config(&self, from: &str, to: &str) {
        let path = self.path("leadgate.toml");
        let text = std::fs::read_to_string(&path).expect("config");
        assert!(text.contains(from), "the configuration has `{from}`");
        std::fs::write(&path, text.replace(from, to)).expect("write config");
    }
}
