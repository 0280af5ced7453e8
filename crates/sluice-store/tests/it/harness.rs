//! A fresh, private database per test, on either backend, removed afterwards.
//!
//! SQLite: a file in a temporary directory. PostgreSQL: a database created from the admin URL in
//! `SLUICE_TEST_DATABASE_URL` and dropped after the test (also when it fails), so tests run in
//! parallel without seeing each other. `scripts/with-postgres` provides such a URL.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sluice_store::Store;
use sqlx::{Connection, PgConnection};

/// The variable naming a PostgreSQL server the tests may create databases on.
pub const DATABASE_URL_VAR: &str = "SLUICE_TEST_DATABASE_URL";

pub struct TestDb {
    store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Dropping the directory removes the database files.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        database: String,
    },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("sluice.db").display());
        let store = Store::connect(&url).await.expect("connect to SQLite");
        assert_eq!(store.backend_name(), "sqlite");
        TestDb { store, cleanup: Cleanup::Sqlite { _dir: dir } }
    }

    /// `None` (after saying so) when no PostgreSQL server is configured.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(DATABASE_URL_VAR) else {
            eprintln!("{DATABASE_URL_VAR} is not set: skipping PostgreSQL test {test} (see scripts/with-postgres)");
            return None;
        };
        let database = unique_database_name();
        let mut admin = PgConnection::connect(&admin_url).await.expect("connect to the PostgreSQL admin URL");
        sqlx::query(&format!("CREATE DATABASE {database}")).execute(&mut admin).await.expect("create test database");
        admin.close().await.expect("close admin connection");
        let store = Store::connect(&with_database(&admin_url, &database)).await.expect("connect to PostgreSQL");
        assert_eq!(store.backend_name(), "postgres");
        Some(TestDb { store, cleanup: Cleanup::Postgres { admin_url, database } })
    }

    /// Runs one conformance case on its own task, so a failing case still gets its database
    /// dropped before the failure is passed on.
    pub async fn run<F, Fut>(self, case: F)
    where
        F: FnOnce(Store) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(case(self.store.clone())).await;
        self.store.close().await;
        if let Cleanup::Postgres { admin_url, database } = &self.cleanup {
            let mut admin = PgConnection::connect(admin_url).await.expect("connect to the PostgreSQL admin URL");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .expect("drop test database");
            admin.close().await.expect("close admin connection");
        }
        if let Err(err) = outcome {
            std::panic::resume_unwind(err.into_panic());
        }
    }
}

/// Unique across the processes and tests running at once: process id, time and a counter.
fn unique_database_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("sluice_test_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The admin URL with its database replaced: `postgres://u@h:p/admin?x=y` → `postgres://u@h:p/<db>?x=y`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

#[test]
fn with_database_replaces_only_the_path() {
    assert_eq!(with_database("postgres://u@h:1/postgres", "t"), "postgres://u@h:1/t");
    assert_eq!(with_database("postgres://u@h:1", "t"), "postgres://u@h:1/t");
    assert_eq!(with_database("postgres://u@h/p?sslmode=disable", "t"), "postgres://u@h/t?sslmode=disable");
}
