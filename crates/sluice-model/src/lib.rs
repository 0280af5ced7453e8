//! sluice's pipeline model: the CodePipeline declaration in AWS's shape,
//! reading it from JSON or YAML with positions, validating it, the built-in
//! provider table, variable references and the status enums.
//!
//! This crate does no IO beyond what its callers hand it, and reads no
//! clock: it is shared by the CLI (offline `sluice validate`), the server
//! (the API's `InvalidStructureException`) and the engine.

pub mod declaration;
pub mod decode;
pub mod diagnostic;
pub mod document;
pub mod path;
pub mod providers;
pub mod render;
pub mod source;
pub mod status;
pub mod validate;
pub mod variables;

pub use declaration::*;
pub use diagnostic::{Diagnostic, Severity};
pub use document::Document;
pub use path::Path;
