//! Sends a job's log to a source that keeps it elsewhere: the runner
//! appends to a local file, each append wakes the uploader, which sends
//! what is new in bounded chunks. Memory stays bounded whatever the job
//! prints, and nothing waits on a timer.

use super::{JobSource, SourceError};
use sluice_runner::OnLog;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const CHUNK: usize = 256 * 1024;

pub(super) struct Uploader {
    wake: Arc<Notify>,
    done: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Uploader {
    pub(super) fn start<S: JobSource>(source: S, job_id: &str, token: i64, path: PathBuf) -> Uploader {
        let wake = Arc::new(Notify::new());
        let done = CancellationToken::new();
        let task = tokio::spawn(upload(source, job_id.to_string(), token, path, wake.clone(), done.clone()));
        Uploader { wake, done, task }
    }

    /// The runner's callback: wakes the uploader, then whoever else listens.
    pub(super) fn on_log(&self, theirs: Option<OnLog>) -> OnLog {
        let wake = self.wake.clone();
        Arc::new(move || {
            wake.notify_one();
            if let Some(theirs) = &theirs {
                theirs();
            }
        })
    }

    /// Sends what is left, then stops.
    pub(super) async fn finish(self) {
        self.done.cancel();
        let _ = self.task.await;
    }
}

async fn upload<S: JobSource>(
    source: S,
    job_id: String,
    token: i64,
    path: PathBuf,
    wake: Arc<Notify>,
    done: CancellationToken,
) {
    let mut offset: u64 = 0;
    loop {
        let last = tokio::select! {
            _ = wake.notified() => false,
            _ = done.cancelled() => true,
        };
        loop {
            match read_from(&path, offset).await {
                Ok(chunk) if chunk.is_empty() => break,
                Ok(chunk) => {
                    let len = chunk.len() as u64;
                    match source.append_log(&job_id, token, chunk).await {
                        Ok(()) => offset += len,
                        Err(SourceError::Stale) => return,
                        Err(e) => {
                            tracing::warn!(job = %job_id, error = %e, "sending the job's log failed");
                            break;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(job = %job_id, error = %e, "reading the job's log failed");
                    break;
                }
            }
        }
        if last {
            return;
        }
    }
}

/// Up to `CHUNK` bytes from `offset` (empty at the end, or if the file is
/// not there yet).
async fn read_from(path: &std::path::Path, offset: u64) -> std::io::Result<Vec<u8>> {
    let mut file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    file.seek(std::io::SeekFrom::Start(offset)).await?;
    let mut chunk = Vec::with_capacity(CHUNK);
    (&mut file).take(CHUNK as u64).read_to_end(&mut chunk).await?;
    Ok(chunk)
}
