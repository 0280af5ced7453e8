//! The variables of a build, lowest precedence first: the buildspec's
//! `env`, then the project's variables, then the action's
//! `EnvironmentVariables`; the `CODEBUILD_*` variables are set apart, last.
//! Secret values come from the assignment's sluice secrets, by name.

use crate::workspace::SecondarySource;
use sluice_buildspec::{Buildspec, SecretRef};
use sluice_engine::Job;
use sluice_protocol::{Assignment, BuildIdentity, BuildProject, ProjectVariable, ProjectVariableType};
use std::collections::BTreeMap;
use std::path::Path;

/// The action's `EnvironmentVariables` configuration: a JSON array of
/// `{name, value, type}`.
pub(crate) fn action_overrides(configuration: &BTreeMap<String, String>) -> Result<Vec<ProjectVariable>, String> {
    let Some(json) = configuration.get("EnvironmentVariables").filter(|j| !j.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    serde_json::from_str(json)
        .map_err(|e| format!("the action's EnvironmentVariables is not a JSON list of {{name, value, type}}: {e}"))
}

pub(crate) fn variables(
    spec: &Buildspec,
    project: &[ProjectVariable],
    overrides: &[ProjectVariable],
    secrets: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
    let mut vars: Vec<(String, String)> = spec.env.variables.clone();
    for (name, parameter) in &spec.env.parameter_store {
        let value = lookup(secrets, parameter)
            .ok_or_else(|| format!("env.parameter-store.{name}: there is no sluice secret `{parameter}`"))?;
        vars.push((name.clone(), value.clone()));
    }
    for (name, reference) in &spec.env.secrets_manager {
        vars.push((name.clone(), secret(secrets, reference).map_err(|e| format!("env.secrets-manager.{name}: {e}"))?));
    }
    for var in project.iter().chain(overrides) {
        let value = match var.variable_type {
            ProjectVariableType::Plaintext => var.value.clone(),
            ProjectVariableType::ParameterStore => lookup(secrets, &var.value)
                .cloned()
                .ok_or_else(|| format!("variable {}: there is no sluice secret `{}`", var.name, var.value))?,
            ProjectVariableType::SecretsManager => {
                let (name, key) = match var.value.split_once(':') {
                    Some((name, key)) => (name, Some(key.to_owned()).filter(|k| !k.is_empty())),
                    None => (var.value.as_str(), None),
                };
                let reference = SecretRef { name: name.to_owned(), json_key: key };
                secret(secrets, &reference).map_err(|e| format!("variable {}: {e}", var.name))?
            }
        };
        vars.push((var.name.clone(), value));
    }
    for (name, value) in &vars {
        if name.is_empty() || name.contains(['=', '\0']) {
            return Err(format!("`{name}` is not a valid environment variable name"));
        }
        if value.contains('\0') {
            return Err(format!("environment variable `{name}` contains a NUL character"));
        }
    }
    Ok(vars)
}

/// The exported variables that may leave the build: not those holding a
/// secret the project (or the action) gave the build.
pub(crate) fn exportable(names: &[String], project: &[ProjectVariable], overrides: &[ProjectVariable]) -> Vec<String> {
    // Later definitions win, so the last one of a name says whether it is secret.
    let mut secret = BTreeMap::new();
    for var in project.iter().chain(overrides) {
        secret.insert(var.name.as_str(), var.variable_type != ProjectVariableType::Plaintext);
    }
    names.iter().filter(|n| !secret.get(n.as_str()).copied().unwrap_or(false)).cloned().collect()
}

/// Parameter names are often written as paths (`/ci/token`); a sluice
/// secret named without the leading `/` matches too.
fn lookup<'a>(secrets: &'a BTreeMap<String, String>, name: &str) -> Option<&'a String> {
    secrets.get(name).or_else(|| secrets.get(name.trim_start_matches('/')))
}

fn secret(secrets: &BTreeMap<String, String>, reference: &SecretRef) -> Result<String, String> {
    let value =
        lookup(secrets, &reference.name).ok_or_else(|| format!("there is no sluice secret `{}`", reference.name))?;
    let Some(key) = &reference.json_key else { return Ok(value.clone()) };
    let json: serde_json::Value = serde_json::from_str(value)
        .map_err(|_| format!("secret `{}` is not a JSON object, so it has no key `{key}`", reference.name))?;
    match json.get(key) {
        Some(serde_json::Value::String(text)) => Ok(text.clone()),
        Some(other) => Ok(other.to_string()),
        None => Err(format!("secret `{}` has no key `{key}`", reference.name)),
    }
}

