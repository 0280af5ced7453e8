//! Real builds end to end, as a user of AWS CodePipeline and CodeBuild sets them up: projects made
//! with `aws codebuild`, a pipeline whose Build and Test actions run buildspecs, a Deploy/S3
//! action writing the built files into a directory — all run by a separate `sluice agent`
//! process, started by a `git push`.

use crate::agents::Agent;
use crate::support::{Git, Server};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(90);

/// The repository's buildspec: builds `dist/` from the source and exports a variable.
const BUILDSPEC: &str = "version: 0.2
env:
  exported-variables: [PAGE_BYTES]
phases:
  install:
    runtime-versions:
      nodejs: 20
    commands:
      - echo installing
  build:
    commands:
      - mkdir -p dist/css
      - tr a-z A-Z < app.txt > dist/index.html
      - echo 'body {}' > dist/css/site.css
      - export PAGE_BYTES=$(wc -c < dist/index.html | tr -d ' ')
artifacts:
  base-directory: dist
  files:
    - '**/*'
";

/// The test project's inline buildspec: checks the built page, writes a JUnit report.
const TEST_BUILDSPEC: &str = r#"version: 0.2
phases:
  build:
    commands:
      - grep -q HELLO index.html
      - mkdir -p reports
      - printf '<testsuite name="site" tests="2"><testcase classname="site" name="has an index" time="0.010"/><testcase classname="site" name="is shouting" time="0.020"/></testsuite>' > reports/junit.xml
reports:
  site:
    files: [reports/junit.xml]
    file-format: JUNITXML
"#;

fn project(name: &str, buildspec: Option<&str>) -> Value {
    let mut source = json!({"type": "CODEPIPELINE"});
    if let Some(buildspec) = buildspec {
        source["buildspec"] = json!(buildspec);
    }
    json!({
        "name": name,
        "source": source,
        "artifacts": {"type": "CODEPIPELINE"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": "arn:aws:iam::123456789012:role/codebuild",
    })
}

fn codebuild_action(category: &str, name: &str, project: &str, input: &str, output: Option<&str>) -> Value {
    let mut action = json!({
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": project},
        "inputArtifacts": [{"name": input}],
    });
    if let Some(output) = output {
        action["outputArtifacts"] = json!([{"name": output}]);
        action["namespace"] = json!("BuildVariables");
    }
    action
}

fn pipeline() -> Value {
    json!({"pipeline": {
        "name": "site",
        "roleArn": "arn:aws:iam::123456789012:role/sluice",
        "pipelineType": "V2",
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"RepositoryName": "site", "BranchName": "main"},
                "outputArtifacts": [{"name": "SourceOutput"}],
            }]},
            {"name": "Build", "actions": [codebuild_action("Build", "Build", "site-build", "SourceOutput", Some("BuildOutput"))]},
            {"name": "Test", "actions": [codebuild_action("Test", "Test", "site-test", "BuildOutput", None)]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy",
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"BucketName": "www", "Extract": "true"},
                "inputArtifacts": [{"name": "BuildOutput"}],
            }]},
        ],
    }})
}

fn status_of(server: &Server, commit: &str) -> Option<(String, String)> {
    let listed = server.aws(&["codepipeline", "list-pipeline-executions", "--pipeline-name", "site"]).json();
    listed["pipelineExecutionSummaries"].as_array()?.iter().find_map(|e| {
        (e["sourceRevisions"][0]["revisionId"] == commit)
            .then(|| (e["pipelineExecutionId"].as_str().unwrap().to_owned(), e["status"].as_str().unwrap().to_owned()))
    })
}

