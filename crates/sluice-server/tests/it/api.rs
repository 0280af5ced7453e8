//! The CodePipeline API end to end: the real server in process, called with
//! boto3, running a pipeline whose Manual approval sits between two
//! Commands actions, with real git and real processes.

use crate::support::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Source (hosted `app`, branch from a variable) → Build (Commands running
/// `#{variables.BUILD_CMD}`) → Approve (Manual) → Deploy (Commands).
const PIPELINE: &str = r##"
name: app
roleArn: arn:aws:iam::123456789012:role/sluice
pipelineType: V2
executionMode: QUEUED
variables:
  - {name: BRANCH, defaultValue: main}
  - {name: BUILD_CMD, defaultValue: "true"}
stages:
  - name: Source
    actions:
      - name: Src
        namespace: SourceVariables
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: "#{variables.BRANCH}"}
        outputArtifacts: [{name: SourceOut}]
  - name: Build
    actions:
      - name: Compile
        namespace: BuildVariables
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands:
          - "#{variables.BUILD_CMD}"
          - export VERSION="v-$(cut -c1-7 <<< '#{SourceVariables.CommitId}')"
        outputVariables: [VERSION]
        inputArtifacts: [{name: SourceOut}]
  - name: Approve
    actions:
      - name: Gate
        actionTypeId: {category: Approval, owner: AWS, provider: Manual, version: "1"}
  - name: Deploy
    actions:
      - name: Ship
        actionTypeId: {category: Compute, owner: AWS, provider: Commands, version: "1"}
        commands:
          - test -n "#{BuildVariables.VERSION}"
        inputArtifacts: [{name: SourceOut}]
"##;

const WAIT: Duration = Duration::from_secs(60);

struct Api {
    server: Server,
    cp: Botocore,
    /// The commit of the hosted repository.
    head: String,
}

impl Api {
    /// A server hosting `app`, and the pipeline created (which starts its
    /// first execution): returns that execution's id too.
    async fn with_pipeline(tags: Value) -> Option<(Api, String)> {
        if !boto3_available() {
            return None;
        }
        let server = Server::start().await;
        let head = host_repository(&server.data_dir());
        let mut cp = Botocore::start(&server, "codepipeline").await;
        let pipeline = serde_json::to_value(declaration(PIPELINE)).unwrap();
        let created = cp.ok("CreatePipeline", json!({ "pipeline": pipeline, "tags": tags })).await;
        assert_eq!(created["pipeline"]["version"], 1);
        let listed = cp.ok("ListPipelineExecutions", json!({ "pipelineName": "app" })).await;
        let first = listed["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().unwrap().to_owned();
        Some((Api { server, cp, head }, first))
    }

    /// Calls `operation` until `done` holds for its output.
    async fn until(&mut self, operation: &str, params: Value, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let out = self.cp.ok(operation, params.clone()).await;
            if done(&out) {
                return out;
            }
            assert!(Instant::now() < deadline, "{what}: still {out:#}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn execution(&mut self, id: &str) -> Value {
        let out = self.cp.ok("GetPipelineExecution", json!({ "pipelineName": "app", "pipelineExecutionId": id })).await;
        out["pipelineExecution"].clone()
    }

    /// The execution once it has ended.
    async fn ended(&mut self, id: &str) -> Value {
        let params = json!({ "pipelineName": "app", "pipelineExecutionId": id });
        let out = self
            .until("GetPipelineExecution", params, &format!("execution {id} ends"), |out| {
                !matches!(out["pipelineExecution"]["status"].as_str(), Some("InProgress" | "Stopping"))
            })
            .await;
        out["pipelineExecution"].clone()
    }

    /// The approval token once execution `id` waits at the Gate.
    async fn approval_token(&mut self, id: &str) -> String {
        let waiting = |state: &Value| {
            let approve = stage(state, "Approve");
            approve["latestExecution"]["pipelineExecutionId"] == id
                && approve["actionStates"][0]["latestExecution"]["token"].is_string()
        };
        let state =
            self.until("GetPipelineState", json!({ "name": "app" }), &format!("{id} at the Gate"), waiting).await;
        stage(&state, "Approve")["actionStates"][0]["latestExecution"]["token"].as_str().unwrap().to_owned()
    }

    async fn decide(&mut self, token: &str, status: &str) -> Value {
        let params = json!({
            "pipelineName": "app", "stageName": "Approve", "actionName": "Gate", "token": token,
            "result": { "summary": format!("{status} by the test"), "status": status },
        });
        self.cp.ok("PutApprovalResult", params).await
    }

    async fn action_executions(&mut self, id: &str) -> Vec<Value> {
        let params = json!({ "pipelineName": "app", "filter": { "pipelineExecutionId": id } });
        let out = self.cp.ok("ListActionExecutions", params).await;
        out["actionExecutionDetails"].as_array().unwrap().clone()
    }

    async fn start(&mut self, build_cmd: &str) -> String {
        let params = json!({ "name": "app", "variables": [{ "name": "BUILD_CMD", "value": build_cmd }] });
        let out = self.cp.ok("StartPipelineExecution", params).await;
        out["pipelineExecutionId"].as_str().unwrap().to_owned()
    }

    async fn tags(&mut self, arn: &str) -> Value {
        self.cp.ok("ListTagsForResource", json!({ "resourceArn": arn })).await["tags"].clone()
    }

    async fn stop(self) {
        drop(self.cp);
        self.server.stop().await;
    }
}

fn stage<'a>(state: &'a Value, name: &str) -> &'a Value {
    state["stageStates"].as_array().unwrap().iter().find(|s| s["stageName"] == name).unwrap()
}

