//! Compute/Commands jobs.

use crate::support::{commands_job, files_under, fixture, job, now_ms, output};
use nix::errno::Errno;
use nix::sys::signal::{kill, killpg};
use nix::unistd::Pid;
use sluice_model::{ActionCategory, EnvironmentVariable, EnvironmentVariableType};
use sluice_runner::run;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

fn plaintext(name: &str, value: &str) -> EnvironmentVariable {
    EnvironmentVariable { name: name.into(), value: value.into(), variable_type: None }
}

#[tokio::test]
async fn commands_share_one_shell_and_produce_variables_and_an_artifact() {
    let f = fixture();
    let mut job = commands_job(&[
        "export GREETING=hello",
        "mkdir -p dist/sub && echo \"$GREETING\" > dist/out.txt",
        "cp \"$CODEBUILD_SRC_DIR_Extra/extra.txt\" dist/sub/ && cp main.txt dist/",
        "VERSION='1.2 3'; echo not packed > top.txt",
        "cd dist && test \"$PWD\" = \"$CODEBUILD_SRC_DIR/dist\"",
    ]);
    job.input_artifacts = vec![
        f.input("Main", "pipe/exec-1/Main/src.zip", &[("main.txt", "main")]).await,
        f.input("Extra", "pipe/exec-1/Extra/src.zip", &[("extra.txt", "extra")]).await,
    ];
    job.output_variables = vec!["GREETING".into(), "VERSION".into(), "NEVER_SET".into()];
    job.output_artifacts = vec![output("BuildOutput", &["dist/**/*"])];

    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());
    let expected = BTreeMap::from([("GREETING".to_owned(), "hello".to_owned()), ("VERSION".into(), "1.2 3".into())]);
    assert_eq!(result.output_variables, expected);
    assert_eq!(result.output_artifacts.len(), 1);
    assert_eq!(result.output_artifacts[0].name, "BuildOutput");
    assert_eq!(result.output_artifacts[0].location, "pipe/exec-1/BuildOutput/job-1.zip");

    let out = f.unpacked(&result.output_artifacts[0].location).await;
    assert_eq!(files_under(&out), ["dist/main.txt", "dist/out.txt", "dist/sub/extra.txt"]);
    assert_eq!(std::fs::read_to_string(out.join("dist/out.txt")).unwrap(), "hello\n");

    assert!(f.log().contains("[sluice] Running command export GREETING=hello"), "{}", f.log());
    assert!(!f.path().join("work/job-1").exists(), "the workspace is removed");
}

#[tokio::test]
async fn the_first_failing_command_fails_the_action() {
    let f = fixture();
    let mut job = commands_job(&["echo one", "false", "echo three"]);
    job.output_variables = vec!["X".into()];
    let result = run(&job, &f.cx).await;
    assert!(!result.succeeded);
    assert_eq!(result.error.as_deref(), Some("command 2 of 3 failed with exit code 1: `false`"));
    let log = f.log();
    assert!(log.contains("one\n") && !log.contains("three"), "{log}");
    assert!(log.contains("[sluice] failed: command 2 of 3"), "{log}");
}

#[tokio::test]
async fn the_environment_is_clean() {
    let f = fixture();
    let mut job = commands_job(&["NAMES=$(env | cut -d= -f1 | sort | tr '\\n' ' ')", "MY_HOME=$HOME"]);
    job.environment_variables = vec![
        plaintext("MY_VAR", "x"),
        EnvironmentVariable { variable_type: Some(EnvironmentVariableType::Plaintext), ..plaintext("TYPED", "y") },
    ];
    job.output_variables = vec!["NAMES".into(), "MY_HOME".into()];
    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}\n{}", f.log());

    let allowed = [
        "PATH",
        "LANG",
        "HOME",
        "TMPDIR",
        "CODEBUILD_SRC_DIR",
        "CODEPIPELINE_EXECUTION_ID",
        "CODEBUILD_BUILD_ID",
        "MY_VAR",
        "TYPED",
        // Set by bash itself.
        "PWD",
        "SHLVL",
        "_",
        "OLDPWD",
    ];
    let names: Vec<&str> = result.output_variables["NAMES"].split_whitespace().collect();
    for name in &names {
        assert!(allowed.contains(name), "`{name}` leaked into the job: {names:?}");
    }
    for name in ["MY_VAR", "TYPED", "CODEBUILD_BUILD_ID", "CODEPIPELINE_EXECUTION_ID", "TMPDIR", "HOME"] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    // The test process has variables of its own that must not be there.
    let parent: Vec<String> = std::env::vars().map(|(k, _)| k).filter(|k| !allowed.contains(&k.as_str())).collect();
    assert!(!parent.is_empty());
    assert!(result.output_variables["MY_HOME"].ends_with("work/job-1"));
}

