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
        host_repository(dir.path());
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
        head_of(&self.dir.path().join("checkout"))
    }
}

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git").args(args).current_dir(dir).env_remove("GIT_DIR").status().expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// Hosts the repository `app` under `<data_dir>/repos`, with one commit
/// made in `<data_dir>/checkout`; returns the commit id.
pub fn host_repository(data_dir: &Path) -> String {
    let repos = data_dir.join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(&repos, &["init", "--bare", "-q", "-b", "main", "app.git"]);
    let work = data_dir.join("checkout");
    git(data_dir, &["clone", "-q", repos.join("app.git").to_str().unwrap(), "checkout"]);
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
    head_of(&work)
}

fn head_of(work: &Path) -> String {
    let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(work).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
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

/// A whole `sluice server` in process, on a free port, with a fresh data
/// directory and a known admin key.
pub struct Server {
    pub dir: tempfile::TempDir,
    pub address: std::net::SocketAddr,
    /// The admin key (its secret has `/`, `+` and `=`, as generated ones may).
    pub admin: (String, String),
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), sluice_server::server::ServerError>>>,
}

impl Server {
    pub const ACCOUNT_ID: &str = "123456789012";

    pub async fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let admin = ("AKIATESTADMIN0000001".to_owned(), "s3cret/with+signs=AbCdEfGhIjKlMnOpQrStUv".to_owned());
        let options = sluice_server::server::ServerOptions {
            listen: "127.0.0.1:0".into(),
            data_dir: dir.path().join("data"),
            database_url: None,
            admin_key: Some(admin.clone()),
            account_id: Self::ACCOUNT_ID.into(),
            artifact_store: None,
            deploy_buckets: Vec::new(),
            executor_slots: 8,
            agent_lost_after: std::time::Duration::from_secs(30),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (bound, address) = tokio::sync::oneshot::channel();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(sluice_server::server::run(options, shutdown, move |started| {
            let _ = bound.send(started.address);
        }));
        let Ok(address) = address.await else {
            panic!("the server did not start: {:?}", task.await);
        };
        Server { dir, address, admin, stop: Some(stop), task: Some(task) }
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A second connection to the server's database, to look at what it
    /// stored or to add users and keys.
    pub async fn store(&self) -> sluice_store::Store {
        let url = format!("sqlite://{}?mode=rwc", self.data_dir().join("sluice.db").display());
        sluice_store::Store::connect(&url).await.expect("the server's database opens")
    }

    /// A user with `role` and an access key: (key id, secret).
    pub async fn add_user(&self, name: &str, role: &str) -> (String, String) {
        let store = self.store().await;
        store.create_user(name, role, 0).await.unwrap();
        let key = (format!("AKIA{:0>16}", name.to_uppercase()), format!("{name}-secret/+=0123456789"));
        store.create_access_key(name, &key.0, &key.1, 0).await.unwrap();
        key
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server task").expect("the server stopped cleanly");
        }
    }
}

