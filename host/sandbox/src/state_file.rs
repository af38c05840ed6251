//! `--state FILE`: the org's Leads and id counters as JSON, read at start and written at shutdown
//! (to a temporary file first, then renamed, so a crash never leaves half a file).

use std::path::Path;

use crate::SandboxError;
use crate::org::OrgState;

/// The saved org, or `None` when the file does not exist yet.
pub(crate) fn load(path: &Path) -> Result<Option<OrgState>, SandboxError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SandboxError::StateFile {
                path: path.to_owned(),
                source,
            });
        }
    };
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|source| SandboxError::StateFormat {
            path: path.to_owned(),
            source,
        })
}

/// Writes the org.
pub(crate) fn save(path: &Path, state: &OrgState) -> Result<(), SandboxError> {
    let io_error = |source| SandboxError::StateFile {
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_vec_pretty(state).map_err(|source| SandboxError::StateFormat {
        path: path.to_owned(),
        source,
    })?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    std::fs::write(&temporary, text).map_err(io_error)?;
    std::fs::rename(&temporary, path).map_err(io_error)
}
