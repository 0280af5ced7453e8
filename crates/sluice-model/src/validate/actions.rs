//! Each action against its provider's entry in the provider table:
//! configuration keys and values, artifact counts, and the fields only some
//! providers take.

use super::{Located, all_actions};
use crate::declaration::{ActionOwner, PipelineDeclaration};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::providers::{self, Commands, OutputVariables, Provider};

pub fn check(pipeline: &PipelineDeclaration, out: &mut Vec<Diagnostic>) {
    for located in all_actions(pipeline) {
        let id = &located.action.action_type_id;
        if id.owner == ActionOwner::Custom {
            // Custom action types are registered at run time
            // (CreateCustomActionType); their settings are checked then.
            continue;
        }
        match providers::find(id) {
            Some(provider) => check_action(&located, provider, out),
            None => out.push(unsupported(&located)),
        }
    }
}

fn unsupported(located: &Located<'_>) -> Diagnostic {
    let id = &located.action.action_type_id;
    let path = located.path().key("actionTypeId");
    let same_provider: Vec<&Provider> = providers::BUILT_IN.iter().filter(|p| p.provider == id.provider).collect();
    if let Some(p) = same_provider.iter().find(|p| p.category == id.category && p.owner == id.owner) {
        return Diagnostic::error(
            "unsupported-provider",
            path.key("version"),
            format!("version `{}` of {}/{}/{} does not exist", id.version, id.category, id.owner, id.provider),
        )
        .hint(format!("use version `{}`", p.version));
    }
    if let Some(p) = same_provider.first() {
        return Diagnostic::error(
            "unsupported-provider",
            path,
            format!("there is no {}/{}/{} action type", id.category, id.owner, id.provider),
        )
        .hint(format!("did you mean {}?", p.type_id()));
    }
    let names: Vec<String> =
        providers::in_category(id.category).map(|p| format!("{}/{}", p.owner, p.provider)).collect();
    let close = did_you_mean(&id.provider, providers::BUILT_IN.iter().map(|p| p.provider));
    let hint = match close {
        Some(close) => format!("did you mean `{close}`?"),
        None if names.is_empty() => format!("sluice runs no {} actions", id.category),
        None => format!("{} actions sluice runs: {}", id.category, names.join(", ")),
    };
    Diagnostic::error(
        "unsupported-provider",
        path.key("provider"),
        format!("sluice does not run {} actions (`{}`)", id.provider, id),
    )
    .hint(hint)
}

fn check_action(located: &Located<'_>, provider: &Provider, out: &mut Vec<Diagnostic>) {
    let action = located.action;
    let path = located.path();
    let type_name = format!("{}/{}", provider.category, provider.provider);

    for key in provider.required {
        if !action.configuration.contains_key(*key) {
            out.push(Diagnostic::error(
                "missing-configuration",
                path.key("configuration"),
                format!("{type_name} action `{}` needs the configuration key `{key}`", action.name),
            ));
        }
    }
    for (key, value) in &action.configuration {
        let key_path = path.key("configuration").key(key);
        if !provider.known_keys().any(|k| k == key) {
            let hint = match did_you_mean(key, provider.known_keys()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if provider.known_keys().next().is_none() => format!("{type_name} takes no configuration"),
                None => format!("{type_name} takes: {}", provider.known_keys().collect::<Vec<_>>().join(", ")),
            };
            out.push(
                Diagnostic::error(
                    "unknown-configuration",
                    key_path,
                    format!("{type_name} has no configuration key `{key}`"),
                )
                .hint(hint),
            );
            continue;
        }
        if let Some((_, allowed)) = provider.allowed_values.iter().find(|(k, _)| k == key) {
            if !allowed.contains(&value.as_str()) && !value.contains("#{") {
                out.push(
                    Diagnostic::error(
                        "invalid-configuration",
                        key_path,
                        format!("`{value}` is not a valid value for `{key}`"),
                    )
                    .hint(format!("expected one of: {}", allowed.join(", "))),
                );
            }
        }
    }
    if provider.provider == "S3"
        && action.configuration.get("Extract").map(String::as_str) == Some("false")
        && !action.configuration.contains_key("ObjectKey")
    {
        out.push(
            Diagnostic::error(
                "missing-configuration",
                path.key("configuration"),
                "`ObjectKey` is required when `Extract` is false",
            )
            .hint("name the object the artifact is copied to"),
        );
    }

    let (min, max) = provider.inputs;
    check_artifacts(out, path.key("inputArtifacts"), "input", &type_name, action.input_artifacts.len(), min, max);
    let (min, max) = provider.outputs;
    check_artifacts(out, path.key("outputArtifacts"), "output", &type_name, action.output_artifacts.len(), min, max);

    let is_commands = provider.commands == Commands::Required;
    match (provider.commands, &action.commands) {
        (Commands::Required, None) => out.push(
            Diagnostic::error(
                "missing-field",
                path.key("commands"),
                format!("the {type_name} action `{}` has no `commands`", action.name),
            )
            .hint("list the shell commands to run"),
        ),
        (Commands::Forbidden, Some(_)) => out.push(only_for_commands(path.key("commands"), "commands", &type_name)),
        _ => {}
    }
    if action.output_variables.is_some() && provider.output_variables != OutputVariables::Declared {
        out.push(only_for_commands(path.key("outputVariables"), "outputVariables", &type_name));
    }
    if action.environment_variables.is_some() && !is_commands {
        out.push(only_for_commands(path.key("environmentVariables"), "environmentVariables", &type_name));
    }
    if !is_commands {
        for (i, artifact) in action.output_artifacts.iter().enumerate() {
            if artifact.files.is_some() {
                out.push(only_for_commands(path.key("outputArtifacts").index(i).key("files"), "files", &type_name));
            }
        }
    }
}

fn only_for_commands(path: crate::path::Path, field: &str, type_name: &str) -> Diagnostic {
    Diagnostic::error(
        "field-not-allowed",
        path,
        format!("`{field}` is only for Compute/Commands actions, not {type_name}"),
    )
}

fn check_artifacts(
    out: &mut Vec<Diagnostic>,
    path: crate::path::Path,
    kind: &str,
    type_name: &str,
    count: usize,
    min: usize,
    max: usize,
) {
    if (min..=max).contains(&count) {
        return;
    }
    let allowed = match (min, max) {
        (0, 0) => "none".to_string(),
        (a, b) if a == b => format!("exactly {a}"),
        (a, b) => format!("{a} to {b}"),
    };
    out.push(Diagnostic::error(
        "artifact-count",
        path,
        format!(
            "{type_name} actions take {allowed} {kind} artifact{}, and this one has {count}",
            if max == 1 { "" } else { "s" }
        ),
    ));
}