/// The one build of `project`, as `batch-get-builds` shows it.
fn only_build(server: &Server, project: &str) -> Value {
    let ids = server.aws(&["codebuild", "list-builds-for-project", "--project-name", project]).json();
    let ids: Vec<&str> = ids["ids"].as_array().unwrap().iter().map(|id| id.as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let builds = server.aws(&["codebuild", "batch-get-builds", "--ids", ids[0]]).json();
    builds["builds"][0].clone()
}

fn phases(build: &Value) -> Vec<(String, String)> {
    build["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["phaseType"].as_str().unwrap().to_owned(), p["phaseStatus"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[test]
fn a_push_builds_tests_and_deploys_on_a_remote_agent() {
    let server = Server::start_with_args(|_| {}, &["--executor-slots", "0"]);
    let www = tempfile::tempdir().unwrap();
    let bucket = format!("www={}", www.path().display());
    let agent = Agent::start_with(&server, "builder", "linux", &["--deploy-bucket", &bucket]);

    server.aws(&["codecommit", "create-repository", "--repository-name", "site"]).json();
    let build_project = server.file("build.json", &project("site-build", None).to_string());
    server.aws(&["codebuild", "create-project", "--cli-input-json", &format!("file://{build_project}")]).json();
    let test_project = server.file("test.json", &project("site-test", Some(TEST_BUILDSPEC)).to_string());
    server.aws(&["codebuild", "create-project", "--cli-input-json", &format!("file://{test_project}")]).json();
    let definition = server.file("site.json", &pipeline().to_string());
    server.aws(&["codepipeline", "create-pipeline", "--cli-input-json", &format!("file://{definition}")]).json();

    let git = Git::new();
    let work = git.clone(&server.clone_url("site"), "site");
    std::fs::write(work.join("buildspec.yml"), BUILDSPEC).unwrap();
    let commit = git.commit(&work, "app.txt", "hello from git\n", "The site");
    git.ok(&work, &["push", "-q", "origin", "HEAD:main"]);

    let deadline = Instant::now() + WITHIN;
    let id = loop {
        match status_of(&server, &commit) {
            Some((id, status)) if status == "Succeeded" => break id,
            Some((_, status)) if status != "InProgress" => {
                let state = server.aws(&["codepipeline", "get-pipeline-state", "--name", "site"]).stdout;
                panic!("the execution ended {status}\nstate: {state}\nagent log:\n{}", agent.log());
            }
            _ => {}
        }
        assert!(Instant::now() < deadline, "no success within {WITHIN:?}; agent log:\n{}", agent.log());
        std::thread::sleep(Duration::from_millis(200));
    };

    // The deployed files are the built ones.
    assert_eq!(std::fs::read_to_string(www.path().join("index.html")).unwrap(), "HELLO FROM GIT\n");
    assert_eq!(std::fs::read_to_string(www.path().join("css/site.css")).unwrap(), "body {}\n");
    assert!(!www.path().join("buildspec.yml").exists(), "only the artifact's files are deployed");

    // The builds, as `aws codebuild` shows them.
    let build = only_build(&server, "site-build");
    assert_eq!(build["buildStatus"], "SUCCEEDED", "{build}");
    assert_eq!(build["initiator"], "codepipeline/site", "{build}");
    let phases = phases(&build);
    for phase in ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "BUILD", "UPLOAD_ARTIFACTS"] {
        let found = phases.iter().find(|(name, _)| name == phase);
        assert_eq!(found.map(|(_, s)| s.as_str()), Some("SUCCEEDED"), "{phase} in {phases:?}");
    }
    assert_eq!(phases.last().map(|(name, _)| name.as_str()), Some("COMPLETED"), "{phases:?}");
    assert_eq!(build["exportedEnvironmentVariables"], json!([{"name": "PAGE_BYTES", "value": "15"}]), "{build}");

    // The action points at its build, and its output variables are the exported ones.
    let details = server
        .aws(&[
            "codepipeline",
            "list-action-executions",
            "--pipeline-name",
            "site",
            "--filter",
            &format!("pipelineExecutionId={id}"),
        ])
        .json();
    let build_action = details["actionExecutionDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["actionName"] == "Build")
        .cloned()
        .unwrap();
    assert_eq!(build_action["output"]["executionResult"]["externalExecutionId"], build["id"], "{build_action}");
    assert_eq!(build_action["output"]["outputVariables"]["PAGE_BYTES"], "15", "{build_action}");

    let test = only_build(&server, "site-test");
    assert_eq!(test["buildStatus"], "SUCCEEDED", "{test}");
    let report_arn = test["reportArns"][0].as_str().expect("the test build has a report").to_owned();
    let reports = server.aws(&["codebuild", "batch-get-reports", "--report-arns", &report_arn]).json();
    let report = &reports["reports"][0];
    assert_eq!(report["status"], "SUCCEEDED", "{report}");
    assert_eq!(report["testSummary"]["total"], 2, "{report}");
    let cases = server.aws(&["codebuild", "describe-test-cases", "--report-arn", &report_arn]).json();
    let names: Vec<&str> = cases["testCases"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["has an index", "is shouting"]);
    let groups = server.aws(&["codebuild", "list-report-groups"]).json();
    assert_eq!(groups["reportGroups"], json!([report["reportGroupArn"]]));
    drop(agent);
}
