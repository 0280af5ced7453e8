//! The job protocol for remote agents (`sluice agent`), JSON under
//! `/api/v1/`. An agent registers with a registration token and gets a
//! session; every other call carries the session as a bearer token.
//!
//! - `POST /api/v1/agents/register` `{labels}` → `{agentId, session, leaseMs}`
//! - `POST /api/v1/jobs/claim` `{wait}` (seconds, at most 30) → an
//!   `Assignment`, or 204 when none came in time
//! - `POST /api/v1/jobs/{id}/heartbeat` `{token, wait}` (wait in ms) →
//!   `{cancelRequested}`; answers at once when the cancel is committed
//! - `POST /api/v1/jobs/{id}/logs?token=N` raw bytes → 204
//! - `POST /api/v1/jobs/{id}/result` `{token, outcome}` → 204
//!
//! A call quoting a token that is not the job's current lease (or a job
//! leased by another agent) is refused with 409.

use super::AppState;
use crate::clock::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sluice_protocol::RunOutcome;
use sluice_store::{AgentRow, JobRow};
use std::io::Write;
use std::time::Duration;

/// The longest a claim waits.
const MAX_CLAIM_WAIT: Duration = Duration::from_secs(30);

/// A refused or failed call: a status and a message.
pub(crate) struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "message": self.1 }))).into_response()
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %e, "{what}");
    Refusal(StatusCode::INTERNAL_SERVER_ERROR, format!("{what}: {e}"))
}

fn from_driver(e: crate::driver::Error) -> Refusal {
    match e {
        crate::driver::Error::Store(sluice_store::Error::StaleLease) => stale(),
        crate::driver::Error::ShutDown | crate::driver::Error::Crashed(_) => {
            Refusal(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down".into())
        }
        other => internal("the job protocol failed", other),
    }
}

fn stale() -> Refusal {
    Refusal(StatusCode::CONFLICT, "the job is not leased to this agent under this token".into())
}

/// SHA-256, hex: how tokens and sessions are stored.
pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The agent whose session the request carries.
pub(crate) async fn agent(app: &AppState, headers: &HeaderMap) -> Result<AgentRow, Refusal> {
    let unauthorized =
        || Refusal(StatusCode::UNAUTHORIZED, "an agent session is required (Authorization: Bearer)".into());
    let session = bearer(headers).ok_or_else(unauthorized)?;
    let found =
        app.driver.store().find_agent(&hash(session)).await.map_err(|e| internal("looking up an agent failed", e))?;
    found.ok_or_else(unauthorized)
}

fn owner(agent: &AgentRow) -> String {
    format!("agent:{}", agent.id)
}

#[derive(Deserialize)]
pub(crate) struct Register {
    #[serde(default)]
    labels: Vec<String>,
}

pub(crate) async fn register(
    State(app): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Register>,
) -> Result<Response, Refusal> {
    let refused = || Refusal(StatusCode::UNAUTHORIZED, "a valid agent registration token is required".into());
    let token = bearer(&headers).ok_or_else(refused)?;
    let store = app.driver.store();
    let found = store.find_agent_token(&hash(token)).await.map_err(|e| internal("looking up a token failed", e))?;
    let token_row = found.ok_or_else(refused)?;
    let id = uuid::Uuid::new_v4().to_string();
    let session = crate::credentials::random_secret();
    store
        .register_agent(&id, &token_row.name, &body.labels, &hash(&session), now_ms())
        .await
        .map_err(|e| internal("registering the agent failed", e))?;
    tracing::info!(agent = %id, token = %token_row.name, labels = ?body.labels, "an agent registered");
    Ok(Json(json!({ "agentId": id, "session": session, "leaseMs": app.driver.lease_ms() })).into_response())
}

#[derive(Deserialize)]
pub(crate) struct Claim {
    /// Seconds.
    #[serde(default)]
    wait: f64,
}

pub(crate) async fn claim(
    State(app): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Claim>,
) -> Result<Response, Refusal> {
    let agent = agent(&app, &headers).await?;
    let wait = Duration::try_from_secs_f64(body.wait).unwrap_or_default().min(MAX_CLAIM_WAIT);
    match app.driver.claim_wait(&owner(&agent), &agent.labels, wait).await.map_err(from_driver)? {
        Some(assignment) => Ok(Json(assignment).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// The job, if this agent holds it under `token`.
async fn held(app: &AppState, agent: &AgentRow, job_id: &str, token: i64) -> Result<JobRow, Refusal> {
    let row = app.driver.store().get_job(job_id).await.map_err(|e| internal("reading a job failed", e))?;
    let row = row.ok_or_else(|| Refusal(StatusCode::NOT_FOUND, format!("there is no job {job_id}")))?;
    if row.lease_owner.as_deref() != Some(owner(agent).as_str()) || row.lease_token != token {
        return Err(stale());
    }
    Ok(row)
}

#[derive(Deserialize)]
pub(crate) struct Heartbeat {
    token: i64,
    /// Milliseconds to wait for a cancel.
    #[serde(default)]
    wait: u64,
}

pub(crate) async fn heartbeat(
    State(app): State<AppState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Heartbeat>,
) -> Result<Response, Refusal> {
    let agent = agent(&app, &headers).await?;
    held(&app, &agent, &job_id, body.token).await?;
    // Never longer than a third of the lease: the answer must come back in time to renew it.
    let third = u64::try_from(app.driver.lease_ms() / 3).unwrap_or(0);
    let wait = Duration::from_millis(body.wait.min(third));
    let cancel = app.driver.heartbeat_wait(&job_id, body.token, wait).await.map_err(from_driver)?;
    Ok(Json(json!({ "cancelRequested": cancel })).into_response())
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: i64,
}

pub(crate) async fn logs(
    State(app): State<AppState>,
    Path(job_id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    chunk: Bytes,
) -> Result<Response, Refusal> {
    let agent = agent(&app, &headers).await?;
    held(&app, &agent, &job_id, query.token).await?;
    let path = app.driver.log_path(&job_id);
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::OpenOptions::new().create(true).append(true).open(&path)?.write_all(&chunk)
    })
    .await;
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(internal("appending to a job's log failed", e)),
        Err(e) => return Err(internal("appending to a job's log failed", e)),
    }
    app.driver.log_appended(&job_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub(crate) struct Report {
    token: i64,
    outcome: RunOutcome,
}

pub(crate) async fn result(
    State(app): State<AppState>,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Report>,
) -> Result<Response, Refusal> {
    let agent = agent(&app, &headers).await?;
    let row = held(&app, &agent, &job_id, body.token).await?;
    let job: sluice_engine::Job =
        serde_json::from_value(row.payload).map_err(|e| internal("a job's payload cannot be read", e))?;
    app.driver.accept_outcome(&job, body.token, body.outcome).await.map_err(from_driver)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "bearer  ".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
