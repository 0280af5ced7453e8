//! Counts, ranges and lengths from the service model and the limits chapter.

use super::{all_actions, check_count};
use crate::declaration::PipelineDeclaration;
use crate::diagnostic::Diagnostic;
use crate::path::Path;
use std::sync::LazyLock;

static ROLE_ARN: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^arn:aws(-[\w]+)*:iam::[0-9]{12}:role/.*$").expect("valid pattern"));

fn check_range(out: &mut Vec<Diagnostic>, path: Path, what: &str, value: i64, min: i64, max: i64) {
    if value < min || value > max {
        out.push(Diagnostic::error(
            "out-of-range",
            path,
            format!("{what} {value} is out of range: {min} to {max} allowed"),
        ));
    }
}

fn check_length(out: &mut Vec<Diagnostic>, path: Path, what: &str, text: &str, min: usize, max: usize) {
    let length = text.chars().count();
    if length < min {
        out.push(Diagnostic::error("length", path, format!("{what} is empty")));
    } else if length > max {
        out.push(Diagnostic::error(
            "length",
            path,
            format!("{what} is {length} characters long, at most {max} allowed"),
        ));
    }
}

fn check_role_arn(out: &mut Vec<Diagnostic>, path: Path, arn: &str) {
    if arn.len() > 1024 || !ROLE_ARN.is_match(arn) {
        out.push(
            Diagnostic::error("invalid-arn", path, format!("`{arn}` is not an IAM role ARN"))
                .hint("write `arn:aws:iam::123456789012:role/NAME`, or leave roleArn out: sluice does not need it"),
        );
    }
}

/// Counts of stages and actions: only meaningful when decoding dropped none.
pub fn check_counts(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let root = Path::root();
    check_count(out, root.key("stages"), "stages", pipeline.stages.len(), 2, 50);
    for (s, stage) in pipeline.stages.iter().enumerate() {
        let path = root.key("stages").index(s).key("actions");
        check_count(out, path, &format!("actions in stage `{}`", stage.name), stage.actions.len(), 1, 50);
    }
}

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let root = Path::root();
    if let Some(version) = pipeline.version {
        if version < 1 {
            out.push(Diagnostic::error(
                "out-of-range",
                root.key("version"),
                format!("version {version} is out of range: versions start at 1"),
            ));
        }
    }
    if let Some(arn) = &pipeline.role_arn {
        check_role_arn(out, root.key("roleArn"), arn);
    }
    check_count(out, root.key("variables"), "pipeline variables", pipeline.variables.len(), 0, 50);
    for (i, variable) in pipeline.variables.iter().enumerate() {
        let path = root.key("variables").index(i);
        if let Some(value) = &variable.default_value {
            check_length(out, path.key("defaultValue"), "the default value", value, 1, 1000);
        }
        if let Some(description) = &variable.description {
            check_length(out, path.key("description"), "the description", description, 0, 200);
        }
    }
    check_count(out, root.key("triggers"), "triggers", pipeline.triggers.len(), 0, 50);
    let stores = pipeline.artifact_store.iter().map(|s| (root.key("artifactStore"), s)).chain(
        pipeline.artifact_stores.iter().flatten().map(|(region, s)| (root.key("artifactStores").key(region), s)),
    );
    for (path, store) in stores {
        let location = &store.location;
        let length = location.chars().count();
        let problem = if location.contains("://") {
            Some("is a URL".to_string())
        } else if let Some(bad) = location.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.')) {
            Some(format!("contains `{bad}`"))
        } else if !(3..=63).contains(&length) {
            Some(format!("is {length} characters long"))
        } else {
            None
        };
        if let Some(problem) = problem {
            out.push(
                Diagnostic::error(
                    "invalid-location",
                    path.key("location"),
                    format!("the artifact store location `{location}` {problem}"),
                )
                .hint("a bucket name: 3 to 63 letters, digits, `-` and `.`"),
            );
        }
    }
    for located in all_actions(pipeline) {
        let path = located.path();
        let action = located.action;
        if let Some(run_order) = action.run_order {
            check_range(out, path.key("runOrder"), "runOrder", run_order, 1, 999);
        }
        if let Some(timeout) = action.timeout_in_minutes {
            check_range(out, path.key("timeoutInMinutes"), "timeoutInMinutes", timeout, 5, 86400);
        }
        if let Some(arn) = &action.role_arn {
            check_role_arn(out, path.key("roleArn"), arn);
        }
        if let Some(region) = &action.region {
            check_length(out, path.key("region"), "the region", region, 4, 30);
        }
        for (key, value) in &action.configuration {
            let key_path = path.key("configuration").key(key);
            check_length(out, key_path.clone(), "the configuration key", key, 1, 50);
            check_length(out, key_path, &format!("the value of `{key}`"), value, 1, 1000);
        }
        if let Some(commands) = &action.commands {
            check_count(out, path.key("commands"), "commands", commands.len(), 1, 50);
            for (i, command) in commands.iter().enumerate() {
                check_length(out, path.key("commands").index(i), "the command", command, 1, 1000);
            }
        }
        if let Some(names) = &action.output_variables {
            check_count(out, path.key("outputVariables"), "output variables", names.len(), 1, 15);
        }
        if let Some(variables) = &action.environment_variables {
            check_count(out, path.key("environmentVariables"), "environment variables", variables.len(), 1, 10);
            for (i, variable) in variables.iter().enumerate() {
                let value_path = path.key("environmentVariables").index(i).key("value");
                check_length(out, value_path, "the value", &variable.value, 1, 2000);
            }
        }
        for (i, artifact) in action.output_artifacts.iter().enumerate() {
            if let Some(files) = &artifact.files {
                check_count(out, path.key("outputArtifacts").index(i).key("files"), "files", files.len(), 1, 10);
            }
        }
    }
}
