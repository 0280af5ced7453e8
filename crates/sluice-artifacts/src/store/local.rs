//! The local directory backend: the artifact under `key` is the file
//! `root/<key>`. Writes go to a temporary file beside the final name, are
//! synced, then renamed over it, so a reader or a crash sees the old
//! artifact or the whole new one.

use super::{TEMP_PREFIX, blocking};
use crate::error::{ArtifactError, Result};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Copies `from` with its permission bits (as `cp` does): a deployed site
/// stays readable by the web server, a script stays executable.
pub(super) async fn put_file(root: &Path, key: &str, from: &Path) -> Result<()> {
    let (dest, from) = (root.join(key), from.to_owned());
    blocking(move || {
        let mut input = File::open(&from).map_err(ArtifactError::io("read", &from))?;
        let mode = input.metadata().map_err(ArtifactError::io("read", &from))?.permissions().mode() & 0o777;
        write_durably(&dest, |out| {
            io::copy(&mut input, out)?;
            out.set_permissions(std::fs::Permissions::from_mode(mode))
        })
    })
    .await
}

pub(super) async fn put_bytes(root: &Path, key: &str, bytes: Vec<u8>) -> Result<()> {
    let dest = root.join(key);
    blocking(move || write_durably(&dest, |out| out.write_all(&bytes))).await
}

pub(super) async fn get_to_file(root: &Path, key: &str, to: &Path) -> Result<()> {
    let (src, to, key) = (root.join(key), to.to_owned(), key.to_owned());
    blocking(move || {
        let mut input = open_artifact(&src, &key)?;
        write_atomically(&to, |out| io::copy(&mut input, out).map(drop)).map(drop)
    })
    .await
}

pub(super) async fn get_bytes(root: &Path, key: &str) -> Result<Vec<u8>> {
    let (src, key) = (root.join(key), key.to_owned());
    blocking(move || {
        let mut bytes = Vec::new();
        open_artifact(&src, &key)?.read_to_end(&mut bytes).map_err(ArtifactError::io("read", &src))?;
        Ok(bytes)
    })
    .await
}

pub(super) async fn exists(root: &Path, key: &str) -> Result<bool> {
    let path = root.join(key);
    match tokio::fs::metadata(&path).await {
        Ok(meta) => Ok(meta.is_file()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ArtifactError::io("read", path)(e)),
    }
}

fn open_artifact(src: &Path, key: &str) -> Result<File> {
    match File::open(src) {
        Ok(file) if file.metadata().is_ok_and(|m| m.is_file()) => Ok(file),
        Ok(_) => Err(ArtifactError::NotFound { key: key.to_owned() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ArtifactError::NotFound { key: key.to_owned() }),
        Err(e) => Err(ArtifactError::io("read", src)(e)),
    }
}

/// Like [`write_atomically`], and the data reaches the disk before the name
/// points at it: after a crash the key holds the old artifact or the whole
/// new one.
fn write_durably(dest: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<()> {
    let parent = write_atomically(dest, |out| {
        fill(out)?;
        out.sync_all()
    })?;
    // Make the rename itself durable; not every filesystem lets a directory
    // be synced, and the artifact is complete either way.
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Fills a temporary file beside `dest` and renames it to `dest` (creating
/// the parent directories). Returns the parent directory.
pub(crate) fn write_atomically(dest: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> Result<&Path> {
    let parent = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(ArtifactError::io("create", parent))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(parent)
        .map_err(ArtifactError::io("create a temporary file in", parent))?;
    fill(temp.as_file_mut()).map_err(ArtifactError::io("write", dest))?;
    temp.persist(dest).map_err(|e| ArtifactError::io("write", dest)(e.error))?;
    Ok(parent)
}

#[cfg(test)]
mod tests {
    use crate::{ArtifactError, ArtifactStore};
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn put_get_exists() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path().join("store"));
        let src = dir.path().join("a.zip");
        std::fs::write(&src, b"hello").unwrap();

        assert!(!store.exists("p/e/A/j.zip").await.unwrap());
        store.put_file("p/e/A/j.zip", &src).await.unwrap();
        assert!(store.exists("p/e/A/j.zip").await.unwrap());
        assert_eq!(std::fs::read(dir.path().join("store/p/e/A/j.zip")).unwrap(), b"hello", "the layout is root/<key>");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("store/p/e/A/j.zip")), mode(&src), "permissions are kept");

        let out = dir.path().join("out/nested/b.zip");
        store.get_to_file("p/e/A/j.zip", &out).await.unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"hello");

        // Replacing leaves no temporary file behind.
        std::fs::write(&src, b"again").unwrap();
        store.put_file("p/e/A/j.zip", &src).await.unwrap();
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("store/p/e/A")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["j.zip"]);
        assert_eq!(store.get_bytes("p/e/A/j.zip").await.unwrap(), b"again");

        store.put_bytes("p/marker", b"m".to_vec()).await.unwrap();
        assert_eq!(store.get_bytes("p/marker").await.unwrap(), b"m");
    }

    #[tokio::test]
    async fn missing_and_invalid_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path().to_owned());
        let err = store.get_to_file("nope.zip", &dir.path().join("x")).await.unwrap_err();
        assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
        assert!(!dir.path().join("x").exists(), "a failed download leaves no file");
        let err = store.get_bytes("nope.zip").await.unwrap_err();
        assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
        std::fs::create_dir(dir.path().join("adir")).unwrap();
        let err = store.get_bytes("adir").await.unwrap_err();
        assert!(matches!(err, ArtifactError::NotFound { .. }), "{err}");
        let err = store.put_file("../escape", &dir.path().join("x")).await.unwrap_err();
        assert!(matches!(err, ArtifactError::InvalidKey { .. }), "{err}");
        assert!(store.exists("/etc/passwd").await.is_err());
        let err = store.put_file("k", &dir.path().join("no-such-file")).await.unwrap_err();
        assert!(err.to_string().contains("no-such-file"), "{err}");
    }
}
