//! Agent registration tokens and registered agents (postgres). Tokens and sessions arrive hashed.

use sqlx::Row;

use super::PgStore;
use crate::error::{Error, Result, is_foreign_key_violation};
use crate::rows::{AgentRow, AgentTokenRow};

impl PgStore {
    pub(crate) async fn create_agent_token(&self, name: &str, token_hash: &str, now: i64) -> Result<AgentTokenRow> {
        let inserted = sqlx::query(
            "INSERT INTO agent_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NameInUse);
        }
        Ok(AgentTokenRow { name: name.to_owned(), created_at: now })
    }

    pub(crate) async fn list_agent_tokens(&self) -> Result<Vec<AgentTokenRow>> {
        let rows = sqlx::query("SELECT name, created_at FROM agent_tokens ORDER BY name").fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok(AgentTokenRow { name: row.try_get(0)?, created_at: row.try_get(1)? })).collect()
    }

    pub(crate) async fn delete_agent_token(&self, name: &str) -> Result<()> {
        // Foreign keys cascade to the agents registered with it.
        let deleted = sqlx::query("DELETE FROM agent_tokens WHERE name = $1").bind(name).execute(&self.pool).await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn find_agent_token(&self, token_hash: &str) -> Result<Option<AgentTokenRow>> {
        let row = sqlx::query("SELECT name, created_at FROM agent_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(AgentTokenRow { name: row.try_get(0)?, created_at: row.try_get(1)? })).transpose()
    }

    pub(crate) async fn register_agent(
        &self,
        id: &str,
        token_name: &str,
        labels: &[String],
        session_hash: &str,
        now: i64,
    ) -> Result<AgentRow> {
        let labels_json = serde_json::to_string(labels).map_err(|e| Error::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO agents (id, token_name, labels, session_hash, registered_at)              VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(token_name)
        .bind(labels_json)
        .bind(session_hash)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|err| if is_foreign_key_violation(&err) { Error::NotFound } else { err.into() })?;
        Ok(AgentRow {
            id: id.to_owned(),
            token_name: token_name.to_owned(),
            labels: labels.to_vec(),
            registered_at: now,
        })
    }

    pub(crate) async fn find_agent(&self, session_hash: &str) -> Result<Option<AgentRow>> {
        let row = sqlx::query("SELECT id, token_name, labels, registered_at FROM agents WHERE session_hash = $1")
            .bind(session_hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let labels: String = row.try_get(2)?;
        let labels = serde_json::from_str(&labels).map_err(|e| Error::Invalid(format!("agent labels: {e}")))?;
        Ok(Some(AgentRow { id: row.try_get(0)?, token_name: row.try_get(1)?, labels, registered_at: row.try_get(3)? }))
    }
}
