//! The PostgreSQL backend, for servers that share a database or want one managed elsewhere.
//!
//! Concurrency comes from the database: commits are serialized per pipeline by the row lock of
//! their revision-checked `UPDATE`, and claims use `FOR UPDATE SKIP LOCKED` so concurrent agents
//! never wait on, nor get, the same job. Opaque JSON goes in as text cast to `json`, which stores
//! it verbatim (binding `serde_json::Value` would go through `jsonb` and lose key order).

mod agents;
mod commit;
mod credentials;
mod jobs;
mod outbox;
mod pipelines;
mod reads;
mod resources;
mod timers;

use serde::Serialize;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use crate::error::Result;

static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// Connections per store: enough for a server's API, engine driver and agents' claims.
const MAX_CONNECTIONS: u32 = 10;

mod decode {
    crate::decode::row_decoders!(sqlx::postgres::PgRow);
}

/// A PostgreSQL pool.
#[derive(Clone, Debug)]
pub(crate) struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and migrates (sqlx takes an advisory lock, so concurrent servers migrate once).
    pub(crate) async fn connect(url: &str) -> Result<PgStore> {
        let pool = PgPoolOptions::new().max_connections(MAX_CONNECTIONS).connect(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore { pool })
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// JSON text to bind as `$n::json`.
fn json_text(value: &impl Serialize) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}
