//! Engine state, executions and idempotency tokens: the read side of commits (SQLite).

use serde_json::Value;
use sqlx::types::Json;

use super::{SqliteStore, decode};
use crate::decode::execution_columns;
use crate::error::Result;
use crate::page::{self, ExecutionCursor};
use crate::rows::{ExecutionRow, Page};

impl SqliteStore {
    pub(crate) async fn load_state(&self, pipeline: &str) -> Result<Option<(i64, Value)>> {
        let row: Option<(i64, Json<Value>)> =
            sqlx::query_as("SELECT revision, state FROM pipeline_state WHERE pipeline = ?1")
                .bind(pipeline)
                .fetch_optional(&self.reader)
                .await?;
        Ok(row.map(|(revision, Json(state))| (revision, state)))
    }

    pub(crate) async fn get_execution(&self, id: &str) -> Result<Option<ExecutionRow>> {
        let row = sqlx::query(concat!("SELECT ", execution_columns!(), " FROM executions WHERE id = ?1"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(decode::execution).transpose()
    }

    pub(crate) async fn list_executions(
        &self,
        pipeline: &str,
        page_size: u32,
        next_token: Option<&str>,
    ) -> Result<Page<ExecutionRow>> {
        let cursor = next_token.map(ExecutionCursor::decode).transpose()?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            execution_columns!(),
            " FROM executions WHERE pipeline = ?1 \
             AND (?2 IS NULL OR started_at < ?2 OR (started_at = ?2 AND id < ?3)) \
             ORDER BY started_at DESC, id DESC LIMIT ?4"
        ))
        .bind(pipeline)
        .bind(cursor.as_ref().map(|c| c.started_at))
        .bind(cursor.as_ref().map(|c| c.id.as_str()))
        .bind(page::limit(page_size))
        .fetch_all(&self.reader)
        .await?;
        let items = rows.iter().map(decode::execution).collect::<Result<Vec<_>>>()?;
        Ok(page::finish(items, page_size, |e| ExecutionCursor::encode(e.started_at, &e.id)))
    }

    pub(crate) async fn find_idempotent(&self, pipeline: &str, token: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT execution_id FROM idempotency WHERE pipeline = ?1 AND client_request_token = ?2")
            .bind(pipeline)
            .bind(token)
            .fetch_optional(&self.reader)
            .await?)
    }
}
