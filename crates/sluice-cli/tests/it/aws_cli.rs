//! The real `aws` CLI and the real `git` against a real `sluice server`: what a user of AWS
//! CodePipeline types, unchanged but for `--endpoint-url`.

use crate::support::{Git, Run, Server, eventually, head, hosted_repository};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(60);
const ROLE: &str = "arn:aws:iam::123456789012:role/sluice";

/// A V2 pipeline in SUPERSEDED mode, as `--cli-input-json` takes it.
fn declaration(name: &str, stages: Value) -> Value {
    json!({"pipeline": {
        "name": name,
        "roleArn": ROLE,
        "pipelineType": "V2",
        "executionMode": "SUPERSEDED",
        "stages": stages,
    }})
}

/// The first stage: branch `main` of the hosted repository `repository`.
fn source_stage(repository: &str) -> Value {
    json!({"name": "Source", "actions": [{
        "name": "Source",
        "namespace": "SourceVariables",
        "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
        "configuration": {"RepositoryName": repository, "BranchName": "main"},
        "outputArtifacts": [{"name": "SourceOutput"}],
    }]})
}

/// A stage of one `Compute/Commands` action on the source.
fn commands_stage(stage: &str, action: &str, commands: &[&str]) -> Value {
    json!({"name": stage, "actions": [{
        "name": action,
        "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
        "commands": commands,
        "inputArtifacts": [{"name": "SourceOutput"}],
    }]})
}

/// A stage of one manual approval.
fn approval_stage(stage: &str, action: &str) -> Value {
    json!({"name": stage, "actions": [{
        "name": action,
        "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"},
    }]})
}

/// Writes `value` to a file and returns the `file://` argument naming it.
fn input(server: &Server, name: &str, value: &Value) -> String {
    format!("file://{}", server.file(name, &serde_json::to_string_pretty(value).unwrap()))
}

/// Asserts that an `aws` command failed as the CLI fails on a service error (254 in v2, 255 in
/// v1) with the AWS error `name`; returns its standard error.
#[track_caller]
fn refused(run: Run, name: &str) -> String {
    assert!(run.code == 254 || run.code == 255, "expected an AWS error {name}: {run:#?}");
    assert!(run.stderr.contains(&format!("({name})")), "expected {name}: {run:#?}");
    run.stderr
}

/// `list-pipeline-executions`' summaries, newest first.
fn executions(server: &Server, pipeline: &str) -> Vec<Value> {
    let list = server.aws(&["codepipeline", "list-pipeline-executions", "--pipeline-name", pipeline]).json();
    list["pipelineExecutionSummaries"].as_array().cloned().unwrap_or_default()
}

/// The summary of execution `id`.
fn execution(server: &Server, pipeline: &str, id: &str) -> Option<Value> {
    executions(server, pipeline).into_iter().find(|e| e["pipelineExecutionId"] == id)
}

