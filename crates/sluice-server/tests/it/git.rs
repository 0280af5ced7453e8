//! Hosted git end to end: the real server in process, repositories made
//! with boto3, cloned and pushed with the real `git` over HTTP, pipelines
//! started by pushes.

use crate::support::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A git client with a home of its own: no user or system configuration,
/// no credential helper, no prompt.
struct Client {
    home: tempfile::TempDir,
}

impl Client {
    fn new() -> Client {
        Client { home: tempfile::tempdir().expect("temp dir") }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    async fn run(&self, dir: &Path, args: &[&str]) -> Output {
        tokio::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("LANG", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .output()
            .await
            .expect("git runs")
    }

    async fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args).await;
        assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    async fn fails(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args).await;
        assert!(!out.status.success(), "git {args:?} should have failed");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Writes `file`, commits it and returns the new commit.
    async fn commit(&self, work: &Path, file: &str, text: &str, message: &str) -> String {
        std::fs::write(work.join(file), text).unwrap();
        self.ok(work, &["add", "."]).await;
        self.ok(work, &["commit", "-q", "-m", message]).await;
        self.ok(work, &["rev-parse", "HEAD"]).await
    }
}

/// `http://<id>:<secret>@host/git/<repository>`, the secret URL-encoded.
fn clone_url(server: &Server, key: &(String, String), repository: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!("http://{}:{}@{}/git/{repository}", encode(&key.0), encode(&key.1), server.address)
}

/// A raw HTTP/1.1 GET: (status, the response's headers and body).
async fn raw_get(server: &Server, path: &str, authorization: Option<&str>) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(server.address).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", server.address);
    if let Some(authorization) = authorization {
        request.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    (status, response)
}

fn pipeline(name: &str, branch: &str) -> Value {
    json!({
        "name": name,
        "roleArn": "arn:aws:iam::123456789012:role/sluice",
        "pipelineType": "V2",
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source",
                "namespace": "SourceVariables",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"RepositoryName": "app", "BranchName": branch},
                "outputArtifacts": [{"name": "SourceOutput"}]
            }]},
            {"name": "Build", "actions": [{
                "name": "Build",
                "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
                "commands": ["grep -q hello app.txt", "export BUILT=#{SourceVariables.CommitId}"],
                "outputVariables": ["BUILT"],
                "inputArtifacts": [{"name": "SourceOutput"}]
            }]}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_starts_the_pipelines_that_follow_the_branch_at_once() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let admin = server.admin.clone();
    let created = boto3_call(
        &server,
        &admin,
        "codecommit",
        "CreateRepository",
        json!({"repositoryName": "app", "repositoryDescription": "the app", "tags": {"team": "ci"}}),
    )
    .await
    .unwrap();
    let metadata = &created["repositoryMetadata"];
    assert_eq!(metadata["repositoryName"], "app");
    assert_eq!(metadata["repositoryDescription"], "the app");
    assert_eq!(metadata["accountId"], Server::ACCOUNT_ID);
    assert_eq!(metadata["Arn"], format!("arn:aws:codecommit:us-east-1:{}:app", Server::ACCOUNT_ID));
    assert_eq!(metadata["cloneUrlHttp"], format!("http://{}/git/app", server.address));
    assert!(metadata.get("defaultBranch").is_none(), "{metadata}");
    let id = metadata["repositoryId"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).map(|u| u.to_string()), Ok(id.clone()));

    // Clone the empty repository, commit, push.
    let client = Client::new();
    let work = client.path("app");
    client.ok(client.home.path(), &["clone", "-q", &clone_url(&server, &admin, "app"), "app"]).await;
    let first = client.commit(&work, "app.txt", "hello\n", "First commit").await;
    client.ok(&work, &["push", "-q", "origin", "HEAD:main"]).await;

    let answers = boto3(
        &server,
        &admin,
        &[
            ("codecommit", "GetBranch", json!({"repositoryName": "app", "branchName": "main"})),
            ("codecommit", "GetRepository", json!({"repositoryName": "app"})),
            ("codepipeline", "CreatePipeline", json!({"pipeline": pipeline("release", "main")})),
            ("codepipeline", "CreatePipeline", json!({"pipeline": pipeline("feature", "feature")})),
        ],
    )
    .await;
    let answers: Vec<Value> = answers.into_iter().map(|a| a.expect("the call succeeds")).collect();
    assert_eq!(answers[0], json!({"branch": {"branchName": "main", "commitId": first}}));
    assert_eq!(answers[1]["repositoryMetadata"]["defaultBranch"], "main");
    assert_eq!(answers[1]["repositoryMetadata"]["repositoryId"], id.as_str());

    // Creating a pipeline runs it once; `feature` has no branch yet and fails.
    let store = server.store().await;
    let created_run = executions(&store, "release").await.remove(0);
    assert_eq!(created_run.trigger.trigger_type, "CreatePipeline");
    let created_run = finished_in(&store, &created_run.id, Duration::from_secs(30)).await;
    assert_eq!(created_run.status.as_str(), "Succeeded", "{:#?}", summary(&created_run));
    let feature_run = executions(&store, "feature").await.remove(0);
    assert_eq!(finished_in(&store, &feature_run.id, Duration::from_secs(30)).await.status.as_str(), "Failed");

    // A push to main: the execution exists as soon as the push returns.
    let second = client.commit(&work, "app.txt", "hello again\n", "Second commit").await;
    client.ok(&work, &["push", "-q", "origin", "HEAD:main"]).await;
    let runs = executions(&store, "release").await;
    assert_eq!(runs.len(), 2, "the push started one execution before it returned");
    let pushed = &runs[0];
    assert_eq!(pushed.trigger.trigger_type, "CloudWatchEvent");
    assert_eq!(pushed.trigger.trigger_detail, "git push by admin");
    assert_eq!(pushed.requested_revisions.get("Source"), Some(&second));
    let pushed = finished_in(&store, &pushed.id, Duration::from_secs(30)).await;
    assert_eq!(pushed.status.as_str(), "Succeeded", "{:#?}", summary(&pushed));
    assert_eq!(pushed.source_revisions[0].revision_id, second);
    assert_eq!(pushed.source_revisions[0].revision_summary.as_deref(), Some("Second commit"));
    assert_eq!(executions(&store, "feature").await.len(), 1, "a push to main does not start `feature`");

    // A new branch starts what follows it; deleting it starts nothing.
    client.ok(&work, &["push", "-q", "origin", "HEAD:feature"]).await;
    let feature_runs = executions(&store, "feature").await;
    assert_eq!(feature_runs.len(), 2);
    assert_eq!(feature_runs[0].requested_revisions.get("Source"), Some(&second));
    assert_eq!(finished_in(&store, &feature_runs[0].id, Duration::from_secs(30)).await.status.as_str(), "Succeeded");
    client.ok(&work, &["push", "-q", "origin", ":feature"]).await;
    assert_eq!(executions(&store, "feature").await.len(), 2, "a deleted branch starts nothing");
    assert_eq!(executions(&store, "release").await.len(), 2);

    // A push that changes nothing starts nothing; a fetch sees the pushes.
    client.ok(&work, &["push", "-q", "origin", "HEAD:main"]).await;
    assert_eq!(executions(&store, "release").await.len(), 2);
    let other = client.path("other");
    client.ok(client.home.path(), &["clone", "-q", &clone_url(&server, &admin, "app.git"), "other"]).await;
    assert_eq!(client.ok(&other, &["rev-parse", "HEAD"]).await, second);
    assert_eq!(first, client.ok(&other, &["rev-parse", "HEAD~1"]).await);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_needs_a_valid_key_and_pushing_needs_an_operator() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let admin = server.admin.clone();
    boto3_call(&server, &admin, "codecommit", "CreateRepository", json!({"repositoryName": "app"})).await.unwrap();
    let client = Client::new();
    let home = client.home.path().to_owned();
    client.ok(&home, &["clone", "-q", &clone_url(&server, &admin, "app"), "app"]).await;
    let work = client.path("app");
    let first = client.commit(&work, "app.txt", "hello\n", "First").await;
    client.ok(&work, &["push", "-q", "origin", "HEAD:main"]).await;

    // No credentials: 401 with a Basic challenge, so git asks for some.
    let (status, response) = raw_get(&server, "/git/app/info/refs?service=git-upload-pack", None).await;
    assert_eq!(status, 401);
    assert!(response.to_ascii_lowercase().contains("www-authenticate: basic realm=\"sluice\""), "{response}");
    let (status, _) = raw_get(&server, "/git/app/info/refs?service=git-upload-pack", Some("Basic !!")).await;
    assert_eq!(status, 401);

    // A wrong secret, an unknown key.
    let wrong = (admin.0.clone(), "not-the-secret".to_owned());
    let stderr = client.fails(&home, &["clone", "-q", &clone_url(&server, &wrong, "app"), "wrong"]).await;
    assert!(stderr.contains("Authentication failed"), "{stderr}");
    let unknown = ("AKIAUNKNOWN000000000".to_owned(), admin.1.clone());
    let stderr = client.fails(&home, &["clone", "-q", &clone_url(&server, &unknown, "app"), "unknown"]).await;
    assert!(stderr.contains("Authentication failed"), "{stderr}");

    // A viewer clones but cannot push, nor create repositories.
    let viewer = server.add_user("vera", "viewer").await;
    client.ok(&home, &["clone", "-q", &clone_url(&server, &viewer, "app"), "viewer"]).await;
    let viewer_work = client.path("viewer");
    client.commit(&viewer_work, "app.txt", "hello from a viewer\n", "Viewer").await;
    let stderr = client.fails(&viewer_work, &["push", "-q", "origin", "HEAD:main"]).await;
    assert!(stderr.contains("403"), "{stderr}");
    let denied =
        boto3_call(&server, &viewer, "codecommit", "CreateRepository", json!({"repositoryName": "mine"})).await;
    assert_eq!(denied.unwrap_err().0, "AccessDeniedException");
    let branch =
        boto3_call(&server, &viewer, "codecommit", "GetBranch", json!({"repositoryName": "app", "branchName": "main"}))
            .await
            .unwrap();
    assert_eq!(branch["branch"]["commitId"], first.as_str(), "the viewer's push changed nothing");

    // An operator pushes.
    let operator = server.add_user("otto", "operator").await;
    client.ok(&viewer_work, &["remote", "set-url", "origin", &clone_url(&server, &operator, "app")]).await;
    client.ok(&viewer_work, &["push", "-q", "origin", "HEAD:main"]).await;

    // A repository that does not exist: 404, after the credentials.
    let stderr = client.fails(&home, &["clone", "-q", &clone_url(&server, &admin, "missing"), "missing"]).await;
    assert!(stderr.contains("404") || stderr.contains("not found"), "{stderr}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codecommit_operations_answer_with_the_aws_shapes_and_errors() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let admin = server.admin.clone();
    let cc = |operation: &'static str, params: Value| ("codecommit", operation, params);
    let answers = boto3(
        &server,
        &admin,
        &[
            cc("CreateRepository", json!({"repositoryName": "b-repo"})),
            cc("CreateRepository", json!({"repositoryName": "a-repo"})),
            cc("CreateRepository", json!({"repositoryName": "a-repo"})),
            cc("CreateRepository", json!({"repositoryName": "app.git"})),
            cc("CreateRepository", json!({"repositoryName": "a/b"})),
            cc("CreateRepository", json!({"repositoryName": "x", "repositoryDescription": "d".repeat(1001)})),
            cc("CreateRepository", json!({"repositoryName": "x", "tags": {"aws:owner": "me"}})),
            cc("GetRepository", json!({"repositoryName": "missing"})),
            cc("GetBranch", json!({"repositoryName": "missing", "branchName": "main"})),
            cc("GetBranch", json!({"repositoryName": "a-repo", "branchName": "main"})),
            cc("ListRepositories", json!({})),
            cc("ListRepositories", json!({"order": "descending"})),
            cc("ListRepositories", json!({"sortBy": "size"})),
            cc("ListRepositories", json!({"order": "sideways"})),
            cc("ListRepositories", json!({"nextToken": "not-a-token"})),
            cc("DeleteRepository", json!({"repositoryName": "b-repo"})),
            cc("DeleteRepository", json!({"repositoryName": "b-repo"})),
            cc("GetRepository", json!({"repositoryName": "b-repo"})),
            cc("ListRepositories", json!({"sortBy": "lastModifiedDate"})),
        ],
    )
    .await;
    let error = |i: usize| answers[i].clone().expect_err("an error").0;
    let ok = |i: usize| answers[i].clone().expect("a success");
    let b_id = ok(0)["repositoryMetadata"]["repositoryId"].as_str().unwrap().to_owned();
    let a_id = ok(1)["repositoryMetadata"]["repositoryId"].as_str().unwrap().to_owned();
    assert_eq!(error(2), "RepositoryNameExistsException");
    assert_eq!(error(3), "InvalidRepositoryNameException");
    assert_eq!(error(4), "InvalidRepositoryNameException");
    assert_eq!(error(5), "InvalidRepositoryDescriptionException");
    assert_eq!(error(6), "InvalidSystemTagUsageException");
    assert_eq!(error(7), "RepositoryDoesNotExistException");
    assert_eq!(error(8), "RepositoryDoesNotExistException");
    assert_eq!(error(9), "BranchDoesNotExistException");
    let pair = |name: &str, id: &str| json!({"repositoryName": name, "repositoryId": id});
    assert_eq!(ok(10), json!({"repositories": [pair("a-repo", &a_id), pair("b-repo", &b_id)]}));
    assert_eq!(ok(11), json!({"repositories": [pair("b-repo", &b_id), pair("a-repo", &a_id)]}));
    assert_eq!(error(12), "InvalidSortByException");
    assert_eq!(error(13), "InvalidOrderException");
    assert_eq!(error(14), "InvalidContinuationTokenException");
    assert_eq!(ok(15), json!({"repositoryId": b_id}));
    assert_eq!(ok(16), json!({}), "deleting a missing repository succeeds without an id");
    assert_eq!(error(17), "RepositoryDoesNotExistException");
    assert_eq!(ok(18), json!({"repositories": [pair("a-repo", &a_id)]}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_chunked_pushes_and_gzipped_negotiations_work() {
    if !boto3_available() {
        return;
    }
    let server = Server::start().await;
    let admin = server.admin.clone();
    boto3_call(&server, &admin, "codecommit", "CreateRepository", json!({"repositoryName": "big"})).await.unwrap();
    let client = Client::new();
    let home = client.home.path().to_owned();
    client.ok(&home, &["clone", "-q", &clone_url(&server, &admin, "big"), "big"]).await;
    let work = client.path("big");
    // Above git's 1 MiB http.postBuffer: sent chunked, without a length.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..3_000_000)
        .map(|_| {
            // xorshift64: incompressible enough that the pack stays large.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    std::fs::write(work.join("noise.bin"), &noise).unwrap();
    let big = client.commit(&work, "app.txt", "hello\n", "Big").await;
    client.ok(&work, &["push", "-q", "origin", "HEAD:main"]).await;

    // A clone with many commits of its own sends a long, gzipped list of haves.
    let other = client.path("other");
    client.ok(&home, &["init", "-q", "-b", "local", other.to_str().unwrap()]).await;
    for i in 0..150 {
        client.commit(&other, "local.txt", &format!("{i}\n"), &format!("local {i}")).await;
    }
    client.ok(&other, &["fetch", "-q", &clone_url(&server, &admin, "big"), "main:fetched"]).await;
    assert_eq!(client.ok(&other, &["rev-parse", "fetched"]).await, big);
    assert_eq!(std::fs::read(other.join("noise.bin")).ok(), None);
    client.ok(&other, &["checkout", "-q", "fetched"]).await;
    assert_eq!(std::fs::read(other.join("noise.bin")).unwrap(), noise);
    server.stop().await;
}
