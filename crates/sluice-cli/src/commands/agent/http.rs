//! The job source of a remote agent: the server's job protocol over HTTP
//! (`/api/v1/`), with ureq (blocking, already the CLI's client) on tokio's
//! blocking threads. Artifacts are fetched before a job into a local
//! artifact store and sent back after it, so the runner sees a local store.
// TODO(merge): once `ArtifactStore::http(base_url, bearer_token)` exists, give the runner that
// store and drop `fetch_inputs` / `send_outputs`.

use crate::client::Endpoint;
use serde_json::{Value, json};
use sluice_artifacts::ArtifactStore;
use sluice_protocol::{Assignment, RunOutcome};
use sluice_server::agent::{JobSource, SourceError, Workplace};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where jobs run on this agent.
pub struct Place {
    pub work_dir: PathBuf,
    pub repos_root: PathBuf,
    pub kill_grace: Duration,
    /// Deploy/S3 buckets on this agent's host (`<work-dir>/buckets/<name>`
    /// unless mapped with `--deploy-bucket`).
    pub deploy_targets: sluice_runner::DeployTargets,
}

#[derive(Clone)]
pub struct HttpSource {
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    agent_id: String,
    /// The session: sent only as a header, never put in a job's environment.
    session: String,
    http: ureq::Agent,
    place: Place,
    artifacts: ArtifactStore,
}

/// A status and a body.
type Answer = (u16, Vec<u8>);

impl HttpSource {
    pub async fn register(
        endpoint: &Endpoint,
        token: &str,
        labels: Vec<String>,
        place: Place,
    ) -> anyhow::Result<HttpSource> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            // Above the longest long-poll (30 s claims).
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("sluice-agent/", env!("CARGO_PKG_VERSION")));
        if endpoint.skips_proxy() {
            config = config.proxy(None);
        }
        let http: ureq::Agent = config.build().into();
        let base = endpoint.base_url().to_string();
        let url = format!("{base}/api/v1/agents/register");
        let body = json!({ "labels": labels }).to_string();
        let bearer = format!("Bearer {token}");
        let (status, answer) = blocking({
            let http = http.clone();
            move || send(&http, "POST", &url, &bearer, "application/json", Body::Bytes(body.into_bytes()))
        })
        .await
        .map_err(|e| anyhow::anyhow!("cannot register with {}: {e}", endpoint.shown))?;
        if status != 200 {
            anyhow::bail!("the server refused the registration ({status}): {}", message(&answer));
        }
        let answer: Value = serde_json::from_slice(&answer)?;
        let field = |name: &str| answer[name].as_str().map(str::to_string);
        let (Some(agent_id), Some(session)) = (field("agentId"), field("session")) else {
            anyhow::bail!("the server's registration answer lacks agentId or session");
        };
        let artifacts = ArtifactStore::local(place.work_dir.join("artifacts"));
        Ok(HttpSource { inner: Arc::new(Inner { base, agent_id, session, http, place, artifacts }) })
    }

    pub fn agent_id(&self) -> &str {
        &self.inner.agent_id
    }

    async fn call(
        &self,
        method: &'static str,
        path: String,
        content_type: &'static str,
        body: Body,
    ) -> Result<Answer, SourceError> {
        let inner = self.inner.clone();
        blocking(move || {
            let url = format!("{}{path}", inner.base);
            send(&inner.http, method, &url, &format!("Bearer {}", inner.session), content_type, body)
        })
        .await
        .map_err(SourceError::Failed)
    }

    async fn json(&self, path: String, body: Value) -> Result<Answer, SourceError> {
        self.call("POST", path, "application/json", Body::Bytes(body.to_string().into_bytes())).await
    }

    /// The job's input artifacts, from the server into the local store.
    async fn fetch_inputs(&self, assignment: &Assignment) -> Result<(), SourceError> {
        for input in &assignment.job.input_artifacts {
            let temp = self.scratch()?;
            let inner = self.inner.clone();
            let (key, to) = (input.location.clone(), temp.clone());
            let status = blocking(move || download(&inner, &key, &to)).await.map_err(SourceError::Failed)?;
            if status != 200 {
                let _ = std::fs::remove_file(&temp);
                return Err(SourceError::Failed(format!(
                    "the server answered {status} for artifact {}",
                    input.location
                )));
            }
            let stored = self.inner.artifacts.put_file(&input.location, &temp).await;
            let _ = std::fs::remove_file(&temp);
            stored.map_err(|e| SourceError::Failed(e.to_string()))?;
        }
        Ok(())
    }

    /// The job's output artifacts, from the local store to the server.
    async fn send_outputs(&self, outcome: &RunOutcome) -> Result<(), SourceError> {
        for output in &outcome.result.output_artifacts {
            let temp = self.scratch()?;
            self.inner
                .artifacts
                .get_to_file(&output.location, &temp)
                .await
                .map_err(|e| SourceError::Failed(e.to_string()))?;
            let file = std::fs::File::open(&temp).map_err(|e| SourceError::Failed(e.to_string()))?;
            let _ = std::fs::remove_file(&temp);
            let path = format!("/api/v1/artifacts/{}", output.location);
            let (status, answer) = self.call("PUT", path, "application/zip", Body::File(file)).await?;
            if status != 200 {
                return Err(SourceError::Failed(format!(
                    "the server refused artifact {} ({status}): {}",
                    output.location,
                    message(&answer)
                )));
            }
        }
        Ok(())
    }

    fn scratch(&self) -> Result<PathBuf, SourceError> {
        let dir = self.inner.place.work_dir.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| SourceError::Failed(format!("{}: {e}", dir.display())))?;
        Ok(dir.join(format!("artifact-{}", uuid_like())))
    }
}