/// Waits until execution `id` has `status`; fails at once if it ends otherwise.
#[track_caller]
fn wait_for(server: &Server, pipeline: &str, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + WITHIN;
    loop {
        let summary = execution(server, pipeline, id);
        let now = summary.as_ref().and_then(|s| s["status"].as_str()).unwrap_or("").to_string();
        if now == status {
            return summary.unwrap();
        }
        let ended = ["Succeeded", "Failed", "Stopped", "Superseded", "Cancelled"].contains(&now.as_str());
        if ended || Instant::now() > deadline {
            let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", pipeline]).stdout;
            panic!(
                "execution {id} of {pipeline}: expected {status}, it is {now:?}\nsummary: {summary:#?}\nstate: {state}\nserver log:\n{}",
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The execution whose source revision is `commit`.
#[track_caller]
fn execution_of(server: &Server, pipeline: &str, commit: &str) -> String {
    eventually(WITHIN, &format!("an execution of {commit}"), || {
        executions(server, pipeline).into_iter().find_map(|e| {
            (e["sourceRevisions"][0]["revisionId"] == commit)
                .then(|| e["pipelineExecutionId"].as_str().unwrap().to_string())
        })
    })
}

/// The one execution the creation of `pipeline` started.
#[track_caller]
fn first_execution(server: &Server, pipeline: &str) -> String {
    let all = executions(server, pipeline);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["trigger"]["triggerType"], "CreatePipeline", "{all:#?}");
    all[0]["pipelineExecutionId"].as_str().unwrap().to_string()
}

/// The state of `action` in `stage`, from `get-pipeline-state`.
fn action_state(server: &Server, pipeline: &str, stage: &str, action: &str) -> Value {
    let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", pipeline]).json();
    let stages = state["stageStates"].as_array().cloned().unwrap_or_default();
    let stage = stages.into_iter().find(|s| s["stageName"] == stage).unwrap_or_else(|| panic!("{stage} in {state}"));
    let actions = stage["actionStates"].as_array().cloned().unwrap_or_default();
    actions.into_iter().find(|a| a["actionName"] == action).unwrap_or_else(|| panic!("{action} in {state}"))
}

/// Waits until the approval `stage`/`action` waits; returns its token.
#[track_caller]
fn approval_token(server: &Server, pipeline: &str, stage: &str, action: &str) -> String {
    eventually(WITHIN, &format!("{stage}/{action} to wait for approval"), || {
        let latest = &action_state(server, pipeline, stage, action)["latestExecution"];
        (latest["status"] == "InProgress").then(|| latest["token"].as_str().map(str::to_string)).flatten()
    })
}

#[test]
fn a_git_push_runs_a_pipeline_created_with_the_aws_cli_through_an_approval() {
    let server = Server::start();
    let git = Git::new();

    let created = server
        .aws(&["codecommit", "create-repository", "--repository-name", "app", "--repository-description", "The app"])
        .json();
    assert_eq!(created["repositoryMetadata"]["repositoryName"], "app", "{created}");
    let url = created["repositoryMetadata"]["cloneUrlHttp"].as_str().unwrap_or_default();
    assert!(url.ends_with("/git/app"), "{created}");
    let work = git.clone(&server.clone_url("app"), "app");

    let pipeline = declaration(
        "release",
        json!([
            source_stage("app"),
            {"name": "Build", "actions": [{
                "name": "Build",
                "namespace": "BuildVariables",
                "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
                "commands": ["test \"$(cat app.txt)\" = hello", "export BUILT=#{SourceVariables.CommitId}"],
                "outputVariables": ["BUILT"],
                "inputArtifacts": [{"name": "SourceOutput"}],
            }]},
            approval_stage("Approve", "Release"),
            commands_stage("Ship", "Ship", &["test \"#{BuildVariables.BUILT}\" = \"#{SourceVariables.CommitId}\""]),
        ]),
    );
    let file = input(&server, "release.json", &pipeline);
    let out = server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    assert_eq!(out["pipeline"]["name"], "release", "{out}");
    assert_eq!(out["pipeline"]["version"], 1, "{out}");
    // Creating starts an execution, as in AWS; the branch does not exist yet, so its source fails.
    let created_run = first_execution(&server, "release");
    wait_for(&server, "release", &created_run, "Failed");

    // The push starts the next one before it is answered.
    let commit = git.commit(&work, "app.txt", "hello\n", "First commit");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);
    let id = execution_of(&server, "release", &commit);
    let summary = execution(&server, "release", &id).unwrap();
    assert_eq!(summary["trigger"]["triggerType"], "CloudWatchEvent", "{summary}");

    let token = approval_token(&server, "release", "Approve", "Release");
    let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "release"]).json();
    let approve = state["stageStates"].as_array().unwrap().iter().find(|s| s["stageName"] == "Approve").unwrap();
    assert_eq!(approve["latestExecution"]["pipelineExecutionId"], id.as_str(), "{state}");
    assert_eq!(approve["latestExecution"]["status"], "InProgress", "{state}");

    let approved = server
        .aws(&[
            "codepipeline",
            "put-approval-result",
            "--pipeline-name",
            "release",
            "--stage-name",
            "Approve",
            "--action-name",
            "Release",
            "--result",
            "summary=Ship it,status=Approved",
            "--token",
            &token,
        ])
        .json();
    assert!(approved["approvedAt"].is_number(), "{approved}");

    let summary = wait_for(&server, "release", &id, "Succeeded");
    let revisions = summary["sourceRevisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 1, "{summary}");
    assert_eq!(revisions[0]["actionName"], "Source", "{summary}");
    assert_eq!(revisions[0]["revisionId"], commit.as_str(), "{summary}");

    let got = server
        .aws(&["codepipeline", "get-pipeline-execution", "--pipeline-name", "release", "--pipeline-execution-id", &id])
        .json();
    assert_eq!(got["pipelineExecution"]["status"], "Succeeded", "{got}");
    assert_eq!(got["pipelineExecution"]["artifactRevisions"][0]["revisionId"], commit.as_str(), "{got}");

    // The build's output variable, as list-action-executions shows it.
    let filter = format!("pipelineExecutionId={id}");
    let details = server
        .aws(&["codepipeline", "list-action-executions", "--pipeline-name", "release", "--filter", &filter])
        .json();
    let details = details["actionExecutionDetails"].as_array().unwrap();
    let build = details.iter().find(|d| d["actionName"] == "Build").unwrap_or_else(|| panic!("{details:#?}"));
    assert_eq!(build["status"], "Succeeded", "{build}");
    assert_eq!(build["output"]["outputVariables"]["BUILT"], commit.as_str(), "{build}");
    for action in ["Source", "Build", "Release", "Ship"] {
        assert!(
            details.iter().any(|d| d["actionName"] == action && d["status"] == "Succeeded"),
            "{action}: {details:#?}"
        );
    }
}

#[test]
fn update_pipeline_makes_version_2_and_delete_pipeline_removes_it() {
    let server = Server::start_with(hosted_repository);
    let pipeline = declaration("app", json!([source_stage("app"), commands_stage("Build", "Build", &["echo one"])]));
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();

    // What get-pipeline prints goes back into update-pipeline: the CLI knows every key in it.
    let got = server.aws(&["codepipeline", "get-pipeline", "--name", "app"]).json();
    assert_eq!(got["pipeline"]["version"], 1, "{got}");
    assert!(got["metadata"]["pipelineArn"].as_str().is_some_and(|a| a.ends_with(":app")), "{got}");
    let mut changed = got["pipeline"].clone();
    changed["stages"][1]["actions"][0]["commands"] = json!(["echo two"]);
    let file = input(&server, "app-2.json", &json!({ "pipeline": changed }));
    let updated = server.aws(&["codepipeline", "update-pipeline", "--cli-input-json", &file]).json();
    assert_eq!(updated["pipeline"]["version"], 2, "{updated}");

    let got = server.aws(&["codepipeline", "get-pipeline", "--name", "app"]).json();
    assert_eq!(got["pipeline"]["version"], 2, "{got}");
    assert_eq!(got["pipeline"]["stages"][1]["actions"][0]["commands"], json!(["echo two"]), "{got}");
    let first = server.aws(&["codepipeline", "get-pipeline", "--name", "app", "--pipeline-version", "1"]).json();
    assert_eq!(first["pipeline"]["version"], 1, "{first}");
    assert_eq!(first["pipeline"]["stages"][1]["actions"][0]["commands"], json!(["echo one"]), "{first}");

    let listed = server.aws(&["codepipeline", "list-pipelines"]).json();
    let pipelines = listed["pipelines"].as_array().unwrap();
    assert_eq!(pipelines.len(), 1, "{listed}");
    assert_eq!(pipelines[0]["name"], "app", "{listed}");
    assert_eq!(pipelines[0]["version"], 2, "{listed}");
    assert_eq!(pipelines[0]["pipelineType"], "V2", "{listed}");
    assert_eq!(pipelines[0]["executionMode"], "SUPERSEDED", "{listed}");

    let deleted = server.aws(&["codepipeline", "delete-pipeline", "--name", "app"]);
    assert_eq!(deleted.code, 0, "{deleted:#?}");
    refused(server.aws(&["codepipeline", "get-pipeline", "--name", "app"]), "PipelineNotFoundException");
    let listed = server.aws(&["codepipeline", "list-pipelines"]).json();
    assert_eq!(listed["pipelines"], json!([]), "{listed}");
    refused(server.aws(&["codepipeline", "delete-pipeline", "--name", "app"]), "PipelineNotFoundException");
}

#[test]
fn retry_stage_execution_runs_the_failed_action_again_in_the_same_execution() {
    let server = Server::start_with(hosted_repository);
    let outside = tempfile::tempdir().unwrap();
    let marker = outside.path().join("marker");
    let check = format!("test -f {}", marker.display());
    let pipeline = declaration("app", json!([source_stage("app"), commands_stage("Build", "Check", &[&check])]));
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let id = first_execution(&server, "app");
    wait_for(&server, "app", &id, "Failed");
    let check_state = action_state(&server, "app", "Build", "Check");
    assert_eq!(check_state["latestExecution"]["status"], "Failed", "{check_state}");

    std::fs::write(&marker, "").unwrap();
    let retried = server
        .aws(&[
            "codepipeline",
            "retry-stage-execution",
            "--pipeline-name",
            "app",
            "--stage-name",
            "Build",
            "--pipeline-execution-id",
            &id,
            "--retry-mode",
            "FAILED_ACTIONS",
        ])
        .json();
    assert_eq!(retried["pipelineExecutionId"], id.as_str(), "{retried}");
    let summary = wait_for(&server, "app", &id, "Succeeded");
    assert_eq!(summary["sourceRevisions"][0]["revisionId"], head(&server.data_dir()).as_str(), "{summary}");
    assert_eq!(executions(&server, "app").len(), 1, "the retry started no new execution");

    // Both attempts of the action are kept.
    let filter = format!("pipelineExecutionId={id}");
    let details =
        server.aws(&["codepipeline", "list-action-executions", "--pipeline-name", "app", "--filter", &filter]).json();
    let mut checks: Vec<&str> = details["actionExecutionDetails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["actionName"] == "Check")
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    checks.sort_unstable();
    assert_eq!(checks, ["Failed", "Succeeded"], "{details}");
}

#[test]
fn retrying_a_stage_that_succeeded_is_refused_as_not_retryable() {
    let server = Server::start_with(hosted_repository);
    let pipeline = declaration("app", json!([source_stage("app"), commands_stage("Build", "Build", &["true"])]));
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let id = first_execution(&server, "app");
    wait_for(&server, "app", &id, "Succeeded");
    let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "app"]).json();
    assert_eq!(state["stageStates"][1]["latestExecution"]["pipelineExecutionId"], id.as_str(), "{state}");

    // It is the latest execution of Build; Build has nothing failed to retry.
    let retry = |mode: &str| {
        server.aws(&[
            "codepipeline",
            "retry-stage-execution",
            "--pipeline-name",
            "app",
            "--stage-name",
            "Build",
            "--pipeline-execution-id",
            &id,
            "--retry-mode",
            mode,
        ])
    };
    refused(retry("FAILED_ACTIONS"), "StageNotRetryableException");
    refused(retry("ALL_ACTIONS"), "StageNotRetryableException");
}

