//! A project's local cache: the files of the buildspec's `cache.paths` kept
//! under `cache_root/<project>` after a build, and copied back into the
//! source directory before the next build's install phase.

use super::files::{Selection, is_inside, pick};
use std::io;
use std::path::{Path, PathBuf};

pub(crate) fn dir(cache_root: &Path, project: &str) -> Option<PathBuf> {
    let plain = !project.is_empty()
        && !project.starts_with('.')
        && project.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| cache_root.join(project))
}

/// Copies the cached files into `src`; files the source already has win.
/// Returns how many files were restored.
pub(crate) fn restore(cache: &Path, src: &Path) -> io::Result<usize> {
    if !cache.is_dir() {
        return Ok(0);
    }
    copy_tree(cache, src, false)
}

/// The paths sluice can cache (inside the source directory), and notes on
/// the others for the log.
pub(crate) fn split_paths(paths: &[String]) -> (Vec<String>, Vec<String>) {
    // `~` and `$HOME` are the workspace's home, outside the source too.
    let (inside, outside): (Vec<_>, Vec<_>) = paths
        .iter()
        .cloned()
        .partition(|p| !p.starts_with(['~', '$']) && is_inside(p.trim_start_matches("./").trim_start_matches("**/")));
    let notes = outside
        .into_iter()
        .map(|p| format!("cache path `{p}` is outside the source directory: sluice caches only paths inside it"))
        .collect();
    (inside, notes)
}

/// Replaces the cache with the files of `paths` now in `src`; returns the
/// number of files kept.
pub(crate) fn save(cache: &Path, src: &Path, paths: &[String], tag: &str) -> Result<usize, String> {
    let picked = pick(src, &Selection { base_directory: None, files: paths, exclude: &[] })?;
    let parent = cache.parent().ok_or("the cache directory has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let fresh = parent.join(format!(".{}.{tag}", cache.file_name().unwrap_or_default().to_string_lossy()));
    let _ = std::fs::remove_dir_all(&fresh);
    for file in &picked {
        let to = fresh.join(&file.from_src);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot write the cache: {e}"))?;
        }
        std::fs::copy(&file.path, &to).map_err(|e| format!("cannot write the cache: {e}"))?;
    }
    // Swapped in whole, so a build never restores half of a cache.
    let _ = std::fs::remove_dir_all(cache);
    if picked.is_empty() {
        let _ = std::fs::remove_dir_all(&fresh);
        return Ok(0);
    }
    std::fs::rename(&fresh, cache).map_err(|e| format!("cannot write the cache: {e}"))?;
    Ok(picked.len())
}

fn copy_tree(from: &Path, to: &Path, overwrite: bool) -> io::Result<usize> {
    let mut copied = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let meta = std::fs::symlink_metadata(&source)?;
        if meta.is_dir() {
            std::fs::create_dir_all(&target)?;
            copied += copy_tree(&source, &target, overwrite)?;
        } else if meta.is_file() && (overwrite || std::fs::symlink_metadata(&target).is_err()) {
            std::fs::copy(&source, &target)?;
            copied += 1;
        }
    }
    Ok(copied)
}
