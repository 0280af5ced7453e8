//! Reading rows back, written once for both backends.
//!
//! The decoders are a macro expanded with each backend's concrete row type: the code is the same
//! text for both, without spelling out sqlx's generic bounds for every column type. The column
//! lists are macros too, so queries are assembled with `concat!` at compile time.

/// The columns [`row_decoders`]' `pipeline` reads, from `pipelines`.
macro_rules! pipeline_columns {
    () => {
        "name, version, declaration, tags, created_at, updated_at"
    };
}

/// The columns `execution` reads, from `executions`.
macro_rules! execution_columns {
    () => {
        "id, pipeline, status, started_at, updated_at, body"
    };
}

/// The columns `job` reads, from `jobs`.
macro_rules! job_columns {
    () => {
        "id, pipeline, execution_id, status, payload, labels, queued_at, lease_owner, lease_token, \
         lease_expires_at, result, cancel_requested"
    };
}

/// The columns `timer` reads, from `timers`.
macro_rules! timer_columns {
    () => {
        "id, pipeline, due_at, payload"
    };
}

/// The columns `outbox` reads, from `outbox`.
macro_rules! outbox_columns {
    () => {
        "seq, pipeline, payload, created_at"
    };
}

/// The columns `user` reads, from `users`.
macro_rules! user_columns {
    () => {
        "name, role, created_at"
    };
}

/// The columns `access_key` reads, from `access_keys`.
macro_rules! access_key_columns {
    () => {
        "id, user_name, secret, created_at, disabled"
    };
}

/// `access_key_columns!` of `access_keys k` with the owner's role and creation time as `user_role`
/// and `user_created_at`, from `access_keys k JOIN users u ON u.name = k.user_name`: what
/// `key_with_user` reads.
macro_rules! key_with_user_columns {
    () => {
        "k.id, k.user_name, k.secret, k.created_at, k.disabled, u.role AS user_role, u.created_at AS user_created_at"
    };
}

/// The columns `resource` reads, from `resources`.
macro_rules! resource_columns {
    () => {
        "kind, key, parent, sort_at, counter, body, created_at, updated_at"
    };
}

/// Defines `pipeline`, `summary`, `execution`, `job`, `leased`, `timer`, `outbox`, `user`,
/// `access_key` and `key_with_user` decoders for the given row type.
macro_rules! row_decoders {
    ($row:ty) => {
        use serde_json::Value;
        use sqlx::Row as _;
        use sqlx::types::Json;

        use crate::error::Result;
        use crate::rows::{
            AccessKeyRow, ExecutionRow, JobRow, JobStatus, LeasedJob, OutboxRow, PipelineRow, PipelineSummary,
            ResourceRow, Tags, TimerRow, UserRow,
        };

        pub(crate) fn resource(row: &$row) -> Result<ResourceRow> {
            Ok(ResourceRow {
                kind: row.try_get("kind")?,
                key: row.try_get("key")?,
                parent: row.try_get("parent")?,
                sort_at: row.try_get("sort_at")?,
                counter: row.try_get("counter")?,
                body: row.try_get::<Json<Value>, _>("body")?.0,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        pub(crate) fn pipeline(row: &$row) -> Result<PipelineRow> {
            Ok(PipelineRow {
                name: row.try_get("name")?,
                version: row.try_get("version")?,
                declaration: row.try_get::<Json<Value>, _>("declaration")?.0,
                tags: row.try_get::<Json<Tags>, _>("tags")?.0,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        pub(crate) fn summary(row: &$row) -> Result<PipelineSummary> {
            Ok(PipelineSummary {
                name: row.try_get("name")?,
                version: row.try_get("version")?,
                declaration: row.try_get::<Json<Value>, _>("declaration")?.0,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        pub(crate) fn execution(row: &$row) -> Result<ExecutionRow> {
            Ok(ExecutionRow {
                id: row.try_get("id")?,
                pipeline: row.try_get("pipeline")?,
                status: row.try_get("status")?,
                started_at: row.try_get("started_at")?,
                updated_at: row.try_get("updated_at")?,
                body: row.try_get::<Json<Value>, _>("body")?.0,
            })
        }

        pub(crate) fn job(row: &$row) -> Result<JobRow> {
            let status: String = row.try_get("status")?;
            Ok(JobRow {
                id: row.try_get("id")?,
                pipeline: row.try_get("pipeline")?,
                execution_id: row.try_get("execution_id")?,
                status: JobStatus::parse(&status)
                    .ok_or_else(|| sqlx::Error::Decode(format!("unknown job status {status:?}").into()))?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
                labels: row.try_get::<Json<Vec<String>>, _>("labels")?.0,
                queued_at: row.try_get("queued_at")?,
                lease_owner: row.try_get("lease_owner")?,
                lease_token: row.try_get("lease_token")?,
                lease_expires_at: row.try_get("lease_expires_at")?,
                result: row.try_get::<Option<Json<Value>>, _>("result")?.map(|j| j.0),
                cancel_requested: row.try_get("cancel_requested")?,
            })
        }

        /// A job row just claimed: its lease columns are set.
        pub(crate) fn leased(row: &$row) -> Result<LeasedJob> {
            Ok(LeasedJob {
                id: row.try_get("id")?,
                pipeline: row.try_get("pipeline")?,
                execution_id: row.try_get("execution_id")?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
                labels: row.try_get::<Json<Vec<String>>, _>("labels")?.0,
                token: row.try_get("lease_token")?,
                expires_at: row.try_get("lease_expires_at")?,
            })
        }

        pub(crate) fn timer(row: &$row) -> Result<TimerRow> {
            Ok(TimerRow {
                id: row.try_get("id")?,
                pipeline: row.try_get("pipeline")?,
                due_at: row.try_get("due_at")?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
            })
        }

        pub(crate) fn outbox(row: &$row) -> Result<OutboxRow> {
            Ok(OutboxRow {
                seq: row.try_get("seq")?,
                pipeline: row.try_get("pipeline")?,
                payload: row.try_get::<Json<Value>, _>("payload")?.0,
                created_at: row.try_get("created_at")?,
            })
        }

        pub(crate) fn user(row: &$row) -> Result<UserRow> {
            Ok(UserRow {
                name: row.try_get("name")?,
                role: row.try_get("role")?,
                created_at: row.try_get("created_at")?,
            })
        }

        pub(crate) fn access_key(row: &$row) -> Result<AccessKeyRow> {
            Ok(AccessKeyRow {
                id: row.try_get("id")?,
                user_name: row.try_get("user_name")?,
                secret: row.try_get("secret")?,
                created_at: row.try_get("created_at")?,
                disabled: row.try_get("disabled")?,
            })
        }

        /// A key and its owner, from `key_with_user_columns!`.
        pub(crate) fn key_with_user(row: &$row) -> Result<(AccessKeyRow, UserRow)> {
            let key = access_key(row)?;
            let user = UserRow {
                name: key.user_name.clone(),
                role: row.try_get("user_role")?,
                created_at: row.try_get("user_created_at")?,
            };
            Ok((key, user))
        }
    };
}

pub(crate) use {
    access_key_columns, execution_columns, job_columns, key_with_user_columns, outbox_columns, pipeline_columns,
    resource_columns, row_decoders, timer_columns, user_columns,
};
