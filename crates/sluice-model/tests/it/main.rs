//! Integration tests of the pipeline model: the corpus of real pipelines,
//! the corpus of broken ones with their diagnostics as snapshots, and a
//! property test that no input makes the reader panic.

mod corpus;
mod no_panic;
mod roundtrip;
