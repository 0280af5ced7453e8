//! The store, opened directly for the local admin commands (`user`, `key`): the same database
//! `sluice server` uses, found the same way (`--database-url`, else SQLite in `--data-dir`).
//! SQLite in WAL mode lets this run beside a running server.

use anyhow::{Context as _, bail};
use sluice_store::Store;
use std::future::Future;
use std::path::Path;
use tokio::runtime::Runtime;

/// `--database-url`, for the commands that open the store.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct StoreArgs {
    /// `postgres://user@host/db` for PostgreSQL [default: SQLite in the data directory].
    #[arg(long, global = true, env = "SLUICE_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

pub struct LocalStore {
    runtime: Runtime,
    pub store: Store,
}

impl LocalStore {
    pub fn open(data_dir: &Path, args: &StoreArgs) -> anyhow::Result<LocalStore> {
        let url = match args.database_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => url.to_string(),
            None => {
                let file = data_dir.join("sluice.db");
                if !file.is_file() {
                    bail!(
                        "no sluice database in {}: point --data-dir at the directory `sluice server` uses (or pass \
                         --database-url)",
                        data_dir.display()
                    );
                }
                format!("sqlite://{}?mode=rw", file.display())
            }
        };
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the runtime")?;
        let store = runtime.block_on(Store::connect(&url)).context("cannot open the database")?;
        Ok(LocalStore { runtime, store })
    }

    pub fn run<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for LocalStore {
    fn drop(&mut self) {
        self.runtime.block_on(self.store.close());
    }
}

/// Milliseconds since the epoch, as the store keeps times.
pub fn now_ms() -> i64 {
    sluice_server::clock::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_directory_without_a_database_says_where_to_look() {
        let dir = tempfile::tempdir().unwrap();
        let err = LocalStore::open(dir.path(), &StoreArgs::default()).err().unwrap().to_string();
        assert!(err.starts_with("no sluice database in") && err.contains("--data-dir"), "{err}");
        assert!(!dir.path().join("sluice.db").exists(), "nothing is created");
    }
}
