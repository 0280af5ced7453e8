//! The job queue: claims, leases and their fencing tokens (SQLite).
//!
//! Each call is one statement on the single writer connection, so a claim (find the oldest
//! matching job, lease it) is atomic without any row locking.

use sqlx::types::Json;

use super::{SqliteStore, decode};
use crate::decode::job_columns;
use crate::error::{Error, Result};
use crate::rows::{JobRow, Lease, LeasedJob};

impl SqliteStore {
    pub(crate) async fn claim_job(
        &self,
        owner: &str,
        owner_labels: &[String],
        lease_ms: i64,
        now: i64,
    ) -> Result<Option<LeasedJob>> {
        // "labels ⊆ owner_labels": no label of the job is missing from the owner's.
        let row = sqlx::query(concat!(
            "UPDATE jobs SET status = 'leased', lease_owner = ?1, lease_token = lease_token + 1, lease_expires_at = ?2 \
             WHERE id = (SELECT j.id FROM jobs j WHERE j.status = 'queued' \
               AND NOT EXISTS (SELECT 1 FROM json_each(j.labels) l \
                               WHERE l.value NOT IN (SELECT o.value FROM json_each(?3) o)) \
               ORDER BY j.queued_at, j.id LIMIT 1) \
             RETURNING ",
            job_columns!()
        ))
        .bind(owner)
        .bind(now + lease_ms)
        .bind(Json(owner_labels))
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(decode::leased).transpose()
    }

    pub(crate) async fn heartbeat(&self, id: &str, token: i64, lease_ms: i64, now: i64) -> Result<Lease> {
        let row: Option<(i64, i64, bool)> = sqlx::query_as(
            "UPDATE jobs SET lease_expires_at = ?3 WHERE id = ?1 AND lease_token = ?2 AND status = 'leased' \
             RETURNING lease_token, lease_expires_at, cancel_requested",
        )
        .bind(id)
        .bind(token)
        .bind(now + lease_ms)
        .fetch_optional(&self.writer)
        .await?;
        let (token, expires_at, cancel_requested) = row.ok_or(Error::StaleLease)?;
        Ok(Lease { token, expires_at, cancel_requested })
    }

    pub(crate) async fn get_job(&self, id: &str) -> Result<Option<JobRow>> {
        let row = sqlx::query(concat!("SELECT ", job_columns!(), " FROM jobs WHERE id = ?1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(decode::job).transpose()
    }

    pub(crate) async fn requeue_job(&self, id: &str, token: i64) -> Result<()> {
        let requeued = sqlx::query(
            "UPDATE jobs SET status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END, \
             lease_expires_at = NULL WHERE id = ?1 AND lease_token = ?2 AND status = 'leased'",
        )
        .bind(id)
        .bind(token)
        .execute(&self.writer)
        .await?;
        if requeued.rows_affected() == 0 {
            return Err(Error::StaleLease);
        }
        Ok(())
    }

    pub(crate) async fn expired_leases(&self, now: i64) -> Result<Vec<JobRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            job_columns!(),
            " FROM jobs WHERE status = 'leased' AND lease_expires_at <= ?1 ORDER BY lease_expires_at, id"
        ))
        .bind(now)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(decode::job).collect()
    }
}
