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
