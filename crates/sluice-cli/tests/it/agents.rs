//! Remote agents end to end: a `sluice agent` process next to a server whose embedded agent takes
//! nothing (`--executor-slots 0`). Labels route jobs; a cancel kills the job's whole process tree
//! at once; a killed agent's job runs again after the lost window; `sluice logs -f` streams.

use crate::support::{SLUICE, Server, eventually, hosted_repository, sluice};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(60);

/// A `sluice agent` child process, killed when dropped.
pub struct Agent {
    child: Child,
    dir: tempfile::TempDir,
    token: String,
}

impl Agent {
    fn start(server: &Server, name: &str, labels: &str) -> Agent {
        Agent::start_with(server, name, labels, &[])
    }

    /// An agent with extra `sluice agent` flags.
    pub fn start_with(server: &Server, name: &str, labels: &str, flags: &[&str]) -> Agent {
        let created = server.run(&["agent", "token", "create", name, "-o", "json"]).json();
        let token = created["agentToken"]["token"].as_str().expect("a token").to_string();
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("agent.log")).expect("log file");
        let repos = server.data_dir().join("repos");
        let child = sluice()
            // Through the environment, to check that it never reaches a job's.
            .env("SLUICE_AGENT_TOKEN", &token)
            .args(["agent", "--server", &server.endpoint, "--labels", labels, "--slots", "2"])
            .arg("--work-dir")
            .arg(dir.path().join("work"))
            .arg("--repos-dir")
            .arg(repos)
            .args(["--kill-grace", "1s"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the agent starts");
        Agent { child, dir, token }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("agent.log")).unwrap_or_default()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A source stage, then one Compute/Commands action `Compile` with `labels` (if any).
fn labelled_pipeline(name: &str, labels: Option<&str>, commands: &[&str]) -> String {
    let commands: Vec<String> = commands.iter().map(|c| format!("          - {}\n", Value::from(*c))).collect();
    let configuration =
        labels.map(|l| format!("        configuration: {{AgentLabels: \"{l}\"}}\n")).unwrap_or_default();
    format!(
        "name: {name}\n\
         pipelineType: V2\n\
         stages:\n\
         \x20 - name: Source\n\
         \x20   actions:\n\
         \x20     - name: Src\n\
         \x20       actionTypeId: {{category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}}\n\
         \x20       configuration: {{RepositoryName: app, BranchName: main}}\n\
         \x20       outputArtifacts: [{{name: SourceOut}}]\n\
         \x20 - name: Build\n\
         \x20   actions:\n\
         \x20     - name: Compile\n\
         \x20       actionTypeId: {{category: Compute, owner: AWS, provider: Commands, version: \"1\"}}\n\
         {configuration}\
         \x20       inputArtifacts: [{{name: SourceOut}}]\n\
         \x20       commands:\n{}",
        commands.concat()
    )
}

fn remote_only_server(lost_after: &str) -> Server {
    Server::start_with_args(hosted_repository, &["--executor-slots", "0", "--agent-lost-after", lost_after])
}

fn status(server: &Server, pipeline: &str, id: &str) -> Option<String> {
    let list = server.run(&["executions", pipeline, "-o", "json"]).json();
    let summaries = list["pipelineExecutionSummaries"].as_array().cloned().unwrap_or_default();
    summaries.iter().find(|e| e["pipelineExecutionId"] == id).and_then(|e| e["status"].as_str().map(str::to_string))
}

fn wait_for(server: &Server, agent_logs: &dyn Fn() -> String, pipeline: &str, id: &str, want: &str) {
    let deadline = Instant::now() + WITHIN;
    loop {
        let now = status(server, pipeline, id);
        if now.as_deref() == Some(want) {
            return;
        }
        if Instant::now() > deadline {
            panic!(
                "execution {id} is {now:?}, not {want}\nserver log:\n{}\nagent logs:\n{}",
                server.log(),
                agent_logs()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The state of action `stage/action` from `sluice status -o json`.
fn action_status(server: &Server, pipeline: &str, stage: &str, action: &str) -> Option<String> {
    let state = server.run(&["status", pipeline, "-o", "json"]).json();
    let stages = state["stageStates"].as_array()?.clone();
    let stage = stages.iter().find(|s| s["stageName"] == stage)?;
    let action = stage["actionStates"].as_array()?.iter().find(|a| a["actionName"] == action)?.clone();
    action["latestExecution"]["status"].as_str().map(str::to_string)
}

fn pid_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

#[test]
fn a_remote_agent_runs_the_jobs_its_labels_allow_and_logs_are_served() {
    let server = remote_only_server("30s");
    let plain = Agent::start(&server, "plain", "linux");
    let file = server.file("app.yaml", &labelled_pipeline("app", Some("gpu"), &["echo built with a gpu", "env"]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", "app", "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    });
    // The plain agent runs the source, but not the build that needs a gpu.
    eventually(WITHIN, "the source to succeed", || {
        (action_status(&server, "app", "Source", "Src").as_deref() == Some("Succeeded")).then_some(())
    });
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(status(&server, "app", &id).as_deref(), Some("InProgress"), "agent log:\n{}", plain.log());

    let gpu = Agent::start(&server, "gpu", "gpu,linux");
    wait_for(&server, &|| format!("{}\n{}", plain.log(), gpu.log()), "app", &id, "Succeeded");

    let logs = server.run(&["logs", &id, "Build/Compile"]).ok();
    assert!(logs.contains("built with a gpu"), "{logs}");
    assert!(logs.contains("[sluice] succeeded"), "{logs}");
    assert!(logs.contains("PATH="), "the job printed its environment: {logs}");
    assert!(!logs.contains(&gpu.token) && !logs.contains("SLUICE_"), "the agent's token leaked: {logs}");
    let all = server.run(&["logs", &id]).ok();
    assert!(all.contains("Src Source/CodeCommit") && all.contains("built with a gpu"), "{all}");
    // The build ran on the gpu agent only.
    assert!(gpu.log().contains("action=Compile"), "{}", gpu.log());
    assert!(!plain.log().contains("action=Compile"), "{}", plain.log());
    assert!(plain.log().contains("action=Src"), "{}", plain.log());
}

#[test]
fn a_cancel_kills_the_remote_job_s_process_tree_at_once_and_logs_follow_live() {
    let server = remote_only_server("30s");
    let agent = Agent::start(&server, "one", "");
    let pid_file = server.data_dir().join("grandchild.pid");
    let script = format!("sleep 300 & echo $! > {}; echo tick-one; wait", pid_file.display());
    let file = server.file("slow.yaml", &labelled_pipeline("slow", None, &[&script]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", "slow", "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    });
    let pid = eventually(WITHIN, "the grandchild to start", || read_pid(&pid_file));
    assert!(pid_alive(pid));

    // `sluice logs -f` prints the running job's lines as they come.
    let mut follow = server
        .sluice()
        .args(["logs", &id, "Build/Compile", "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sluice logs -f");
    let stdout = follow.stdout.take().expect("piped");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line =
            received.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("tick-one streamed");
        if line == "tick-one" {
            break;
        }
    }

    let stopped_at = Instant::now();
    server.run(&["stop", "slow", &id, "--abandon"]).ok();
    while pid_alive(pid) {
        assert!(
            stopped_at.elapsed() < Duration::from_secs(3),
            "the grandchild outlived the cancel; agent:\n{}",
            agent.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The follower ends with the job.
    let ended = Instant::now();
    loop {
        if let Ok(Some(_)) = follow.try_wait() {
            break;
        }
        if ended.elapsed() > Duration::from_secs(20) {
            let _ = follow.kill();
            panic!("sluice logs -f did not end with the job");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_for(&server, &|| agent.log(), "slow", &id, "Stopped");
}

#[test]
fn a_killed_agent_s_job_runs_again_after_the_lost_window() {
    let server = remote_only_server("2s");
    let mut first = Agent::start(&server, "first", "");
    let marker = server.data_dir().join("first-attempt");
    let pid_file = server.data_dir().join("first.pid");
    // The first attempt leaves a marker and hangs; the second sees it and succeeds.
    let script = format!(
        "if [ -e {m} ]; then echo second attempt; else touch {m}; sleep 300 & echo $! > {p}; wait; fi",
        m = marker.display(),
        p = pid_file.display()
    );
    let file = server.file("flaky.yaml", &labelled_pipeline("flaky", None, &[&script]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", "flaky", "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    });
    let pid = eventually(WITHIN, "the first attempt to run", || read_pid(&pid_file));
    first.kill();
    // A SIGKILLed agent cannot stop its job's processes: clean up the test's.
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);

    let second = Agent::start(&server, "second", "");
    wait_for(&server, &|| second.log(), "flaky", &id, "Succeeded");
    let logs = server.run(&["logs", &id, "Build/Compile"]).ok();
    assert!(logs.contains("second attempt"), "{logs}");
}

#[test]
fn agents_need_a_valid_token() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(SLUICE)
        .args(["agent", "--server", &server.endpoint, "--token", "not-a-token", "--work-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refused the registration (401)"), "{stderr}");
}

/// The server's peak resident memory, in KiB (`VmHWM`).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or_default().to_string();
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[test]
fn a_100_mb_log_streams_without_memory_growth_or_blocking_the_server() {
    // The embedded agent writes this one: the log path is the same for remote jobs.
    let server = Server::start_with(hosted_repository);
    let line = "0123456789".repeat(10);
    let script = format!("yes {line} | head -c 100000000; echo; echo last-line");
    let file = server.file("big.yaml", &labelled_pipeline("big", None, &[&script]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", "big", "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    });
    wait_for(&server, &String::new, "big", &id, "Succeeded");
    let before = peak_rss_kib(server.pid());

    // A reader that takes nothing yet: the server must go on answering.
    let mut reader = server
        .sluice()
        .args(["logs", &id, "Build/Compile"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sluice logs");
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    server.run(&["pipeline", "list"]).ok();
    assert!(asked.elapsed() < Duration::from_secs(5), "the API waited {:?}", asked.elapsed());

    let mut stdout = reader.stdout.take().expect("piped");
    let mut last = Vec::new();
    let mut total = 0u64;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut stdout, &mut buffer).expect("read the log");
        if n == 0 {
            break;
        }
        total += n as u64;
        last.extend_from_slice(&buffer[..n]);
        let keep = last.len().saturating_sub(200);
        last.drain(..keep);
    }
    assert!(reader.wait().unwrap().success());
    assert!(total > 100_000_000, "{total} bytes");
    assert!(String::from_utf8_lossy(&last).contains("last-line"), "{}", String::from_utf8_lossy(&last));
    let after = peak_rss_kib(server.pid());
    assert!(after < before + 50 * 1024, "the server's peak memory grew from {before} KiB to {after} KiB");
}

/// `curl` with the given extra arguments; (status, body).
fn curl(args: &[&str]) -> (String, String) {
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "-", "-w", "\n%{http_code}", "--noproxy", "*"])
        .args(args)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", ""));
    (status.to_string(), body.to_string())
}

#[test]
fn admins_manage_agent_tokens_over_the_api_and_agent_calls_need_a_session() {
    let server = Server::start();
    let url = format!("{}/api/v1/agent-tokens", server.endpoint);
    let admin = format!("{}:{}", server.access_key_id, server.secret_access_key);
    let (status, body) = curl(&["-u", &admin, "-H", "Content-Type: application/json", "-d", r#"{"name":"ci"}"#, &url]);
    assert_eq!(status, "200", "{body}");
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"].as_str().unwrap().to_string();
    let (status, body) = curl(&["-u", &admin, &url]);
    assert_eq!(status, "200");
    assert!(body.contains(r#""name":"ci""#) && !body.contains(&token), "{body}");
    let (status, _) = curl(&["-u", "AKIANOBODY:wrong", &url]);
    assert_eq!(status, "401");

    // Registering gives a session; the token itself is not one.
    let register = format!("{}/api/v1/agents/register", server.endpoint);
    let bearer = format!("Authorization: Bearer {token}");
    let json = "Content-Type: application/json";
    let (status, body) = curl(&["-H", &bearer, "-H", json, "-d", r#"{"labels":["linux"]}"#, &register]);
    assert_eq!(status, "200", "{body}");
    let session = serde_json::from_str::<Value>(&body).unwrap()["session"].as_str().unwrap().to_string();
    let claim = format!("{}/api/v1/jobs/claim", server.endpoint);
    let (status, _) = curl(&["-H", &bearer, "-H", json, "-d", r#"{"wait":0}"#, &claim]);
    assert_eq!(status, "401");
    let with_session = format!("Authorization: Bearer {session}");
    let (status, _) = curl(&["-H", &with_session, "-H", json, "-d", r#"{"wait":0}"#, &claim]);
    assert_eq!(status, "204", "nothing to do");
    // A heartbeat for a job this agent does not hold is refused.
    let beat = format!("{}/api/v1/jobs/nope/heartbeat", server.endpoint);
    let (status, _) = curl(&["-H", &with_session, "-H", json, "-d", r#"{"token":1}"#, &beat]);
    assert_eq!(status, "404");

    let (status, _) = curl(&["-u", &admin, "-X", "DELETE", &format!("{url}/ci")]);
    assert_eq!(status, "204");
    let (status, _) = curl(&["-H", &with_session, "-H", json, "-d", r#"{"wait":0}"#, &claim]);
    assert_eq!(status, "401", "sessions go with their token");
}

#[test]
fn a_server_stops_promptly_while_logs_are_followed() {
    let server = Server::start_with(hosted_repository);
    let file = server.file("long.yaml", &labelled_pipeline("long", None, &["echo started", "sleep 300"]));
    server.run(&["pipeline", "apply", "-f", &file]).ok();
    let id = eventually(WITHIN, "an execution", || {
        let list = server.run(&["executions", "long", "-o", "json"]).json();
        list["pipelineExecutionSummaries"][0]["pipelineExecutionId"].as_str().map(str::to_string)
    });
    eventually(WITHIN, "the build to run", || {
        (action_status(&server, "long", "Build", "Compile").as_deref() == Some("InProgress")).then_some(())
    });
    let mut follow = server
        .sluice()
        .args(["logs", &id, "Build/Compile", "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sluice logs -f");
    let mut lines = BufReader::new(follow.stdout.take().expect("piped")).lines();
    let deadline = Instant::now() + WITHIN;
    loop {
        match lines.next() {
            Some(Ok(line)) if line == "started" => break,
            Some(Ok(_)) => assert!(Instant::now() < deadline, "the follower never printed `started`"),
            _ => panic!("the follower ended before `started`"),
        }
    }
    let pid = i32::try_from(server.pid()).unwrap();
    let stopping = Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGTERM).unwrap();
    while pid_alive(pid) {
        assert!(stopping.elapsed() < Duration::from_secs(5), "the server is still up; its log:\n{}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = follow.kill();
    let _ = follow.wait();
}