#[test]
fn a_newer_push_supersedes_one_waiting_at_a_disabled_transition() {
    let server = Server::start();
    let git = Git::new();
    server.aws(&["codecommit", "create-repository", "--repository-name", "app"]).json();
    let work = git.clone(&server.clone_url("app"), "app");
    git.commit(&work, "app.txt", "one\n", "One");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);

    let pipeline = declaration("app", json!([source_stage("app"), commands_stage("Build", "Build", &["cat app.txt"])]));
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let first = first_execution(&server, "app");
    wait_for(&server, "app", &first, "Succeeded");

    let out = server.aws(&[
        "codepipeline",
        "disable-stage-transition",
        "--pipeline-name",
        "app",
        "--stage-name",
        "Build",
        "--transition-type",
        "Inbound",
        "--reason",
        "Freeze",
    ]);
    assert_eq!(out.code, 0, "{out:#?}");
    let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "app"]).json();
    let build = &state["stageStates"][1];
    assert_eq!(build["stageName"], "Build", "{state}");
    assert_eq!(build["inboundTransitionState"]["enabled"], false, "{state}");
    assert_eq!(build["inboundTransitionState"]["disabledReason"], "Freeze", "{state}");

    let two = git.commit(&work, "app.txt", "two\n", "Two");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);
    let three = git.commit(&work, "app.txt", "three\n", "Three");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);
    let second = execution_of(&server, "app", &two);
    let third = execution_of(&server, "app", &three);

    // The second waits at the transition until the third passes its source stage and replaces it.
    wait_for(&server, "app", &second, "Superseded");
    eventually(WITHIN, "the third execution to wait at the transition", || {
        let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "app"]).json();
        (state["stageStates"][0]["latestExecution"]["pipelineExecutionId"] == third.as_str()
            && state["stageStates"][0]["latestExecution"]["status"] == "Succeeded")
            .then_some(())
    });
    assert_eq!(execution(&server, "app", &third).unwrap()["status"], "InProgress");

    let out = server.aws(&[
        "codepipeline",
        "enable-stage-transition",
        "--pipeline-name",
        "app",
        "--stage-name",
        "Build",
        "--transition-type",
        "Inbound",
    ]);
    assert_eq!(out.code, 0, "{out:#?}");
    wait_for(&server, "app", &third, "Succeeded");
    assert_eq!(execution(&server, "app", &second).unwrap()["status"], "Superseded");
    let build = action_state(&server, "app", "Build", "Build");
    assert_eq!(build["latestExecution"]["status"], "Succeeded", "{build}");
    let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "app"]).json();
    assert_eq!(state["stageStates"][1]["latestExecution"]["pipelineExecutionId"], third.as_str(), "{state}");
}

