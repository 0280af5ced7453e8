//! Reading pipeline files: JSON or YAML text into a position-keeping tree.

pub mod json;
mod node;
pub mod yaml;

pub use node::{Key, Node, Pos, SyntaxError, Value};

/// The format of a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// Picks the format from a file name: `.json` is JSON, `.yaml`/`.yml` is
    /// YAML, anything else is guessed from the first non-blank character.
    pub fn detect(file_name: &str, text: &str) -> Format {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if text.trim_start().starts_with(['{', '[']) {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// Reads `text` as `format`.
pub fn parse(text: &str, format: Format) -> Result<Node, SyntaxError> {
    match format {
        Format::Json => json::parse(text),
        Format::Yaml => yaml::parse(text),
    }
}
