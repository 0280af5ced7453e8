//! S3-compatible and HTTP stores through object_store: downloads stream to
//! a temporary file renamed into place; uploads of big files go up in parts
//! (S3 multipart) or as one streamed body (HTTP), never whole in memory.

use super::http::HttpPut;
use super::local::write_atomically;
use super::url::S3Config;
use crate::error::{ArtifactError, Result};
use futures_util::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncReadExt;

/// Files up to this size go up in one request; bigger ones in parts of
/// this size. S3 wants parts of at least 5 MiB; a few parts in flight bound
/// the memory an upload takes.
pub(crate) const PART_BYTES: usize = 8 << 20;
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug)]
pub(super) struct Remote {
    store: Arc<dyn ObjectStore>,
    /// Prepended to every key (`prefix/key`), without slashes at either end.
    prefix: String,
    /// `s3://bucket/prefix?endpoint=...` or the HTTP base URL: no secrets.
    describe: String,
    /// HTTP stores stream PUT bodies themselves (object_store's HttpStore
    /// only sends whole buffers).
    http_put: Option<HttpPut>,
}

impl Remote {
    pub(super) fn s3(config: S3Config) -> Result<Remote> {
        let describe = config.describe();
        let prefix = config.prefix.trim_matches('/').to_owned();
        let store =
            config.build().map_err(|e| ArtifactError::Config { spec: describe.clone(), reason: e.to_string() })?;
        Ok(Remote { store: Arc::new(store), prefix, describe, http_put: None })
    }

    pub(super) fn http(base_url: &str, bearer_token: &str) -> Result<Remote> {
        let (store, put) = super::http::build(base_url, bearer_token)?;
        Ok(Remote {
            store: Arc::new(store),
            prefix: String::new(),
            describe: put.base_url().to_owned(),
            http_put: Some(put),
        })
    }

    pub(super) fn describe(&self) -> &str {
        &self.describe
    }

    fn path(&self, key: &str) -> Result<ObjectPath> {
        let full = if self.prefix.is_empty() { key.to_owned() } else { format!("{}/{key}", self.prefix) };
        ObjectPath::parse(&full).map_err(|_| ArtifactError::InvalidKey {
            key: key.to_owned(),
            reason: "an object store cannot name it (unusual characters)",
        })
    }

    fn failed(&self, action: &'static str, key: &str) -> impl FnOnce(object_store::Error) -> ArtifactError {
        let (key, store) = (key.to_owned(), self.describe.clone());
        move |source| match source {
            object_store::Error::NotFound { .. } if action != "write" => ArtifactError::NotFound { key },
            source => ArtifactError::Remote { action, key, store, source: Box::new(source) },
        }
    }

    pub(super) async fn exists(&self, key: &str) -> Result<bool> {
        match self.store.head(&self.path(key)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.failed("look up", key)(e)),
        }
    }

    pub(super) async fn get_to_file(&self, key: &str, to: &Path) -> Result<()> {
        let result = self.store.get(&self.path(key)?).await.map_err(self.failed("read", key))?;
        let mut stream = result.into_stream();
        // Chunks arrive on this task and are written by a blocking one, so
        // a slow disk never stalls the runtime and only a few chunks wait.
        // The file is renamed into place only after `Done`: a download cut
        // short leaves nothing at `to`.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(4);
        let dest = to.to_owned();
        let writer = tokio::task::spawn_blocking(move || {
            write_atomically(&dest, |file| {
                while let Some(chunk) = rx.blocking_recv() {
                    match chunk {
                        Chunk::Data(bytes) => file.write_all(&bytes)?,
                        Chunk::Done => return Ok(()),
                    }
                }
                Err(std::io::Error::other("the download stopped early"))
            })
            .map(drop)
        });
        let mut read_error = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    if tx.send(Chunk::Data(bytes)).await.is_err() {
                        break; // the writer failed; its error says why
                    }
                }
                Err(e) => {
                    read_error = Some(self.failed("read", key)(e));
                    break;
                }
            }
        }
        if read_error.is_none() {
            let _ = tx.send(Chunk::Done).await;
        }
        drop(tx);
        let written = writer.await.map_err(|e| ArtifactError::Io {
            action: "write",
            path: to.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })?;
        match read_error {
            Some(e) => Err(e),
            None => written,
        }
    }

    pub(super) async fn get_bytes(&self, key: &str) -> Result<Vec<u8>> {
        let result = self.store.get(&self.path(key)?).await.map_err(self.failed("read", key))?;
        Ok(result.bytes().await.map_err(self.failed("read", key))?.to_vec())
    }

    pub(super) async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        if let Some(put) = &self.http_put {
            return put.put_bytes(&path, key, bytes).await;
        }
        self.store.put(&path, PutPayload::from(bytes)).await.map_err(self.failed("write", key))?;
        Ok(())
    }

    pub(super) async fn put_file(&self, key: &str, from: &Path) -> Result<()> {
        let path = self.path(key)?;
        let mut file = tokio::fs::File::open(from).await.map_err(ArtifactError::io("read", from))?;
        let size = file.metadata().await.map_err(ArtifactError::io("read", from))?.len();
        if let Some(put) = &self.http_put {
            drop(file);
            return put.put_file(&path, key, from, size).await;
        }
        if size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            file.read_to_end(&mut bytes).await.map_err(ArtifactError::io("read", from))?;
            return self.put_bytes(key, bytes).await;
        }
        let upload = self.store.put_multipart(&path).await.map_err(self.failed("write", key))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buffer = vec![0; 1 << 20];
        loop {
            let read = match file.read(&mut buffer).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(ArtifactError::io("read", from)(e));
                }
            };
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(self.failed("write", key)(e));
            }
            writer.write(&buffer[..read]);
        }
        // `finish` aborts the upload itself when a part or the completion fails.
        writer.finish().await.map_err(self.failed("write", key))?;
        Ok(())
    }
}

enum Chunk {
    Data(bytes::Bytes),
    Done,
}
