//! The outbox: effects committed with state changes, read and acknowledged by their dispatcher (PostgreSQL).

use super::{PgStore, decode};
use crate::decode::outbox_columns;
use crate::error::Result;
use crate::rows::OutboxRow;

impl PgStore {
    pub(crate) async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(concat!("SELECT ", outbox_columns!(), " FROM outbox ORDER BY seq LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode::outbox).collect()
    }

    pub(crate) async fn ack_outbox(&self, seqs: &[i64]) -> Result<()> {
        sqlx::query("DELETE FROM outbox WHERE seq = ANY($1)").bind(seqs).execute(&self.pool).await?;
        Ok(())
    }
}
