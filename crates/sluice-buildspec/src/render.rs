//! Problems as one line each, the way they go into a build's log and into
//! the action's error: `buildspec.yml:LINE:COL (path.inside): message`.

use sluice_model::{Diagnostic, Severity};

/// `file:LINE:COL (path): [warning: ]message (hint)`.
pub fn one_line(diagnostic: &Diagnostic, file_name: &str) -> String {
    let mut out = match diagnostic.pos {
        Some(pos) => format!("{file_name}:{}:{}", pos.line, pos.column),
        None => file_name.to_owned(),
    };
    if !diagnostic.path.is_root() {
        out.push_str(&format!(" ({})", diagnostic.path));
    }
    out.push_str(": ");
    if diagnostic.severity == Severity::Warning {
        out.push_str("warning: ");
    }
    out.push_str(&diagnostic.message);
    if let Some(hint) = &diagnostic.hint {
        out.push_str(&format!(" ({hint})"));
    }
    out
}

/// Every diagnostic, one per line.
pub fn summary(diagnostics: &[Diagnostic], file_name: &str) -> String {
    diagnostics.iter().map(|d| one_line(d, file_name)).collect::<Vec<_>>().join("\n")
}
