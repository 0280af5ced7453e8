//! UPLOAD_ARTIFACTS: the buildspec's `artifacts` (the action's first output
//! artifact) and `secondary-artifacts` (output artifacts of the same name),
//! staged in a directory with their final layout, zipped and stored.

use super::files::{Selection, pick};
use crate::log::JobLog;
use crate::stop::Stop;
use crate::{Failure, RunContext, outputs};
use sluice_buildspec::Artifacts;
use sluice_engine::{ArtifactLocation, Job};
use std::path::{Path, PathBuf};

/// Which buildspec definition makes each of the action's output artifacts.
pub(crate) fn plan<'a>(job: &Job, spec: Option<&'a Artifacts>) -> Result<Vec<(String, &'a Artifacts)>, String> {
    let mut plan = Vec::new();
    for (index, output) in job.output_artifacts.iter().enumerate() {
        let secondary = spec.and_then(|s| s.secondary.iter().find(|(id, _)| *id == output.name)).map(|(_, a)| a);
        match (secondary, spec) {
            (Some(found), _) => plan.push((output.name.clone(), found)),
            (None, Some(primary)) if index == 0 => plan.push((output.name.clone(), primary)),
            (None, None) => {
                return Err(format!("output artifact `{}`: the buildspec has no `artifacts`", output.name));
            }
            (None, Some(_)) => {
                return Err(format!(
                    "output artifact `{}`: the buildspec's `secondary-artifacts` has no `{}`",
                    output.name, output.name
                ));
            }
        }
    }
    Ok(plan)
}

pub(crate) async fn upload(
    job: &Job,
    cx: &RunContext,
    src: &Path,
    control: &Path,
    plan: &[(String, Artifacts)],
    log: &JobLog,
    stop: &Stop,
) -> Result<Vec<ArtifactLocation>, Failure> {
    let mut stored = Vec::new();
    for (index, (name, spec)) in plan.iter().enumerate() {
        let stage = control.join(format!("artifact-{index}"));
        let zip = control.join(format!("artifact-{index}.zip"));
        let (src, spec_owned, stage2, zip2) = (src.to_path_buf(), spec.clone(), stage.clone(), zip.clone());
        let staged = tokio::task::spawn_blocking(move || stage_and_pack(&src, &spec_owned, &stage2, &zip2))
            .await
            .map_err(|e| Failure::new(format!("output artifact `{name}`: {e}")))?
            .map_err(|e| Failure::new(format!("output artifact `{name}`: {e}")))?;
        for note in &staged.notes {
            log.line(&format!("output artifact `{name}`: {note}"));
        }
        log.line(&format!("output artifact `{name}`: {} files", staged.files));
        stored.push(stop.guard(outputs::store(&cx.artifacts, job, name, &zip)).await?);
    }
    Ok(stored)
}

struct Staged {
    files: usize,
    notes: Vec<String>,
}

fn stage_and_pack(src: &Path, spec: &Artifacts, stage: &PathBuf, zip: &Path) -> Result<Staged, String> {
    let selection =
        Selection { base_directory: spec.base_directory.as_deref(), files: &spec.files, exclude: &spec.exclude_paths };
    let picked = pick(src, &selection)?;
    if picked.is_empty() {
        return Err(format!("no files match {}", spec.files.join(", ")));
    }
    std::fs::create_dir_all(stage).map_err(|e| format!("cannot stage files: {e}"))?;
    let mut notes = Vec::new();
    let mut files = 0;
    for file in &picked {
        let name = if spec.discard_paths {
            file.rel.rsplit('/').next().unwrap_or(&file.rel).to_owned()
        } else {
            file.rel.clone()
        };
        let to = stage.join(&name);
        if to.exists() {
            notes.push(format!("`{}` left out: `{name}` is already in the artifact", file.from_src));
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot stage {name}: {e}"))?;
        }
        std::fs::copy(&file.path, &to).map_err(|e| format!("cannot stage {}: {e}", file.from_src))?;
        files += 1;
    }
    sluice_artifacts::pack_all(stage, zip).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(stage);
    Ok(Staged { files, notes })
}
