//! Users and their access keys (PostgreSQL).

use super::{PgStore, decode};
use crate::decode::{access_key_columns, key_with_user_columns, user_columns};
use crate::error::{Error, Result, is_foreign_key_violation};
use crate::rows::{AccessKeyRow, UserRow};

impl PgStore {
    pub(crate) async fn create_user(&self, name: &str, role: &str, now: i64) -> Result<UserRow> {
        let inserted =
            sqlx::query("INSERT INTO users (name, role, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(role)
                .bind(now)
                .execute(&self.pool)
                .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NameInUse);
        }
        Ok(UserRow { name: name.to_owned(), role: role.to_owned(), created_at: now })
    }

    pub(crate) async fn list_users(&self) -> Result<Vec<UserRow>> {
        let rows =
            sqlx::query(concat!("SELECT ", user_columns!(), " FROM users ORDER BY name")).fetch_all(&self.pool).await?;
        rows.iter().map(decode::user).collect()
    }

    pub(crate) async fn delete_user(&self, name: &str) -> Result<()> {
        // Foreign keys cascade to the user's access keys.
        let deleted = sqlx::query("DELETE FROM users WHERE name = $1").bind(name).execute(&self.pool).await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    pub(crate) async fn set_user_role(&self, name: &str, role: &str) -> Result<UserRow> {
        let row = sqlx::query(concat!("UPDATE users SET role = $2 WHERE name = $1 RETURNING ", user_columns!()))
            .bind(name)
            .bind(role)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound)?;
        decode::user(&row)
    }

    pub(crate) async fn create_access_key(&self, user: &str, id: &str, secret: &str, now: i64) -> Result<AccessKeyRow> {
        let inserted = sqlx::query(
            "INSERT INTO access_keys (id, user_name, secret, created_at, disabled) VALUES ($1, $2, $3, $4, FALSE) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .bind(secret)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|err| if is_foreign_key_violation(&err) { Error::NotFound } else { err.into() })?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NameInUse);
        }
        Ok(AccessKeyRow {
            id: id.to_owned(),
            user_name: user.to_owned(),
            secret: secret.to_owned(),
            created_at: now,
            disabled: false,
        })
    }

    pub(crate) async fn find_access_key(&self, id: &str) -> Result<Option<(AccessKeyRow, UserRow)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            key_with_user_columns!(),
            " FROM access_keys k JOIN users u ON u.name = k.user_name WHERE k.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode::key_with_user).transpose()
    }

    pub(crate) async fn list_access_keys(&self, user: &str) -> Result<Vec<AccessKeyRow>> {
        // Two reads, no transaction: a user deleted in between reads as having no keys, which is
        // what it has.
        let exists: Option<String> =
            sqlx::query_scalar("SELECT name FROM users WHERE name = $1").bind(user).fetch_optional(&self.pool).await?;
        if exists.is_none() {
            return Err(Error::NotFound);
        }
        let rows = sqlx::query(concat!(
            "SELECT ",
            access_key_columns!(),
            " FROM access_keys WHERE user_name = $1 ORDER BY created_at, id"
        ))
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode::access_key).collect()
    }

    pub(crate) async fn set_access_key_disabled(&self, id: &str, disabled: bool) -> Result<AccessKeyRow> {
        let row = sqlx::query(concat!(
            "UPDATE access_keys SET disabled = $2 WHERE id = $1 RETURNING ",
            access_key_columns!()
        ))
        .bind(id)
        .bind(disabled)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(Error::NotFound)?;
        decode::access_key(&row)
    }

    pub(crate) async fn delete_access_key(&self, id: &str) -> Result<()> {
        let deleted = sqlx::query("DELETE FROM access_keys WHERE id = $1").bind(id).execute(&self.pool).await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }
}
