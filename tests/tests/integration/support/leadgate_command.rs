//! The one way the tests launch the `leadgate` binary: [`LeadgateCommand`].
//!
//! A test must see only what it sets itself. The environment of `cargo test` may carry a
//! developer's `LEADGATE_*` settings, a `RUST_LOG` filter, a home directory with a real
//! `~/.cache/leadgate`; the builder removes the first two and points the home directory, and the
//! current directory, at a fresh temporary directory, so the binary runs the same on every
//! machine and leaves nothing behind.

use std::ffi::{OsStr, OsString};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use leadgate_tests::shared_cache_directory;
use tempfile::TempDir;

/// The prefix of every environment variable leadgate reads.
const LEADGATE_PREFIX: &[u8] = b"LEADGATE_";

/// `leadgate ARGS…`, run in a clean environment:
///
/// - every variable whose name starts with `LEADGATE_` is removed, and so is `RUST_LOG`;
/// - `HOME` and the current directory are a new temporary directory, removed when the process
///   has ended (for [`spawn`](Self::spawn): when the [`LeadgateChild`] is dropped);
/// - `LEADGATE_CACHE_DIR` is the compiled-plugin cache every test of this build shares, so each
///   plugin is compiled once per run rather than once per test;
/// - `NO_COLOR` is set, so messages compare as plain text;
/// - stdin is empty, so no command waits for a terminal.
///
/// What a test sets on purpose ([`env`](Self::env), [`current_dir`](Self::current_dir),
/// [`stdin`](Self::stdin)) is applied last and wins over these defaults.
#[must_use = "a LeadgateCommand does nothing until it is run"]
pub(crate) struct LeadgateCommand {
    args: Vec<OsString>,
    data_dir: Option<PathBuf>,
    current_dir: Option<PathBuf>,
    environment: Vec<(OsString, OsString)>,
    stdin: Option<Stdio>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
}

impl LeadgateCommand {
    /// `leadgate` with these arguments.
    pub(crate) fn new<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Self {
            args: Vec::new(),
            data_dir: None,
            current_dir: None,
            environment: Vec::new(),
            stdin: None,
            stdout: None,
            stderr: None,
        }
        .args(args)
    }

    /// One more argument.
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// More arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// The data directory, given as `--data-dir` ahead of the other arguments (the flag and
    /// `LEADGATE_DATA_DIR` are the same setting).
    pub(crate) fn data_dir(mut self, directory: impl AsRef<Path>) -> Self {
        self.data_dir = Some(directory.as_ref().to_owned());
        self
    }

    /// The directory the command runs in, instead of its temporary home directory.
    pub(crate) fn current_dir(mut self, directory: impl AsRef<Path>) -> Self {
        self.current_dir = Some(directory.as_ref().to_owned());
        self
    }

    /// An environment variable set on purpose; it survives the clean-up, `LEADGATE_*` and
    /// `RUST_LOG` included.
    pub(crate) fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.environment
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Several variables set on purpose, as [`env`](Self::env) does.
    pub(crate) fn envs<I, K, V>(self, variables: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        variables
            .into_iter()
            .fold(self, |command, (name, value)| command.env(name, value))
    }

    /// The command's stdin (empty unless set).
    pub(crate) fn stdin(mut self, stdin: impl Into<Stdio>) -> Self {
        self.stdin = Some(stdin.into());
        self
    }

    /// The command's stdout, for [`spawn`](Self::spawn); [`output`](Self::output) captures it.
    pub(crate) fn stdout(mut self, stdout: impl Into<Stdio>) -> Self {
        self.stdout = Some(stdout.into());
        self
    }

    /// The command's stderr, for [`spawn`](Self::spawn); [`output`](Self::output) captures it.
    pub(crate) fn stderr(mut self, stderr: impl Into<Stdio>) -> Self {
        self.stderr = Some(stderr.into());
        self
    }

    /// Runs the command to its end and returns what it printed.
    pub(crate) fn output(self) -> Output {
        let (mut command, _home) = self.into_command();
        command.output().expect("the leadgate binary runs")
    }

    /// [`output`](Self::output) on a blocking thread, so that a server on the test's own tokio
    /// runtime (an in-process sandbox org) keeps answering while the command talks to it.
    pub(crate) async fn output_async(self) -> Output {
        tokio::task::spawn_blocking(move || self.output())
            .await
            .expect("the leadgate command's thread ends")
    }

    /// Starts the command and returns at once, for tests that read its output while it runs,
    /// signal it or kill it.
    pub(crate) fn spawn(self) -> LeadgateChild {
        let (mut command, home) = self.into_command();
        let child = command.spawn().expect("the leadgate binary starts");
        LeadgateChild { child, _home: home }
    }

    /// The `std::process::Command` to run, and the temporary home directory it uses.
    fn into_command(self) -> (Command, TempDir) {
        let home = tempfile::tempdir().expect("a temporary home directory");
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadgate-under-test"));
        for (name, _) in std::env::vars_os() {
            if name.as_encoded_bytes().starts_with(LEADGATE_PREFIX) {
                command.env_remove(name);
            }
        }
        command
            .env_remove("RUST_LOG")
            .env("HOME", home.path())
            .env("LEADGATE_CACHE_DIR", shared_cache_directory())
            .env("NO_COLOR", "1")
            .current_dir(self.current_dir.as_deref().unwrap_or(home.path()))
            .stdin(self.stdin.unwrap_or_else(Stdio::null));
        if let Some(data_dir) = &self.data_dir {
            command.arg("--data-dir").arg(data_dir);
        }
        command.args(&self.args).envs(self.environment);
        if let Some(stdout) = self.stdout {
            command.stdout(stdout);
        }
        if let Some(stderr) = self.stderr {
            command.stderr(stderr);
        }
        (command, home)
    }
}

/// A running `leadgate` from [`LeadgateCommand::spawn`]: a [`Child`] (through `Deref`) that
/// keeps the command's temporary home directory until it is dropped.
pub(crate) struct LeadgateChild {
    child: Child,
    _home: TempDir,
}

impl LeadgateChild {
    /// Waits for the command to end and collects what it printed to piped streams.
    pub(crate) fn wait_with_output(self) -> Output {
        self.child
            .wait_with_output()
            .expect("the leadgate command can be waited for")
    }
}

impl Deref for LeadgateChild {
    type Target = Child;

    fn deref(&self) -> &Child {
        &self.child
    }
}

impl DerefMut for LeadgateChild {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

/// What the command printed on stdout, as text.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the command printed on stderr, as text.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
