//! The environment of a job's processes. It starts empty: the server's own
//! environment (database URLs, keys) must never reach a job.

use crate::Failure;
use sluice_engine::Job;
use sluice_model::EnvironmentVariableType;
use std::path::{Path, PathBuf};

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What every process of a job inherits from the machine: where programs
/// are and the locale, nothing else.
pub(crate) fn base() -> Vec<(String, String)> {
    let path = std::env::var("PATH").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| DEFAULT_PATH.to_owned());
    let lang = std::env::var("LANG").ok().filter(|l| !l.is_empty()).unwrap_or_else(|| "C.UTF-8".to_owned());
    vec![("PATH".to_owned(), path), ("LANG".to_owned(), lang)]
}

/// Where `name` is on the `PATH` among `envs` (the last one set wins, as in
/// the child), found the way `execvp` would. Spawning an absolute path lets
/// the standard library start the child with `posix_spawn` (a `vfork`-like
/// clone); a bare name with a `PATH` of the child's own makes it `fork` the
/// whole server first, copying its page tables on every job. When the name is
/// not found, or a relative directory comes first (it would be relative to
/// the child's working directory), the bare name is kept and spawning behaves
/// as before.
pub(crate) fn program(name: &str, envs: &[(String, String)]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = envs.iter().rev().find(|(key, _)| key == "PATH").map_or(DEFAULT_PATH, |(_, value)| value.as_str());
    for dir in path.split(':') {
        if !dir.starts_with('/') {
            break;
        }
        let candidate = Path::new(dir).join(name);
        if std::fs::metadata(&candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0) {
            return candidate;
        }
    }
    PathBuf::from(name)
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

    #[test]
    fn programs_are_found_on_the_childs_path() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "").unwrap();
        std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let on = |path: &str| vec![("PATH".to_owned(), "/nowhere".to_owned()), ("PATH".to_owned(), path.to_owned())];
        let dirs = format!("/nowhere:{}", dir.path().display());
        assert_eq!(program("tool", &on(&dirs)), tool);
        assert_eq!(program("plain", &on(&dirs)), PathBuf::from("plain"));
        assert_eq!(program("tool", &on("/nowhere")), PathBuf::from("tool"));
        assert_eq!(program("tool", &on(&format!("bin:{}", dir.path().display()))), PathBuf::from("tool"));
    }

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
