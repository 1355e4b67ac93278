//! A directory store is read only inside itself: every file and directory the import opens under
//! the path it was given must be a real one, not a symbolic link. A link could point anywhere on
//! this host (a key ring, another tenant's data), and what is read becomes a tenant's data, so
//! links are refused, never followed, whatever they point to. The path given itself may be a link:
//! the operator chose it.

use std::{
    fs::{self, File, Metadata},
    io::{self, ErrorKind},
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
};

use serde_json::Value;
use tenantry_domain::import::ImportProblem;

use crate::read_limits::{read_at_most, too_large};

/// Why a link is not read.
pub const LINK_REFUSED: &str = "a symbolic link: the import reads no links, so that nothing \
     outside the store is read (replace it with the file itself, or remove it)";

fn problem(path: &Path, message: impl Into<String>) -> ImportProblem {
    ImportProblem::new(path.display().to_string(), message)
}

/// What is at `path`, not following a link; `None` when nothing is; a link is refused.
fn entry(path: &Path) -> Result<Option<Metadata>, ImportProblem> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => Err(problem(path, LINK_REFUSED)),
        Ok(metadata) => Ok(Some(metadata)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(problem(path, error.to_string())),
    }
}

/// Whether `path` is a directory (a link is refused).
pub fn is_dir(path: &Path) -> Result<bool, ImportProblem> {
    Ok(entry(path)?.is_some_and(|metadata| metadata.is_dir()))
}

/// Checks a file the import will read: absent (`None`), or a regular file of at most `limit`
/// bytes (its size); a link, anything else, or a larger file is refused.
pub fn check_file(path: &Path, limit: u64) -> Result<Option<u64>, ImportProblem> {
    match entry(path)? {
        None => Ok(None),
        Some(metadata) if !metadata.is_file() => Err(problem(path, "not a regular file")),
        Some(metadata) if metadata.len() > limit => Err(problem(path, too_large("the file", limit))),
        Some(metadata) => Ok(Some(metadata.len())),
    }
}

/// The entries of a directory (a link is refused; a missing directory has none), sorted.
pub fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>, ImportProblem> {
    if !is_dir(dir)? {
        return Ok(Vec::new());
    }
    let mut entries = Vec::new();
    for found in fs::read_dir(dir).map_err(|error| problem(dir, error.to_string()))? {
        let found = found.map_err(|error| problem(dir, error.to_string()))?;
        if let Some(name) = found.file_name().to_str() {
            entries.push((name.to_owned(), found.path()));
        }
    }
    entries.sort();
    Ok(entries)
}

/// Opens a regular file, refusing a link even one swapped in after a check: the file opened must
/// be the very one (device and inode) that was at `path` without following links.
fn open(path: &Path) -> Result<File, ImportProblem> {
    let at_path = match entry(path)? {
        Some(metadata) if metadata.is_file() => metadata,
        Some(_) => return Err(problem(path, "not a regular file")),
        None => return Err(problem(path, io::Error::from(ErrorKind::NotFound).to_string())),
    };
    let file = File::open(path).map_err(|error| problem(path, error.to_string()))?;
    let opened = file
        .metadata()
        .map_err(|error| problem(path, error.to_string()))?;
    if (opened.dev(), opened.ino()) != (at_path.dev(), at_path.ino()) {
        return Err(problem(path, LINK_REFUSED));
    }
    Ok(file)
}

/// A JSON file of at most `limit` bytes, or a problem naming it.
pub fn read_json(path: &Path, limit: u64) -> Result<Value, ImportProblem> {
    let bytes = read_at_most(open(path)?, limit, "the file").map_err(|message| problem(path, message))?;
    serde_json::from_slice(&bytes).map_err(|error| problem(path, format!("not valid JSON: {error}")))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn links_are_refused_and_regular_files_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keys.json"), r#"{"secret": 1}"#).unwrap();
        let store = tempfile::tempdir().unwrap();
        std::fs::write(store.path().join("plain.json"), r#"{"plain": 1}"#).unwrap();
        symlink(outside.path().join("keys.json"), store.path().join("linked.json")).unwrap();
        symlink(outside.path(), store.path().join("dir")).unwrap();

        assert_eq!(
            read_json(&store.path().join("plain.json"), 100).unwrap()["plain"],
            1
        );
        let refused = read_json(&store.path().join("linked.json"), 100).unwrap_err();
        assert_eq!(refused.message, LINK_REFUSED);
        assert!(check_file(&store.path().join("linked.json"), 100).is_err());
        assert!(is_dir(&store.path().join("dir")).is_err());
        assert!(list(&store.path().join("dir")).is_err());
        assert_eq!(check_file(&store.path().join("absent.json"), 100).unwrap(), None);
        assert_eq!(
            check_file(&store.path().join("plain.json"), 100).unwrap(),
            Some(12)
        );
        assert!(
            check_file(&store.path().join("plain.json"), 5).is_err(),
            "over the limit"
        );
        let names: Vec<String> = list(store.path())
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["dir", "linked.json", "plain.json"]);
    }
}
