//! Artifacts: the zip archives that actions pass to each other, as in
//! CodePipeline, and the store that keeps them by key.
//!
//! [`pack`] and [`unpack`] do blocking file IO; async callers run them with
//! `spawn_blocking`. [`ArtifactStore`] is async: a local directory, an
//! S3-compatible bucket, or a sluice server over HTTP.

mod error;
mod key;
mod pack;
mod store;
mod unpack;

pub use error::{ArtifactError, Result};
pub use key::check_key;
pub use pack::{PackSummary, pack, pack_all};
pub use store::{ArtifactStore, S3Config, check_bucket_name};
pub use unpack::{Limits, UnpackSummary, unpack};
