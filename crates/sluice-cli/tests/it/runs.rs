//! Running pipelines from the CLI: start, executions, status, approvals, retry, stop,
//! transitions, and the hosted repositories.

use crate::support::{Server, eventually, head, hosted_repository, pipeline};
use serde_json::Value;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(60);

/// The status of execution `id`, from `sluice executions --output json`.
fn execution_status(server: &Server, pipeline: &str, id: &str) -> Option<String> {
    let list = server.run(&["executions", pipeline, "--output", "json"]).json();
    let summaries = list["pipelineExecutionSummaries"].as_array().cloned().unwrap_or_default();
    summaries.iter().find(|e| e["pipelineExecutionId"] == id).and_then(|e| e["status"].as_str().map(str::to_string))
}

/// Waits until execution `id` has `status`.
fn wait_for(server: &Server, pipeline: &str, id: &str, status: &str) {
    eventually(WITHIN, &format!("execution {id} to be {status}"), || {
        (execution_status(server, pipeline, id).as_deref() == Some(status)).then_some(())
    });
}

/// The newest execution's id.
fn newest_execution(server: &Server, pipeline: &str) -> String {
    eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", pipeline, "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    })
}

fn approval_pipeline() -> String {
    r#"name: gated
pipelineType: V2
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Gate
    actions:
      - name: Review
        actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: "1"}
  - name: Ship
    actions:
      - name: Go
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        inputArtifacts: [{name: SourceOut}]
        commands: ["true"]
"#
    .to_string()
}

