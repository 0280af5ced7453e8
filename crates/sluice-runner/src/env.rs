//! The environment of a job's processes. It starts empty: the server's own
//! environment (database URLs, keys) must never reach a job.

use crate::Failure;
use sluice_engine::Job;
use sluice_model::EnvironmentVariableType;

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What every process of a job inherits from the machine: where programs
/// are and the locale, nothing else.
pub(crate) fn base() -> Vec<(String, String)> {
    let path = std::env::var("PATH").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| DEFAULT_PATH.to_owned());
    let lang = std::env::var("LANG").ok().filter(|l| !l.is_empty()).unwrap_or_else(|| "C.UTF-8".to_owned());
    vec![("PATH".to_owned(), path), ("LANG".to_owned(), lang)]
}

/// The action's `environmentVariables`, checked: secrets cannot be resolved
/// yet, and names and values must be representable in an environment.
pub(crate) fn declared(job: &Job) -> Result<Vec<(String, String)>, Failure> {
    let mut vars = Vec::new();
    for var in &job.environment_variables {
        if var.variable_type == Some(EnvironmentVariableType::SecretsManager) {
            // The server puts the value in when the secret exists.
            return Err(Failure::new(format!(
                "environment variable `{}`: there is no secret named `{}` \
                 (create it with `aws secretsmanager create-secret` or `sluice secret set`)",
                var.name, var.value
            )));
        }
        if var.name.is_empty() || var.name.contains(['=', '\0']) {
            return Err(Failure::new(format!("`{}` is not a valid environment variable name", var.name)));
        }
        if var.value.contains('\0') {
            return Err(Failure::new(format!("environment variable `{}` contains a NUL character", var.name)));
        }
        vars.push((var.name.clone(), var.value.clone()));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::job;
    use sluice_model::EnvironmentVariable;

    fn var(name: &str, kind: Option<EnvironmentVariableType>) -> EnvironmentVariable {
        EnvironmentVariable { name: name.into(), value: "v".into(), variable_type: kind }
    }

    #[test]
    fn plaintext_passes_secrets_do_not() {
        let mut j = job();
        j.environment_variables = vec![var("A", None), var("B", Some(EnvironmentVariableType::Plaintext))];
        assert_eq!(declared(&j).unwrap(), [("A".into(), "v".into()), ("B".into(), "v".into())]);

        j.environment_variables.push(var("S", Some(EnvironmentVariableType::SecretsManager)));
        let err = declared(&j).unwrap_err();
        assert!(err.message().contains("there is no secret named"), "{err:?}");

        j.environment_variables = vec![var("A=B", None)];
        assert!(declared(&j).is_err());
    }

    #[test]
    fn base_has_only_path_and_lang() {
        let names: Vec<_> = base().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["PATH", "LANG"]);
    }
}
