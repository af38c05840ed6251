//! Turning the paths written in `leadgate.toml` (or in environment variables) into usable ones.

use std::path::{Component, Path, PathBuf};

/// A path started with `~` but there is no home directory to put in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NoHomeDirectory;

/// Resolves `written` the way the configuration file means it: `~` and `~/…` start at `home`, an
/// absolute path stays as it is, and any other path is relative to `base_dir` (the directory of
/// the configuration file; an empty `base_dir` leaves it relative to the current directory).
///
/// `.` components are dropped; `..` components are kept, because removing them without looking
/// at the file system would be wrong when a symbolic link precedes them.
pub(super) fn resolve(
    written: &str,
    base_dir: &Path,
    home: Option<&Path>,
) -> Result<PathBuf, NoHomeDirectory> {
    let path = match expand_home(written, home)? {
        Some(expanded) => expanded,
        None => base_dir.join(written),
    };
    Ok(without_current_dir_components(&path))
}

/// `~` or `~/rest` with the home directory in place of `~`; `None` when `written` does not start
/// that way (`~user/…` is not expanded: it is a plain relative path).
fn expand_home(written: &str, home: Option<&Path>) -> Result<Option<PathBuf>, NoHomeDirectory> {
    let rest = if written == "~" {
        ""
    } else if let Some(rest) = written.strip_prefix("~/") {
        rest
    } else {
        return Ok(None);
    };
    let home = home.ok_or(NoHomeDirectory)?;
    Ok(Some(home.join(rest)))
}

/// `path` without its `.` components (`./plugins/./a.wasm` → `plugins/a.wasm`), so the same file
/// written two ways gets the same path, and the same rule fingerprint.
fn without_current_dir_components(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() && !path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_joined_to_the_base_directory() {
        let base = Path::new("/etc/leadgate");
        assert_eq!(
            resolve("plugins/a.wasm", base, None),
            Ok(PathBuf::from("/etc/leadgate/plugins/a.wasm"))
        );
        assert_eq!(
            resolve("./plugins/./a.wasm", base, None),
            Ok(PathBuf::from("/etc/leadgate/plugins/a.wasm"))
        );
        assert_eq!(
            resolve("../plugins/a.wasm", base, None),
            Ok(PathBuf::from("/etc/leadgate/../plugins/a.wasm"))
        );
        assert_eq!(resolve(".", base, None), Ok(PathBuf::from("/etc/leadgate")));
        assert_eq!(resolve("data", Path::new(""), None), Ok(PathBuf::from("data")));
        assert_eq!(resolve(".", Path::new(""), None), Ok(PathBuf::from(".")));
    }

    #[test]
    fn absolute_paths_stay_as_they_are() {
        assert_eq!(
            resolve("/var/lib/leadgate", Path::new("/etc/leadgate"), None),
            Ok(PathBuf::from("/var/lib/leadgate"))
        );
    }

    #[test]
    fn a_leading_tilde_means_the_home_directory() {
        let home = Some(Path::new("/home/ada"));
        let base = Path::new("/etc/leadgate");
        assert_eq!(
            resolve("~/.cache/leadgate", base, home),
            Ok(PathBuf::from("/home/ada/.cache/leadgate"))
        );
        assert_eq!(resolve("~", base, home), Ok(PathBuf::from("/home/ada")));
        assert_eq!(
            resolve("~ada/x", base, home),
            Ok(PathBuf::from("/etc/leadgate/~ada/x"))
        );
        assert_eq!(resolve("~/x", base, None), Err(NoHomeDirectory));
    }
}
