//! Diagnostics as a person reads them: compiler style, with the source line
//! and a caret under the spot.

use crate::diagnostic::{Diagnostic, Severity};
use std::fmt::Write;

/// Renders one diagnostic of `file_name`, whose text is `text`.
pub fn render(diagnostic: &Diagnostic, file_name: &str, text: &str) -> String {
    let mut out = String::new();
    let label = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{label}[{}]: {}", diagnostic.code, diagnostic.message);
    let location = match diagnostic.pos {
        Some(pos) => format!("{file_name}:{}:{}", pos.line, pos.column),
        None => file_name.to_string(),
    };
    if diagnostic.path.is_root() {
        let _ = writeln!(out, "  --> {location}");
    } else {
        let _ = writeln!(out, "  --> {location} ({})", diagnostic.path);
    }
    if let Some(pos) = diagnostic.pos {
        if let Some(line) = text.lines().nth(pos.line.saturating_sub(1) as usize) {
            let number = pos.line.to_string();
            let gutter = " ".repeat(number.len());
            // Keep tabs so the caret lines up under tab-indented text.
            let indent: String = line
                .chars()
                .take(pos.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{number} | {}", line.trim_end_matches('\r'));
            let _ = writeln!(out, "{gutter} | {indent}^");
        }
    }
    if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "  = hint: {hint}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::Path;
    use crate::source::Pos;

    #[test]
    fn shows_the_line_and_a_caret() {
        let diagnostic = Diagnostic::error("unknown-key", Path::root().key("nmae"), "unknown key `nmae`")
            .at(Pos::new(2, 3))
            .hint("did you mean `name`?");
        let text = "{\n  \"nmae\": \"p\"\n}";
        assert_eq!(
            render(&diagnostic, "p.json", text),
            "error[unknown-key]: unknown key `nmae`\n  --> p.json:2:3 (nmae)\n  |\n2 |   \"nmae\": \"p\"\n  |   ^\n  = hint: did you mean `name`?\n"
        );
    }
}
