//! Build projects: checking what CreateProject/UpdateProject send, keeping
//! it as the `Project` shape of the service model, and turning it into what
//! the runner needs.

use super::PROJECT;
use serde_json::{Map, Value, json};
use sluice_protocol::{BuildProject, ProjectCache, ProjectVariable, ProjectVariableType};
use sluice_store::{ResourceRow, Store};

/// Why a project input is refused: the message of an `InvalidInputException`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

fn invalid(message: impl Into<String>) -> Invalid {
    Invalid(message.into())
}

/// Source types sluice can build from: the pipeline's input artifacts, or
/// nothing. Others (GitHub, S3, ...) need services sluice does not reach.
const SOURCE_TYPES: [&str; 2] = ["CODEPIPELINE", "NO_SOURCE"];
const ARTIFACT_TYPES: [&str; 2] = ["CODEPIPELINE", "NO_ARTIFACTS"];
const CACHE_TYPES: [&str; 2] = ["NO_CACHE", "LOCAL"];
const VARIABLE_TYPES: [&str; 3] = ["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"];

/// A project name: `[A-Za-z0-9][A-Za-z0-9\-_]{1,254}`.
pub fn check_name(name: &str) -> Result<(), Invalid> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !(2..=255).contains(&name.len()) || !first_ok || !rest_ok {
        return Err(invalid(format!(
            "Invalid project name {name:?}: 2 to 255 letters, digits, '-' or '_', starting with a letter or digit"
        )));
    }
    Ok(())
}

/// The stored project after applying `input` (a CreateProject or
/// UpdateProject request) over `current` (None: a new project). Unknown
/// keys of the service model are kept as given; the parts sluice acts on
/// are checked.
pub fn merge(current: Option<&Value>, input: &Value, arn: &str) -> Result<Value, Invalid> {
    let Some(fields) = input.as_object() else { return Err(invalid("the request body must be an object")) };
    let mut project: Map<String, Value> = current.and_then(Value::as_object).cloned().unwrap_or_default();
    for (key, value) in fields {
        project.insert(key.clone(), value.clone());
    }
    project.insert("arn".into(), json!(arn));
    for (key, default) in [
        ("timeoutInMinutes", json!(60)),
        ("queuedTimeoutInMinutes", json!(480)),
        ("cache", json!({"type": "NO_CACHE"})),
        ("secondarySources", json!([])),
        ("secondaryArtifacts", json!([])),
        ("tags", json!([])),
        ("projectVisibility", json!("PRIVATE")),
    ] {
        project.entry(key).or_insert(default);
    }
    let project = Value::Object(project);
    check(&project)?;
    Ok(project)
}

fn check(project: &Value) -> Result<(), Invalid> {
    let name = project["name"].as_str().unwrap_or_default();
    check_name(name)?;
    let source_type = project["source"]["type"].as_str().ok_or_else(|| invalid("source.type is required"))?;
    if !SOURCE_TYPES.contains(&source_type) {
        return Err(invalid(format!(
            "source.type {source_type} is not supported by sluice (supported: {})",
            SOURCE_TYPES.join(", ")
        )));
    }
    let artifacts_type = project["artifacts"]["type"].as_str().ok_or_else(|| invalid("artifacts.type is required"))?;
    if !ARTIFACT_TYPES.contains(&artifacts_type) {
        return Err(invalid(format!(
            "artifacts.type {artifacts_type} is not supported by sluice (supported: {})",
            ARTIFACT_TYPES.join(", ")
        )));
    }
    if (source_type == "CODEPIPELINE") != (artifacts_type == "CODEPIPELINE") {
        return Err(invalid("source.type and artifacts.type must both be CODEPIPELINE when either is"));
    }
    let environment = &project["environment"];
    for key in ["type", "image", "computeType"] {
        if environment[key].as_str().is_none_or(str::is_empty) {
            return Err(invalid(format!("environment.{key} is required")));
        }
    }
    if let Some(variables) = environment.get("environmentVariables") {
        let Some(variables) = variables.as_array() else {
            return Err(invalid("environment.environmentVariables must be a list"));
        };
        for (i, variable) in variables.iter().enumerate() {
            if variable["name"].as_str().is_none_or(str::is_empty) || !variable["value"].is_string() {
                return Err(invalid(format!("environment.environmentVariables[{i}] needs a name and a value")));
            }
            let kind = variable["type"].as_str().unwrap_or("PLAINTEXT");
            if !VARIABLE_TYPES.contains(&kind) {
                return Err(invalid(format!(
                    "environment.environmentVariables[{i}].type {kind} is not one of {}",
                    VARIABLE_TYPES.join(", ")
                )));
            }
        }
    }
    let cache_type = project["cache"]["type"].as_str().unwrap_or("NO_CACHE");
    if !CACHE_TYPES.contains(&cache_type) {
        return Err(invalid(format!(
            "cache.type {cache_type} is not supported by sluice (supported: {})",
            CACHE_TYPES.join(", ")
        )));
    }
    match project["timeoutInMinutes"].as_i64() {
        Some(5..=2160) => {}
        _ => return Err(invalid("timeoutInMinutes must be a number from 5 to 2160")),
    }
    Ok(())
}

