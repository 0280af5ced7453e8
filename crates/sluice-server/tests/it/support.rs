//! A data directory with a hosted repository, a pipeline that uses it, and
//! ways to wait for executions to end.

use sluice_model::source::Format;
use sluice_model::{Document, PipelineDeclaration};
use sluice_server::driver::{Driver, Options};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A data directory whose hosted repository `app` has one commit.
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let repos = dir.path().join("repos");
        std::fs::create_dir_all(&repos).unwrap();
        git(&repos, &["init", "--bare", "-q", "-b", "main", "app.git"]);
        let work = dir.path().join("checkout");
        git(dir.path(), &["clone", "-q", repos.join("app.git").to_str().unwrap(), "checkout"]);
        std::fs::write(work.join("hello.txt"), "hello from git\n").unwrap();
        git(&work, &["add", "."]);
        git(
            &work,
            &[
                "-c",
                "user.name=Dev",
                "-c",
                "user.email=dev@example.com",
                "commit",
                "-q",
                "-m",
                "First commit\n\nWith a body.",
            ],
        );
        git(&work, &["push", "-q", "origin", "HEAD:main"]);
        Fixture { dir }
    }

    pub fn options(&self) -> Options {
        let url = format!("sqlite://{}?mode=rwc", self.dir.path().join("sluice.db").display());
        let mut options = Options::new(url, self.dir.path());
        options.lease = Duration::from_millis(600);
        options.kill_grace = Duration::from_millis(200);
        options
    }

    pub fn head(&self) -> String {
        let out = Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(self.dir.path().join("checkout"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }
}

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git").args(args).current_dir(dir).env_remove("GIT_DIR").status().expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

pub fn declaration(yaml: &str) -> PipelineDeclaration {
    let document = Document::check_as(Format::Yaml, yaml);
    assert!(document.is_valid(), "{:#?}", document.diagnostics);
    document.pipeline.unwrap()
}

/// Source (the hosted repository) → Build (Commands with a variable and an
/// artifact) → Deploy (Commands that read both).
pub const BUILD_AND_DEPLOY: &str = r##"
name: app
pipelineType: V2
stages:
  - name: Source
    actions:
      - name: Src
        namespace: SourceVariables
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Build
    actions:
      - name: Compile
        namespace: BuildVariables
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands:
          - export VERSION="v-$(cut -c1-7 <<< '#{SourceVariables.CommitId}')"
          - mkdir -p out && tr a-z A-Z < hello.txt > out/shout.txt
        outputVariables: [VERSION]
        inputArtifacts: [{name: SourceOut}]
        outputArtifacts: [{name: BuildOut, files: ["out/**/*"]}]
  - name: Deploy
    actions:
      - name: Ship
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands:
          - test "$(cat out/shout.txt)" = "HELLO FROM GIT"
          - export DEPLOYED="#{BuildVariables.VERSION}"
        outputVariables: [DEPLOYED]
        inputArtifacts: [{name: BuildOut}]
"##;

/// The execution's stored body once it has ended.
pub async fn finished(driver: &Driver, id: &str, within: Duration) -> sluice_engine::Execution {
    let deadline = Instant::now() + within;
    loop {
        if let Some(row) = driver.store().get_execution(id).await.unwrap() {
            let execution: sluice_engine::Execution = serde_json::from_value(row.body).unwrap();
            if execution.status.is_final() {
                return execution;
            }
        }
        assert!(Instant::now() < deadline, "execution {id} did not end in {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `stage/action=status [variable names]` for every action that ran.
pub fn summary(execution: &sluice_engine::Execution) -> Vec<String> {
    let mut lines = vec![format!("execution={}", execution.status)];
    for stage in &execution.stages {
        for action in &stage.actions {
            if let Some(latest) = &action.latest {
                let names: Vec<&String> = latest.output_variables.keys().collect();
                lines.push(format!("{}/{}={} {names:?}", stage.name, action.name, latest.status));
            }
        }
    }
    lines
}
