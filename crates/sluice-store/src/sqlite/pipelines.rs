//! Pipelines, their versions and tags (SQLite).

use serde_json::Value;
use sqlx::types::Json;

use super::{SqliteStore, decode};
use crate::decode::pipeline_columns;
use crate::error::{Error, Result};
use crate::page;
use crate::rows::{Page, PipelineRow, PipelineSummary, Tags};

impl SqliteStore {
    pub(crate) async fn create_pipeline(
        &self,
        name: &str,
        declaration: &Value,
        tags: &Tags,
        now: i64,
    ) -> Result<PipelineRow> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO pipelines (name, version, declaration, tags, created_at, updated_at) \
             VALUES (?1, 1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(Json(declaration))
        .bind(Json(tags))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NameInUse);
        }
        sqlx::query(
            "INSERT INTO pipeline_versions (pipeline, version, declaration, created_at) VALUES (?1, 1, ?2, ?3)",
        )
        .bind(name)
        .bind(Json(declaration))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PipelineRow {
            name: name.to_owned(),
            version: 1,
            declaration: declaration.clone(),
            tags: tags.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    pub(crate) async fn update_pipeline(&self, name: &str, declaration: &Value, now: i64) -> Result<PipelineRow> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(concat!(
            "UPDATE pipelines SET version = version + 1, declaration = ?2, updated_at = ?3 WHERE name = ?1 RETURNING ",
            pipeline_columns!()
        ))
        .bind(name)
        .bind(Json(declaration))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
        let updated = decode::pipeline(&row)?;
        sqlx::query(
            "INSERT INTO pipeline_versions (pipeline, version, declaration, created_at) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(name)
        .bind(updated.version)
        .bind(Json(declaration))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub(crate) async fn get_pipeline(&self, name: &str, version: Option<i64>) -> Result<Option<PipelineRow>> {
        let row = match version {
            None => {
                sqlx::query(concat!("SELECT ", pipeline_columns!(), " FROM pipelines WHERE name = ?1"))
                    .bind(name)
                    .fetch_optional(&self.reader)
                    .await?
            }
            Some(version) => {
                sqlx::query(
                    "SELECT p.name, v.version, v.declaration, p.tags, p.created_at, v.created_at AS updated_at \
                     FROM pipelines p JOIN pipeline_versions v ON v.pipeline = p.name \
                     WHERE p.name = ?1 AND v.version = ?2",
                )
                .bind(name)
                .bind(version)
                .fetch_optional(&self.reader)
                .await?
            }
        };
        row.as_ref().map(decode::pipeline).transpose()
    }

    pub(crate) async fn list_pipelines(
        &self,
        page_size: u32,
        next_token: Option<&str>,
    ) -> Result<Page<PipelineSummary>> {
        let rows = sqlx::query(
            "SELECT name, version, declaration, created_at, updated_at FROM pipelines \
             WHERE ?1 IS NULL OR name > ?1 ORDER BY name LIMIT ?2",
        )
        .bind(next_token)
        .bind(page::limit(page_size))
        .fetch_all(&self.reader)
        .await?;
        let items = rows.iter().map(decode::summary).collect::<Result<Vec<_>>>()?;
        Ok(page::finish(items, page_size, |p| p.name.clone()))
    }

    pub(crate) async fn delete_pipeline(&self, name: &str) -> Result<()> {
        // Foreign keys cascade to everything the pipeline owns.
        let deleted = sqlx::query("DELETE FROM pipelines WHERE name = ?1").bind(name).execute(&self.writer).await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn get_tags(&self, name: &str) -> Result<Tags> {
        let tags: Option<Json<Tags>> = sqlx::query_scalar("SELECT tags FROM pipelines WHERE name = ?1")
            .bind(name)
            .fetch_optional(&self.reader)
            .await?;
        tags.map(|t| t.0).ok_or(Error::NotFound)
    }

    pub(crate) async fn set_tags(&self, name: &str, tags: &Tags) -> Result<Tags> {
        self.modify_tags(name, |all| all.extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())))).await
    }

    pub(crate) async fn remove_tags(&self, name: &str, keys: &[String]) -> Result<Tags> {
        self.modify_tags(name, |all| all.retain(|k, _| !keys.contains(k))).await
    }

    /// Read, change and write the tags in one write transaction (the single writer makes it atomic).
    async fn modify_tags(&self, name: &str, change: impl FnOnce(&mut Tags)) -> Result<Tags> {
        let mut tx = self.begin_write().await?;
        let Json(mut tags): Json<Tags> = sqlx::query_scalar("SELECT tags FROM pipelines WHERE name = ?1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
        change(&mut tags);
        sqlx::query("UPDATE pipelines SET tags = ?2 WHERE name = ?1")
            .bind(name)
            .bind(Json(&tags))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(tags)
    }
}
