//! Resources: whole JSON documents by kind and key (SQLite).

use super::{SqliteStore, decode};
use crate::decode::resource_columns;
use crate::error::{Error, Result};
use crate::page::{self, ResourceCursor};
use crate::rows::{Page, ResourceQuery, ResourceRow};
use sqlx::types::Json;

impl SqliteStore {
    pub(crate) async fn insert_resource(&self, r: &ResourceRow) -> Result<()> {
        let inserted = sqlx::query(
            "INSERT INTO resources (kind, key, parent, sort_at, counter, body, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (kind, key) DO NOTHING",
        )
        .bind(&r.kind)
        .bind(&r.key)
        .bind(&r.parent)
        .bind(r.sort_at)
        .bind(r.counter)
        .bind(Json(&r.body))
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(&self.writer)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NameInUse);
        }
        Ok(())
    }

    pub(crate) async fn update_resource(
        &self,
        kind: &str,
        key: &str,
        body: &serde_json::Value,
        now: i64,
    ) -> Result<()> {
        let updated = sqlx::query("UPDATE resources SET body = ?3, updated_at = ?4 WHERE kind = ?1 AND key = ?2")
            .bind(kind)
            .bind(key)
            .bind(Json(body))
            .bind(now)
            .execute(&self.writer)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn get_resource(&self, kind: &str, key: &str) -> Result<Option<ResourceRow>> {
        let row = sqlx::query(concat!("SELECT ", resource_columns!(), " FROM resources WHERE kind = ?1 AND key = ?2"))
            .bind(kind)
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        row.as_ref().map(decode::resource).transpose()
    }

    pub(crate) async fn delete_resource(&self, kind: &str, key: &str) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM resources WHERE kind = ?1 AND key = ?2")
            .bind(kind)
            .bind(key)
            .execute(&self.writer)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn bump_counter(&self, kind: &str, key: &str) -> Result<i64> {
        sqlx::query_scalar("UPDATE resources SET counter = counter + 1 WHERE kind = ?1 AND key = ?2 RETURNING counter")
            .bind(kind)
            .bind(key)
            .fetch_optional(&self.writer)
            .await?
            .ok_or(Error::NotFound)
    }

    pub(crate) async fn list_resources(
        &self,
        query: &ResourceQuery<'_>,
        page_size: u32,
        next_token: Option<&str>,
    ) -> Result<Page<ResourceRow>> {
        let cursor = next_token.map(ResourceCursor::decode).transpose()?;
        // Two spellings rather than string-built SQL: the direction decides both the
        // comparison and the order.
        let sql = if query.newest_first {
            concat!(
                "SELECT ",
                resource_columns!(),
                " FROM resources WHERE kind = ?1 AND (?2 IS NULL OR parent = ?2) \
                 AND (?3 IS NULL OR sort_at < ?3 OR (sort_at = ?3 AND key < ?4)) \
                 ORDER BY sort_at DESC, key DESC LIMIT ?5"
            )
        } else {
            concat!(
                "SELECT ",
                resource_columns!(),
                " FROM resources WHERE kind = ?1 AND (?2 IS NULL OR parent = ?2) \
                 AND (?3 IS NULL OR sort_at > ?3 OR (sort_at = ?3 AND key > ?4)) \
                 ORDER BY sort_at, key LIMIT ?5"
            )
        };
        let rows = sqlx::query(sql)
            .bind(query.kind)
            .bind(query.parent)
            .bind(cursor.as_ref().map(|c| c.sort_at))
            .bind(cursor.as_ref().map(|c| c.key.as_str()))
            .bind(page::limit(page_size))
            .fetch_all(&self.reader)
            .await?;
        let items = rows.iter().map(decode::resource).collect::<Result<Vec<_>>>()?;
        Ok(page::finish(items, page_size, |r| ResourceCursor::encode(r.sort_at, &r.key)))
    }
}