fn admin_arn() -> String {
    format!("arn:aws:iam::{}:user/admin", Server::ACCOUNT_ID)
}

/// `action=status` of a listing, in its order.
fn statuses(details: &[Value]) -> Vec<String> {
    details.iter().map(|d| format!("{}={}", d["actionName"].as_str().unwrap(), d["status"].as_str().unwrap())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_are_started_approved_and_listed() {
    let Some((mut api, first)) = Api::with_pipeline(json!([])).await else { return };

    // The execution CreatePipeline started waits at the Gate, its token shown.
    let token = api.approval_token(&first).await;
    let state = api.cp.ok("GetPipelineState", json!({ "name": "app" })).await;
    assert_eq!(state["pipelineName"], "app");
    assert_eq!(state["pipelineVersion"], 1);
    let source = stage(&state, "Source");
    assert_eq!(source["latestExecution"]["status"], "Succeeded");
    assert_eq!(source["actionStates"][0]["currentRevision"]["revisionId"], api.head.as_str());
    assert_eq!(source["inboundTransitionState"]["enabled"], true);
    assert_eq!(stage(&state, "Build")["actionStates"][0]["latestExecution"]["status"], "Succeeded");
    let approve = stage(&state, "Approve");
    assert_eq!(
        approve["latestExecution"],
        json!({ "pipelineExecutionId": first, "status": "InProgress", "type": "STANDARD" })
    );
    assert_eq!(approve["actionStates"][0]["latestExecution"]["status"], "InProgress");
    assert!(stage(&state, "Deploy").get("latestExecution").is_none());

    let approved = api.decide(&token, "Approved").await;
    assert!(approved["approvedAt"].is_string(), "{approved}");
    let execution = api.ended(&first).await;
    assert_eq!(execution["status"], "Succeeded");
    assert_eq!(execution["trigger"], json!({ "triggerType": "CreatePipeline", "triggerDetail": admin_arn() }));
    assert_eq!(
        execution["artifactRevisions"],
        json!([{ "name": "SourceOut", "revisionId": api.head, "revisionChangeIdentifier": api.head,
                 "revisionSummary": "First commit", "created": execution["artifactRevisions"][0]["created"] }])
    );
    assert_eq!(
        execution["variables"],
        json!([{ "name": "BRANCH", "resolvedValue": "main" },
                                              { "name": "BUILD_CMD", "resolvedValue": "true" }])
    );
    assert_eq!(execution["executionMode"], "QUEUED");
    assert_eq!(execution["executionType"], "STANDARD");
    // The approval is over: its token is no longer valid.
    let params = json!({ "pipelineName": "app", "stageName": "Approve", "actionName": "Gate", "token": token,
                         "result": { "summary": "again", "status": "Approved" } });
    assert_eq!(api.cp.error("PutApprovalResult", params).await, "InvalidApprovalTokenException");

    // A start with variables, twice with one client request token: one execution.
    let start = json!({ "name": "app", "clientRequestToken": "release-42",
                        "variables": [{ "name": "BUILD_CMD", "value": "echo custom build" }] });
    let second =
        api.cp.ok("StartPipelineExecution", start.clone()).await["pipelineExecutionId"].as_str().unwrap().to_owned();
    let again = api.cp.ok("StartPipelineExecution", start).await;
    assert_eq!(again["pipelineExecutionId"], second.as_str());
    let execution = api.execution(&second).await;
    assert_eq!(execution["pipelineExecutionId"], second.as_str());
    assert_eq!(execution["trigger"], json!({ "triggerType": "StartPipelineExecution", "triggerDetail": admin_arn() }));
    assert_eq!(execution["variables"][1], json!({ "name": "BUILD_CMD", "resolvedValue": "echo custom build" }));

    // Rejected at the Gate, the second execution fails there.
    let token = api.approval_token(&second).await;
    api.decide(&token, "Rejected").await;
    assert_eq!(api.ended(&second).await["status"], "Failed");

    // Newest first, one page at a time.
    let all = api.cp.ok("ListPipelineExecutions", json!({ "pipelineName": "app" })).await;
    let summaries = all["pipelineExecutionSummaries"].as_array().unwrap();
    let ids: Vec<&str> = summaries.iter().map(|s| s["pipelineExecutionId"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(summaries[0]["status"], "Failed");
    assert_eq!(summaries[1]["sourceRevisions"][0]["revisionId"], api.head.as_str());
    assert_eq!(summaries[1]["sourceRevisions"][0]["actionName"], "Src");
    assert!(summaries[1].get("stopTrigger").is_none());
    let page = api.cp.ok("ListPipelineExecutions", json!({ "pipelineName": "app", "maxResults": 1 })).await;
    assert_eq!(page["pipelineExecutionSummaries"][0]["pipelineExecutionId"], second.as_str());
    let token = page["nextToken"].as_str().unwrap();
    let rest = api.cp.ok("ListPipelineExecutions", json!({ "pipelineName": "app", "nextToken": token })).await;
    assert_eq!(rest["pipelineExecutionSummaries"][0]["pipelineExecutionId"], first.as_str());
    assert!(rest.get("nextToken").is_none());
    let filtered = json!({ "pipelineName": "app", "filter": { "succeededInStage": { "stageName": "Approve" } } });
    let succeeded = api.cp.ok("ListPipelineExecutions", filtered).await;
    assert_eq!(succeeded["pipelineExecutionSummaries"].as_array().unwrap().len(), 1);

    // Every action run, newest first, with what it was configured with.
    let details = api.action_executions(&first).await;
    assert_eq!(statuses(&details), ["Ship=Succeeded", "Gate=Succeeded", "Compile=Succeeded", "Src=Succeeded"]);
    let src = &details[3];
    assert_eq!(src["stageName"], "Source");
    assert_eq!(src["pipelineVersion"], 1);
    assert_eq!(src["input"]["configuration"], json!({ "BranchName": "#{variables.BRANCH}", "RepositoryName": "app" }));
    assert_eq!(src["input"]["resolvedConfiguration"], json!({ "BranchName": "main", "RepositoryName": "app" }));
    assert_eq!(src["input"]["namespace"], "SourceVariables");
    assert_eq!(src["input"]["region"], "us-east-1");
    assert_eq!(src["input"]["roleArn"], "arn:aws:iam::123456789012:role/sluice");
    assert_eq!(src["output"]["outputArtifacts"][0]["name"], "SourceOut");
    assert_eq!(src["output"]["executionResult"]["externalExecutionId"], api.head.as_str());
    assert_eq!(src["output"]["outputVariables"]["CommitId"], api.head.as_str());
    let compile = &details[2];
    assert_eq!(compile["input"]["inputArtifacts"][0]["name"], "SourceOut");
    assert!(compile["input"]["inputArtifacts"][0]["s3location"]["key"].as_str().unwrap().starts_with("app/"));
    assert_eq!(compile["output"]["outputVariables"]["VERSION"], format!("v-{}", &api.head[..7]));
    assert_eq!(details[1]["updatedBy"], admin_arn().as_str());
    let rejected = api.action_executions(&second).await;
    assert_eq!(statuses(&rejected), ["Gate=Failed", "Compile=Succeeded", "Src=Succeeded"]);
    assert_eq!(rejected[0]["output"]["executionResult"]["errorDetails"]["code"], "JobFailed");

    // Unfiltered, in pages: the same seven runs.
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = json!({ "pipelineName": "app", "maxResults": 3 });
        if let Some(token) = &token {
            params["nextToken"] = json!(token);
        }
        let page = api.cp.ok("ListActionExecutions", params).await;
        paged.extend(page["actionExecutionDetails"].as_array().unwrap().iter().cloned());
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    let whole: Vec<Value> = rejected.iter().chain(&details).cloned().collect();
    assert_eq!(paged, whole);
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_stage_is_retried_and_executions_are_stopped() {
    let Some((mut api, first)) = Api::with_pipeline(json!([])).await else { return };
    api.approval_token(&first).await; // holds the Approve stage from now on

    // The build fails until the marker exists; a retry of its failed action passes.
    let marker = api.server.dir.path().join("marker");
    let failing = api.start(&format!("test -e {}", marker.display())).await;
    let failed = api.ended(&failing).await;
    assert_eq!(failed["status"], "Failed");
    let state = api.cp.ok("GetPipelineState", json!({ "name": "app" })).await;
    let build = stage(&state, "Build");
    assert_eq!(build["latestExecution"]["status"], "Failed");
    assert_eq!(build["latestExecution"]["pipelineExecutionId"], failing.as_str());
    assert_eq!(build["actionStates"][0]["latestExecution"]["errorDetails"]["code"], "JobFailed");
    std::fs::write(&marker, "").unwrap();
    let retry = json!({ "pipelineName": "app", "stageName": "Build", "pipelineExecutionId": failing,
                        "retryMode": "FAILED_ACTIONS" });
    let retried = api.cp.ok("RetryStageExecution", retry.clone()).await;
    assert_eq!(retried["pipelineExecutionId"], failing.as_str());
    // Through Build, it waits in front of Approve, which the first one holds.
    let held = |state: &Value| stage(state, "Approve")["inboundExecution"]["pipelineExecutionId"] == failing.as_str();
    api.until("GetPipelineState", json!({ "name": "app" }), "the retried execution at Approve", held).await;
    let details = api.action_executions(&failing).await;
    assert_eq!(statuses(&details), ["Compile=Succeeded", "Compile=Failed", "Src=Succeeded"]);
    assert_eq!(api.cp.error("RetryStageExecution", retry).await, "StageNotRetryableException");

    // Stop and abandon: the running build is abandoned at once.
    let slow = api.start("sleep 60").await;
    let running = |details: &Value| {
        details["actionExecutionDetails"].as_array().unwrap().iter().any(|d| d["actionName"] == "Compile")
    };
    let params = json!({ "pipelineName": "app", "filter": { "pipelineExecutionId": slow } });
    api.until("ListActionExecutions", params, "the slow build runs", running).await;
    let stop = json!({ "pipelineName": "app", "pipelineExecutionId": slow, "abandon": true, "reason": "Not needed" });
    let stopped = api.cp.ok("StopPipelineExecution", stop.clone()).await;
    assert_eq!(stopped["pipelineExecutionId"], slow.as_str());
    let execution = api.ended(&slow).await;
    assert_eq!(execution["status"], "Stopped");
    assert_eq!(execution["statusSummary"], "Not needed");
    let details = api.action_executions(&slow).await;
    assert_eq!(statuses(&details), ["Compile=Abandoned", "Src=Succeeded"]);
    assert_eq!(details[0]["updatedBy"], admin_arn().as_str());
    let list = api.cp.ok("ListPipelineExecutions", json!({ "pipelineName": "app", "maxResults": 1 })).await;
    assert_eq!(list["pipelineExecutionSummaries"][0]["stopTrigger"], json!({ "reason": "Not needed" }));
    assert_eq!(api.cp.error("StopPipelineExecution", stop).await, "PipelineExecutionNotStoppableException");

    // A waiting execution stops where it waits; stopped, it is history.
    let stop = json!({ "pipelineName": "app", "pipelineExecutionId": failing });
    api.cp.ok("StopPipelineExecution", stop.clone()).await;
    assert_eq!(api.ended(&failing).await["status"], "Stopped");
    let state = api.cp.ok("GetPipelineState", json!({ "name": "app" })).await;
    assert!(stage(&state, "Approve").get("inboundExecution").is_none());
    assert_eq!(api.cp.error("StopPipelineExecution", stop).await, "PipelineExecutionNotStoppableException");
    let unknown = json!({ "pipelineName": "app", "pipelineExecutionId": "00000000-0000-4000-8000-000000000000" });
    assert_eq!(api.cp.error("StopPipelineExecution", unknown).await, "PipelineExecutionNotFoundException");
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_transition_holds_executions_and_a_stage_rolls_back() {
    let Some((mut api, first)) = Api::with_pipeline(json!([])).await else { return };
    let token = api.approval_token(&first).await;
    api.decide(&token, "Approved").await;
    assert_eq!(api.ended(&first).await["status"], "Succeeded");

    // Deploy rolled back to what the first execution deployed.
    let rollback = json!({ "pipelineName": "app", "stageName": "Deploy", "targetPipelineExecutionId": first });
    let rolled = api.cp.ok("RollbackStage", rollback).await["pipelineExecutionId"].as_str().unwrap().to_owned();
    let execution = api.ended(&rolled).await;
    assert_eq!(execution["status"], "Succeeded");
    assert_eq!(execution["executionType"], "ROLLBACK");
    assert_eq!(execution["rollbackMetadata"], json!({ "rollbackTargetPipelineExecutionId": first }));
    assert_eq!(execution["trigger"]["triggerType"], "ManualRollback");
    let source = json!({ "pipelineName": "app", "stageName": "Source", "targetPipelineExecutionId": first });
    assert_eq!(api.cp.error("RollbackStage", source).await, "UnableToRollbackStageException");

    // Build's outbound transition is Approve's inbound one.
    let disable = json!({ "pipelineName": "app", "stageName": "Build", "transitionType": "Outbound",
                          "reason": "Release freeze (ask ops)" });
    api.cp.ok("DisableStageTransition", disable).await;
    let state = api.cp.ok("GetPipelineState", json!({ "name": "app" })).await;
    let gate = &stage(&state, "Approve")["inboundTransitionState"];
    assert_eq!(gate["enabled"], false);
    assert_eq!(gate["disabledReason"], "Release freeze (ask ops)");
    assert_eq!(gate["lastChangedBy"], admin_arn().as_str());
    assert!(gate["lastChangedAt"].is_string());
    assert_eq!(stage(&state, "Build")["inboundTransitionState"]["enabled"], true);

    let held = api.start("true").await;
    let waiting = |state: &Value| stage(state, "Approve")["inboundExecution"]["pipelineExecutionId"] == held.as_str();
    let state = api.until("GetPipelineState", json!({ "name": "app" }), "held in front of Approve", waiting).await;
    let approve = stage(&state, "Approve");
    assert_eq!(
        approve["inboundExecutions"],
        json!([{ "pipelineExecutionId": held, "status": "InProgress", "type": "STANDARD" }])
    );
    assert_eq!(approve["latestExecution"]["pipelineExecutionId"], first.as_str());
    assert_eq!(stage(&state, "Build")["latestExecution"]["pipelineExecutionId"], held.as_str());
    assert_eq!(stage(&state, "Deploy")["latestExecution"]["pipelineExecutionId"], rolled.as_str());
    assert_eq!(stage(&state, "Deploy")["latestExecution"]["type"], "ROLLBACK");

    let enable = json!({ "pipelineName": "app", "stageName": "Approve", "transitionType": "Inbound" });
    api.cp.ok("EnableStageTransition", enable).await;
    api.approval_token(&held).await;
    let state = api.cp.ok("GetPipelineState", json!({ "name": "app" })).await;
    assert!(stage(&state, "Approve").get("inboundExecution").is_none());
    assert_eq!(stage(&state, "Approve")["inboundTransitionState"]["enabled"], true);

    let last = json!({ "pipelineName": "app", "stageName": "Deploy", "transitionType": "Outbound", "reason": "x" });
    assert_eq!(api.cp.error("DisableStageTransition", last).await, "ValidationException");
    let unknown = json!({ "pipelineName": "app", "stageName": "Nope", "transitionType": "Inbound" });
    assert_eq!(api.cp.error("EnableStageTransition", unknown).await, "StageNotFoundException");
    let bad = json!({ "pipelineName": "app", "stageName": "Build", "transitionType": "Inbound", "reason": "a;b" });
    assert_eq!(api.cp.error("DisableStageTransition", bad).await, "ValidationException");
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_types_tags_and_errors() {
    let Some((mut api, first)) = Api::with_pipeline(json!([{ "key": "team", "value": "core" }])).await else { return };

    let types = api.cp.ok("ListActionTypes", json!({})).await;
    let types = types["actionTypes"].as_array().unwrap();
    let manual = types.iter().find(|t| t["id"]["provider"] == "Manual").unwrap();
    assert_eq!(manual["id"], json!({ "category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1" }));
    assert_eq!(manual["inputArtifactDetails"], json!({ "minimumCount": 0, "maximumCount": 0 }));
    let codecommit = types.iter().find(|t| t["id"]["provider"] == "CodeCommit").unwrap();
    let names: Vec<&str> = codecommit["actionConfigurationProperties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["RepositoryName", "BranchName", "PollForSourceChanges", "OutputArtifactFormat"]);
    assert!(types.iter().any(|t| t["id"]["provider"] == "Commands"));
    let custom = api.cp.ok("ListActionTypes", json!({ "actionOwnerFilter": "Custom" })).await;
    assert_eq!(custom["actionTypes"], json!([]));

    // Tags, by the pipeline's ARN.
    let arn = format!("arn:aws:codepipeline:us-east-1:{}:app", Server::ACCOUNT_ID);
    assert_eq!(api.tags(&arn).await, json!([{ "key": "team", "value": "core" }]));
    let tag = json!({
        "resourceArn": arn,
        "tags": [{ "key": "env", "value": "prod" }, { "key": "team", "value": "platform" }],
    });
    api.cp.ok("TagResource", tag).await;
    assert_eq!(
        api.tags(&arn).await,
        json!([{ "key": "env", "value": "prod" }, { "key": "team", "value": "platform" }])
    );
    api.cp.ok("UntagResource", json!({ "resourceArn": arn, "tagKeys": ["env", "absent"] })).await;
    assert_eq!(api.tags(&arn).await, json!([{ "key": "team", "value": "platform" }]));
    let reserved = json!({ "resourceArn": arn, "tags": [{ "key": "aws:owner", "value": "x" }] });
    assert_eq!(api.cp.error("TagResource", reserved).await, "InvalidTagsException");
    let missing_arn = format!("arn:aws:codepipeline:us-east-1:{}:missing", Server::ACCOUNT_ID);
    assert_eq!(
        api.cp.error("ListTagsForResource", json!({ "resourceArn": missing_arn })).await,
        "ResourceNotFoundException"
    );
    assert_eq!(api.cp.error("ListTagsForResource", json!({ "resourceArn": "app" })).await, "InvalidArnException");

    // The service model's exception names.
    let missing = "00000000-0000-4000-8000-000000000000";
    let cases = [
        ("GetPipelineState", json!({ "name": "missing" }), "PipelineNotFoundException"),
        (
            "GetPipelineExecution",
            json!({ "pipelineName": "missing", "pipelineExecutionId": first }),
            "PipelineNotFoundException",
        ),
        (
            "GetPipelineExecution",
            json!({ "pipelineName": "app", "pipelineExecutionId": missing }),
            "PipelineExecutionNotFoundException",
        ),
        ("ListPipelineExecutions", json!({ "pipelineName": "missing" }), "PipelineNotFoundException"),
        (
            "ListPipelineExecutions",
            json!({ "pipelineName": "app", "nextToken": "garbage" }),
            "InvalidNextTokenException",
        ),
        ("ListActionExecutions", json!({ "pipelineName": "app", "nextToken": "garbage" }), "InvalidNextTokenException"),
        (
            "ListActionExecutions",
            json!({ "pipelineName": "app", "filter": { "pipelineExecutionId": missing } }),
            "PipelineExecutionNotFoundException",
        ),
        ("StartPipelineExecution", json!({ "name": "missing" }), "PipelineNotFoundException"),
        (
            "StartPipelineExecution",
            json!({ "name": "app", "variables": [{ "name": "NOPE", "value": "1" }] }),
            "ValidationException",
        ),
        (
            "StartPipelineExecution",
            json!({ "name": "app", "sourceRevisions": [
                { "actionName": "Ship", "revisionType": "COMMIT_ID", "revisionValue": "abc" },
            ] }),
            "ValidationException",
        ),
        (
            "RetryStageExecution",
            json!({ "pipelineName": "app", "stageName": "Build", "pipelineExecutionId": missing,
                    "retryMode": "FAILED_ACTIONS" }),
            "PipelineExecutionNotFoundException",
        ),
        (
            "RetryStageExecution",
            json!({ "pipelineName": "app", "stageName": "Build", "pipelineExecutionId": first,
                    "retryMode": "SOMETIMES" }),
            "ValidationException",
        ),
        (
            "RollbackStage",
            json!({ "pipelineName": "app", "stageName": "Deploy", "targetPipelineExecutionId": missing }),
            "PipelineExecutionNotFoundException",
        ),
        (
            "PutApprovalResult",
            json!({ "pipelineName": "app", "stageName": "Approve", "actionName": "Gate", "token": missing,
                    "result": { "summary": "", "status": "Approved" } }),
            "InvalidApprovalTokenException",
        ),
        (
            "PutApprovalResult",
            json!({ "pipelineName": "app", "stageName": "Nope", "actionName": "Gate", "token": missing,
                    "result": { "summary": "", "status": "Approved" } }),
            "StageNotFoundException",
        ),
        ("ListActionTypes", json!({ "actionOwnerFilter": "Nobody" }), "ValidationException"),
    ];
    for (operation, params, expected) in cases {
        assert_eq!(api.cp.error(operation, params.clone()).await, expected, "{operation} {params}");
    }

    // Permissions come first: a viewer reads, an approver approves, only an
    // operator (or admin) runs executions.
    let viewer = api.server.add_user("viewer", "viewer").await;
    let mut as_viewer = Botocore::start_as(&api.server, "codepipeline", &viewer).await;
    as_viewer.ok("GetPipelineState", json!({ "name": "app" })).await;
    let approval = json!({ "pipelineName": "app", "stageName": "Approve", "actionName": "Gate", "token": missing,
                           "result": { "summary": "", "status": "Approved" } });
    assert_eq!(as_viewer.error("PutApprovalResult", approval.clone()).await, "AccessDeniedException");
    assert_eq!(as_viewer.error("StartPipelineExecution", json!({ "name": "missing" })).await, "AccessDeniedException");
    let approver = api.server.add_user("approver", "approver").await;
    let mut as_approver = Botocore::start_as(&api.server, "codepipeline", &approver).await;
    assert_eq!(as_approver.error("PutApprovalResult", approval).await, "InvalidApprovalTokenException");
    let stop = json!({ "pipelineName": "app", "pipelineExecutionId": first });
    assert_eq!(as_approver.error("StopPipelineExecution", stop).await, "AccessDeniedException");
    let untag = json!({ "resourceArn": arn, "tagKeys": ["team"] });
    assert_eq!(as_approver.error("UntagResource", untag).await, "AccessDeniedException");

    // A start naming the source revision fetches that commit.
    let pinned = json!({ "name": "app", "sourceRevisions": [
        { "actionName": "Src", "revisionType": "COMMIT_ID", "revisionValue": api.head },
    ] });
    let id = api.cp.ok("StartPipelineExecution", pinned).await["pipelineExecutionId"].as_str().unwrap().to_owned();
    let fetched = |details: &Value| {
        details["actionExecutionDetails"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["actionName"] == "Src" && d["status"] == "Succeeded")
    };
    let params = json!({ "pipelineName": "app", "filter": { "pipelineExecutionId": id } });
    api.until("ListActionExecutions", params, "the pinned source is fetched", fetched).await;
    let execution = api.execution(&id).await;
    assert_eq!(execution["artifactRevisions"][0]["revisionId"], api.head.as_str());
    api.stop().await;
}
