//! Jobs run for real: bash, git, files and process groups in temp dirs.

mod buildspec;
mod codecommit;
mod commands;
mod deploy_s3;
mod support;
