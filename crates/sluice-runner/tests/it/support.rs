//! A runner context in a temp dir, jobs, and artifact helpers.

use sluice_artifacts::{ArtifactStore, Limits, pack_all, unpack};
use sluice_engine::{ArtifactLocation, Job, JobKind};
use sluice_model::{ActionCategory, ActionOwner, ActionTypeId, OutputArtifact};
use sluice_runner::{DeployTargets, RunContext};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

pub struct Fixture {
    pub tmp: TempDir,
    pub cx: RunContext,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let cx = RunContext {
        work_root: tmp.path().join("work"),
        artifacts: ArtifactStore::local(tmp.path().join("store")),
        repos_root: tmp.path().join("repos"),
        deploy_targets: DeployTargets::new(tmp.path().join("buckets"), []),
        log_path: tmp.path().join("logs/job.log"),
        cancel: CancellationToken::new(),
        kill_grace: Duration::from_millis(300),
        cache_root: tmp.path().join("cache"),
        on_log: None,
    };
    Fixture { tmp, cx }
}

impl Fixture {
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.cx.log_path).unwrap_or_default()
    }

    /// Stores the files as a zip under `key` and returns its location.
    pub async fn input(&self, name: &str, key: &str, files: &[(&str, &str)]) -> ArtifactLocation {
        let dir = self.path().join(format!("input-{name}"));
        for (path, content) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let zip = self.path().join(format!("input-{name}.zip"));
        pack_all(&dir, &zip).unwrap();
        self.cx.artifacts.put_file(key, &zip).await.unwrap();
        ArtifactLocation { name: name.into(), location: key.into() }
    }

    /// Fetches and unpacks the artifact under `key`.
    pub async fn unpacked(&self, key: &str) -> PathBuf {
        let zip = self.path().join("fetched.zip");
        self.cx.artifacts.get_to_file(key, &zip).await.unwrap();
        let dir = self.path().join("fetched");
        unpack(&zip, &dir, Limits::default()).unwrap();
        dir
    }
}

pub fn job(category: ActionCategory, provider: &str) -> Job {
    Job {
        id: "job-1".into(),
        kind: JobKind::Compute,
        pipeline_name: "pipe".into(),
        pipeline_version: 1,
        execution_id: "exec-1".into(),
        stage: "Build".into(),
        action: "Act".into(),
        action_type_id: ActionTypeId {
            category,
            owner: ActionOwner::Aws,
            provider: provider.into(),
            version: "1".into(),
        },
        configuration: Default::default(),
        commands: None,
        environment_variables: vec![],
        input_artifacts: vec![],
        output_artifacts: vec![],
        output_variables: vec![],
        revision: None,
        deadline: now_ms() + 60_000,
    }
}

pub fn commands_job(commands: &[&str]) -> Job {
    let mut job = job(ActionCategory::Compute, "Commands");
    job.commands = Some(commands.iter().map(|c| (*c).to_owned()).collect());
    job
}

pub fn output(name: &str, files: &[&str]) -> OutputArtifact {
    OutputArtifact { name: name.into(), files: Some(files.iter().map(|f| (*f).to_owned()).collect()) }
}

pub fn now_ms() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// The file's names, sorted, directories left out.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
