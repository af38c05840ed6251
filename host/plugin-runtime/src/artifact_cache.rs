//! Compiled plugins on disk, so a plugin is compiled once per host build, not once per start.

use std::fs;
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// A directory of precompiled plugin artifacts (`.cwasm`).
///
/// An artifact's file name is the SHA-256 of the plugin's bytes plus a hash of everything that
/// makes compiled code compatible with this engine (wasmtime version, target, enabled
/// features and settings), so a changed plugin or a host upgrade simply misses the cache.
#[derive(Debug, Clone)]
pub(crate) struct ArtifactCache {
    directory: PathBuf,
    engine_key: String,
}

impl ArtifactCache {
    /// Opens (creating it if needed, readable by the owner only) the cache directory.
    pub(crate) fn open(directory: &Path, engine: &Engine) -> std::io::Result<Self> {
        fs::create_dir_all(directory)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(directory, fs::Permissions::from_mode(0o700))?;
        }
        Ok(Self {
            directory: directory.to_owned(),
            engine_key: engine_compatibility_key(engine),
        })
    }

    /// The artifact path for a plugin whose bytes hash to `component_sha256` (hex).
    pub(crate) fn artifact_path(&self, component_sha256: &str) -> PathBuf {
        self.directory
            .join(format!("{component_sha256}-{}.cwasm", self.engine_key))
    }

    /// Loads the compiled plugin, if a usable artifact is there. A damaged or incompatible
    /// artifact is removed so that the next load rewrites it.
    pub(crate) fn load(&self, engine: &Engine, component_sha256: &str) -> Option<Component> {
        let path = self.artifact_path(component_sha256);
        if !path.is_file() {
            return None;
        }
        match deserialize_artifact(engine, &path) {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), error = %format!("{error:#}"), "discarding unusable plugin artifact");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Writes a compiled plugin's artifact, atomically: readers see the whole file or none.
    pub(crate) fn store(&self, component_sha256: &str, component: &Component) -> std::io::Result<()> {
        let bytes = component
            .serialize()
            .map_err(|error| std::io::Error::other(format!("{error:#}")))?;
        let path = self.artifact_path(component_sha256);
        let mut temporary = tempfile::NamedTempFile::new_in(&self.directory)?;
        temporary.write_all(&bytes)?;
        temporary.as_file().sync_all()?;
        temporary.persist(&path).map_err(|error| error.error)?;
        Ok(())
    }
}

fn deserialize_artifact(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // Read into memory rather than mapping the file: a mapped artifact that someone truncates
    // on disk (a cache cleaner, a second leadgate writing it) would crash the process with
    // SIGBUS. Reading costs well under a millisecond.
    let bytes = fs::read(path)?;
    deserialize_bytes(engine, &bytes)
}

#[expect(
    unsafe_code,
    reason = "wasmtime cannot verify precompiled code; see the safety comment"
)]
fn deserialize_bytes(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: the bytes come from a file written by `ArtifactCache::store` from
    // `Component::serialize` of this engine configuration (its name carries the engine's
    // compatibility hash, and wasmtime checks the header again); the directory is created
    // owner-only and written by atomic rename, so no other party's bytes and no half-written
    // file are ever read.
    unsafe { Component::deserialize(engine, bytes) }
}

/// A stable text key for the engine's compiled-code compatibility.
fn engine_compatibility_key(engine: &Engine) -> String {
    use std::hash::Hash;

    /// Feeds `Hash` output into SHA-256, which (unlike `DefaultHasher`) is stable across Rust
    /// releases.
    struct Sha256Hasher(Sha256);
    impl Hasher for Sha256Hasher {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
    }

    let mut hasher = Sha256Hasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let digest = hasher.0.finalize();
    hex::encode(&digest[..8])
}
