//! Job logs as server-sent events:
//! `GET /api/v1/executions/{id}/logs` and
//! `GET /api/v1/pipelines/{name}/executions/{id}/logs`, with `stage` and
//! `action` to pick one action (its attempts, oldest first; otherwise every
//! action of the execution) and `follow=true` to keep streaming until each
//! attempt's job has ended.
//!
//! Events: `log` (`data`: whole lines, secrets already masked by the
//! runner; `id`: the attempt), then one `end`. The file is read in bounded
//! chunks as the client takes them, so a huge log costs neither memory nor
//! a blocked server; a follower waits for the next append (an in-process
//! wake-up from whoever appends), never on a timer.
//!
//! Authentication: HTTP Basic with an access key id and secret (SigV4 is not
//! practical for event streams); any role may read.

use super::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sluice_engine::Execution;
use std::collections::VecDeque;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::broadcast::{Receiver, error::RecvError};

const CHUNK: u64 = 64 * 1024;

#[derive(Deserialize)]
pub(crate) struct LogQuery {
    stage: Option<String>,
    action: Option<String>,
    #[serde(default)]
    follow: bool,
}

pub(crate) async fn of_pipeline_execution(
    State(app): State<AppState>,
    Path((pipeline, execution)): Path<(String, String)>,
    Query(query): Query<LogQuery>,
    headers: HeaderMap,
) -> Response {
    stream(app, Some(pipeline), execution, query, headers).await
}

pub(crate) async fn of_execution(
    State(app): State<AppState>,
    Path(execution): Path<String>,
    Query(query): Query<LogQuery>,
    headers: HeaderMap,
) -> Response {
    stream(app, None, execution, query, headers).await
}

async fn stream(
    app: AppState,
    pipeline: Option<String>,
    execution_id: String,
    query: LogQuery,
    headers: HeaderMap,
) -> Response {
    match crate::git::basic::authenticate(&app, &headers).await {
        Ok(_) => {}
        Err(crate::git::basic::Refused::Unauthorized) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"sluice\"")],
                "an access key is required (HTTP Basic: key id and secret)\n",
            )
                .into_response();
        }
        Err(crate::git::basic::Refused::Internal) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    // Subscribed before anything is read: no append is missed.
    let appended = app.driver.subscribe_logs();
    let row = match app.driver.store().get_execution(&execution_id).await {
        Ok(Some(row)) if pipeline.as_ref().is_none_or(|p| *p == row.pipeline) => row,
        Ok(_) => return (StatusCode::NOT_FOUND, format!("there is no execution {execution_id}\n")).into_response(),
        Err(e) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("reading the execution failed: {e}\n")).into_response();
        }
    };
    let execution: Execution = match serde_json::from_value(row.body) {
        Ok(execution) => execution,
        Err(e) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("the execution cannot be read: {e}\n")).into_response();
        }
    };
    let jobs = attempts(&execution, query.stage.as_deref(), query.action.as_deref());
    if jobs.is_empty() && query.stage.is_some() {
        let what = format!("{}/{}", query.stage.unwrap_or_default(), query.action.unwrap_or_default());
        return (StatusCode::NOT_FOUND, format!("execution {execution_id} has no action {what} that ran\n"))
            .into_response();
    }
    let closing = app.driver.closing();
    let follower = Follower {
        app,
        jobs,
        current: None,
        pending: Vec::new(),
        follow: query.follow,
        appended,
        closing,
        ended: false,
    };
    let events = futures_util::stream::unfold(follower, |mut f| async move {
        let event = f.next().await?;
        Some((Ok::<_, std::convert::Infallible>(event), f))
    });
    Sse::new(events).into_response()
}

/// The attempts (job ids) whose logs are asked for, in order.
fn attempts(execution: &Execution, stage: Option<&str>, action: Option<&str>) -> VecDeque<String> {
    let mut ids = VecDeque::new();
    for stage_run in execution.stages.iter().filter(|s| stage.is_none_or(|name| s.name == name)) {
        for action_run in stage_run.actions.iter().filter(|a| action.is_none_or(|name| a.name == name)) {
            for attempt in action_run.history.iter().chain(action_run.latest.iter()) {
                if !ids.contains(&attempt.id) {
                    ids.push_back(attempt.id.clone());
                }
            }
        }
    }
    ids
}

struct Follower {
    app: AppState,
    jobs: VecDeque<String>,
    /// The attempt being read and how far.
    current: Option<(String, u64)>,
    /// The start of a line not yet complete.
    pending: Vec<u8>,
    follow: bool,
    appended: Receiver<String>,
    /// The server is stopping: the stream ends where it is.
    closing: tokio_util::sync::CancellationToken,
    ended: bool,
}

impl Follower {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.ended {
                return None;
            }
            let Some((job_id, offset)) = self.current.clone() else {
                match self.jobs.pop_front() {
                    Some(job_id) => {
                        self.current = Some((job_id, 0));
                        self.pending.clear();
                        continue;
                    }
                    None => {
                        self.ended = true;
                        return Some(Event::default().event("end").data(""));
                    }
                }
            };
            // Whether the job had ended before this read: then an empty read is the end.
            let finished = !self.follow || self.job_ended(&job_id).await;
            let chunk = read(&self.app.driver.log_path(&job_id), offset).await;
            if !chunk.is_empty() {
                self.current = Some((job_id.clone(), offset + chunk.len() as u64));
                self.pending.extend_from_slice(&chunk);
                if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
                    let lines: Vec<u8> = self.pending.drain(..=end).collect();
                    return Some(log_event(&job_id, &lines));
                }
                continue;
            }
            if finished {
                self.current = None;
                if !self.pending.is_empty() {
                    let rest = std::mem::take(&mut self.pending);
                    return Some(log_event(&job_id, &rest));
                }
                continue;
            }
            // Wait for this job's next append (or its end).
            loop {
                let appended = tokio::select! {
                    appended = self.appended.recv() => appended,
                    _ = self.closing.cancelled() => return None,
                };
                match appended {
                    Ok(id) if id == job_id => break,
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => {
                        self.follow = false;
                        break;
                    }
                }
            }
        }
    }

    async fn job_ended(&self, job_id: &str) -> bool {
        match self.app.driver.store().get_job(job_id).await {
            Ok(Some(row)) => !matches!(row.status, sluice_store::JobStatus::Queued | sluice_store::JobStatus::Leased),
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(job = %job_id, error = %e, "reading a job failed; the log stream ends");
                true
            }
        }
    }
}

/// Lines (without the last newline) as one `log` event.
fn log_event(job_id: &str, lines: &[u8]) -> Event {
    let text = String::from_utf8_lossy(lines);
    // An id may not hold line breaks or NUL (job ids never do; no input may panic).
    let id: String = job_id.chars().filter(|c| !matches!(c, '\r' | '\n' | '\0')).collect();
    Event::default().event("log").id(id).data(text.strip_suffix('\n').unwrap_or(&text))
}

/// Up to `CHUNK` bytes of `path` from `offset`; empty at its end or if it is not there.
async fn read(path: &std::path::Path, offset: u64) -> Vec<u8> {
    let Ok(mut file) = tokio::fs::File::open(path).await else { return Vec::new() };
    if file.seek(std::io::SeekFrom::Start(offset)).await.is_err() {
        return Vec::new();
    }
    let mut chunk = Vec::new();
    let _ = (&mut file).take(CHUNK).read_to_end(&mut chunk).await;
    chunk
}
