//! CodeBuild buildspec files (version 0.2, and 0.1 with its one-shell-per-
//! command rule): YAML text into a typed [`Buildspec`], with every problem
//! found at once, each pointing at `buildspec.yml:LINE:COL (path.inside)`.
//!
//! Pure: no IO, no clock. The runner reads the file and hands the text here.

mod decode;
mod model;
mod read;
mod render;

pub use model::{Artifacts, Buildspec, Env, OnFailure, Phase, PhaseName, ReportGroup, SecretRef, Shell, Version};
pub use render::{one_line, summary};
pub use sluice_model::{Diagnostic, Severity};

/// The default file name of a buildspec in the primary source.
pub const DEFAULT_FILE: &str = "buildspec.yml";

/// A buildspec read from text: the buildspec if it has no errors, and every
/// diagnostic (errors and warnings), in the order of the file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub buildspec: Option<Buildspec>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
}

/// Reads and checks a buildspec.
pub fn parse(text: &str) -> Parsed {
    let root = match sluice_model::source::yaml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let diagnostic = Diagnostic::error("syntax", sluice_model::Path::root(), e.message).at(e.pos);
            return Parsed { buildspec: None, diagnostics: vec![diagnostic] };
        }
    };
    let mut diagnostics = Vec::new();
    let buildspec = decode::buildspec(&root, &mut diagnostics);
    // A missing key is pointed at the key of the mapping that lacks it (a
    // line a person can find), not at that mapping's first member.
    for diagnostic in diagnostics.iter_mut().filter(|d| d.code == "missing-key" && !d.path.is_root()) {
        diagnostic.pos = Some(sluice_model::document::locate_key(&root, &diagnostic.path));
    }
    diagnostics.sort_by_key(|d| d.pos.unwrap_or_default());
    let buildspec = if diagnostics.iter().any(Diagnostic::is_error) { None } else { buildspec };
    Parsed { buildspec, diagnostics }
}
