//! Engine scenarios, driven one event at a time. Each scenario keeps a
//! trace of the pipeline after every step and compares it to a snapshot,
//! beside assertions on the points that matter most.

mod harness;

mod approvals;
mod modes;
mod recovery_shape;
mod retry_rollback;
mod runs;
mod stop;
mod transitions_updates;