#[test]
fn errors_come_back_with_their_aws_names() {
    let server = Server::start();
    let pipeline = declaration("app", json!([source_stage("app"), commands_stage("Build", "Build", &["true"])]));
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();

    let stderr = refused(
        server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]),
        "PipelineNameInUseException",
    );
    assert!(stderr.contains("CreatePipeline"), "{stderr}");
    refused(server.aws(&["codepipeline", "get-pipeline", "--name", "nope"]), "PipelineNotFoundException");
    refused(server.aws(&["codepipeline", "get-pipeline-state", "--name", "nope"]), "PipelineNotFoundException");

    // Well-formed for the CLI, invalid for CodePipeline: an input artifact nobody makes.
    let mut broken = declaration("broken", json!([source_stage("app"), commands_stage("Build", "Build", &["true"])]));
    broken["pipeline"]["stages"][1]["actions"][0]["inputArtifacts"] = json!([{"name": "Nothing"}]);
    let file = input(&server, "broken.json", &broken);
    refused(server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]), "InvalidStructureException");
    refused(server.aws(&["codepipeline", "get-pipeline", "--name", "broken"]), "PipelineNotFoundException");
}

#[test]
fn requests_without_a_valid_signature_are_refused() {
    let server = Server::start();
    let stderr = refused(
        server.aws(&["--no-sign-request", "codepipeline", "list-pipelines"]),
        "MissingAuthenticationTokenException",
    );
    assert!(!stderr.contains(&server.secret_access_key), "{stderr}");

    let mut wrong = server.secret_access_key.clone();
    let last = if wrong.ends_with('x') { "y" } else { "x" };
    wrong.replace_range(wrong.len() - 1.., last);
    refused(
        server.aws_as(&server.access_key_id, &wrong, &["codepipeline", "list-pipelines"]),
        "InvalidSignatureException",
    );
    refused(
        server.aws_as("AKIAUNKNOWNUNKNOWN00", &server.secret_access_key, &["codecommit", "list-repositories"]),
        "UnrecognizedClientException",
    );
    // The right key still works.
    assert_eq!(server.aws(&["codepipeline", "list-pipelines"]).json()["pipelines"], json!([]));
}

