//! Hosted git repositories, the CodeCommit role: bare repositories under
//! `<data-dir>/repos/<name>.git` (`repo`), git's smart HTTP protocol at
//! `/git/<name>` through `git http-backend` (`http`, `cgi`), HTTP Basic
//! authentication with sluice access keys (`basic`), and pipelines started
//! by a push (`trigger`).

pub(crate) mod basic;
mod cgi;
mod command;
pub mod http;
pub mod repo;
pub mod trigger;
