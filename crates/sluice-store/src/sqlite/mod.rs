//! The SQLite backend: the embedded default.
//!
//! WAL journal, so readers never block the writer nor the writer readers. All writes go through
//! a pool of exactly one connection: SQLite allows one writer at a time anyway, and serializing
//! in the pool (instead of racing for the file lock) means no `SQLITE_BUSY` between our own
//! writers, which makes every write transaction, claims included, trivially serial. Reads use a
//! separate read-only pool. `busy_timeout` covers another process holding the file.

mod agents;
mod commit;
mod credentials;
mod jobs;
mod outbox;
mod pipelines;
mod reads;
mod resources;
mod timers;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::Result;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Readers: enough for concurrent API reads, few enough for a small machine.
const READERS: u32 = 4;

mod decode {
    crate::decode::row_decoders!(sqlx::sqlite::SqliteRow);
}

/// SQLite pools: one writer connection, several readers.
#[derive(Clone, Debug)]
pub(crate) struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and migrates it.
    pub(crate) async fn connect(url: &str) -> Result<SqliteStore> {
        let base = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let base = base.foreign_keys(true).busy_timeout(BUSY_TIMEOUT);
        let writer_options = base
            .clone()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        // The writer connection is kept forever: for an in-memory database it *is* the database.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(writer_options)
            .await?;
        MIGRATOR.run(&writer).await?;
        // An in-memory database is private to its connection: there, readers share the writer.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new().max_connections(READERS).connect_with(base.read_only(true)).await?
        };
        Ok(SqliteStore { writer, reader })
    }

    /// Starts a write transaction holding the write lock from its first statement (`BEGIN
    /// IMMEDIATE`): a transaction that reads before it writes cannot then fail half-way with
    /// `SQLITE_BUSY` because another process wrote in between.
    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub(crate) async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
