//! The outbox: effects committed with state changes, read and acknowledged by their dispatcher (SQLite).

use sqlx::types::Json;

use super::{SqliteStore, decode};
use crate::decode::outbox_columns;
use crate::error::Result;
use crate::rows::OutboxRow;

impl SqliteStore {
    pub(crate) async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(concat!("SELECT ", outbox_columns!(), " FROM outbox ORDER BY seq LIMIT ?1"))
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(decode::outbox).collect()
    }

    pub(crate) async fn ack_outbox(&self, seqs: &[i64]) -> Result<()> {
        // One statement for any number of rows: the list travels as a JSON array.
        sqlx::query("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?1))")
            .bind(Json(seqs))
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
