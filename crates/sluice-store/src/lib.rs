//! sluice's persistence layer: pipelines, the engine's state, executions, jobs, timers, the
//! outbox, the users and access keys of the API and remote agents, in SQLite (the embedded default) or
//! PostgreSQL, behind one [`Store`].
//!
//! Only this crate knows SQL. Each backend has its own migrations (`migrations/sqlite`,
//! `migrations/postgres`) and its own queries, and both pass one conformance suite
//! (`tests/it`). The engine's data is opaque JSON here, so this crate does not depend on the
//! engine and the engine does no IO.
//!
//! Invariants the backends keep:
//! - Every engine step is one [`Commit`], applied in one transaction: all of it or none of it.
//! - The pipeline state carries a revision; a commit from a stale revision fails with
//!   [`Error::Conflict`] and writes nothing (optimistic concurrency).
//! - A job's lease carries a fencing token that grows on every claim; heartbeats, requeues and
//!   the completing commit must quote the current token, so a result is recorded at most once.
//! - The store never reads the clock: every time is an argument.

mod commit;
mod decode;
mod error;
mod page;
mod postgres;
mod rows;
mod sqlite;
mod store;

pub use commit::Commit;
pub use error::{Error, Result};
pub use rows::{
    AccessKeyRow, AgentRow, AgentTokenRow, ExecutionRow, JobRow, JobStatus, Lease, LeasedJob, NewJob, OutboxRow, Page,
    PipelineRow, PipelineSummary, ROLES, ResourceQuery, ResourceRow, Tags, TimerRow, UserRow,
};
pub use store::Store;