#[tokio::test]
async fn a_secret_the_server_could_not_resolve_fails_the_action() {
    let f = fixture();
    let mut job = commands_job(&["true"]);
    job.environment_variables = vec![EnvironmentVariable {
        variable_type: Some(EnvironmentVariableType::SecretsManager),
        ..plaintext("DB_PASSWORD", "arn:secret")
    }];
    let result = run(&job, &f.cx).await;
    assert!(!result.succeeded);
    assert!(result.error.as_deref().unwrap().contains("there is no secret named"), "{result:?}");
}

async fn wait_for_file(path: &Path) -> String {
    for _ in 0..500 {
        match std::fs::read_to_string(path) {
            Ok(text) if text.ends_with('\n') => return text.trim().to_owned(),
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} never appeared", path.display());
}

/// Orphans are reaped by init, which may take a moment in a container.
async fn gone(probe: impl Fn() -> nix::Result<()>) -> bool {
    for _ in 0..100 {
        if probe() == Err(Errno::ESRCH) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn cancel_kills_the_whole_process_tree() {
    let f = fixture();
    let out = f.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // Everything ignores SIGTERM, so only the SIGKILL after the grace ends it.
    let mut job =
        commands_job(&["trap '' TERM", "sleep 1000 & echo $! > \"$OUT/bg\"", "echo $$ > \"$OUT/pgid\"", "sleep 1000"]);
    job.environment_variables = vec![plaintext("OUT", out.to_str().unwrap())];

    let started = Instant::now();
    let cancel = async {
        wait_for_file(&out.join("pgid")).await;
        f.cx.cancel.cancel();
    };
    let (result, ()) = tokio::join!(run(&job, &f.cx), cancel);
    assert!(!result.succeeded);
    assert_eq!(result.error.as_deref(), Some("cancelled"));
    assert!(started.elapsed() >= f.cx.kill_grace, "SIGKILL comes after the grace");

    let pgid = Pid::from_raw(std::fs::read_to_string(out.join("pgid")).unwrap().trim().parse().unwrap());
    let bg = Pid::from_raw(std::fs::read_to_string(out.join("bg")).unwrap().trim().parse().unwrap());
    assert!(gone(|| killpg(pgid, None)).await, "a process of the group survived");
    assert!(gone(|| kill(bg, None)).await, "the background child survived");
}

#[tokio::test]
async fn background_processes_do_not_outlive_a_successful_job() {
    let f = fixture();
    let out = f.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut job = commands_job(&["sleep 1000 & echo $! > \"$OUT/bg\""]);
    job.environment_variables = vec![plaintext("OUT", out.to_str().unwrap())];
    let result = run(&job, &f.cx).await;
    assert!(result.succeeded, "{result:?}");
    let bg = Pid::from_raw(std::fs::read_to_string(out.join("bg")).unwrap().trim().parse().unwrap());
    assert!(gone(|| kill(bg, None)).await, "the background child survived");
}

#[tokio::test]
async fn a_passed_deadline_times_the_action_out() {
    let f = fixture();
    let mut job = commands_job(&["sleep 1000"]);
    job.deadline = now_ms() + 300;
    let started = Instant::now();
    let result = run(&job, &f.cx).await;
    assert_eq!(result.error.as_deref(), Some("The action timed out"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn no_matching_output_files_fails() {
    let f = fixture();
    let mut job = commands_job(&["touch a.txt"]);
    job.output_artifacts = vec![output("Out", &["dist/**/*"])];
    let result = run(&job, &f.cx).await;
    assert_eq!(result.error.as_deref(), Some("output artifact `Out`: no files match dist/**/*"));
}

#[tokio::test]
async fn a_missing_input_artifact_fails() {
    let f = fixture();
    let mut job = commands_job(&["true"]);
    job.input_artifacts = vec![sluice_engine::ArtifactLocation { name: "Src".into(), location: "nope/x.zip".into() }];
    let result = run(&job, &f.cx).await;
    let error = result.error.unwrap();
    assert!(
        error.starts_with("could not fetch input artifact `Src`: no artifact is stored under `nope/x.zip`"),
        "{error}"
    );
}

#[tokio::test]
async fn other_providers_are_not_run_yet() {
    let f = fixture();
    let result = run(&job(ActionCategory::Invoke, "Lambda"), &f.cx).await;
    assert!(!result.succeeded);
    assert_eq!(result.error.as_deref(), Some("sluice does not run Invoke/Lambda actions yet"));
}