/// The stored project as `Project` on the wire (times from the row).
pub fn wire(row: &ResourceRow) -> Value {
    let mut project = row.body.clone();
    if let Some(fields) = project.as_object_mut() {
        fields.insert("created".into(), crate::aws::wire::timestamp(row.created_at));
        fields.insert("lastModified".into(), crate::aws::wire::timestamp(row.updated_at));
    }
    project
}

pub async fn load(store: &Store, name: &str) -> Result<Option<ResourceRow>, sluice_store::Error> {
    store.get_resource(PROJECT, name).await
}

/// What the runner needs of a stored project.
pub fn for_runner(project: &Value) -> BuildProject {
    let buildspec = project["source"]["buildspec"].as_str().filter(|s| !s.trim().is_empty()).map(str::to_owned);
    let environment_variables = project["environment"]["environmentVariables"]
        .as_array()
        .map(|vars| {
            vars.iter()
                .map(|v| ProjectVariable {
                    name: v["name"].as_str().unwrap_or_default().to_owned(),
                    value: v["value"].as_str().unwrap_or_default().to_owned(),
                    variable_type: match v["type"].as_str() {
                        Some("PARAMETER_STORE") => ProjectVariableType::ParameterStore,
                        Some("SECRETS_MANAGER") => ProjectVariableType::SecretsManager,
                        _ => ProjectVariableType::Plaintext,
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    BuildProject {
        name: project["name"].as_str().unwrap_or_default().to_owned(),
        arn: project["arn"].as_str().unwrap_or_default().to_owned(),
        buildspec,
        environment_variables,
        timeout_in_minutes: project["timeoutInMinutes"].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(60),
        cache: ProjectCache { enabled: project["cache"]["type"] == "LOCAL" },
        image: project["environment"]["image"].as_str().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Value {
        json!({
            "name": "web",
            "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\n"},
            "artifacts": {"type": "CODEPIPELINE"},
            "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
                "environmentVariables": [{"name": "A", "value": "1"}, {"name": "TOKEN", "value": "deploy-token", "type": "PARAMETER_STORE"}]},
            "serviceRole": "arn:aws:iam::000000000000:role/build",
        })
    }

    #[test]
    fn a_new_project_gets_defaults_and_its_arn() {
        let project = merge(None, &input(), "arn:p").unwrap();
        assert_eq!(project["timeoutInMinutes"], 60);
        assert_eq!(project["cache"]["type"], "NO_CACHE");
        assert_eq!(project["arn"], "arn:p");
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let project = merge(None, &input(), "arn:p").unwrap();
        let updated = merge(Some(&project), &json!({"name": "web", "timeoutInMinutes": 30}), "arn:p").unwrap();
        assert_eq!(updated["timeoutInMinutes"], 30);
        assert_eq!(updated["environment"], project["environment"]);
    }

    #[test]
    fn unsupported_and_missing_parts_are_refused_with_what_is_wrong() {
        let mut bad = input();
        bad["source"]["type"] = json!("GITHUB");
        assert!(merge(None, &bad, "a").unwrap_err().0.contains("source.type GITHUB is not supported"));
        let mut bad = input();
        bad["environment"]["image"] = json!("");
        assert_eq!(merge(None, &bad, "a").unwrap_err().0, "environment.image is required");
        let mut bad = input();
        bad["name"] = json!("-x");
        assert!(merge(None, &bad, "a").unwrap_err().0.starts_with("Invalid project name"));
        let mut bad = input();
        bad["timeoutInMinutes"] = json!(3);
        assert!(merge(None, &bad, "a").is_err());
    }

    #[test]
    fn the_runner_sees_buildspec_variables_and_cache() {
        let project = merge(None, &input(), "arn:p").unwrap();
        let runner = for_runner(&project);
        assert_eq!(runner.buildspec.as_deref(), Some("version: 0.2\n"));
        assert_eq!(runner.environment_variables[1].variable_type, ProjectVariableType::ParameterStore);
        assert!(!runner.cache.enabled);
    }
}
