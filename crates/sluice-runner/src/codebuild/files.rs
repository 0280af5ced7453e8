//! Picking files by the buildspec's globs (`files`, `base-directory`,
//! `exclude-paths`): for artifacts, reports and the cache. `*` stays within
//! one directory, `**/` spans any number; nothing outside the source
//! directory is ever picked, and symlinks count only when they point at a
//! file inside it.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Picked {
    /// What to read (a symlink's target inside the source).
    pub(crate) path: PathBuf,
    /// Relative to the base directory it was found under.
    pub(crate) rel: String,
    /// Relative to the source directory.
    pub(crate) from_src: String,
}

pub(crate) struct Selection<'a> {
    pub(crate) base_directory: Option<&'a str>,
    pub(crate) files: &'a [String],
    pub(crate) exclude: &'a [String],
}

/// The files of `selection` under `src`, sorted by path. Errors are one
/// line for the build's log.
pub(crate) fn pick(src: &Path, selection: &Selection) -> Result<Vec<Picked>, String> {
    let root = src.canonicalize().map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let include = globs(selection.files)?;
    let exclude = globs(selection.exclude)?;
    let mut picked = Vec::new();
    for base in base_dirs(&root, selection.base_directory)? {
        let base_rel = base.strip_prefix(&root).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let mut found = Vec::new();
        walk(&root, &base, "", &mut found);
        for (rel, path) in found {
            if include.is_match(&rel) && !exclude.is_match(&rel) {
                let from_src = if base_rel.is_empty() { rel.clone() } else { format!("{base_rel}/{rel}") };
                picked.push(Picked { path, rel, from_src });
            }
        }
    }
    picked.sort_by(|a, b| a.from_src.cmp(&b.from_src));
    picked.dedup_by(|a, b| a.from_src == b.from_src);
    Ok(picked)
}

/// A relative path that stays inside its root.
pub(crate) fn is_inside(path: &str) -> bool {
    let path = Path::new(path);
    !path.has_root() && path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

fn globs(patterns: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_start_matches("./");
        if !is_inside(trimmed.trim_end_matches('*').trim_end_matches('/')) && !trimmed.starts_with("**") {
            return Err(format!("`{pattern}` is outside the source directory"));
        }
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid pattern: {e}"))?;
        set.add(glob);
    }
    set.build().map_err(|e| format!("invalid patterns: {e}"))
}

/// `base-directory` may itself be a glob over directories (`build-*`).
fn base_dirs(root: &Path, base: Option<&str>) -> Result<Vec<PathBuf>, String> {
    let Some(base) = base.map(|b| b.trim_start_matches("./").trim_end_matches('/')).filter(|b| !b.is_empty()) else {
        return Ok(vec![root.to_path_buf()]);
    };
    if !is_inside(base) {
        return Err(format!("base-directory `{base}` is outside the source directory"));
    }
    if !base.contains(['*', '?', '[', '{']) {
        let dir = root.join(base);
        return Ok(if inside_dir(root, &dir) { vec![dir] } else { vec![] });
    }
    let matcher = GlobBuilder::new(base)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("base-directory `{base}` is not a valid pattern: {e}"))?
        .compile_matcher();
    let depth = base.split('/').count();
    let mut dirs = Vec::new();
    collect_dirs(root, "", depth, &mut |rel, dir| {
        if matcher.is_match(rel) {
            dirs.push(dir.to_path_buf());
        }
    });
    dirs.sort();
    Ok(dirs)
}

/// A real directory (not a symlink out) inside `root`.
fn inside_dir(root: &Path, dir: &Path) -> bool {
    dir.canonicalize().is_ok_and(|d| d.starts_with(root) && d.is_dir())
}

fn collect_dirs(dir: &Path, prefix: &str, depth: usize, found: &mut impl FnMut(&str, &Path)) {
    if depth == 0 {
        return;
    }
    for (name, path) in entries(dir) {
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            found(&rel, &path);
            collect_dirs(&path, &rel, depth - 1, found);
        }
    }
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
        .collect();
    out.sort();
    out
}

/// Every file under `dir` as (path relative to the base, what to read).
fn walk(root: &Path, dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    for (name, path) in entries(dir) {
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if meta.is_dir() {
            walk(root, &path, &rel, out);
        } else if meta.is_file() {
            out.push((rel, path));
        } else if meta.file_type().is_symlink()
            && let Ok(target) = path.canonicalize()
            && target.starts_with(root)
            && target.is_file()
        {
            out.push((rel, target));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        dir
    }

    fn names(picked: &[Picked]) -> Vec<&str> {
        picked.iter().map(|p| p.rel.as_str()).collect()
    }

    #[test]
    fn the_documented_base_directory_examples() {
        let dir =
            tree(&["my-build-1/my-file-1.txt", "my-build-2/my-file-2.txt", "my-build-2/my-subdirectory/my-file-3.txt"]);
        let files = ["*/my-file-3.txt".to_owned()];
        let one = Selection { base_directory: Some("my-build-2"), files: &files, exclude: &[] };
        assert_eq!(names(&pick(dir.path(), &one).unwrap()), ["my-subdirectory/my-file-3.txt"]);
        let all = ["**/*".to_owned()];
        let glob = Selection { base_directory: Some("my-build*"), files: &all, exclude: &[] };
        assert_eq!(
            names(&pick(dir.path(), &glob).unwrap()),
            ["my-file-1.txt", "my-file-2.txt", "my-subdirectory/my-file-3.txt"]
        );
    }

    #[test]
    fn excludes_and_escapes() {
        let dir = tree(&["a.js", "a.js.map", "lib/b.js.map"]);
        let all = ["**/*".to_owned()];
        let exclude = ["**/*.map".to_owned()];
        let s = Selection { base_directory: None, files: &all, exclude: &exclude };
        assert_eq!(names(&pick(dir.path(), &s).unwrap()), ["a.js"]);
        let out = ["../x".to_owned()];
        assert!(pick(dir.path(), &Selection { base_directory: None, files: &out, exclude: &[] }).is_err());
        assert!(pick(dir.path(), &Selection { base_directory: Some("/etc"), files: &all, exclude: &[] }).is_err());
    }
}
