//! What `sluice` says without a server: invalid files, an unreachable server, no credentials.

use crate::support::{Run, sluice};
use std::net::TcpListener;

const INVALID: &str = r#"{
  "name": "app",
  "stages": [
    {"name": "Source", "actions": [{"name": "Src", "runorder": 1,
      "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
      "configuration": {"RepositoryName": "app", "BranchName": "main"}, "outputArtifacts": [{"name": "Src"}]}]}
  ]
}
"#;

/// An address where nothing listens: a port the system gave us, closed again.
fn closed_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

fn invalid_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("pipeline.json");
    std::fs::write(&path, INVALID).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn validate_reports_every_error_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = invalid_file(&dir);
    let run = Run::of(sluice(), &["validate", &file]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.contains("error[unknown-key]: unknown key `runorder`"), "{}", run.stdout);
    assert!(run.stdout.contains("did you mean `runOrder`?"), "{}", run.stdout);
    assert!(run.stdout.contains("invalid,"), "{}", run.stdout);

    let report = Run::of(sluice(), &["validate", &file, "--output", "json"]);
    assert_eq!(report.code, 1);
    let report: serde_json::Value = serde_json::from_str(&report.stdout).unwrap();
    assert_eq!(report["files"][0]["valid"], false);
}

#[test]
fn apply_checks_the_file_before_calling_any_server() {
    let dir = tempfile::tempdir().unwrap();
    let file = invalid_file(&dir);
    let mut command = sluice();
    command
        .env("SLUICE_ENDPOINT", closed_endpoint())
        .env("SLUICE_ACCESS_KEY_ID", "K")
        .env("SLUICE_SECRET_ACCESS_KEY", "S");
    let stderr = Run::of(command, &["pipeline", "apply", "-f", &file]).fails(1);
    assert!(stderr.contains("error[unknown-key]"), "{stderr}");
    assert!(stderr.contains("pipeline.json:4:"), "positions point into the file: {stderr}");
    assert!(!stderr.contains("cannot reach"), "nothing was sent: {stderr}");

    let stderr = Run::of(sluice(), &["pipeline", "apply", "-f", "/nonexistent/pipeline.yaml"]).fails(2);
    assert!(stderr.contains("cannot read /nonexistent/pipeline.yaml"), "{stderr}");
}

#[test]
fn an_unreachable_server_is_said_plainly() {
    let endpoint = closed_endpoint();
    let run = Run::of(
        sluice(),
        &["pipeline", "list", "--endpoint", &endpoint, "--access-key-id", "K", "--secret-access-key", "S"],
    );
    let stderr = run.fails(1);
    assert_eq!(stderr, format!("error: cannot reach the sluice server at {endpoint}: is `sluice server` running?\n"));
}

#[test]
fn without_credentials_sluice_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::of(sluice(), &["status", "app", "--data-dir", dir.path().to_str().unwrap()]);
    let stderr = run.fails(1);
    assert!(stderr.starts_with("error: no credentials:"), "{stderr}");
    assert!(stderr.contains("admin-credentials"), "{stderr}");

    let stderr = Run::of(sluice(), &["user", "list", "--data-dir", dir.path().to_str().unwrap()]).fails(1);
    assert!(stderr.contains("no sluice database in"), "{stderr}");
}
