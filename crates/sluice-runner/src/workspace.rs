//! A job's private directory, `work_root/<job id>`: the unpacked input
//! artifacts, HOME and TMPDIR of its processes, and the runner's own files.

use crate::Failure;
use crate::log::JobLog;
use crate::stop::Stop;
use sluice_artifacts::{ArtifactStore, Limits, unpack};
use sluice_engine::Job;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Set (to anything) to keep workspaces after jobs, for debugging.
pub const KEEP_WORKSPACES_VAR: &str = "SLUICE_KEEP_WORKSPACES";

pub(crate) struct Workspace {
    pub(crate) root: PathBuf,
    /// The primary source: the first input artifact (`CODEBUILD_SRC_DIR`).
    pub(crate) src: PathBuf,
    pub(crate) tmp: PathBuf,
    /// The runner's files (script, downloads, results). Inside the
    /// workspace so that removing it removes them.
    pub(crate) control: PathBuf,
}

/// An input artifact unpacked other than as the primary source.
pub(crate) struct SecondarySource {
    pub(crate) name: String,
    pub(crate) dir: PathBuf,
}

impl Workspace {
    /// A fresh, empty workspace; a leftover of an earlier attempt with the
    /// same job id is removed first.
    pub(crate) async fn create(work_root: &Path, job_id: &str) -> Result<Self, Failure> {
        if !is_plain_name(job_id) {
            return Err(Failure::new(format!("job id `{job_id}` cannot name a workspace directory")));
        }
        let root = work_root.join(job_id);
        if tokio::fs::symlink_metadata(&root).await.is_ok() {
            remove_all(root.clone()).await.map_err(|e| workspace_error(&root, &e))?;
        }
        let ws = Workspace { src: root.join("src"), tmp: root.join("tmp"), control: root.join(".sluice"), root };
        for dir in [&ws.src, &ws.tmp, &ws.control] {
            tokio::fs::create_dir_all(dir).await.map_err(|e| workspace_error(dir, &e))?;
        }
        Ok(ws)
    }

    /// Downloads and unpacks the job's input artifacts: the first into
    /// `src`, each other into `src_<name>`.
    pub(crate) async fn fetch_inputs(
        &self,
        job: &Job,
        store: &ArtifactStore,
        stop: &Stop,
    ) -> Result<Vec<SecondarySource>, Failure> {
        let mut secondary = Vec::new();
        for (index, input) in job.input_artifacts.iter().enumerate() {
            let dir = if index == 0 {
                self.src.clone()
            } else if is_plain_name(&input.name) {
                self.root.join(format!("src_{}", input.name))
            } else {
                return Err(Failure::new(format!("input artifact name `{}` cannot name a directory", input.name)));
            };
            let zip = self.control.join(format!("input-{index}.zip"));
            let fetch = async {
                let failed = |e: sluice_artifacts::ArtifactError| {
                    Failure::new(format!("could not fetch input artifact `{}`: {e}", input.name))
                };
                store.get_to_file(&input.location, &zip).await.map_err(failed)?;
                let (from, to) = (zip.clone(), dir.clone());
                tokio::task::spawn_blocking(move || unpack(&from, &to, Limits::default()))
                    .await
                    .map_err(|e| Failure::new(format!("could not unpack input artifact `{}`: {e}", input.name)))?
                    .map_err(|e| Failure::new(format!("could not unpack input artifact `{}`: {e}", input.name)))
            };
            stop.guard(fetch).await?;
            let _ = tokio::fs::remove_file(&zip).await;
            if index > 0 {
                secondary.push(SecondarySource { name: input.name.clone(), dir });
            }
        }
        Ok(secondary)
    }

    /// Removes the workspace unless [`KEEP_WORKSPACES_VAR`] is set. Never
    /// fails the job: a leftover directory is only noted in the log.
    pub(crate) async fn finish(self, log: &JobLog) {
        if std::env::var_os(KEEP_WORKSPACES_VAR).is_some() {
            log.line(&format!("workspace kept at {}", self.root.display()));
            return;
        }
        if let Err(e) = remove_all(self.root.clone()).await {
            log.line(&format!("could not remove the workspace {}: {e}", self.root.display()));
        }
    }
}

fn workspace_error(path: &Path, e: &io::Error) -> Failure {
    Failure::new(format!("could not prepare the workspace {}: {e}", path.display()))
}

/// One path segment: no separators, not `.` or `..`, not hidden.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\0'])
}

/// `remove_dir_all`, and if the job left read-only directories behind
/// (`chmod -R a-w`), make them writable and try once more.
async fn remove_all(root: PathBuf) -> io::Result<()> {
    tokio::task::spawn_blocking(move || {
        if std::fs::remove_dir_all(&root).is_ok() {
            return Ok(());
        }
        make_writable(&root);
        std::fs::remove_dir_all(&root)
    })
    .await
    .map_err(io::Error::other)?
}

fn make_writable(dir: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(dir) else { return };
    if !meta.is_dir() {
        return;
    }
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(meta.permissions().mode() | 0o700));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            make_writable(&entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names() {
        assert!(is_plain_name("job-1") && is_plain_name("BuildOutput"));
        for bad in ["", ".", "..", ".hidden", "a/b", "a\0"] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn read_only_leftovers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(dir.path(), "job").await.unwrap();
        std::fs::write(ws.src.join("f"), "x").unwrap();
        std::fs::set_permissions(&ws.src, std::fs::Permissions::from_mode(0o500)).unwrap();
        let again = Workspace::create(dir.path(), "job").await.unwrap();
        assert!(!again.src.join("f").exists());
        remove_all(again.root.clone()).await.unwrap();
        assert!(!dir.path().join("job").exists());
    }
}
