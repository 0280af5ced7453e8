//! The rows the store reads and writes.
//!
//! Everything the engine owns (its coordination state, execution bodies, job payloads and results,
//! timer and outbox payloads) is opaque `serde_json::Value`: the store never looks inside, so the
//! engine's types can change without a store change. Times are milliseconds since the Unix epoch,
//! always given by the caller: the store never reads a clock, so tests can drive time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A pipeline's tags (AWS resource tags: string keys to string values).
pub type Tags = BTreeMap<String, String>;

/// One pipeline at one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineRow {
    pub name: String,
    /// Starts at 1; each `update_pipeline` adds 1.
    pub version: i64,
    /// The declaration as it was stored, key order kept.
    pub declaration: Value,
    pub tags: Tags,
    pub created_at: i64,
    /// When this version was written (for the latest version: the last update).
    pub updated_at: i64,
}

/// One entry of `list_pipelines`.
///
/// It carries the declaration because ListPipelines reports fields (pipeline type, execution mode)
/// that only the model can read from it; the store does not parse declarations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSummary {
    pub name: String,
    pub version: i64,
    pub declaration: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One pipeline execution. `body` is the engine's; `status` is copied out of it so listings can be
/// read without decoding bodies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRow {
    /// Globally unique (AWS execution ids are UUIDs).
    pub id: String,
    pub pipeline: String,
    pub status: String,
    /// Set on insert and never changed by later upserts: it orders the listing.
    pub started_at: i64,
    pub updated_at: i64,
    pub body: Value,
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for an agent whose labels cover the job's.
    Queued,
    /// Held by an agent under a fencing token.
    Leased,
    /// Its result was recorded by a commit.
    Done,
    /// Cancelled before any agent held it (or requeued after a cancel request).
    Cancelled,
}

impl JobStatus {
    /// The spelling stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Leased => "leased",
            JobStatus::Done => "done",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Reads the `status` column back.
    pub fn parse(s: &str) -> Option<JobStatus> {
        match s {
            "queued" => Some(JobStatus::Queued),
            "leased" => Some(JobStatus::Leased),
            "done" => Some(JobStatus::Done),
            "cancelled" => Some(JobStatus::Cancelled),
            _ => None,
        }
    }
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: String,
    pub pipeline: String,
    pub execution_id: String,
    pub status: JobStatus,
    pub payload: Value,
    /// Labels an agent must all have to run the job.
    pub labels: Vec<String>,
    /// When the job was first queued; a requeue keeps it, so a requeued job keeps its place.
    pub queued_at: i64,
    /// The last agent that claimed it (kept after completion, for the record).
    pub lease_owner: Option<String>,
    /// The fencing token: 0 until the first claim, then +1 on every claim.
    pub lease_token: i64,
    pub lease_expires_at: Option<i64>,
    pub result: Option<Value>,
    pub cancel_requested: bool,
}

/// A job just claimed by an agent: what it needs to run it and to report back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeasedJob {
    pub id: String,
    pub pipeline: String,
    pub execution_id: String,
    pub payload: Value,
    pub labels: Vec<String>,
    /// The fencing token to quote in heartbeats and in the completing commit.
    pub token: i64,
    pub expires_at: i64,
}

/// A lease after a heartbeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub token: i64,
    pub expires_at: i64,
    /// Set when the engine asked for the job to be cancelled: the agent should stop and report.
    pub cancel_requested: bool,
}

/// A job a commit queues.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    /// Globally unique.
    pub id: String,
    pub execution_id: String,
    pub payload: Value,
    pub labels: Vec<String>,
}

/// A timer: the engine gets `payload` back as an event once `due_at` has passed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimerRow {
    /// Globally unique; setting a timer with an existing id moves it.
    pub id: String,
    pub pipeline: String,
    pub due_at: i64,
    pub payload: Value,
}

/// An effect committed with a state change, waiting to be carried out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    /// Increasing in commit order, never reused.
    pub seq: i64,
    pub pipeline: String,
    pub payload: Value,
    pub created_at: i64,
}

/// The roles a user can have, as stored (the migration's CHECK lists the same). What each allows
/// is the server's business; the store only keeps the name.
pub const ROLES: [&str; 4] = ["admin", "operator", "approver", "viewer"];

/// A user of the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub name: String,
    /// One of [`ROLES`].
    pub role: String,
    pub created_at: i64,
}

/// An access key: the id a SigV4 `Authorization` names and the secret it was signed with.
///
/// Not `Serialize`, and its `Debug` hides the secret, so it cannot end up in a log or a response
/// by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKeyRow {
    pub id: String,
    pub user_name: String,
    pub secret: String,
    pub created_at: i64,
    /// A disabled key stays listed but must not authenticate.
    pub disabled: bool,
}

impl std::fmt::Debug for AccessKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRow")
            .field("id", &self.id)
            .field("user_name", &self.user_name)
            .field("secret", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// One page of a listing. `next_token` is opaque; `None` means this was the last page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// One resource of the `resources` table: a whole JSON document of some `kind` (a CodeBuild
/// project, build, report group or report; a secret), found by `(kind, key)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceRow {
    pub kind: String,
    pub key: String,
    /// What the resource belongs to, for listing (a build's project).
    pub parent: Option<String>,
    /// Listings are ordered by `(sort_at, key)`.
    pub sort_at: i64,
    /// A sequence the row hands out ([`crate::Store::bump_counter`]).
    pub counter: i64,
    pub body: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Which resources a listing returns, in which order.
#[derive(Clone, Debug, Default)]
pub struct ResourceQuery<'a> {
    pub kind: &'a str,
    /// Only the rows of this parent.
    pub parent: Option<&'a str>,
    pub newest_first: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_debug_hides_the_secret() {
        let key = AccessKeyRow {
            id: "AKIAEXAMPLE".into(),
            user_name: "alice".into(),
            secret: "s3cr3t".into(),
            created_at: 1,
            disabled: false,
        };
        let shown = format!("{key:?}");
        assert!(shown.contains("AKIAEXAMPLE") && !shown.contains("s3cr3t"), "{shown}");
    }
}

/// An agent registration token (its hash is never read back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentTokenRow {
    pub name: String,
    pub created_at: i64,
}

/// A registered agent: the session it was given and the labels it claims with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRow {
    pub id: String,
    /// The registration token it came with.
    pub token_name: String,
    pub labels: Vec<String>,
    pub registered_at: i64,
}
