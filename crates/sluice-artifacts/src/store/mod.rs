//! Where artifacts live, by key: a local directory, any S3-compatible object
//! store, or a sluice server over plain HTTP (what remote agents use). The
//! API is the same for all three; files are streamed, never held whole in
//! memory.

mod http;
mod local;
mod remote;
mod url;

use crate::error::{ArtifactError, Result};
use crate::key::check_key;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use url::{S3Config, check_bucket_name};

/// Uploads in progress are written under this prefix beside their final
/// name, then renamed: same directory, so the rename is atomic.
pub(crate) const TEMP_PREFIX: &str = ".sluice-tmp";

/// A cheap handle (clones share connections) on one artifact store.
#[derive(Clone)]
pub struct ArtifactStore {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Local {
        root: PathBuf,
    },
    /// S3 and HTTP: what object_store does for both.
    Remote(Arc<remote::Remote>),
}

impl fmt::Debug for ArtifactStore {
    /// What [`ArtifactStore::describe`] says: never a credential.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ArtifactStore").field(&self.describe()).finish()
    }
}

impl ArtifactStore {
    /// A store that keeps each artifact as the file `root/<key>`.
    pub fn local(root: PathBuf) -> Self {
        ArtifactStore { backend: Backend::Local { root } }
    }

    /// An S3-compatible store (AWS S3, MinIO, moto, Ceph...).
    pub fn s3(config: S3Config) -> Result<Self> {
        Ok(ArtifactStore { backend: Backend::Remote(Arc::new(remote::Remote::s3(config)?)) })
    }

    /// A sluice server's artifact endpoints: `GET`, `HEAD` and `PUT` of
    /// `base_url/<key>`, each with `Authorization: Bearer <bearer_token>`.
    pub fn http(base_url: &str, bearer_token: &str) -> Result<Self> {
        Ok(ArtifactStore { backend: Backend::Remote(Arc::new(remote::Remote::http(base_url, bearer_token)?)) })
    }

    /// A store from its URL; the format is documented in [`S3Config`]'s
    /// module, in short: a directory (`file:///abs/path`, or a plain path),
    /// or `s3://bucket[/prefix][?endpoint=URL&region=R&path_style=true|false&access_key_id=K&secret_access_key=S]`
    /// with credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`
    /// when the URL has none.
    pub fn from_url(spec: &str) -> Result<Self> {
        url::parse(spec, &|name| std::env::var(name).ok())
    }

    /// Where this store is, for logs and messages: a path or a URL, with no
    /// credential in it.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local { root } => root.display().to_string(),
            Backend::Remote(remote) => remote.describe().to_owned(),
        }
    }

    /// Stores the file `from` under `key`, replacing what was there. Readers
    /// see the old content or the new, never a part.
    pub async fn put_file(&self, key: &str, from: &Path) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => local::put_file(root, key, from).await,
            Backend::Remote(remote) => remote.put_file(key, from).await,
        }
    }

    /// Copies the artifact under `key` to the file `to` (its parent
    /// directories are created). `to` appears whole or not at all.
    pub async fn get_to_file(&self, key: &str, to: &Path) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => local::get_to_file(root, key, to).await,
            Backend::Remote(remote) => remote.get_to_file(key, to).await,
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => local::exists(root, key).await,
            Backend::Remote(remote) => remote.exists(key).await,
        }
    }

    /// Stores a small value (a marker, a manifest) under `key`.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => local::put_bytes(root, key, bytes).await,
            Backend::Remote(remote) => remote.put_bytes(key, bytes).await,
        }
    }

    /// Reads a small artifact whole; big ones go to a file with
    /// [`ArtifactStore::get_to_file`].
    pub async fn get_bytes(&self, key: &str) -> Result<Vec<u8>> {
        check_key(key)?;
        match &self.backend {
            Backend::Local { root } => local::get_bytes(root, key).await,
            Backend::Remote(remote) => remote.get_bytes(key).await,
        }
    }
}

/// Runs filesystem work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|join| {
        Err(ArtifactError::Io {
            action: "finish",
            path: PathBuf::from("artifact operation"),
            source: std::io::Error::other(join.to_string()),
        })
    })
}
