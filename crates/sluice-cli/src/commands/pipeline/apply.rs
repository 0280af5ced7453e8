//! `sluice pipeline apply -f FILE`: validate locally, then `GetPipeline` to decide between
//! `CreatePipeline` and `UpdatePipeline`.
//!
//! Exit status: 0 when applied, 1 when the file has an error (nothing is sent) or the server
//! refused, 2 when the file cannot be read.

use crate::commands::validate::{self, Checked};
use crate::commands::{Global, answer, print_json};
use serde_json::{Value, json};
use sluice_model::render::render;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline file: JSON or YAML, bare or as `get-pipeline` prints it; `-` reads standard
    /// input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: String,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let checked = validate::check(&args.file);
    let document = match &checked.document {
        Ok(document) => document,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.file);
            return Ok(ExitCode::from(2));
        }
    };
    if !document.is_valid() {
        report_invalid(global, &checked);
        return Ok(ExitCode::FAILURE);
    }
    // Warnings do not stop an apply, but people should see them.
    for diagnostic in &document.diagnostics {
        eprintln!("{}", render(diagnostic, &checked.file, &checked.text));
    }
    let pipeline = document.pipeline.as_ref().expect("a valid document has a pipeline");
    let name = pipeline.name.clone();
    let declaration = request_body(serde_json::to_value(pipeline)?);

    let client = global.client()?;
    let (created, response) = match client.codepipeline("GetPipeline", &json!({ "name": name })) {
        Ok(_) => (false, client.codepipeline("UpdatePipeline", &json!({ "pipeline": declaration }))?),
        Err(e) if e.api_type() == Some("PipelineNotFoundException") => {
            (true, client.codepipeline("CreatePipeline", &json!({ "pipeline": declaration }))?)
        }
        Err(e) => return Err(e.into()),
    };
    let version = response["pipeline"]["version"].as_i64().map_or_else(|| "?".to_string(), |v| v.to_string());
    answer(global, &response, || {
        if created {
            format!("created pipeline {name} (version {version})\n")
        } else {
            format!("updated pipeline {name} to version {version}\n")
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// The declaration as the API takes it. Its `version` is the server's to set: a file saved from
/// `get-pipeline` carries an old one.
fn request_body(mut declaration: Value) -> Value {
    if let Some(object) = declaration.as_object_mut() {
        object.remove("version");
    }
    declaration
}

/// Every problem, as `sluice validate` reports it: on standard error for people, on standard
/// output as the validate JSON for scripts.
fn report_invalid(global: &Global, checked: &Checked) {
    let checked = std::slice::from_ref(checked);
    if global.json() {
        print_json(&validate::json_report(checked));
    } else {
        eprint!("{}", validate::text_report(checked));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_of_a_saved_file_is_not_sent() {
        let body = request_body(json!({"name": "app", "version": 7, "stages": []}));
        assert_eq!(body, json!({"name": "app", "stages": []}));
    }
}
