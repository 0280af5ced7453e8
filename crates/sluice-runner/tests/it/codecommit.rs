//! Source/CodeCommit jobs against bare repositories made with the git CLI.

use crate::support::{Fixture, files_under, fixture, job};
use sluice_engine::{Job, SourceRevision};
use sluice_model::{ActionCategory, OutputArtifact};
use sluice_runner::run;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05+00:00")
        .env("GIT_COMMITTER_DATE", "2024-01-02T04:05:06+01:00")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A bare `repos/app.git` with one commit pushed to `main`; returns its id.
fn repository(f: &Fixture) -> String {
    let repos = f.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(&repos, &["init", "--bare", "app.git"]);
    let work = f.path().join("clone");
    std::fs::create_dir_all(work.join("bin")).unwrap();
    std::fs::write(work.join("README.md"), "# app\n").unwrap();
    std::fs::write(work.join("bin/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    std::fs::set_permissions(work.join("bin/run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    git(&work, &["init"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "Add the app\n\nWith a body."]);
    git(&work, &["push", "-q", repos.join("app.git").to_str().unwrap(), "HEAD:refs/heads/main"]);
    git(&work, &["rev-parse", "HEAD"])
}

fn source_job(branch: &str) -> Job {
    let mut job = job(ActionCategory::Source, "CodeCommit");
    job.action = "Source".into();
    job.configuration.insert("RepositoryName".into(), "app".into());
    job.configuration.insert("BranchName".into(), branch.into());
    job.output_artifacts = vec![OutputArtifact { name: "SourceOutput".into(), files: None }];
    job
}

#[tokio::test]
async fn the_branch_head_becomes_a_zip_and_variables() {
    let f = fixture();
    let commit = repository(&f);
    let result = run(&source_job("main"), &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());

    let vars = &result.output_variables;
    assert_eq!(vars["CommitId"], commit);
    assert_eq!(vars["CommitMessage"], "Add the app\n\nWith a body.");
    assert_eq!(vars["BranchName"], "main");
    assert_eq!(vars["RepositoryName"], "app");
    assert_eq!(vars["AuthorDate"], "2024-01-02T03:04:05Z");
    assert_eq!(vars["CommitterDate"], "2024-01-02T04:05:06+01:00");
    assert_eq!(
        result.revision,
        Some(SourceRevision {
            action_name: "Source".into(),
            revision_id: commit.clone(),
            revision_summary: Some("Add the app".into()),
            revision_url: None,
        })
    );

    assert_eq!(result.output_artifacts[0].location, "pipe/exec-1/SourceOutput/job-1.zip");
    let tree = f.unpacked(&result.output_artifacts[0].location).await;
    assert_eq!(files_under(&tree), ["README.md", "bin/run.sh"]);
    let mode = std::fs::metadata(tree.join("bin/run.sh")).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "the executable bit survives");
    assert!(!f.path().join("work/job-1").exists());
}

#[tokio::test]
async fn a_named_revision_wins_over_the_branch_head() {
    let f = fixture();
    let first = repository(&f);
    let work = f.path().join("clone");
    std::fs::write(work.join("later.txt"), "later").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "Later"]);
    git(&work, &["push", "-q", f.path().join("repos/app.git").to_str().unwrap(), "HEAD:refs/heads/main"]);

    let mut job = source_job("main");
    job.revision = Some(first.clone());
    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}");
    assert_eq!(result.output_variables["CommitId"], first);
    let tree = f.unpacked(&result.output_artifacts[0].location).await;
    assert!(!tree.join("later.txt").exists());

    job.revision = Some("0123456789abcdef0123456789abcdef01234567".into());
    let result = run(&job, &f.cx).await;
    assert_eq!(
        result.error.as_deref(),
        Some("revision `0123456789abcdef0123456789abcdef01234567` does not exist in repository `app`")
    );
}

#[tokio::test]
async fn missing_branch_and_repository_are_clear_failures() {
    let f = fixture();
    repository(&f);
    let result = run(&source_job("nope"), &f.cx).await;
    assert_eq!(result.error.as_deref(), Some("branch `nope` does not exist in repository `app`"));

    let mut job = source_job("main");
    job.configuration.insert("RepositoryName".into(), "ghost".into());
    let result = run(&job, &f.cx).await;
    assert_eq!(result.error.as_deref(), Some("repository `ghost` does not exist"));
}