#[test]
fn a_viewer_reads_the_approval_but_cannot_approve_it() {
    let server = Server::start_with(hosted_repository);
    let pipeline = declaration("gated", json!([source_stage("app"), approval_stage("Gate", "Review")]));
    let file = input(&server, "gated.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let id = first_execution(&server, "gated");

    server.run(&["user", "create", "vera", "--role", "viewer"]).ok();
    let key = server.run(&["key", "create", "vera", "-o", "json"]).json();
    let (key_id, secret) = (
        key["accessKey"]["accessKeyId"].as_str().unwrap().to_string(),
        key["accessKey"]["secretAccessKey"].as_str().unwrap().to_string(),
    );
    let as_vera = |args: &[&str]| server.aws_as(&key_id, &secret, args);

    let token = approval_token(&server, "gated", "Gate", "Review");
    let state = as_vera(&["codepipeline", "get-pipeline-state", "--name", "gated"]).json();
    assert_eq!(state["stageStates"][1]["actionStates"][0]["latestExecution"]["token"], token.as_str(), "{state}");
    let approve = |who: &dyn Fn(&[&str]) -> Run| {
        who(&[
            "codepipeline",
            "put-approval-result",
            "--pipeline-name",
            "gated",
            "--stage-name",
            "Gate",
            "--action-name",
            "Review",
            "--result",
            "summary=ok,status=Approved",
            "--token",
            &token,
        ])
    };
    let stderr = refused(approve(&as_vera), "AccessDeniedException");
    assert!(stderr.contains("vera"), "{stderr}");
    refused(as_vera(&["codepipeline", "delete-pipeline", "--name", "gated"]), "AccessDeniedException");
    let wrong = "00000000-0000-0000-0000-000000000000";
    let stderr = refused(
        server.aws(&[
            "codepipeline",
            "put-approval-result",
            "--pipeline-name",
            "gated",
            "--stage-name",
            "Gate",
            "--action-name",
            "Review",
            "--result",
            "summary=ok,status=Approved",
            "--token",
            wrong,
        ]),
        "InvalidApprovalTokenException",
    );
    assert!(stderr.contains("PutApprovalResult"), "{stderr}");
    assert_eq!(execution(&server, "gated", &id).unwrap()["status"], "InProgress", "the refusal changed nothing");

    // The same token from the admin approves.
    approve(&|args| server.aws(args)).json();
    wait_for(&server, "gated", &id, "Succeeded");
}

#[test]
fn a_relative_data_dir_runs_commands_actions() {
    let server = Server::start_relative(hosted_repository);
    assert!(server.data_dir().join("admin-credentials").is_file(), "the data dir is ./d of the server's directory");
    let pipeline = declaration(
        "app",
        json!([
            source_stage("app"),
            commands_stage("Build", "Build", &["test \"$(cat hello.txt)\" = 'hello from git'"])
        ]),
    );
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let id = first_execution(&server, "app");
    wait_for(&server, "app", &id, "Succeeded");

    // Hosted git works from a relative data dir too.
    let git = Git::new();
    let work = git.clone(&server.clone_url("app"), "app");
    assert_eq!(std::fs::read_to_string(work.join("hello.txt")).unwrap(), "hello from git\n");
}

#[test]
fn the_readme_walkthrough_works_with_the_aws_cli() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let (_, rest) = readme.split_once("```json\n").expect("a JSON block in README.md");
    let (json_text, _) = rest.split_once("\n```").unwrap();
    let pipeline: Value = serde_json::from_str(json_text).expect("the README's pipeline.json is JSON");

    let server = Server::start();
    let git = Git::new();
    server.aws(&["codecommit", "create-repository", "--repository-name", "app"]).json();
    let work = git.clone(&server.clone_url("app"), "app");
    let commit = git.commit(&work, "app.txt", "hello\n", "first");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);
    let file = input(&server, "pipeline.json", &pipeline);
    let created = server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]);
    assert_eq!(created.code, 0, "{created:#?}");
    let id = first_execution(&server, "release");
    approval_token(&server, "release", "Approve", "Release");
    let filter = format!("pipelineExecutionId={id}");
    let details = server
        .aws(&["codepipeline", "list-action-executions", "--pipeline-name", "release", "--filter", &filter])
        .json();
    let build =
        details["actionExecutionDetails"].as_array().unwrap().iter().find(|d| d["actionName"] == "Build").cloned();
    assert_eq!(build.unwrap_or_default()["output"]["outputVariables"]["BUILT"], commit.as_str(), "{details}");
}

