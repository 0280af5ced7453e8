//! The one error type of the crate. Every variant names what it is about (the
//! key, the file, the archive entry) because these messages reach users as a
//! failed action's one-line error.

use std::path::PathBuf;

pub type Result<T, E = ArtifactError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("invalid artifact key `{key}`: {reason}")]
    InvalidKey { key: String, reason: &'static str },

    #[error("no artifact is stored under `{key}`")]
    NotFound { key: String },

    #[error("invalid artifact store `{spec}`: {reason}")]
    Config { spec: String, reason: String },

    /// An S3 or HTTP store failed; `store` says which, without credentials.
    #[error("could not {action} `{key}` in {store}: {source}")]
    Remote {
        action: &'static str,
        key: String,
        store: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a readable zip archive: {source}", path.display())]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },

    #[error("invalid file pattern `{pattern}`: {source}")]
    Pattern {
        pattern: String,
        #[source]
        source: globset::Error,
    },

    #[error("refusing archive entry `{entry}`: {reason}")]
    UnsafeEntry { entry: String, reason: &'static str },

    #[error("the archive has {count} entries, more than the limit of {limit}")]
    TooManyEntries { count: u64, limit: u64 },

    #[error("archive entry `{entry}` is larger than the limit of {limit} bytes")]
    EntryTooLarge { entry: String, limit: u64 },

    #[error("the archive unpacks to more than the limit of {limit} bytes (at entry `{entry}`)")]
    TooLarge { entry: String, limit: u64 },
}

impl ArtifactError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| ArtifactError::Io { action, path, source }
    }

    pub(crate) fn zip(path: impl Into<PathBuf>) -> impl FnOnce(zip::result::ZipError) -> Self {
        let path = path.into();
        move |source| ArtifactError::Zip { path, source }
    }
}