/// The build's identity; without one from the server (a plain job), one
/// derived from the project and the job.
pub(crate) fn identity(assignment: &Assignment, project: &BuildProject, job: &Job) -> BuildIdentity {
    assignment.build.clone().unwrap_or_else(|| {
        let id = format!("{}:{}", project.name, job.id);
        let arn = match project.arn.split_once(":project/") {
            Some((prefix, _)) => format!("{prefix}:build/{id}"),
            None => format!("arn:aws:codebuild:local:000000000000:build/{id}"),
        };
        BuildIdentity { id, arn, number: 1, initiator: format!("codepipeline/{}", job.pipeline_name) }
    })
}

/// The `CODEBUILD_*` variables, set after every other so that none can
/// redirect them.
pub(crate) fn codebuild(
    identity: &BuildIdentity,
    project: &BuildProject,
    job: &Job,
    src: &Path,
    secondary: &[SecondarySource],
    started: i64,
) -> Vec<(String, String)> {
    let mut vars = vec![
        ("CODEBUILD_BUILD_ID".to_owned(), identity.id.clone()),
        ("CODEBUILD_BUILD_ARN".to_owned(), identity.arn.clone()),
        ("CODEBUILD_BUILD_NUMBER".to_owned(), identity.number.to_string()),
        ("CODEBUILD_INITIATOR".to_owned(), identity.initiator.clone()),
        ("CODEBUILD_PROJECT_ARN".to_owned(), project.arn.clone()),
        ("CODEBUILD_SRC_DIR".to_owned(), src.to_string_lossy().into_owned()),
        ("CODEBUILD_START_TIME".to_owned(), started.to_string()),
    ];
    if let Some(image) = &project.image {
        vars.push(("CODEBUILD_BUILD_IMAGE".to_owned(), image.clone()));
    }
    // CodeBuild sets the build's region; many buildspecs pass it to tools.
    if let Some(region) = project.arn.split(':').nth(3).filter(|r| !r.is_empty()) {
        vars.push(("AWS_REGION".to_owned(), region.to_owned()));
        vars.push(("AWS_DEFAULT_REGION".to_owned(), region.to_owned()));
    }
    if let Some(revision) = &job.revision {
        vars.push(("CODEBUILD_RESOLVED_SOURCE_VERSION".to_owned(), revision.clone()));
        vars.push(("CODEBUILD_SOURCE_VERSION".to_owned(), revision.clone()));
    }
    for source in secondary {
        vars.push((format!("CODEBUILD_SRC_DIR_{}", source.name), source.dir.to_string_lossy().into_owned()));
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, value: &str, variable_type: ProjectVariableType) -> ProjectVariable {
        ProjectVariable { name: name.into(), value: value.into(), variable_type }
    }

    #[test]
    fn precedence_and_secrets() {
        let spec = sluice_buildspec::parse(
            "version: 0.2\nenv:\n  variables: {A: spec, B: spec}\n  parameter-store: {P: /ci/token}\n  \
             secrets-manager: {S: 'db:password'}\nphases:\n  build:\n    commands: [x]\n",
        )
        .buildspec
        .unwrap();
        let secrets = BTreeMap::from([
            ("ci/token".to_owned(), "t0k".to_owned()),
            ("db".to_owned(), r#"{"password": "pw", "port": 5432}"#.to_owned()),
        ]);
        let project = [var("B", "project", ProjectVariableType::Plaintext)];
        let overrides = action_overrides(&BTreeMap::from([(
            "EnvironmentVariables".to_owned(),
            r#"[{"name":"A","value":"action","type":"PLAINTEXT"},{"name":"Q","value":"db:port","type":"SECRETS_MANAGER"}]"#
                .to_owned(),
        )]))
        .unwrap();
        let vars = variables(&spec, &project, &overrides, &secrets).unwrap();
        let last: BTreeMap<_, _> = vars.into_iter().collect();
        assert_eq!(last["A"], "action");
        assert_eq!(last["B"], "project");
        assert_eq!(last["P"], "t0k");
        assert_eq!(last["S"], "pw");
        assert_eq!(last["Q"], "5432");

        let exported = ["A".to_owned(), "Q".to_owned()];
        assert_eq!(exportable(&exported, &project, &overrides), ["A"]);

        let err = variables(&spec, &project, &[], &BTreeMap::new()).unwrap_err();
        assert_eq!(err, "env.parameter-store.P: there is no sluice secret `/ci/token`");
    }
}
