//! The store's one error type.
//!
//! The first variants are outcomes the engine and the server act on (a conflict is retried, a stale
//! lease is refused, a duplicate token answers with the existing execution); the last ones are
//! failures of the database itself, kept whole so their cause is never lost.

/// What a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A create with a name (or id) already taken: a pipeline, a user, an access key.
    #[error("the name is already in use")]
    NameInUse,
    /// The pipeline (job, user, access key) the call names does not exist.
    #[error("not found")]
    NotFound,
    /// A commit's `expected_revision` is not the stored one: someone else committed first.
    #[error("the pipeline state changed since it was loaded (revision conflict)")]
    Conflict,
    /// The job is not leased under this fencing token any more (requeued, completed, or re-claimed).
    #[error("the job lease is stale: its token does not match or the job is not leased")]
    StaleLease,
    /// The client request token was already used for this pipeline; holds that execution's id.
    #[error("client request token already used by execution {0}")]
    DuplicateToken(String),
    /// A pagination token this store did not hand out.
    #[error("invalid pagination token")]
    InvalidToken,
    /// A caller error caught before touching the database (e.g. a commit carrying another pipeline's rows).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The database URL is neither SQLite nor PostgreSQL.
    #[error("unsupported database URL (expected sqlite:…, postgres://… or a file path): {0}")]
    UnsupportedUrl(String),
    /// Stored JSON that does not decode into the expected shape.
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The store's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Whether a database error is a foreign key violation: a commit for a pipeline that does not exist.
pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error().is_some_and(|e| e.is_foreign_key_violation())
}
