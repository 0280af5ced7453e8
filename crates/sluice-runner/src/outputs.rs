//! Where a job's output artifacts go in the artifact store.

use crate::Failure;
use sluice_artifacts::ArtifactStore;
use sluice_engine::{ArtifactLocation, Job};
use std::path::Path;

/// `<pipeline>/<execution id>/<artifact name>/<job id>.zip`: unique per
/// attempt, so a retried action never overwrites what an earlier attempt
/// handed to later stages.
pub(crate) fn key(job: &Job, artifact: &str) -> String {
    format!("{}/{}/{}/{}.zip", job.pipeline_name, job.execution_id, artifact, job.id)
}

pub(crate) async fn store(
    store: &ArtifactStore,
    job: &Job,
    artifact: &str,
    zip: &Path,
) -> Result<ArtifactLocation, Failure> {
    let key = key(job, artifact);
    store
        .put_file(&key, zip)
        .await
        .map_err(|e| Failure::new(format!("could not store output artifact `{artifact}`: {e}")))?;
    Ok(ArtifactLocation { name: artifact.to_owned(), location: key })
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_shape() {
        let job = crate::testing::job();
        assert_eq!(super::key(&job, "BuildOutput"), "pipe/exec-1/BuildOutput/job-1.zip");
    }
}
