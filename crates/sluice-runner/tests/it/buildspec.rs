//! The buildspec conformance suite: every directory of `tests/buildspec/`
//! is one build, run for real with bash. Its `case.yml` sets the build up
//! (project, secrets, inputs, outputs, deadline) and says what must come
//! out (phase statuses in order, exported variables, artifact files and
//! contents, test cases, log lines); `buildspec.yml` and `inputs/<name>/`
//! hold the files.

use crate::support::{Fixture, files_under, fixture, job, now_ms, output};
use serde_json::Value;
use sluice_engine::ArtifactLocation;
use sluice_model::ActionCategory;
use sluice_protocol::{Assignment, BuildIdentity, BuildProject, ProjectCache, ProjectVariable, RunOutcome};
use sluice_runner::run_assignment;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[tokio::test]
async fn buildspec_conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/buildspec");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 15, "the suite has {} cases", cases.len());
    let handles: Vec<_> =
        cases.into_iter().map(|dir| tokio::spawn(async move { (dir.clone(), check(&dir).await) })).collect();
    let mut failures = Vec::new();
    for handle in handles {
        let (dir, problems) = handle.await.unwrap();
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", dir.file_name().unwrap().to_string_lossy(), problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

fn read_case(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("case.yml")).unwrap_or_default();
    sluice_model::source::yaml::parse(&text).map(|n| n.to_json()).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// Every file under `dir`, as (relative path, content).
fn files_of(dir: &Path) -> Vec<(String, String)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    files_under(dir).into_iter().map(|rel| (rel.clone(), std::fs::read_to_string(dir.join(&rel)).unwrap())).collect()
}

/// `${TMP}` in a case's values is the fixture's temp dir (outside the
/// workspace, which is gone after the build).
fn expand(text: &str, f: &Fixture) -> String {
    text.replace("${TMP}", &f.path().to_string_lossy())
}

