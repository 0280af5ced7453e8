//! The speed figures of PRODUCT.md, measured on this machine with SQLite and
//! the embedded executor. Prints a table; asserts nothing.
//!
//!     cargo run --release -p sluice-server --example bench
//!
//! - start → first process: from `start_execution` to the first command of
//!   the first Commands action running, minus the source action's own work
//!   (reported separately).
//! - action → next action: from the last command of one action to the
//!   first command of the next, against a plain `bash -c` spawn.
//! - pipeline: a source stage then three stages of one trivial action each,
//!   from start to `Succeeded`.
//! - throughput: trivial actions completed per second with many executions
//!   at once (PARALLEL mode).
//! - idle RSS of this process with the driver and its executor running.

use sluice_engine::Notification;
use sluice_model::Document;
use sluice_model::source::Format;
use sluice_server::driver::{Driver, Options, StartArgs};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git").args(args).current_dir(dir).status().expect("git").success();
    assert!(ok, "git {args:?}");
}

fn now_ns() -> i128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as i128
}

fn pipeline(name: &str, mode: &str, marks: &Path) -> sluice_model::PipelineDeclaration {
    let mark = marks.display();
    let stage = |n: u32| {
        format!(
            r#"
  - name: Stage{n}
    actions:
      - name: Step{n}
        actionTypeId: {{category: Compute, owner: AWS, provider: Commands, version: "1"}}
        commands:
          - echo "start{n} $(date +%s%N)" >> {mark}/$CODEPIPELINE_EXECUTION_ID
          - echo "end{n} $(date +%s%N)" >> {mark}/$CODEPIPELINE_EXECUTION_ID
        inputArtifacts: [{{name: SourceOut}}]"#
        )
    };
    let yaml = format!(
        r#"
name: {name}
pipelineType: V2
executionMode: {mode}
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {{category: Source, owner: AWS, provider: CodeCommit, version: "1"}}
        configuration: {{RepositoryName: app, BranchName: main}}
        outputArtifacts: [{{name: SourceOut}}]{}{}{}
"#,
        stage(1),
        stage(2),
        stage(3)
    );
    let document = Document::check_as(Format::Yaml, &yaml);
    assert!(document.is_valid(), "{:#?}", document.diagnostics);
    document.pipeline.unwrap()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

async fn wait_done(rx: &mut tokio::sync::broadcast::Receiver<(String, Notification)>, id: &str) -> Instant {
    loop {
        if let Ok((_, Notification::Execution { execution_id, status })) = rx.recv().await {
            if execution_id == id && status.is_final() {
                assert_eq!(status.as_str(), "Succeeded");
                return Instant::now();
            }
        }
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let repos = dir.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(&repos, &["init", "--bare", "-q", "-b", "main", "app.git"]);
    git(dir.path(), &["clone", "-q", repos.join("app.git").to_str().unwrap(), "co"]);
    std::fs::write(dir.path().join("co/README"), "bench\n").unwrap();
    git(&dir.path().join("co"), &["add", "."]);
    git(&dir.path().join("co"), &["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "bench"]);
    git(&dir.path().join("co"), &["push", "-q", "origin", "HEAD:main"]);
    let marks = dir.path().join("marks");
    std::fs::create_dir_all(&marks).unwrap();

    let url = format!("sqlite://{}?mode=rwc", dir.path().join("sluice.db").display());
    let mut options = Options::new(url, dir.path());
    options.executor_slots = 16;
    let driver = Driver::start(options).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let idle_rss = rss_kib();

    driver.create_pipeline(&pipeline("seq", "QUEUED", &marks), "bench").await.unwrap();
    let mut rx = driver.subscribe();
    // Let the creation run finish first.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut first_process = Vec::new();
    let mut between = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let t0_ns = now_ns();
        let args = StartArgs {
            trigger_type: "StartPipelineExecution".into(),
            trigger_detail: "bench".into(),
            ..Default::default()
        };
        let id = driver.start_execution("seq", args).await.unwrap();
        let done = wait_done(&mut rx, &id).await;
        whole.push((done - t0).as_secs_f64() * 1e3);
        let text = std::fs::read_to_string(marks.join(&id)).unwrap();
        let mark = |key: &str| -> i128 {
            text.lines().find_map(|l| l.strip_prefix(&format!("{key} "))).unwrap().parse().unwrap()
        };
        // The first Commands action starts after the source action (git archive); what
        // is orchestration is the gap from start to there minus one action's overhead.
        first_process.push((mark("start1") - t0_ns) as f64 / 1e6);
        between.push((mark("start2") - mark("end1")) as f64 / 1e6);
        between.push((mark("start3") - mark("end2")) as f64 / 1e6);
    }

    // A shell running the same commands, for comparison.
    let mut shell = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        Command::new("bash").args(["-c", "echo x $(date +%s%N) > /dev/null"]).status().unwrap();
        shell.push(t.elapsed().as_secs_f64() * 1e3);
    }

    // Throughput: many executions at once.
    driver.create_pipeline(&pipeline("par", "PARALLEL", &marks), "bench").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let executions = 100;
    let t = Instant::now();
    let mut ids = Vec::new();
    for _ in 0..executions {
        let args = StartArgs {
            trigger_type: "StartPipelineExecution".into(),
            trigger_detail: "bench".into(),
            ..Default::default()
        };
        ids.push(driver.start_execution("par", args).await.unwrap());
    }
    let mut remaining: std::collections::HashSet<String> = ids.into_iter().collect();
    while !remaining.is_empty() {
        if let Ok((_, Notification::Execution { execution_id, status })) = rx.recv().await {
            if status.is_final() {
                remaining.remove(&execution_id);
            }
        }
    }
    let elapsed = t.elapsed().as_secs_f64();
    let actions_per_second = (executions * 4) as f64 / elapsed;

    println!("sluice speed figures (SQLite, embedded executor, {RUNS} runs, this machine)");
    println!("| figure | median | p90 | target |");
    println!("|---|---|---|---|");
    println!(
        "| start → first Commands process running (includes the source action: git archive + zip) | {:.1} ms | {:.1} ms | ≤ 10 ms to the first process |",
        median(first_process.clone()),
        percentile(first_process, 0.9)
    );
    println!(
        "| one action's end → the next one's first command | {:.1} ms | {:.1} ms | ≤ 2 ms overhead |",
        median(between.clone()),
        percentile(between, 0.9)
    );
    println!(
        "| plain `bash -c` spawn, for comparison | {:.1} ms | {:.1} ms | |",
        median(shell.clone()),
        percentile(shell, 0.9)
    );
    println!(
        "| source + 3 one-action stages, start → Succeeded | {:.1} ms | {:.1} ms | ≤ 15 ms |",
        median(whole.clone()),
        percentile(whole, 0.9)
    );
    println!(
        "| trivial actions per second, {executions} PARALLEL executions at once | {actions_per_second:.0} /s | | ≥ 1,000 |"
    );
    println!("| RSS of the bench process, driver idle | {:.1} MiB | | ≤ 9 MiB (server) |", idle_rss as f64 / 1024.0);
    driver.shutdown();
}
