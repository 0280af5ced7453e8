//! Each action against its provider's entry in the provider table:
//! configuration keys and values, artifact counts, and the fields only some
//! providers take.

use super::{Located, all_actions};
use crate::declaration::{ActionOwner, PipelineDeclaration};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::providers::{self, Commands, OutputVariables, Provider};

/// `lossy`: decoding dropped or replaced values. Checks that something is
/// present (required keys, artifact counts, `commands`) are skipped then,
/// since a value of the wrong type would look absent.
pub fn check(pipeline: &PipelineDeclaration, lossy: bool, out: &mut Vec<Diagnostic>) {
    for located in all_actions(pipeline) {
        let id = &located.action.action_type_id;
        if id.owner == ActionOwner::Custom {
            // Custom action types are registered at run time
            // (CreateCustomActionType); their settings are checked then.
            continue;
        }
        match providers::find(id) {
            Some(provider) => check_action(&located, provider, lossy, out),
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

fn check_action(located: &Located<'_>, provider: &Provider, lossy: bool, out: &mut Vec<Diagnostic>) {
    let action = located.action;
    let path = located.path();
    let type_name = format!("{}/{}", provider.category, provider.provider);

    for key in provider.required.iter().filter(|_| !lossy) {
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
    if provider.provider == "CodeBuild" {
        if let Some(value) = action.configuration.get("EnvironmentVariables") {
            let key_path = path.key("configuration").key("EnvironmentVariables");
            if let Err(problem) = check_codebuild_environment(value) {
                out.push(
                    Diagnostic::error("invalid-configuration", key_path, format!("`EnvironmentVariables` {problem}"))
                        .hint(r#"a JSON list such as [{"name":"STAGE","value":"prod","type":"PLAINTEXT"}]"#),
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

    if !lossy {
        check_presence(located, provider, &type_name, out);
    }
    let is_commands = provider.commands == Commands::Required;
    if provider.commands == Commands::Forbidden && action.commands.is_some() {
        out.push(only_for_commands(path.key("commands"), "commands", &type_name));
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

/// Artifact counts and required `commands`.
fn check_presence(located: &Located<'_>, provider: &Provider, type_name: &str, out: &mut Vec<Diagnostic>) {
    let action = located.action;
    let path = located.path();
    let (min, max) = provider.inputs;
    check_artifacts(out, path.key("inputArtifacts"), "input", type_name, action.input_artifacts.len(), min, max);
    let (min, max) = provider.outputs;
    check_artifacts(out, path.key("outputArtifacts"), "output", type_name, action.output_artifacts.len(), min, max);

    if provider.commands == Commands::Required && action.commands.is_none() {
        out.push(
            Diagnostic::error(
                "missing-field",
                path.key("commands"),
                format!("the {type_name} action `{}` has no `commands`", action.name),
            )
            .hint("list the shell commands to run"),
        );
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

/// CodeBuild's `EnvironmentVariables` is a JSON text: a list of
/// `{name, value, type}` with type PLAINTEXT, PARAMETER_STORE or
/// SECRETS_MANAGER.
fn check_codebuild_environment(value: &str) -> Result<(), String> {
    let parsed: serde_json::Value = match serde_json::from_str(value) {
        Ok(parsed) => parsed,
        // A variable may stand for the whole list; it is checked when resolved.
        Err(_) if value.trim_start().starts_with("#{") => return Ok(()),
        Err(e) => return Err(format!("is not valid JSON ({e})")),
    };
    let items = parsed.as_array().ok_or("must be a JSON list")?;
    for (i, item) in items.iter().enumerate() {
        let object = item.as_object().ok_or_else(|| format!("item {i} is not an object"))?;
        if let Some(key) = object.keys().find(|k| !["name", "value", "type"].contains(&k.as_str())) {
            return Err(format!("item {i} has the unknown key `{key}`"));
        }
        if !object.get("name").is_some_and(serde_json::Value::is_string) {
            return Err(format!("item {i} has no string `name`"));
        }
        if !object.get("value").is_some_and(serde_json::Value::is_string) {
            return Err(format!("item {i} has no string `value`"));
        }
        if let Some(kind) = object.get("type") {
            let known = ["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"];
            if !kind.as_str().is_some_and(|k| known.contains(&k)) {
                return Err(format!("item {i} has the type {kind}, not one of {}", known.join(", ")));
            }
        }
    }
    Ok(())
}