#[test]
fn secrets_made_with_the_aws_cli_reach_the_actions_that_name_them() {
    let server = Server::start_with(hosted_repository);
    let made =
        server.aws(&["secretsmanager", "create-secret", "--name", "db/password", "--secret-string", "hunter2"]).json();
    assert_eq!(made["Name"], "db/password", "{made}");
    refused(
        server.aws(&["secretsmanager", "create-secret", "--name", "db/password", "--secret-string", "x"]),
        "ResourceExistsException",
    );
    let listed = server.aws(&["secretsmanager", "list-secrets"]).json();
    assert_eq!(listed["SecretList"][0]["Name"], "db/password", "{listed}");
    assert!(!listed.to_string().contains("hunter2"), "a listing never shows values: {listed}");
    // Values are sealed at rest: the database file never holds them in clear.
    let database = std::fs::read(server.data_dir().join("sluice.db")).unwrap_or_default();
    let wal = std::fs::read(server.data_dir().join("sluice.db-wal")).unwrap_or_default();
    assert!(![database, wal].iter().any(|bytes| bytes.windows(7).any(|w| w == b"hunter2")));

    let outside = tempfile::tempdir().unwrap();
    let seen = outside.path().join("seen");
    let write = format!("printf %s \"$DB_PASSWORD\" > {}", seen.display());
    let leak = "echo \"password: $DB_PASSWORD, encoded: $(printf %s \"$DB_PASSWORD\" | base64)\"";
    let mut pipeline =
        declaration("app", json!([source_stage("app"), commands_stage("Build", "Use", &[&write, leak])]));
    pipeline["pipeline"]["stages"][1]["actions"][0]["environmentVariables"] =
        json!([{"name": "DB_PASSWORD", "value": "db/password", "type": "SECRETS_MANAGER"}]);
    let file = input(&server, "app.json", &pipeline);
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &file]).json();
    let id = first_execution(&server, "app");
    wait_for(&server, "app", &id, "Succeeded");
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "hunter2");
    // The job's log has the value masked, plain and base64.
    let log = server.run(&["logs", &id, "Build/Use"]).ok();
    assert!(log.contains("password: ***, encoded: ***"), "{log}");
    assert!(!log.contains("hunter2") && !log.contains("aHVudGVyMg"), "{log}");

    server
        .aws(&["secretsmanager", "put-secret-value", "--secret-id", "db/password", "--secret-string", "s3cond"])
        .json();
    let value = server.aws(&["secretsmanager", "get-secret-value", "--secret-id", "db/password"]).json();
    assert_eq!(value["SecretString"], "s3cond", "{value}");
    server.aws(&["secretsmanager", "delete-secret", "--secret-id", "db/password"]).json();
    refused(
        server.aws(&["secretsmanager", "get-secret-value", "--secret-id", "db/password"]),
        "ResourceNotFoundException",
    );
}
