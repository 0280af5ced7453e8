//! `sluice validate FILE...`: checks pipeline files without a server.
//!
//! Exit status: 0 when every file is valid (warnings allowed), 1 when any
//! file has an error, 2 when a file cannot be read at all.

use super::Global;
use crate::Output;
use serde_json::json;
use sluice_model::render::render;
use sluice_model::{Diagnostic, Document, Severity};
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Pipeline files: JSON or YAML, bare or as `get-pipeline` prints them.
    /// `-` reads standard input (as JSON or YAML, by its first character).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
}

/// A file read and checked, or why it could not be read.
pub struct Checked {
    pub file: String,
    pub text: String,
    pub document: Result<Document, String>,
}

pub fn run(global: &Global, args: &Args) -> ExitCode {
    let checked: Vec<Checked> = args.files.iter().map(|file| check(file)).collect();
    let rendered = match global.output {
        Output::Text => text_report(&checked),
        Output::Json => serde_json::to_string_pretty(&json_report(&checked)).expect("JSON values serialize") + "\n",
    };
    // A closed pipe (`sluice validate ... | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(rendered.as_bytes());
    if checked.iter().any(|c| c.document.is_err()) {
        ExitCode::from(2)
    } else if checked.iter().all(|c| c.document.as_ref().is_ok_and(Document::is_valid)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub fn check(file: &str) -> Checked {
    let read = if file == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read(file).and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
        })
    };
    match read {
        Ok(text) => {
            let document = Document::check(file, &text);
            Checked { file: file.to_string(), text, document: Ok(document) }
        }
        Err(err) => Checked { file: file.to_string(), text: String::new(), document: Err(err.to_string()) },
    }
}

fn summary(document: &Document) -> String {
    let Some(pipeline) = &document.pipeline else { return String::new() };
    let actions: usize = pipeline.stages.iter().map(|s| s.actions.len()).sum();
    let kind = pipeline.pipeline_type.map_or("", |t| t.as_str());
    let kind = if kind.is_empty() { String::new() } else { format!("{kind}, ") };
    format!(
        "pipeline `{}` ({kind}{}): {} stages, {actions} actions",
        pipeline.name,
        pipeline.mode(),
        pipeline.stages.len()
    )
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics.iter().filter(|d| d.severity == severity).count()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

pub fn text_report(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        match &c.document {
            Err(err) => out.push_str(&format!("{}: cannot read: {err}\n", c.file)),
            Ok(document) => {
                for diagnostic in &document.diagnostics {
                    out.push_str(&render(diagnostic, &c.file, &c.text));
                    out.push('\n');
                }
                let errors = count(&document.diagnostics, Severity::Error);
                let warnings = count(&document.diagnostics, Severity::Warning);
                let warned = if warnings > 0 { format!(" ({})", plural(warnings, "warning")) } else { String::new() };
                if document.is_valid() {
                    out.push_str(&format!("{}: ok, {}{warned}\n", c.file, summary(document)));
                } else {
                    out.push_str(&format!("{}: invalid, {}{warned}\n", c.file, plural(errors, "error")));
                }
            }
        }
    }
    out
}

pub fn json_report(checked: &[Checked]) -> serde_json::Value {
    let files: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| match &c.document {
            Err(err) => json!({ "file": c.file, "valid": false, "readError": err }),
            Ok(document) => json!({
                "file": c.file,
                "valid": document.is_valid(),
                "pipeline": document.pipeline.as_ref().map(|p| &p.name),
                "stages": document.pipeline.as_ref().map(|p| p.stages.len()),
                "diagnostics": document.diagnostics,
            }),
        })
        .collect();
    json!({ "files": files })
}
