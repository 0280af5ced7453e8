//! What a build reads before its phases: which input is the primary source,
//! and the buildspec (the project's inline text, or a file in that source).

use super::files;
use crate::log::JobLog;
use sluice_buildspec::Buildspec;
use sluice_engine::Job;
use sluice_protocol::BuildProject;
use std::path::Path;

/// The job with its primary source first: the `PrimarySource`
/// configuration names it when there are several inputs.
pub(crate) fn primary_first(job: &Job) -> Result<Job, String> {
    let mut job = job.clone();
    if let Some(primary) = job.configuration.get("PrimarySource").filter(|p| !p.is_empty()) {
        let index = job
            .input_artifacts
            .iter()
            .position(|a| &a.name == primary)
            .ok_or_else(|| format!("PrimarySource `{primary}` is not one of the action's input artifacts"))?;
        let first = job.input_artifacts.remove(index);
        job.input_artifacts.insert(0, first);
    } else if job.input_artifacts.len() > 1 {
        return Err("the action has several input artifacts: set PrimarySource to the one holding the buildspec".into());
    }
    Ok(job)
}

/// The project's buildspec: inline YAML, or a path in the primary source.
pub(crate) fn load_buildspec(project: &BuildProject, src: &Path, log: &JobLog) -> Result<Buildspec, String> {
    let setting = project.buildspec.as_deref().map(str::trim).filter(|b| !b.is_empty());
    if setting.is_some_and(|b| b.starts_with("arn:")) {
        return Err("a buildspec in S3 (an ARN) is not supported: give it inline or as a path in the source".into());
    }
    let (name, text) = match setting {
        // Parsed untrimmed so that line numbers match the project's text.
        Some(inline) if inline.contains(':') || inline.contains('\n') => {
            (format!("{} (inline buildspec)", project.name), project.buildspec.clone().unwrap_or_default())
        }
        path => {
            let path = path.unwrap_or(sluice_buildspec::DEFAULT_FILE);
            if !files::is_inside(path) {
                return Err(format!("buildspec path `{path}` is outside the source directory"));
            }
            let text = std::fs::read_to_string(src.join(path)).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => format!("the primary source has no {path}"),
                _ => format!("could not read the buildspec {path} from the primary source: {e}"),
            })?;
            (path.to_owned(), text)
        }
    };
    let parsed = sluice_buildspec::parse(&text);
    for warning in parsed.warnings() {
        log.line(&sluice_buildspec::one_line(warning, &name));
    }
    match parsed.buildspec {
        Some(spec) => Ok(spec),
        None => {
            let errors: Vec<_> = parsed.errors().cloned().collect();
            Err(sluice_buildspec::summary(&errors, &name))
        }
    }
}
