//! Variable references: `#{Namespace.Variable}` resolves only to what an
//! earlier action will have produced, or to declared pipeline variables.

use super::{Located, all_actions};
use crate::declaration::PipelineDeclaration;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::path::Path;
use crate::providers::{self, OutputVariables};
use crate::variables::{self, CODEPIPELINE, CODEPIPELINE_VARIABLES, PIPELINE_VARIABLES, Reference};

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    let actions = all_actions(pipeline);
    for consumer in &actions {
        for (path, text) in texts(consumer) {
            match variables::parse(text) {
                Ok(references) => {
                    for reference in references {
                        if let Some(diagnostic) = check_reference(pipeline, &actions, consumer, &reference, &path) {
                            out.push(diagnostic.within(&text[..reference.start]));
                        }
                    }
                }
                Err(err) => {
                    out.push(Diagnostic::error("invalid-reference", path, err.message).within(&text[..err.offset]))
                }
            }
        }
    }
}

/// Every text of an action in which variables are resolved.
fn texts<'a>(located: &'a Located<'a>) -> Vec<(Path, &'a str)> {
    let action = located.action;
    let path = located.path();
    let mut texts: Vec<(Path, &str)> =
        action.configuration.iter().map(|(k, v)| (path.key("configuration").key(k), v.as_str())).collect();
    for (i, command) in action.commands.iter().flatten().enumerate() {
        texts.push((path.key("commands").index(i), command));
    }
    for (i, variable) in action.environment_variables.iter().flatten().enumerate() {
        texts.push((path.key("environmentVariables").index(i).key("value"), &variable.value));
    }
    texts
}

fn check_reference(
    pipeline: &PipelineDeclaration,
    actions: &[Located<'_>],
    consumer: &Located<'_>,
    reference: &Reference,
    path: &Path,
) -> Option<Diagnostic> {
    let (namespace, name) = (reference.namespace.as_str(), reference.name.as_str());
    if namespace == PIPELINE_VARIABLES {
        if pipeline.variables.iter().any(|v| v.name == name) {
            return None;
        }
        let hint = match did_you_mean(name, pipeline.variables.iter().map(|v| v.name.as_str())) {
            Some(close) => format!("did you mean `#{{variables.{close}}}`?"),
            None => format!("declare it in the pipeline's `variables`: {{\"name\": \"{name}\"}}"),
        };
        return Some(
            Diagnostic::error(
                "unknown-variable",
                path.clone(),
                format!("`{reference}` refers to a pipeline variable that is not declared"),
            )
            .hint(hint),
        );
    }
    if namespace == CODEPIPELINE {
        if CODEPIPELINE_VARIABLES.contains(&name) {
            return None;
        }
        return Some(
            Diagnostic::error(
                "unknown-variable",
                path.clone(),
                format!("`{reference}` is not a codepipeline variable"),
            )
            .hint(format!("the codepipeline namespace has: {}", CODEPIPELINE_VARIABLES.join(", "))),
        );
    }
    let Some(producer) = actions.iter().find(|a| a.action.namespace.as_deref() == Some(namespace)) else {
        let known = actions.iter().filter(|a| a.precedes(consumer)).filter_map(|a| a.action.namespace.as_deref());
        let hint = match did_you_mean(namespace, known) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "set `namespace` on the action whose variables you want".to_string(),
        };
        return Some(
            Diagnostic::error(
                "unknown-namespace",
                path.clone(),
                format!("`{reference}`: no action has the namespace `{namespace}`"),
            )
            .hint(hint),
        );
    };
    if !producer.precedes(consumer) {
        return Some(
            Diagnostic::error(
                "variable-not-ready",
                path.clone(),
                format!(
                    "`{reference}` comes from `{}`, which has not finished when `{}` starts",
                    producer.action.name, consumer.action.name
                ),
            )
            .hint("a variable must come from an earlier stage, or from a lower runOrder in the same stage"),
        );
    }
    let declared: Vec<&str> = match providers::find(&producer.action.action_type_id).map(|p| p.output_variables) {
        Some(OutputVariables::Fixed(names)) => names.to_vec(),
        Some(OutputVariables::Declared) => {
            producer.action.output_variables.iter().flatten().map(String::as_str).collect()
        }
        // Dynamic outputs and custom actions: any name may exist at run time.
        Some(OutputVariables::Dynamic) | None => return None,
    };
    if declared.contains(&name) {
        return None;
    }
    let hint = match did_you_mean(name, declared.iter().copied()) {
        Some(close) => format!("did you mean `#{{{namespace}.{close}}}`?"),
        None if declared.is_empty() => format!("`{}` produces no variables", producer.action.name),
        None => format!("`{}` produces: {}", producer.action.name, declared.join(", ")),
    };
    Some(
        Diagnostic::error(
            "unknown-variable",
            path.clone(),
            format!("`{reference}`: `{}` does not produce a variable `{name}`", producer.action.name),
        )
        .hint(hint),
    )
}
