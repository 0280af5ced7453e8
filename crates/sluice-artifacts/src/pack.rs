//! Directory → zip: the files an action declares as its output artifact.

use crate::error::{ArtifactError, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::fs::{self, File, Metadata};
use std::io::{self, BufWriter};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// What [`pack`] put in the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackSummary {
    pub files: u64,
    /// Uncompressed.
    pub bytes: u64,
    /// Matching symlinks left out: they point outside the directory, at a
    /// directory, or nowhere.
    pub skipped_symlinks: u64,
}

/// Zips every file under `dir`.
pub fn pack_all(dir: &Path, out_zip: &Path) -> Result<PackSummary> {
    pack(dir, &["**/*".to_owned()], out_zip)
}

/// Zips the files under `dir` whose path relative to `dir` matches one of
/// `patterns` (globs where `*` stays within one directory and `**/` spans
/// any number), keeping relative paths and unix permissions. A symlink to a
/// file inside `dir` is stored as that file; other symlinks are left out, so
/// nothing outside `dir` ever gets in.
pub fn pack(dir: &Path, patterns: &[String], out_zip: &Path) -> Result<PackSummary> {
    let globs = compile(patterns)?;
    let root = dir.canonicalize().map_err(ArtifactError::io("read", dir))?;
    let out = File::create(out_zip).map_err(ArtifactError::io("create", out_zip))?;
    // The archive may be written inside `dir`; it must not pack itself.
    let out_meta = out.metadata().map_err(ArtifactError::io("read", out_zip))?;
    let mut picked = Picked { files: Vec::new(), skipped_symlinks: 0, exclude: (out_meta.dev(), out_meta.ino()) };
    walk(&root, &root, "", &globs, &mut picked)?;

    let mut zip = ZipWriter::new(BufWriter::new(out));
    let mut summary = PackSummary { skipped_symlinks: picked.skipped_symlinks, ..PackSummary::default() };
    for file in &picked.files {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .unix_permissions(file.mode)
            .large_file(file.size >= u64::from(u32::MAX));
        zip.start_file(file.rel.as_str(), options).map_err(ArtifactError::zip(out_zip))?;
        let mut input = File::open(&file.path).map_err(ArtifactError::io("read", &file.path))?;
        summary.bytes += io::copy(&mut input, &mut zip).map_err(ArtifactError::io("write", out_zip))?;
        summary.files += 1;
    }
    let mut buffered = zip.finish().map_err(ArtifactError::zip(out_zip))?;
    io::Write::flush(&mut buffered).map_err(ArtifactError::io("write", out_zip))?;
    Ok(summary)
}

fn compile(patterns: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_start_matches("./");
        let glob = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|source| ArtifactError::Pattern { pattern: pattern.clone(), source })?;
        set.add(glob);
    }
    set.build().map_err(|source| ArtifactError::Pattern { pattern: patterns.join(", "), source })
}

struct Picked {
    files: Vec<PickedFile>,
    skipped_symlinks: u64,
    exclude: (u64, u64),
}

struct PickedFile {
    rel: String,
    /// What to read: the file itself, or a symlink's target inside the root.
    path: PathBuf,
    mode: u32,
    size: u64,
}

/// Depth first, names sorted, so the same tree always gives the same archive.
fn walk(root: &Path, dir: &Path, prefix: &str, globs: &GlobSet, picked: &mut Picked) -> Result<()> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(ArtifactError::io("read", dir))? {
        let entry = entry.map_err(ArtifactError::io("read", dir))?;
        entries.push(entry.path());
    }
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| ArtifactError::Io {
            action: "pack",
            path: path.clone(),
            source: io::Error::new(io::ErrorKind::InvalidData, "the file name is not valid UTF-8"),
        })?;
        let rel = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}/{name}") };
        // Not followed: a symlink is judged below, never walked into.
        let meta = fs::symlink_metadata(&path).map_err(ArtifactError::io("read", &path))?;
        if meta.is_dir() {
            walk(root, &path, &rel, globs, picked)?;
        } else if !globs.is_match(&rel) {
            continue;
        } else if meta.is_file() {
            picked.add(rel, path, &meta);
        } else if meta.file_type().is_symlink() {
            match symlinked_file(root, &path) {
                Some((target, target_meta)) => picked.add(rel, target, &target_meta),
                None => picked.skipped_symlinks += 1,
            }
        }
        // Sockets, fifos and devices are not artifact content.
    }
    Ok(())
}

/// The target of a symlink when it is a regular file inside `root`.
fn symlinked_file(root: &Path, link: &Path) -> Option<(PathBuf, Metadata)> {
    let target = link.canonicalize().ok()?;
    let meta = fs::metadata(&target).ok()?;
    (target.starts_with(root) && meta.is_file()).then_some((target, meta))
}

impl Picked {
    fn add(&mut self, rel: String, path: PathBuf, meta: &Metadata) {
        if (meta.dev(), meta.ino()) == self.exclude {
            return;
        }
        self.files.push(PickedFile { rel, path, mode: meta.permissions().mode(), size: meta.len() });
    }
}
