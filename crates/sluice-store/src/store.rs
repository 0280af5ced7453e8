//! [`Store`]: the one type callers see, dispatching to the backend the URL chose.

use serde_json::Value;

use crate::commit::Commit;
use crate::error::{Error, Result};
use crate::postgres::PgStore;
use crate::rows::{
    AccessKeyRow, AgentRow, AgentTokenRow, ExecutionRow, JobRow, Lease, LeasedJob, OutboxRow, Page, PipelineRow,
    PipelineSummary, ROLES, ResourceQuery, ResourceRow, Tags, TimerRow, UserRow,
};
use crate::sqlite::SqliteStore;

/// A connection pool to sluice's database. Cheap to clone: clones share the pools.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

/// An enum rather than a trait object: two backends, known at compile time, and async methods
/// without boxing.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Calls the same method, with the same arguments, on whichever backend this store uses.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(b) => b.$method($($arg),*).await,
            Backend::Postgres(b) => b.$method($($arg),*).await,
        }
    };
}

impl Store {
    /// Opens the database and applies pending migrations.
    ///
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:…` (e.g.
    /// `sqlite://data/sluice.db?mode=rwc`, `sqlite::memory:`) or a plain file path selects SQLite,
    /// which creates the file when missing.
    pub async fn connect(url: &str) -> Result<Store> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(PgStore::connect(url).await?)
        } else if url.starts_with("sqlite:") || !url.contains("://") {
            Backend::Sqlite(SqliteStore::connect(url).await?)
        } else {
            return Err(Error::UnsupportedUrl(url.to_owned()));
        };
        Ok(Store { backend })
    }

    /// `"sqlite"` or `"postgres"`, for logs and diagnostics.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes the pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        dispatch!(self.close())
    }

    // ---- pipelines ----

    /// Stores a new pipeline at version 1. `Error::NameInUse` if the name is taken.
    pub async fn create_pipeline(&self, name: &str, declaration: &Value, tags: &Tags, now: i64) -> Result<PipelineRow> {
        dispatch!(self.create_pipeline(name, declaration, tags, now))
    }

    /// Stores a new version (the previous one + 1) and keeps the old ones. `Error::NotFound` if
    /// there is no such pipeline.
    pub async fn update_pipeline(&self, name: &str, declaration: &Value, now: i64) -> Result<PipelineRow> {
        dispatch!(self.update_pipeline(name, declaration, now))
    }

    /// The latest version, or the given one (as it was declared; `updated_at` is when that
    /// version was written). `None` if the pipeline or that version does not exist.
    pub async fn get_pipeline(&self, name: &str, version: Option<i64>) -> Result<Option<PipelineRow>> {
        dispatch!(self.get_pipeline(name, version))
    }

    /// Pipelines by name, one page at a time.
    pub async fn list_pipelines(&self, page_size: u32, next_token: Option<&str>) -> Result<Page<PipelineSummary>> {
        dispatch!(self.list_pipelines(page_size, next_token))
    }

    /// Deletes a pipeline and everything it owns: its versions, state, executions, jobs, timers
    /// and idempotency tokens, so a pipeline created later under the same name starts clean (as
    /// with AWS, a deleted pipeline's executions are gone). Outbox rows stay: they are effects
    /// already decided, and their dispatcher must cope with a pipeline that no longer exists.
    /// Agents holding one of its jobs learn of it through `Error::StaleLease` on their next heartbeat.
    /// `Error::NotFound` if there is no such pipeline.
    pub async fn delete_pipeline(&self, name: &str) -> Result<()> {
        dispatch!(self.delete_pipeline(name))
    }

    /// The pipeline's tags. `Error::NotFound` if there is no such pipeline.
    pub async fn get_tags(&self, name: &str) -> Result<Tags> {
        dispatch!(self.get_tags(name))
    }

    /// Adds tags, replacing values of existing keys (TagResource); returns all tags after.
    /// Does not change the pipeline's version.
    pub async fn set_tags(&self, name: &str, tags: &Tags) -> Result<Tags> {
        dispatch!(self.set_tags(name, tags))
    }

    /// Removes the given keys, ignoring absent ones (UntagResource); returns the tags left.
    pub async fn remove_tags(&self, name: &str, keys: &[String]) -> Result<Tags> {
        dispatch!(self.remove_tags(name, keys))
    }

    // ---- engine state and executions ----

    /// Applies one engine step in one transaction (see [`Commit`]); returns the new revision.
    pub async fn commit(&self, commit: &Commit) -> Result<i64> {
        commit.validate()?;
        dispatch!(self.commit(commit))
    }

    /// The pipeline's engine state and its revision, to pass back as `expected_revision`.
    pub async fn load_state(&self, pipeline: &str) -> Result<Option<(i64, Value)>> {
        dispatch!(self.load_state(pipeline))
    }

    /// One execution by id.
    pub async fn get_execution(&self, id: &str) -> Result<Option<ExecutionRow>> {
        dispatch!(self.get_execution(id))
    }

    /// A pipeline's executions, newest first (by `started_at`, then id), one page at a time.
    /// `Error::InvalidToken` for a token this store did not make.
    pub async fn list_executions(
        &self,
        pipeline: &str,
        page_size: u32,
        next_token: Option<&str>,
    ) -> Result<Page<ExecutionRow>> {
        dispatch!(self.list_executions(pipeline, page_size, next_token))
    }

    /// The execution a client request token already started, if any.
    pub async fn find_idempotent(&self, pipeline: &str, token: &str) -> Result<Option<String>> {
        dispatch!(self.find_idempotent(pipeline, token))
    }

    // ---- jobs ----

    /// Leases the oldest queued job whose labels are all among `owner_labels`, for `lease_ms`,
    /// with a fencing token one above the job's previous one. Concurrent claimers never get the
    /// same job. Expired leases are not taken over here: the engine handles them (see
    /// [`Store::expired_leases`]).
    pub async fn claim_job(
        &self,
        owner: &str,
        owner_labels: &[String],
        lease_ms: i64,
        now: i64,
    ) -> Result<Option<LeasedJob>> {
        dispatch!(self.claim_job(owner, owner_labels, lease_ms, now))
    }

    /// Extends a lease to `now + lease_ms` and tells whether cancellation was requested.
    /// `Error::StaleLease` if the job is not leased under `token` (or does not exist).
    ///
    /// A lease past its expiry stays valid until the engine requeues or completes the job: the
    /// fencing token, not the clock, decides who may report.
    pub async fn heartbeat(&self, id: &str, token: i64, lease_ms: i64, now: i64) -> Result<Lease> {
        dispatch!(self.heartbeat(id, token, lease_ms, now))
    }

    /// One job by id.
    pub async fn get_job(&self, id: &str) -> Result<Option<JobRow>> {
        dispatch!(self.get_job(id))
    }

    /// Gives a leased job back to the queue (or marks it `cancelled` if cancellation was
    /// requested); the next claim gets a new token, so the old holder can no longer report.
    /// `Error::StaleLease` if the job is not leased under `token`.
    pub async fn requeue_job(&self, id: &str, token: i64) -> Result<()> {
        dispatch!(self.requeue_job(id, token))
    }

    /// Leased jobs whose lease expired at or before `now`, oldest expiry first.
    pub async fn expired_leases(&self, now: i64) -> Result<Vec<JobRow>> {
        dispatch!(self.expired_leases(now))
    }

    // ---- timers and outbox ----

    /// Timers due at or before `now`, earliest first. They stay until a commit clears them.
    pub async fn due_timers(&self, now: i64) -> Result<Vec<TimerRow>> {
        dispatch!(self.due_timers(now))
    }

    /// When the earliest timer is due, to know how long to sleep.
    pub async fn next_timer(&self) -> Result<Option<i64>> {
        dispatch!(self.next_timer())
    }

    /// Up to `limit` outbox rows, oldest first. Rows stay until acknowledged: delivery is at
    /// least once, so their handlers must be idempotent. Meant for a single dispatcher.
    pub async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxRow>> {
        dispatch!(self.pending_outbox(limit))
    }

    /// Deletes carried-out outbox rows; unknown sequence numbers are ignored.
    pub async fn ack_outbox(&self, seqs: &[i64]) -> Result<()> {
        dispatch!(self.ack_outbox(seqs))
    }

    // ---- users and access keys ----

    /// Adds a user with one of [`ROLES`]. `Error::NameInUse` if the name is taken,
    /// `Error::Invalid` for another role.
    pub async fn create_user(&self, name: &str, role: &str, now: i64) -> Result<UserRow> {
        check_role(role)?;
        dispatch!(self.create_user(name, role, now))
    }

    /// Every user, by name (byte order). Few enough to need no pages.
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        dispatch!(self.list_users())
    }

    /// Deletes a user and its access keys. `Error::NotFound` if there is no such user.
    pub async fn delete_user(&self, name: &str) -> Result<()> {
        dispatch!(self.delete_user(name))
    }

    /// Changes a user's role; returns the user after. `Error::NotFound` if there is no such user,
    /// `Error::Invalid` for a role not in [`ROLES`].
    pub async fn set_user_role(&self, name: &str, role: &str) -> Result<UserRow> {
        check_role(role)?;
        dispatch!(self.set_user_role(name, role))
    }

    /// Stores an access key for `user`, enabled. The caller makes the id and the secret.
    /// `Error::NotFound` if there is no such user, `Error::NameInUse` if the id is taken (by
    /// any user).
    pub async fn create_access_key(&self, user: &str, id: &str, secret: &str, now: i64) -> Result<AccessKeyRow> {
        dispatch!(self.create_access_key(user, id, secret, now))
    }

    /// The key with this id and its user, as one read: what authenticating a request needs.
    /// Disabled keys are returned too (flagged), so the caller decides what to answer.
    pub async fn find_access_key(&self, id: &str) -> Result<Option<(AccessKeyRow, UserRow)>> {
        dispatch!(self.find_access_key(id))
    }

    /// A user's keys, oldest first. `Error::NotFound` if there is no such user.
    pub async fn list_access_keys(&self, user: &str) -> Result<Vec<AccessKeyRow>> {
        dispatch!(self.list_access_keys(user))
    }

    /// Disables or enables a key (IAM's Inactive/Active); returns the key after.
    /// `Error::NotFound` if there is no such key.
    pub async fn set_access_key_disabled(&self, id: &str, disabled: bool) -> Result<AccessKeyRow> {
        dispatch!(self.set_access_key_disabled(id, disabled))
    }

    /// Deletes a key. `Error::NotFound` if there is no such key.
    pub async fn delete_access_key(&self, id: &str) -> Result<()> {
        dispatch!(self.delete_access_key(id))
    }

    // ---- resources ----

    /// Stores a new resource. `Error::NameInUse` if `(kind, key)` exists.
    pub async fn insert_resource(&self, resource: &ResourceRow) -> Result<()> {
        dispatch!(self.insert_resource(resource))
    }

    /// Replaces a resource's body. `Error::NotFound` if it does not exist.
    pub async fn update_resource(&self, kind: &str, key: &str, body: &Value, now: i64) -> Result<()> {
        dispatch!(self.update_resource(kind, key, body, now))
    }

    pub async fn get_resource(&self, kind: &str, key: &str) -> Result<Option<ResourceRow>> {
        dispatch!(self.get_resource(kind, key))
    }

    /// `Error::NotFound` if it does not exist.
    pub async fn delete_resource(&self, kind: &str, key: &str) -> Result<()> {
        dispatch!(self.delete_resource(kind, key))
    }

    /// Adds one to the resource's counter and returns the new value: a sequence that never
    /// hands out a number twice, even to concurrent callers. `Error::NotFound` if it does not
    /// exist.
    pub async fn bump_counter(&self, kind: &str, key: &str) -> Result<i64> {
        dispatch!(self.bump_counter(kind, key))
    }

    /// One page of the resources `query` selects, ordered by `(sort_at, key)`.
    pub async fn list_resources(
        &self,
        query: &ResourceQuery<'_>,
        page_size: u32,
        next_token: Option<&str>,
    ) -> Result<Page<ResourceRow>> {
        dispatch!(self.list_resources(query, page_size, next_token))
    }

    /// Every resource of `kind`, in `(sort_at, key)` order: for kinds that stay small.
    pub async fn all_resources(&self, kind: &str) -> Result<Vec<ResourceRow>> {
        let query = ResourceQuery { kind, parent: None, newest_first: false };
        let mut rows = Vec::new();
        let mut token = None;
        loop {
            let page = self.list_resources(&query, 1000, token.as_deref()).await?;
            rows.extend(page.items);
            match page.next_token {
                Some(next) => token = Some(next),
                None => return Ok(rows),
            }
        }
    }

    // ---- remote agents ----

    /// Stores an agent registration token under `name`, by its SHA-256 hash (the caller hashes).
    /// `Error::NameInUse` if the name (or the hash) is taken.
    pub async fn create_agent_token(&self, name: &str, token_hash: &str, now: i64) -> Result<AgentTokenRow> {
        dispatch!(self.create_agent_token(name, token_hash, now))
    }

    /// Every registration token, by name, without hashes.
    pub async fn list_agent_tokens(&self) -> Result<Vec<AgentTokenRow>> {
        dispatch!(self.list_agent_tokens())
    }

    /// Deletes a token and the agents registered with it. `Error::NotFound` if there is none.
    pub async fn delete_agent_token(&self, name: &str) -> Result<()> {
        dispatch!(self.delete_agent_token(name))
    }

    /// The token with this hash: what registering an agent checks.
    pub async fn find_agent_token(&self, token_hash: &str) -> Result<Option<AgentTokenRow>> {
        dispatch!(self.find_agent_token(token_hash))
    }

    /// Records a registered agent and the hash of the session it was given. `Error::NotFound`
    /// if the token was deleted meanwhile.
    pub async fn register_agent(
        &self,
        id: &str,
        token_name: &str,
        labels: &[String],
        session_hash: &str,
        now: i64,
    ) -> Result<AgentRow> {
        dispatch!(self.register_agent(id, token_name, labels, session_hash, now))
    }

    /// The agent holding the session with this hash: what every agent request checks.
    pub async fn find_agent(&self, session_hash: &str) -> Result<Option<AgentRow>> {
        dispatch!(self.find_agent(session_hash))
    }
}

/// Refuses a role the schema's CHECK would refuse, before the database does, with a readable error.
fn check_role(role: &str) -> Result<()> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(Error::Invalid(format!("unknown role {role:?} (expected one of {})", ROLES.join(", "))))
    }
}
