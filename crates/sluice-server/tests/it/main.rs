//! The driver with a real store, real git and real processes.

mod support;

mod agents;
mod api;
mod codebuild;
mod git;
mod pipeline_runs;
mod recovery;
mod storage;
