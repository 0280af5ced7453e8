//! The engine's one write transaction (SQLite). See [`crate::Commit`] for the contract.

use sqlx::types::Json;
use sqlx::{Sqlite, Transaction};

use super::SqliteStore;
use crate::commit::Commit;
use crate::error::{Error, Result, is_foreign_key_violation};

impl SqliteStore {
    pub(crate) async fn commit(&self, c: &Commit) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let revision = advance_state(&mut tx, c).await?;
        if let Some((token, execution_id)) = &c.idempotency {
            claim_token(&mut tx, c, token, execution_id).await?;
        }
        if let Some((job, lease_token)) = &c.complete_job {
            let done = sqlx::query(
                "UPDATE jobs SET status = 'done', result = ?4 \
                 WHERE id = ?1 AND pipeline = ?2 AND lease_token = ?3 AND status = 'leased'",
            )
            .bind(job)
            .bind(&c.pipeline)
            .bind(lease_token)
            .bind(c.job_result.as_ref().map(Json))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(Error::StaleLease);
            }
        }
        for e in &c.executions {
            sqlx::query(
                "INSERT INTO executions (id, pipeline, status, started_at, updated_at, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, \
                 body = excluded.body",
            )
            .bind(&e.id)
            .bind(&e.pipeline)
            .bind(&e.status)
            .bind(e.started_at)
            .bind(e.updated_at)
            .bind(Json(&e.body))
            .execute(&mut *tx)
            .await?;
        }
        for j in &c.new_jobs {
            sqlx::query(
                "INSERT INTO jobs (id, pipeline, execution_id, status, payload, labels, queued_at) \
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6)",
            )
            .bind(&j.id)
            .bind(&c.pipeline)
            .bind(&j.execution_id)
            .bind(Json(&j.payload))
            .bind(Json(&j.labels))
            .bind(c.now)
            .execute(&mut *tx)
            .await?;
        }
        for id in &c.cancel_jobs {
            sqlx::query(
                "UPDATE jobs SET cancel_requested = 1, \
                 status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END \
                 WHERE id = ?1 AND pipeline = ?2 AND status IN ('queued', 'leased')",
            )
            .bind(id)
            .bind(&c.pipeline)
            .execute(&mut *tx)
            .await?;
        }
        for t in &c.set_timers {
            sqlx::query(
                "INSERT INTO timers (id, pipeline, due_at, payload) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload",
            )
            .bind(&t.id)
            .bind(&t.pipeline)
            .bind(t.due_at)
            .bind(Json(&t.payload))
            .execute(&mut *tx)
            .await?;
        }
        for id in &c.clear_timers {
            sqlx::query("DELETE FROM timers WHERE id = ?1 AND pipeline = ?2")
                .bind(id)
                .bind(&c.pipeline)
                .execute(&mut *tx)
                .await?;
        }
        for payload in &c.outbox {
            sqlx::query("INSERT INTO outbox (pipeline, payload, created_at) VALUES (?1, ?2, ?3)")
                .bind(&c.pipeline)
                .bind(Json(payload))
                .bind(c.now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(revision)
    }
}

/// Writes the new state if the stored revision is the expected one; returns the new revision.
async fn advance_state(tx: &mut Transaction<'_, Sqlite>, c: &Commit) -> Result<i64> {
    match c.expected_revision {
        None => {
            let inserted = sqlx::query(
                "INSERT INTO pipeline_state (pipeline, revision, state, updated_at) VALUES (?1, 1, ?2, ?3) \
                 ON CONFLICT (pipeline) DO NOTHING",
            )
            .bind(&c.pipeline)
            .bind(Json(&c.state))
            .bind(c.now)
            .execute(&mut **tx)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { Error::NotFound } else { e.into() })?;
            if inserted.rows_affected() == 0 {
                return Err(Error::Conflict);
            }
            Ok(1)
        }
        Some(expected) => {
            let updated = sqlx::query(
                "UPDATE pipeline_state SET revision = revision + 1, state = ?3, updated_at = ?4 \
                 WHERE pipeline = ?1 AND revision = ?2",
            )
            .bind(&c.pipeline)
            .bind(expected)
            .bind(Json(&c.state))
            .bind(c.now)
            .execute(&mut **tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(Error::Conflict);
            }
            Ok(expected + 1)
        }
    }
}

/// Records the client request token, or fails with the execution that already used it.
async fn claim_token(tx: &mut Transaction<'_, Sqlite>, c: &Commit, token: &str, execution_id: &str) -> Result<()> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency (pipeline, client_request_token, execution_id, created_at) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (pipeline, client_request_token) DO NOTHING",
    )
    .bind(&c.pipeline)
    .bind(token)
    .bind(execution_id)
    .bind(c.now)
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 0 {
        let existing: String = sqlx::query_scalar(
            "SELECT execution_id FROM idempotency WHERE pipeline = ?1 AND client_request_token = ?2",
        )
        .bind(&c.pipeline)
        .bind(token)
        .fetch_one(&mut **tx)
        .await?;
        return Err(Error::DuplicateToken(existing));
    }
    Ok(())
}
