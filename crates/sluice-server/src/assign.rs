//! What a claim hands out: the job, its lease, and what the agent cannot
//! look up itself (a CodeBuild action's project and build, the secrets the
//! job may read). The embedded agent and remote agents both get theirs here.

use crate::codebuild::jobs as codebuild;
use crate::secrets::cipher::Cipher;
use sluice_engine::Job;
use sluice_model::EnvironmentVariableType;
use sluice_protocol::Assignment;
use sluice_store::Store;
use std::collections::BTreeMap;

/// The assignment of a job just leased under `lease_token`.
pub async fn assignment(
    store: &Store,
    cipher: &Cipher,
    job: Job,
    lease_token: i64,
    lease_ms: i64,
    now: i64,
) -> Assignment {
    let mut assignment =
        Assignment { job, lease_token, lease_ms, project: None, build: None, secrets: Default::default() };
    assignment.secrets = secrets_for(store, cipher, &assignment.job).await;
    resolve_secret_variables(&mut assignment);
    codebuild::prepare(store, &mut assignment, now).await;
    assignment
}

/// The secrets a job may read. A build reads its buildspec only once it
/// runs, so a CodeBuild job gets them all; any other job gets those its
/// `SECRETS_MANAGER` environment variables name.
async fn secrets_for(store: &Store, cipher: &Cipher, job: &Job) -> BTreeMap<String, String> {
    let names_secrets =
        job.environment_variables.iter().any(|v| v.variable_type == Some(EnvironmentVariableType::SecretsManager));
    // Most jobs read none: no store read on their way to a process.
    if !names_secrets && !codebuild::is_codebuild(job) {
        return BTreeMap::new();
    }
    let all = match crate::secrets::all(store, cipher).await {
        Ok(all) => all,
        Err(e) => {
            tracing::warn!(job = %job.id, error = %e, "the secrets could not be read");
            return BTreeMap::new();
        }
    };
    if codebuild::is_codebuild(job) {
        return all;
    }
    let named: Vec<&str> = job
        .environment_variables
        .iter()
        .filter(|v| v.variable_type == Some(EnvironmentVariableType::SecretsManager))
        .map(|v| secret_name(&v.value))
        .collect();
    all.into_iter().filter(|(name, _)| named.contains(&name.as_str())).collect()
}

/// A `SECRETS_MANAGER` variable's value names a secret, by name or ARN.
fn secret_name(value: &str) -> &str {
    value.rsplit_once(":secret:").map_or(value, |(_, name)| name)
}

/// The action's `SECRETS_MANAGER` variables get the secret's value (and
/// become plain variables to the runner). One naming no secret stays as it
/// is, and the runner fails the job naming it.
fn resolve_secret_variables(assignment: &mut Assignment) {
    for variable in &mut assignment.job.environment_variables {
        if variable.variable_type != Some(EnvironmentVariableType::SecretsManager) {
            continue;
        }
        if let Some(value) = assignment.secrets.get(secret_name(&variable.value)) {
            variable.value = value.clone();
            variable.variable_type = Some(EnvironmentVariableType::Plaintext);
        }
    }
}