async fn setup(dir: &Path, case: &Value, f: &Fixture) -> Assignment {
    let mut job = job(ActionCategory::Build, "CodeBuild");
    if case["category"] == "Test" {
        job.action_type_id.category = ActionCategory::Test;
    }
    job.id = "build-1".into();
    job.configuration.insert("ProjectName".into(), "proj".into());
    if let Some(config) = case["configuration"].as_object() {
        for (key, value) in config {
            job.configuration.insert(key.clone(), expand(value.as_str().unwrap_or_default(), f));
        }
    }
    let inline = case["project"]["inline"].as_bool().unwrap_or(false);
    let buildspec = std::fs::read_to_string(dir.join("buildspec.yml")).ok();
    let mut inputs = strings(&case["inputs"]);
    if inputs.is_empty() {
        inputs.push("Source".into());
    }
    let primary = job.configuration.get("PrimarySource").cloned().unwrap_or_else(|| inputs[0].clone());
    for name in &inputs {
        let mut files = files_of(&dir.join("inputs").join(name));
        if *name == primary
            && !inline
            && let Some(text) = &buildspec
        {
            files.push(("buildspec.yml".into(), text.clone()));
        }
        if files.is_empty() {
            files.push((".keep".into(), String::new()));
        }
        let pairs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let location: ArtifactLocation = f.input(name, &format!("pipe/exec-1/{name}/src.zip"), &pairs).await;
        job.input_artifacts.push(location);
    }
    job.output_artifacts = strings(&case["outputs"]).iter().map(|name| output(name, &[])).collect();
    job.revision = case["revision"].as_str().map(str::to_owned);
    if let Some(ms) = case["deadline_ms"].as_i64() {
        job.deadline = now_ms() + ms;
    }
    let project = (case["project"] != Value::Bool(false)).then(|| {
        let variables = case["project"]["variables"].as_array().cloned().unwrap_or_default();
        let variables: Vec<ProjectVariable> = variables
            .into_iter()
            .map(|v| {
                let mut var: ProjectVariable = serde_json::from_value(v).unwrap();
                var.value = expand(&var.value, f);
                var
            })
            .collect();
        BuildProject {
            name: "proj".into(),
            arn: "arn:aws:codebuild:eu-west-1:123456789012:project/proj".into(),
            buildspec: if inline {
                buildspec.clone()
            } else {
                case["project"]["buildspec"].as_str().map(str::to_owned)
            },
            environment_variables: variables,
            timeout_in_minutes: 60,
            cache: ProjectCache { enabled: case["project"]["cache"].as_bool().unwrap_or(false) },
            image: Some("aws/codebuild/standard:7.0".into()),
        }
    });
    let secrets = case["secrets"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    Assignment {
        job,
        lease_token: 1,
        lease_ms: 60_000,
        project,
        build: Some(BuildIdentity {
            id: "proj:0001".into(),
            arn: "arn:aws:codebuild:eu-west-1:123456789012:build/proj:0001".into(),
            number: 7,
            initiator: "codepipeline/pipe".into(),
        }),
        secrets,
    }
}

async fn check(dir: &Path) -> Vec<String> {
    let case = read_case(dir);
    let root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if case["requires_root"] == Value::Bool(true) && !root.unwrap_or(false) {
        return Vec::new();
    }
    let f = fixture();
    let runs = case["runs"].as_u64().unwrap_or(1);
    let mut outcome = None;
    for run in 0..runs {
        let assignment = setup(dir, &case, &f).await;
        if run + 1 < runs {
            let first = run_assignment(&assignment, &f.cx).await;
            if !first.result.succeeded {
                return vec![format!("run {} failed: {:?}\n{}", run + 1, first.result.error, f.log())];
            }
            let _ = std::fs::remove_file(&f.cx.log_path);
            continue;
        }
        // Cancels once the build has written this file, wherever it is.
        let cancel = case["cancel_when_file"].as_str().map(|file| {
            let (token, file) = (f.cx.cancel.clone(), PathBuf::from(expand(file, &f)));
            tokio::spawn(async move {
                while !file.exists() {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                token.cancel();
            })
        });
        outcome = Some(run_assignment(&assignment, &f.cx).await);
        if let Some(cancel) = cancel {
            cancel.abort();
        }
    }
    let outcome = outcome.expect("at least one run");
    let mut problems = Vec::new();
    compare(&case["expect"], &outcome, &f, &mut problems).await;
    if !problems.is_empty() {
        problems.push(format!("outcome: {:?}", outcome.result));
        problems.push(format!("log:\n{}", f.log()));
    }
    problems
}

async fn compare(expect: &Value, outcome: &RunOutcome, f: &Fixture, problems: &mut Vec<String>) {
    let result = &outcome.result;
    let succeeded = expect["succeeded"].as_bool().unwrap_or(true);
    if result.succeeded != succeeded {
        problems.push(format!("succeeded: expected {succeeded}, got {}", result.succeeded));
    }
    if let Some(error) = expect["error"].as_str() {
        let got = result.error.as_deref().unwrap_or_default();
        if !got.contains(error) {
            problems.push(format!("error: expected to contain {error:?}, got {got:?}"));
        }
    }
    if let Some(id) = expect["external_id"].as_str()
        && result.external_execution_id.as_deref() != Some(id)
    {
        problems.push(format!("external execution id: expected {id:?}, got {:?}", result.external_execution_id));
    }
    let build = outcome.build.clone().unwrap_or_default();
    if let Some(phases) = expect["phases"].as_array() {
        let got: Vec<String> = build
            .phases
            .iter()
            .map(|p| {
                let json = serde_json::to_value(p).unwrap();
                format!("{} {}", json["phaseType"].as_str().unwrap(), json["phaseStatus"].as_str().unwrap())
            })
            .collect();
        let want: Vec<String> = phases.iter().map(|p| p.as_str().unwrap_or_default().to_owned()).collect();
        if got != want {
            problems.push(format!("phases:\n    expected {want:?}\n    got      {got:?}"));
        }
        for pair in build.phases.windows(2) {
            if pair[0].end_ms > pair[1].start_ms + 5 || pair[0].start_ms > pair[0].end_ms {
                problems.push(format!("phase times out of order: {pair:?}"));
            }
        }
    }
    if let Some(context) = expect["context"].as_str() {
        let all: Vec<&str> = build.phases.iter().flat_map(|p| p.contexts.iter().map(|c| c.message.as_str())).collect();
        if !all.iter().any(|m| m.contains(context)) {
            problems.push(format!("no phase context contains {context:?}: {all:?}"));
        }
    }
    if let Some(exported) = expect["exported"].as_object() {
        let want: BTreeMap<String, String> =
            exported.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect();
        if build.exported_variables != want {
            problems.push(format!("exported: expected {want:?}, got {:?}", build.exported_variables));
        }
        if result.succeeded && result.output_variables != want {
            problems.push(format!("output variables: expected {want:?}, got {:?}", result.output_variables));
        }
    }
    if let Some(artifacts) = expect["artifacts"].as_object() {
        let names: Vec<&str> = result.output_artifacts.iter().map(|a| a.name.as_str()).collect();
        let want: Vec<&str> = artifacts.keys().map(String::as_str).collect();
        if names != want {
            problems.push(format!("output artifacts: expected {want:?}, got {names:?}"));
        }
        for (artifact, (name, files)) in result.output_artifacts.iter().zip(artifacts) {
            let dir = f.unpacked(&artifact.location).await;
            let got = files_under(&dir);
            let want = strings(files);
            if got != want {
                problems.push(format!("artifact {name}: expected {want:?}, got {got:?}"));
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if let Some(reports) = expect["reports"].as_array() {
        let got: Vec<Value> = build
            .reports
            .iter()
            .map(|r| {
                let json = serde_json::to_value(r).unwrap();
                let cases: Vec<String> = r
                    .test_cases
                    .iter()
                    .map(|c| {
                        let status = serde_json::to_value(c.status).unwrap();
                        format!("{}/{} {}", c.prefix, c.name, status.as_str().unwrap())
                    })
                    .collect();
                serde_json::json!({"group": r.group, "status": json["status"], "cases": cases})
            })
            .collect();
        if &got != reports {
            problems.push(format!("reports:\n    expected {reports:?}\n    got      {got:?}"));
        }
    }
    let log = f.log();
    for line in strings(&expect["log"]) {
        if !log.contains(&line) {
            problems.push(format!("the log lacks {line:?}"));
        }
    }
    for line in strings(&expect["not_in_log"]) {
        if log.contains(&line) {
            problems.push(format!("the log has {line:?}"));
        }
    }
    if let Some(file) = expect["killed_pid_file"].as_str() {
        let path = Path::new(&expand(file, f)).to_path_buf();
        match std::fs::read_to_string(&path).ok().and_then(|t| t.trim().parse::<i32>().ok()) {
            None => problems.push(format!("no pid in {}", path.display())),
            Some(pid) => {
                if !gone(pid).await {
                    problems.push(format!("process {pid} survived the build"));
                }
            }
        }
    }
}

/// Whether `pid` is gone (or a zombie waiting for init).
async fn gone(pid: i32) -> bool {
    for _ in 0..100 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rfind(')').and_then(|i| stat[i + 1..].split_whitespace().next().map(str::to_owned));
        if stat.is_empty() || matches!(state.as_deref(), Some("Z" | "X")) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}
