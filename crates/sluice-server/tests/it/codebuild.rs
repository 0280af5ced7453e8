//! The CodeBuild API through boto3: projects, and the errors its callers see.

use crate::support::*;
use serde_json::json;

fn project(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [echo hi]\n"},
        "artifacts": {"type": "CODEPIPELINE"},
        "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL",
            "environmentVariables": [{"name": "STAGE", "value": "test"}]},
        "serviceRole": "arn:aws:iam::123456789012:role/build",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_are_created_read_updated_listed_and_deleted() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let mut cb = Botocore::start(&server, "codebuild").await;

    let created = cb.ok("CreateProject", project("web")).await;
    assert_eq!(created["project"]["arn"], "arn:aws:codebuild:us-east-1:123456789012:project/web");
    assert_eq!(created["project"]["timeoutInMinutes"], 60);
    cb.ok("CreateProject", project("api")).await;
    let (code, message) = cb.call("CreateProject", project("web")).await.unwrap_err();
    assert_eq!(code, "ResourceAlreadyExistsException", "{message}");

    let updated = cb.ok("UpdateProject", json!({"name": "web", "timeoutInMinutes": 30})).await;
    assert_eq!(updated["project"]["timeoutInMinutes"], 30);
    assert_eq!(updated["project"]["environment"]["environmentVariables"][0]["name"], "STAGE");

    let got = cb.ok("BatchGetProjects", json!({"names": ["web", "nope"]})).await;
    assert_eq!(got["projects"][0]["name"], "web");
    assert_eq!(got["projectsNotFound"], json!(["nope"]));

    let listed = cb.ok("ListProjects", json!({"sortBy": "NAME", "sortOrder": "ASCENDING"})).await;
    assert_eq!(listed["projects"], json!(["api", "web"]));

    cb.ok("DeleteProject", json!({"name": "api"})).await;
    let listed = cb.ok("ListProjects", json!({})).await;
    assert_eq!(listed["projects"], json!(["web"]));

    let (code, _) = cb.call("UpdateProject", json!({"name": "api", "timeoutInMinutes": 30})).await.unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = cb.call("ListBuildsForProject", json!({"projectName": "api"})).await.unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");
    let builds = cb.ok("ListBuildsForProject", json!({"projectName": "web"})).await;
    assert_eq!(builds["ids"], json!([]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_sluice_cannot_build_is_refused_by_name() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let mut cb = Botocore::start(&server, "codebuild").await;
    let mut github = project("gh");
    github["source"] = json!({"type": "GITHUB", "location": "https://github.com/o/r"});
    let (code, message) = cb.call("CreateProject", github).await.unwrap_err();
    assert_eq!(code, "InvalidInputException");
    assert!(message.contains("source.type GITHUB is not supported"), "{message}");

    cb.ok("CreateProject", project("web")).await;
    let (code, message) = cb.call("StartBuild", json!({"projectName": "web"})).await.unwrap_err();
    assert_eq!(code, "InvalidInputException");
    assert!(message.contains("builds only inside a pipeline"), "{message}");
    let (code, _) = cb.call("StartBuild", json!({"projectName": "nope"})).await.unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");

    let viewer = server.add_user("vera", "viewer").await;
    let mut as_viewer = Botocore::start_as(&server, "codebuild", &viewer).await;
    let (code, _) = as_viewer.call("CreateProject", project("other")).await.unwrap_err();
    assert_eq!(code, "AccessDeniedException");
    as_viewer.ok("BatchGetProjects", json!({"names": ["web"]})).await;
    server.stop().await;
}

const BUILDSPEC: &str = r#"version: 0.2
env:
  variables:
    GREETING: hello
  exported-variables: [RESULT]
phases:
  install:
    runtime-versions:
      python: 3.12
    commands:
      - echo installing
  build:
    commands:
      - export RESULT="$GREETING from build $CODEBUILD_BUILD_NUMBER"
      - mkdir -p reports
      - printf '<testsuite name="unit" tests="2" failures="1"><testcase classname="unit" name="adds" time="0.5"/><testcase classname="unit" name="divides" time="0.25"><failure message="by zero">boom</failure></testcase></testsuite>' > reports/unit.xml
reports:
  unit:
    files: [reports/unit.xml]
    file-format: JUNITXML
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_build_runs_a_buildspec_and_keeps_its_phases_and_test_report() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let mut cb = Botocore::start(&server, "codebuild").await;
    let mut input = project("standalone");
    input["source"] = json!({"type": "NO_SOURCE", "buildspec": BUILDSPEC});
    input["artifacts"] = json!({"type": "NO_ARTIFACTS"});
    cb.ok("CreateProject", input).await;

    let started = cb.ok("StartBuild", json!({"projectName": "standalone"})).await;
    let id = started["build"]["id"].as_str().unwrap().to_owned();
    assert_eq!(started["build"]["buildNumber"], 1);
    assert_eq!(started["build"]["buildStatus"], "IN_PROGRESS");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let build = loop {
        let got = cb.ok("BatchGetBuilds", json!({"ids": [id]})).await;
        let build = got["builds"][0].clone();
        if build["buildComplete"] == true {
            break build;
        }
        assert!(std::time::Instant::now() < deadline, "the build did not finish: {build}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(build["buildStatus"], "SUCCEEDED", "{build}");
    let phases: Vec<(String, String)> = build["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["phaseType"].as_str().unwrap().to_owned(), p["phaseStatus"].as_str().unwrap_or("").to_owned()))
        .collect();
    let names: Vec<&str> = phases.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names.first(), Some(&"SUBMITTED"), "{phases:?}");
    assert!(names.contains(&"INSTALL") && names.contains(&"BUILD"), "{phases:?}");
    assert_eq!(names.last(), Some(&"COMPLETED"), "{phases:?}");
    assert!(phases.iter().filter(|(n, _)| n != "COMPLETED").all(|(_, s)| s == "SUCCEEDED"), "{phases:?}");
    assert_eq!(build["exportedEnvironmentVariables"], json!([{"name": "RESULT", "value": "hello from build 1"}]));

    let report_arn = build["reportArns"][0].as_str().expect("a report").to_owned();
    let reports = cb.ok("BatchGetReports", json!({"reportArns": [report_arn]})).await;
    let report = &reports["reports"][0];
    assert_eq!(report["status"], "FAILED", "a failing case fails the report, not the build: {report}");
    assert_eq!(report["testSummary"]["total"], 2);
    assert_eq!(report["testSummary"]["statusCounts"]["FAILED"], 1);
    let cases = cb.ok("DescribeTestCases", json!({"reportArn": report_arn, "filter": {"status": "FAILED"}})).await;
    assert_eq!(cases["testCases"].as_array().unwrap().len(), 1, "{cases}");
    assert_eq!(cases["testCases"][0]["name"], "divides");
    let groups = cb.ok("ListReportGroups", json!({})).await;
    assert_eq!(groups["reportGroups"], json!([report["reportGroupArn"]]));

    let listed = cb.ok("ListBuildsForProject", json!({"projectName": "standalone"})).await;
    assert_eq!(listed["ids"], json!([id]));
    let second = cb.ok("StartBuild", json!({"projectName": "standalone"})).await;
    assert_eq!(second["build"]["buildNumber"], 2);
    let stopped = cb.ok("StopBuild", json!({"id": second["build"]["id"]})).await;
    assert_eq!(stopped["build"]["id"], second["build"]["id"]);
    server.stop().await;
}
