//! Where artifacts live, by key. Only a local directory today; the API is
//! async and key-based so that an S3-compatible backend can take its place.

use crate::error::{ArtifactError, Result};
use crate::key::check_key;
use std::io;
use std::path::{Path, PathBuf};

/// Uploads in progress are written under this prefix beside their final
/// name, then renamed: same directory, so the rename is atomic.
pub(crate) const TEMP_PREFIX: &str = ".sluice-tmp";

#[derive(Debug, Clone)]
pub struct ArtifactStore {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local { root: PathBuf },
}

impl ArtifactStore {
    /// A store that keeps each artifact as the file `root/<key>`.
    pub fn local(root: PathBuf) -> Self {
        ArtifactStore { backend: Backend::Local { root } }
    }

    /// Stores the file `from` under `key`, replacing what was there. Readers
    /// see the old content or the new, never a part.
    pub async fn put_file(&self, key: &str, from: &Path) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => {
                let dest = root.join(key);
                let from = from.to_owned();
                blocking(move || put_local(&from, &dest)).await
            }
        }
    }

    /// Copies the artifact under `key` to the file `to` (its parent
    /// directories are created).
    pub async fn get_to_file(&self, key: &str, to: &Path) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => {
                let src = root.join(key);
                if !self.exists(key).await? {
                    return Err(ArtifactError::NotFound { key: key.to_owned() });
                }
                if let Some(parent) = to.parent() {
                    tokio::fs::create_dir_all(parent).await.map_err(ArtifactError::io("create", parent))?;
                }
                match tokio::fs::copy(&src, to).await {
                    Ok(_) => Ok(()),
                    // Deleted between the check and the copy.
                    Err(e) if e.kind() == io::ErrorKind::NotFound && !src.exists() => {
                        Err(ArtifactError::NotFound { key: key.to_owned() })
                    }
                    Err(e) => Err(ArtifactError::io("write", to)(e)),
                }
            }
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => {
                let path = root.join(key);
                match tokio::fs::metadata(&path).await {
                    Ok(meta) => Ok(meta.is_file()),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(ArtifactError::io("read", path)(e)),
                }
            }
        }
    }
}

fn put_local(from: &Path, dest: &Path) -> Result<()> {
    let parent = dest.parent().ok_or_else(|| ArtifactError::Io {
        action: "write",
        path: dest.to_owned(),
        source: io::Error::other("no parent directory"),
    })?;
    std::fs::create_dir_all(parent).map_err(ArtifactError::io("create", parent))?;
    let mut input = std::fs::File::open(from).map_err(ArtifactError::io("read", from))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(parent)
        .map_err(ArtifactError::io("create a temporary file in", parent))?;
    io::copy(&mut input, temp.as_file_mut()).map_err(ArtifactError::io("write", temp.path()))?;
    // Data on disk before the name points at it: after a crash the key holds
    // the old artifact or the whole new one.
    temp.as_file().sync_all().map_err(ArtifactError::io("write", temp.path()))?;
    temp.persist(dest).map_err(|e| ArtifactError::io("write", dest)(e.error))?;
    // Make the rename itself durable; not every filesystem lets a directory
    // be synced, and the artifact is complete either way.
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Runs filesystem work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|join| {
        Err(ArtifactError::Io {
            action: "finish",
            path: PathBuf::from("artifact operation"),
            source: io::Error::other(join.to_string()),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_exists() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path().join("store"));
        let src = dir.path().join("a.zip");
        std::fs::write(&src, b"hello").unwrap();

        assert!(!store.exists("p/e/A/j.zip").await.unwrap());
        store.put_file("p/e/A/j.zip", &src).await.unwrap();
        assert!(store.exists("p/e/A/j.zip").await.unwrap());

        let out = dir.path().join("out/nested/b.zip");
        store.get_to_file("p/e/A/j.zip", &out).await.unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"hello");

        // Replacing leaves no temporary file behind.
        std::fs::write(&src, b"again").unwrap();
        store.put_file("p/e/A/j.zip", &src).await.unwrap();
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("store/p/e/A")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["j.zip"]);
    }

    #[tokio::test]
    async fn missing_and_invalid_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path().to_owned());
        let err = store.get_to_file("nope.zip", &dir.path().join("x")).await.unwrap_err();
        assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
        let err = store.put_file("../escape", &dir.path().join("x")).await.unwrap_err();
        assert!(matches!(err, ArtifactError::InvalidKey { .. }), "{err}");
        assert!(store.exists("/etc/passwd").await.is_err());
    }
}
