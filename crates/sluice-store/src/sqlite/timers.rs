//! Timers: set and cleared by commits, read here by the engine driver (SQLite).

use super::{SqliteStore, decode};
use crate::decode::timer_columns;
use crate::error::Result;
use crate::rows::TimerRow;

impl SqliteStore {
    pub(crate) async fn due_timers(&self, now: i64) -> Result<Vec<TimerRow>> {
        let rows =
            sqlx::query(concat!("SELECT ", timer_columns!(), " FROM timers WHERE due_at <= ?1 ORDER BY due_at, id"))
                .bind(now)
                .fetch_all(&self.reader)
                .await?;
        rows.iter().map(decode::timer).collect()
    }

    pub(crate) async fn next_timer(&self) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MIN(due_at) FROM timers").fetch_one(&self.reader).await?)
    }
}
