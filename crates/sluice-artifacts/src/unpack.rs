//! Zip → directory, for archives nobody vouches for: an artifact may come
//! from any action, so every entry is checked before anything is written.

use crate::error::{ArtifactError, Result};
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use zip::ZipArchive;

/// Bounds on what one archive may unpack to (zip bombs declare small sizes
/// and inflate to huge ones, so the bytes are counted as they are written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_total_bytes: u64,
    pub max_entries: u64,
    pub max_entry_bytes: u64,
}

impl Default for Limits {
    /// CodePipeline's own artifact size limit, and a generous entry count.
    fn default() -> Self {
        const GIB: u64 = 1 << 30;
        Limits { max_total_bytes: 5 * GIB, max_entries: 100_000, max_entry_bytes: 5 * GIB }
    }
}

/// What [`unpack`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnpackSummary {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
}

/// Extracts `zip_path` into `dest` (created if missing), keeping unix
/// permission bits. Refuses, naming the entry: paths with `..`, absolute
/// paths, symlink entries, and anything over `limits`. Nothing is ever
/// written outside `dest`; after an error `dest` may hold part of the
/// archive, and the caller discards it.
pub fn unpack(zip_path: &Path, dest: &Path, limits: Limits) -> Result<UnpackSummary> {
    let file = File::open(zip_path).map_err(ArtifactError::io("read", zip_path))?;
    let mut archive = ZipArchive::new(BufReader::new(file)).map_err(ArtifactError::zip(zip_path))?;
    let count = archive.len() as u64;
    if count > limits.max_entries {
        return Err(ArtifactError::TooManyEntries { count, limit: limits.max_entries });
    }
    fs::create_dir_all(dest).map_err(ArtifactError::io("create", dest))?;

    let mut out = Writer { dest, known_dirs: HashSet::new(), summary: UnpackSummary::default() };
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(ArtifactError::zip(zip_path))?;
        let name = entry.name().to_owned();
        let unsafe_entry = |reason| ArtifactError::UnsafeEntry { entry: name.clone(), reason };
        let parts = safe_components(&name).map_err(unsafe_entry)?;
        if entry.is_symlink() {
            return Err(unsafe_entry("symbolic links are not allowed in artifacts"));
        }
        let Some((last, parents)) = parts.split_last() else {
            continue; // the archive's root, as `./`
        };
        let mode = entry.unix_mode();
        if entry.is_dir() {
            let dir = out.dirs(&name, &parts)?;
            // Keep the owner's rwx so the workspace stays writable and removable.
            if let Some(mode) = mode {
                set_mode(&dir, (mode & 0o777) | 0o700)?;
            }
            out.summary.dirs += 1;
            continue;
        }

        let remaining = limits.max_total_bytes - out.summary.bytes;
        if entry.size() > limits.max_entry_bytes {
            return Err(ArtifactError::EntryTooLarge { entry: name, limit: limits.max_entry_bytes });
        }
        if entry.size() > remaining {
            return Err(ArtifactError::TooLarge { entry: name, limit: limits.max_total_bytes });
        }
        let mut path = out.dirs(&name, parents)?;
        path.push(last);
        out.clear_way(&name, &path)?;
        let allowed = limits.max_entry_bytes.min(remaining);
        let written = write_file(&mut entry, &path, allowed)?;
        if written > allowed {
            let _ = fs::remove_file(&path);
            return Err(if written > limits.max_entry_bytes {
                ArtifactError::EntryTooLarge { entry: name, limit: limits.max_entry_bytes }
            } else {
                ArtifactError::TooLarge { entry: name, limit: limits.max_total_bytes }
            });
        }
        // An artifact is data: it must not plant setuid, setgid or sticky files.
        if let Some(mode) = mode {
            set_mode(&path, mode & 0o777)?;
        }
        out.summary.files += 1;
        out.summary.bytes += written;
    }
    Ok(out.summary)
}

/// The entry's path as plain names, or why it may not be written.
fn safe_components(name: &str) -> Result<Vec<&str>, &'static str> {
    if name.contains('\0') {
        return Err("the path contains a NUL character");
    }
    if name.starts_with('/') {
        return Err("absolute paths are not allowed");
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("the path leads outside the destination (`..`)"),
            _ => parts.push(part),
        }
    }
    Ok(parts)
}

/// Copies at most `allowed + 1` bytes, so the caller can tell an entry that
/// lied about its size from one that fits exactly.
fn write_file(entry: &mut impl Read, path: &Path, allowed: u64) -> Result<u64> {
    let mut file = File::create(path).map_err(ArtifactError::io("create", path))?;
    let mut limited = entry.take(allowed.saturating_add(1));
    io::copy(&mut limited, &mut file).map_err(ArtifactError::io("write", path))
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(ArtifactError::io("set permissions of", path))
}

struct Writer<'a> {
    dest: &'a Path,
    /// Directories already checked or created, to skip the syscalls.
    known_dirs: HashSet<PathBuf>,
    summary: UnpackSummary,
}

impl Writer<'_> {
    /// Creates `dest/parts...` one level at a time, refusing to pass through
    /// a symlink that was already in `dest`.
    fn dirs(&mut self, entry: &str, parts: &[&str]) -> Result<PathBuf> {
        let mut path = self.dest.to_path_buf();
        for part in parts {
            path.push(part);
            if self.known_dirs.contains(&path) {
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if meta.file_type().is_symlink() => return Err(symlink_in_the_way(entry)),
                Ok(_) => {
                    return Err(ArtifactError::Io {
                        action: "create directory",
                        path,
                        source: io::Error::new(io::ErrorKind::AlreadyExists, "a file is in the way"),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(ArtifactError::io("create", path)(e)),
                },
                Err(e) => return Err(ArtifactError::io("read", path)(e)),
            }
            self.known_dirs.insert(path.clone());
        }
        Ok(path)
    }

    /// Makes room for a file: a later entry of the same name replaces an
    /// earlier one (even a read-only one), but a symlink is never followed.
    fn clear_way(&self, entry: &str, path: &Path) -> Result<()> {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => Err(symlink_in_the_way(entry)),
            Ok(meta) if meta.is_dir() => Err(ArtifactError::Io {
                action: "create",
                path: path.to_owned(),
                source: io::Error::new(io::ErrorKind::AlreadyExists, "a directory is in the way"),
            }),
            Ok(_) => fs::remove_file(path).map_err(ArtifactError::io("replace", path)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ArtifactError::io("read", path)(e)),
        }
    }
}

fn symlink_in_the_way(entry: &str) -> ArtifactError {
    ArtifactError::UnsafeEntry { entry: entry.to_owned(), reason: "a symbolic link in the destination is in the way" }
}

#[cfg(test)]
mod tests {
    use super::safe_components;

    #[test]
    fn components() {
        assert_eq!(safe_components("a/./b//c").unwrap(), ["a", "b", "c"]);
        assert_eq!(safe_components("dir/").unwrap(), ["dir"]);
        assert!(safe_components("./").unwrap().is_empty());
        assert!(safe_components("../x").is_err());
        assert!(safe_components("a/../../x").is_err());
        assert!(safe_components("/etc/passwd").is_err());
        assert!(safe_components("a\0b").is_err());
    }
}
