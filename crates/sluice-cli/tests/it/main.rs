//! End-to-end tests: the real `sluice` binary, against a real `sluice server` started as a child
//! process on a free port with its own data directory.

mod access;
mod agents;
mod aws_cli;
mod builds;
mod offline;
mod pipelines;
mod runs;
mod support;