impl JobSource for HttpSource {
    async fn claim(&self, wait: Duration) -> Result<Option<Assignment>, SourceError> {
        let (status, answer) = self.json("/api/v1/jobs/claim".into(), json!({ "wait": wait.as_secs_f64() })).await?;
        match status {
            200 => serde_json::from_slice(&answer)
                .map(Some)
                .map_err(|e| SourceError::Failed(format!("the server's assignment cannot be read: {e}"))),
            204 => Ok(None),
            503 => Err(SourceError::Failed("the server is shutting down".into())),
            _ => Err(refused(status, &answer)),
        }
    }

    async fn heartbeat(&self, job_id: &str, token: i64, wait: Duration) -> Result<bool, SourceError> {
        let body = json!({ "token": token, "wait": u64::try_from(wait.as_millis()).unwrap_or(u64::MAX) });
        let (status, answer) = self.json(format!("/api/v1/jobs/{job_id}/heartbeat"), body).await?;
        match status {
            200 => Ok(serde_json::from_slice::<Value>(&answer)
                .ok()
                .and_then(|v| v["cancelRequested"].as_bool())
                .unwrap_or(false)),
            _ => Err(refused(status, &answer)),
        }
    }

    async fn append_log(&self, job_id: &str, token: i64, chunk: Vec<u8>) -> Result<(), SourceError> {
        let path = format!("/api/v1/jobs/{job_id}/logs?token={token}");
        let (status, answer) = self.call("POST", path, "application/octet-stream", Body::Bytes(chunk)).await?;
        match status {
            204 | 200 => Ok(()),
            _ => Err(refused(status, &answer)),
        }
    }

    async fn prepare(&self, assignment: &Assignment) -> Result<(), SourceError> {
        self.fetch_inputs(assignment).await
    }

    async fn report(&self, assignment: &Assignment, mut outcome: RunOutcome) -> Result<(), SourceError> {
        if let Err(e) = self.send_outputs(&outcome).await {
            outcome =
                RunOutcome::from(sluice_engine_result(format!("the agent could not upload the output artifacts: {e}")));
        }
        let body = json!({ "token": assignment.lease_token, "outcome": outcome });
        let (status, answer) = self.json(format!("/api/v1/jobs/{}/result", assignment.job.id), body).await?;
        match status {
            204 | 200 => Ok(()),
            _ => Err(refused(status, &answer)),
        }
    }

    fn workplace(&self, assignment: &Assignment) -> Workplace {
        let place = &self.inner.place;
        Workplace {
            work_root: place.work_dir.join("work"),
            repos_root: place.repos_root.clone(),
            artifacts: self.inner.artifacts.clone(),
            log_path: place.work_dir.join("logs").join(format!("{}.log", assignment.job.id)),
            kill_grace: place.kill_grace,
            cache_root: place.work_dir.join("cache"),
            deploy_targets: place.deploy_targets.clone(),
            on_log: None,
            uploads_logs: true,
        }
    }
}

/// A failed result with `error`.
fn sluice_engine_result(error: String) -> sluice_engine::ActionResult {
    sluice_engine::ActionResult { succeeded: false, error: Some(error), ..Default::default() }
}

fn refused(status: u16, answer: &[u8]) -> SourceError {
    match status {
        409 => SourceError::Stale,
        _ => SourceError::Failed(format!("the server answered {status}: {}", message(answer))),
    }
}

/// The `message` of a JSON error body, or the body as text.
fn message(answer: &[u8]) -> String {
    serde_json::from_slice::<Value>(answer)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(answer).trim().chars().take(500).collect())
}

enum Body {
    Bytes(Vec<u8>),
    File(std::fs::File),
}

fn send(
    http: &ureq::Agent,
    method: &str,
    url: &str,
    bearer: &str,
    content_type: &str,
    body: Body,
) -> Result<Answer, String> {
    let sent = match method {
        "PUT" => {
            let request = http.put(url).header("Authorization", bearer).header("Content-Type", content_type);
            match body {
                Body::Bytes(bytes) => request.send(bytes),
                Body::File(file) => request.send(file),
            }
        }
        _ => {
            let request = http.post(url).header("Authorization", bearer).header("Content-Type", content_type);
            match body {
                Body::Bytes(bytes) => request.send(bytes),
                Body::File(file) => request.send(file),
            }
        }
    };
    let mut response = sent.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let body =
        response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().map_err(|e| format!("{url}: {e}"))?;
    Ok((status, body))
}

fn download(inner: &Inner, key: &str, to: &std::path::Path) -> Result<u16, String> {
    let url = format!("{}/api/v1/artifacts/{key}", inner.base);
    let response = inner.http.get(&url).header("Authorization", &format!("Bearer {}", inner.session)).call();
    let response = response.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Ok(status);
    }
    let mut file = std::fs::File::create(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let mut reader = response.into_body().into_reader();
    std::io::copy(&mut reader, &mut file).map_err(|e| format!("{url}: {e}"))?;
    Ok(status)
}

/// Runs blocking HTTP off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f).await.map_err(|e| format!("the HTTP call stopped: {e}"))?
}

/// A unique enough scratch-file name: the time and a process-wide counter.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}-{nanos}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}