/// The Python interpreter for boto3 (`SLUICE_TEST_PYTHON`, else `python3`).
pub fn python() -> String {
    std::env::var("SLUICE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether boto3 can be imported; tests that drive sluice with it say so
/// and pass when it cannot.
pub fn boto3_available() -> bool {
    let available = Command::new(python()).args(["-c", "import boto3"]).output().is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("note: `{} -c 'import boto3'` failed: skipping (pip install boto3)", python());
    }
    available
}

/// Reads `{endpoint, key, secret, calls: [{service, operation, params}]}`
/// on stdin and prints one `{"ok": output}` or `{"error": {code, message}}`
/// per call, in a JSON array.
const BOTO3_CALLS: &str = r#"
import json, sys
import boto3, botocore.config
from botocore import xform_name
from botocore.exceptions import ClientError
request = json.load(sys.stdin)
clients = {}
results = []
for call in request["calls"]:
    service = call["service"]
    if service not in clients:
        clients[service] = boto3.client(
            service, endpoint_url=request["endpoint"], region_name="us-east-1",
            aws_access_key_id=request["key"], aws_secret_access_key=request["secret"],
            config=botocore.config.Config(retries={"max_attempts": 1}))
    try:
        out = getattr(clients[service], xform_name(call["operation"]))(**call["params"])
        out.pop("ResponseMetadata", None)
        results.append({"ok": out})
    except ClientError as e:
        error = e.response.get("Error", {})
        results.append({"error": {"code": error.get("Code"), "message": error.get("Message")}})
print(json.dumps(results, default=str))
"#;

/// An AWS call's output, or its error code and message.
pub type AwsResult = Result<serde_json::Value, (String, String)>;

/// Calls the server with boto3, as `key`: each call is
/// `(service, operation, params)`.
pub async fn boto3(
    server: &Server,
    key: &(String, String),
    calls: &[(&str, &str, serde_json::Value)],
) -> Vec<AwsResult> {
    use tokio::io::AsyncWriteExt;
    let calls: Vec<serde_json::Value> = calls
        .iter()
        .map(|(service, operation, params)| serde_json::json!({"service": service, "operation": operation, "params": params}))
        .collect();
    let request = serde_json::json!({"endpoint": server.endpoint(), "key": key.0, "secret": key.1, "calls": calls});
    let mut child = tokio::process::Command::new(python())
        .args(["-c", BOTO3_CALLS])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(request.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "boto3 failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("boto3 prints JSON");
    results
        .into_iter()
        .map(|result| match result.get("ok") {
            Some(ok) => Ok(ok.clone()),
            None => Err((
                result["error"]["code"].as_str().unwrap_or_default().to_owned(),
                result["error"]["message"].as_str().unwrap_or_default().to_owned(),
            )),
        })
        .collect()
}

/// One boto3 call.
pub async fn boto3_call(
    server: &Server,
    key: &(String, String),
    service: &str,
    operation: &str,
    params: serde_json::Value,
) -> AwsResult {
    boto3(server, key, &[(service, operation, params)]).await.remove(0)
}

/// The execution's stored body once it has ended, read from a store.
pub async fn finished_in(store: &sluice_store::Store, id: &str, within: Duration) -> sluice_engine::Execution {
    let deadline = Instant::now() + within;
    loop {
        if let Some(row) = store.get_execution(id).await.unwrap() {
            let execution: sluice_engine::Execution = serde_json::from_value(row.body).unwrap();
            if execution.status.is_final() {
                return execution;
            }
        }
        assert!(Instant::now() < deadline, "execution {id} did not end in {within:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A pipeline's executions, newest first.
pub async fn executions(store: &sluice_store::Store, pipeline: &str) -> Vec<sluice_engine::Execution> {
    let page = store.list_executions(pipeline, 100, None).await.unwrap();
    page.items.into_iter().map(|row| serde_json::from_value(row.body).unwrap()).collect()
}

/// One `python3` process with a boto3 client of the server's admin, taking
/// one call per line: quick enough to poll with, and the real SDK's
/// serialization, signing and error parsing.
pub struct Botocore {
    _child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

const BOTOCORE_CLIENT: &str = r#"
import json, sys
import boto3, botocore
from botocore.config import Config

service, endpoint, key_id, secret = sys.argv[1:5]
client = boto3.client(
    service, endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id=key_id, aws_secret_access_key=secret,
    config=Config(retries={"max_attempts": 1}))

def encode(o):
    return o.isoformat() if hasattr(o, "isoformat") else str(o)

for line in sys.stdin:
    request = json.loads(line)
    try:
        response = getattr(client, botocore.xform_name(request["operation"]))(**request["params"])
        response.pop("ResponseMetadata", None)
        out = {"ok": response}
    except botocore.exceptions.ClientError as e:
        out = {"error": e.response["Error"]["Code"], "message": e.response["Error"].get("Message", "")}
    except botocore.exceptions.ParamValidationError as e:
        out = {"error": "ParamValidationError", "message": str(e)}
    print(json.dumps(out, default=encode), flush=True)
"#;

impl Botocore {
    pub async fn start(server: &Server, service: &str) -> Botocore {
        Botocore::start_as(server, service, &server.admin).await
    }

    /// A client signing with `key` (see [`Server::add_user`]).
    pub async fn start_as(server: &Server, service: &str, key: &(String, String)) -> Botocore {
        use tokio::io::AsyncBufReadExt;
        let script = server.dir.path().join("botocore_client.py");
        std::fs::write(&script, BOTOCORE_CLIENT).unwrap();
        let mut child = tokio::process::Command::new(python())
            .arg(&script)
            .args([service, &server.endpoint(), &key.0, &key.1])
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python runs");
        let stdin = child.stdin.take().unwrap();
        let stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        Botocore { _child: child, stdin, stdout }
    }

    /// Calls `operation` (as the API names it): the output without its
    /// metadata, or the error's code and message.
    pub async fn call(&mut self, operation: &str, params: serde_json::Value) -> AwsResult {
        use tokio::io::AsyncWriteExt;
        let request = serde_json::json!({ "operation": operation, "params": params });
        self.stdin.write_all(format!("{request}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
        let line = tokio::time::timeout(Duration::from_secs(60), self.stdout.next_line())
            .await
            .unwrap_or_else(|_| panic!("{operation} did not answer"))
            .unwrap()
            .unwrap_or_else(|| panic!("the boto3 client exited during {operation}"));
        let mut out: serde_json::Value = serde_json::from_str(&line).unwrap();
        match out.get_mut("ok") {
            Some(ok) => Ok(ok.take()),
            None => Err((out["error"].as_str().unwrap_or_default().to_owned(), out["message"].to_string())),
        }
    }

    /// A call that must succeed.
    pub async fn ok(&mut self, operation: &str, params: serde_json::Value) -> serde_json::Value {
        match self.call(operation, params.clone()).await {
            Ok(out) => out,
            Err((code, message)) => panic!("{operation} {params} failed: {code}: {message}"),
        }
    }

    /// A call that must fail: its error code.
    pub async fn error(&mut self, operation: &str, params: serde_json::Value) -> String {
        match self.call(operation, params.clone()).await {
            Ok(out) => panic!("{operation} {params} succeeded: {out}"),
            Err((code, _)) => code,
        }
    }
}