#[test]
fn start_with_variables_then_executions_and_status_show_the_run() {
    let server = Server::start_with(hosted_repository);
    let commit = head(&server.data_dir());
    let file = server.file("app.yaml", &pipeline("app", &[r##"test "#{variables.greeting}" = bonjour"##]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();

    let out = server.run(&["start", "app", "--var", "greeting=bonjour"]).ok();
    let id = out.trim().to_string();
    assert_eq!(out, format!("{id}\n"), "only the id is printed");
    assert!(!id.is_empty() && !id.contains(' '), "{out}");
    wait_for(&server, "app", &id, "Succeeded");

    // The same token starts nothing new.
    let first = server.run(&["start", "app", "--token", "deploy-42", "--var", "greeting=bonjour"]).ok();
    let again = server.run(&["start", "app", "--token", "deploy-42", "--var", "greeting=bonjour"]).ok();
    assert_eq!(first, again);
    let started = server.run(&["start", "app", "-o", "json", "--var", "greeting=bonjour"]).json();
    let last = started["pipelineExecutionId"].as_str().unwrap_or_else(|| panic!("{started}")).to_string();
    wait_for(&server, "app", &last, "Succeeded");

    let table = server.run(&["executions", "app", "--max", "10"]).ok();
    let header = table.lines().next().unwrap();
    for column in ["ID", "STATUS", "STARTED", "TRIGGER", "REVISION"] {
        assert!(header.contains(column), "{table}");
    }
    let row = table.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{id} in {table}"));
    assert!(row.contains("Succeeded"), "{row}");
    assert!(row.contains("StartPipelineExecution"), "{row}");
    assert!(row.contains(&commit[..7]) && row.contains("First commit"), "{row}");
    assert_eq!(
        server.run(&["executions", "app", "--max", "1", "-o", "json"]).json()["pipelineExecutionSummaries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let drawing = server.run(&["status", "app"]).ok();
    assert!(drawing.starts_with("app · version 1\n"), "{drawing}");
    assert!(drawing.contains(&format!("┌─ Source · ✓ Succeeded · execution {last}\n")), "{drawing}");
    assert!(drawing.contains(&format!("┌─ Build · ✓ Succeeded · execution {last}\n")), "{drawing}");
    assert!(drawing.contains(&format!("✓ Src      Succeeded   {}", &commit[..7])), "{drawing}");
    assert!(drawing.contains("   ↓\n"), "{drawing}");
    assert!(!drawing.contains('\x1b'), "no colors when stdout is not a terminal: {drawing}");
    let state = server.run(&["status", "app", "--output", "json"]).json();
    assert_eq!(state["pipelineName"], "app");
    assert!(state["stageStates"].as_array().is_some_and(|s| s.len() == 2), "{state}");
}

#[test]
fn an_approval_waits_for_approve_or_reject() {
    let server = Server::start_with(hosted_repository);
    let file = server.file("gated.yaml", &approval_pipeline());
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = newest_execution(&server, "gated");

    let drawing = eventually(WITHIN, "the approval to wait", || {
        let drawing = server.run(&["status", "gated"]).ok();
        drawing.contains("sluice approve gated Gate/Review").then_some(drawing)
    });
    assert!(drawing.contains("… Review  InProgress  waiting for approval"), "{drawing}");
    assert!(drawing.contains("an admin or approver can run `sluice approve gated Gate/Review`"), "{drawing}");

    let stderr = server.run(&["approve", "gated", "Ship/Go"]).fails(1);
    assert!(stderr.contains("Ship/Go is not waiting for approval"), "{stderr}");
    let stderr = server.run(&["approve", "gated", "Gate"]).fails(1);
    assert!(stderr.contains("is not STAGE/ACTION"), "{stderr}");

    let out = server.run(&["approve", "gated", "Gate/Review", "--summary", "Looks good"]).ok();
    assert_eq!(out, "approved Gate/Review of pipeline gated\n");
    wait_for(&server, "gated", &id, "Succeeded");

    let second = server.run(&["start", "gated"]).ok().trim().to_string();
    eventually(WITHIN, "the second approval to wait", || {
        server.run(&["status", "gated"]).ok().contains("sluice approve gated Gate/Review").then_some(())
    });
    let out = server.run(&["reject", "gated", "Gate/Review", "--summary", "Not today"]).ok();
    assert_eq!(out, "rejected Gate/Review of pipeline gated\n");
    wait_for(&server, "gated", &second, "Failed");
}

#[test]
fn a_failed_stage_is_retried_in_the_same_execution() {
    let server = Server::start_with(hosted_repository);
    let marker = server.data_dir().join("allow");
    let command = format!("test -e {}", marker.display());
    let file = server.file("app.yaml", &pipeline("app", &[&command]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = newest_execution(&server, "app");
    wait_for(&server, "app", &id, "Failed");
    let drawing = server.run(&["status", "app"]).ok();
    assert!(drawing.contains("┌─ Build · ✗ Failed"), "{drawing}");
    assert!(drawing.contains("✗ Compile  Failed"), "{drawing}");

    std::fs::write(&marker, "").unwrap();
    let out = server.run(&["retry", "app", "Build"]).ok();
    assert_eq!(out, format!("retrying stage Build of execution {id} (failed actions)\n"));
    wait_for(&server, "app", &id, "Succeeded");

    let stderr = server.run(&["retry", "app", "Deploy"]).fails(1);
    assert!(stderr.contains("pipeline app has no stage Deploy"), "{stderr}");
}

#[test]
fn stop_abandons_what_runs() {
    let server = Server::start_with(hosted_repository);
    let file = server.file("slow.yaml", &pipeline("slow", &["sleep 30"]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = newest_execution(&server, "slow");
    eventually(WITHIN, "the build to run", || {
        server.run(&["status", "slow"]).ok().contains("… Compile  InProgress").then_some(())
    });
    let out = server.run(&["stop", "slow", &id, "--abandon", "--reason", "Wrong branch"]).ok();
    assert_eq!(out, format!("stopping execution {id}: running actions are abandoned\n"));
    wait_for(&server, "slow", &id, "Stopped");
    let drawing = server.run(&["status", "slow"]).ok();
    assert!(drawing.contains("⊘ Compile  Abandoned"), "{drawing}");
}

#[test]
fn a_disabled_transition_is_drawn_with_its_reason() {
    let server = Server::start();
    let file = server.file("app.yaml", &pipeline("app", &["true"]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();

    let out = server.run(&["transitions", "disable", "app", "Build", "--reason", "Freeze for the release"]).ok();
    assert_eq!(out, "disabled the transition into stage Build of pipeline app\n");
    let drawing = server.run(&["status", "app"]).ok();
    assert!(drawing.contains("   ✕ disabled: Freeze for the release (by admin"), "{drawing}");

    let out = server.run(&["transitions", "enable", "app", "Build"]).ok();
    assert_eq!(out, "enabled the transition into stage Build of pipeline app\n");
    let drawing = server.run(&["status", "app"]).ok();
    assert!(drawing.contains("   ↓\n") && !drawing.contains("disabled"), "{drawing}");

    let stderr = server.run(&["transitions", "disable", "app", "Nope"]).fails(1);
    assert!(stderr.starts_with("error: StageNotFoundException: "), "{stderr}");
}

#[test]
fn repositories_are_created_and_listed() {
    let server = Server::start();
    let url = server.run(&["repo", "create", "web", "--description", "The web app"]).ok();
    assert!(url.starts_with("http://") && url.trim_end().ends_with("web"), "{url}");
    let created: Value = server.run(&["repo", "create", "api", "-o", "json"]).json();
    assert_eq!(created["repositoryMetadata"]["repositoryName"], "api");
    let listed = server.run(&["repo", "list"]).ok();
    assert!(listed.lines().any(|l| l.starts_with("web")) && listed.lines().any(|l| l.starts_with("api")), "{listed}");
    let listed = server.run(&["repo", "list", "--output", "json"]).json();
    assert_eq!(listed["repositories"].as_array().unwrap().len(), 2);
    let stderr = server.run(&["repo", "create", "web"]).fails(1);
    assert!(stderr.starts_with("error: RepositoryNameExistsException: "), "{stderr}");
}

#[test]
fn secrets_are_set_from_stdin_or_a_file_listed_without_values_and_deleted() {
    use std::io::Write;
    let server = Server::start();
    let mut child = server
        .sluice()
        .args(["secret", "set", "deploy-token", "--description", "for deploys"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"t0ken\n").unwrap();
    assert!(child.wait().unwrap().success());
    let file = server.file("value", "from a file");
    server.run(&["secret", "set", "other", "--from-file", &file]).ok();
    // Setting again replaces the value.
    server.run(&["secret", "set", "other", "--from-file", &file]).ok();

    let listed = server.run(&["secret", "list"]).ok();
    assert!(listed.contains("deploy-token") && listed.contains("for deploys") && listed.contains("other"), "{listed}");
    assert!(!listed.contains("t0ken") && !listed.contains("from a file"), "{listed}");
    let listed = server.run(&["secret", "list", "-o", "json"]).json();
    assert_eq!(listed["SecretList"].as_array().unwrap().len(), 2);

    server.run(&["secret", "delete", "other"]).ok();
    let stderr = server.run(&["secret", "delete", "other"]).fails(1);
    assert!(stderr.starts_with("error: ResourceNotFoundException: "), "{stderr}");
}
