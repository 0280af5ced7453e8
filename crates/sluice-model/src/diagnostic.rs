//! Problems found in a pipeline file, each pointing at a place in it.

use crate::path::Path;
use crate::source::Pos;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short stable name for the kind of problem (`unknown-key`,
    /// `missing-input-artifact`, ...), for scripts and tests.
    pub code: &'static str,
    /// Where inside the pipeline object the problem is.
    pub path: Path,
    /// Where in the file; filled in from `path` when not known at the time
    /// the problem was found (see [`crate::document::Document::locate`]).
    pub pos: Option<Pos>,
    pub message: String,
    pub hint: Option<String>,
    /// For a problem inside a text value (a variable reference): the text
    /// before it, so the caret can point at the spot rather than at the
    /// value's start.
    #[serde(skip)]
    pub within: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            path,
            pos: None,
            message: message.into(),
            hint: None,
            within: None,
        }
    }

    pub fn warning(code: &'static str, path: Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            path,
            pos: None,
            message: message.into(),
            hint: None,
            within: None,
        }
    }

    pub fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    /// Marks the problem as starting after `prefix` inside the value.
    pub fn within(mut self, prefix: &str) -> Self {
        self.within = Some(prefix.to_string());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Serialize for Path {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for Pos {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Pos", 2)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("column", &self.column)?;
        s.end()
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be what
/// the user meant.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            // Case-only differences are the most likely slip of all.
            let score =
                if c.eq_ignore_ascii_case(word) { 1.0 } else { strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()) };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["runOrder", "name", "actionTypeId", "inputArtifacts"];
        assert_eq!(did_you_mean("runorder", keys), Some("runOrder"));
        assert_eq!(did_you_mean("inputArtifact", keys), Some("inputArtifacts"));
        assert_eq!(did_you_mean("actionType", keys), Some("actionTypeId"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
