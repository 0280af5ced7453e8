//! A real `sluice server` in a child process, on a free port, in a temporary data directory, and
//! the real `sluice` binary run against it.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const SLUICE: &str = env!("CARGO_BIN_EXE_sluice");

/// Variables that would point a child at another server, key or database than the test's.
const INHERITED: [&str; 9] = [
    "SLUICE_ENDPOINT",
    "SLUICE_ACCESS_KEY_ID",
    "SLUICE_SECRET_ACCESS_KEY",
    "SLUICE_DATA_DIR",
    "SLUICE_DATABASE_URL",
    "SLUICE_LISTEN",
    "SLUICE_ADMIN_ACCESS_KEY_ID",
    "SLUICE_ADMIN_SECRET_ACCESS_KEY",
    "NO_COLOR",
];

/// `sluice` with none of the caller's sluice settings.
pub fn sluice() -> Command {
    let mut command = Command::new(SLUICE);
    for name in INHERITED {
        command.env_remove(name);
    }
    command
}

/// What a finished `sluice` command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs `command` with `args`.
    pub fn of(mut command: Command, args: &[&str]) -> Run {
        let output = command.args(args).stdin(Stdio::null()).output().expect("the command runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts that the command succeeded; returns its standard output.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self.stdout
    }

    /// Asserts that the command failed with `code`; returns its standard error.
    #[track_caller]
    pub fn fails(self, code: i32) -> String {
        assert_eq!(self.code, code, "expected exit status {code}: {self:#?}");
        self.stderr
    }

    /// Standard output as JSON, asserting success.
    #[track_caller]
    pub fn json(self) -> serde_json::Value {
        let stdout = self.ok();
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
    }
}

/// A running server. Dropping it (also when a test panics) stops the process, then removes the
/// data directory.
pub struct Server {
    child: Child,
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub dir: tempfile::TempDir,
    /// The data directory: `dir` itself, or `dir/d` for [`Server::start_relative`].
    data: PathBuf,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(|_| {})
    }

    /// Starts a server after `prepare` has filled its data directory.
    pub fn start_with(prepare: impl FnOnce(&Path)) -> Server {
        Server::start_with_args(prepare, &[])
    }

    /// Starts a server with extra `sluice server` flags.
    pub fn start_with_args(prepare: impl FnOnce(&Path), flags: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().to_path_buf();
        Server::launch(dir, data.clone(), data.as_os_str(), prepare, flags)
    }

    /// Starts a server in a temporary current directory with the relative `--data-dir ./d`,
    /// after `prepare` has filled `d`.
    pub fn start_relative(prepare: impl FnOnce(&Path)) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("d");
        Server::launch(dir, data, "./d".as_ref(), prepare, &[])
    }

    /// Starts `sluice server --data-dir DATA_ARG` in `dir`; `data` is where that directory is.
    fn launch(
        dir: tempfile::TempDir,
        data: PathBuf,
        data_arg: &OsStr,
        prepare: impl FnOnce(&Path),
        flags: &[&str],
    ) -> Server {
        std::fs::create_dir_all(&data).expect("data dir");
        prepare(&data);
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let mut child = sluice()
            .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_arg)
            .current_dir(dir.path())
            .args(flags)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("sluice listening on ") {
                    let _ = sender.send(address.to_string());
                }
            }
        });
        // From here on the guard owns the child, so a failed start still stops it.
        let mut server = Server {
            child,
            endpoint: String::new(),
            access_key_id: String::new(),
            secret_access_key: String::new(),
            dir,
            data,
        };
        match receiver.recv_timeout(Duration::from_secs(30)) {
            Ok(endpoint) => server.endpoint = endpoint,
            Err(_) => panic!("the server did not say where it listens; its log:\n{}", server.log()),
        }
        let credentials = std::fs::read_to_string(server.data.join("admin-credentials")).expect("credentials");
        let value = |key: &str| {
            credentials.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix('=')).expect(key).to_string()
        };
        server.access_key_id = value("SLUICE_ACCESS_KEY_ID");
        server.secret_access_key = value("SLUICE_SECRET_ACCESS_KEY");
        server
    }

    /// The server process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.clone()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// `sluice` pointed at this server with the admin key, through the environment.
    pub fn sluice(&self) -> Command {
        self.sluice_as(&self.access_key_id, &self.secret_access_key)
    }

    /// `sluice` pointed at this server with another key.
    pub fn sluice_as(&self, access_key_id: &str, secret_access_key: &str) -> Command {
        let mut command = sluice();
        command
            .env("SLUICE_ENDPOINT", &self.endpoint)
            .env("SLUICE_ACCESS_KEY_ID", access_key_id)
            .env("SLUICE_SECRET_ACCESS_KEY", secret_access_key)
            .env("SLUICE_DATA_DIR", &self.data);
        command
    }

    /// Runs `sluice ARGS` as the admin.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.sluice(), args)
    }

    /// Writes a file in the data directory's `files/` and returns its path.
    pub fn file(&self, name: &str, contents: &str) -> String {
        let files = self.dir.path().join("files");
        std::fs::create_dir_all(&files).unwrap();
        let path = files.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        // SIGTERM first, so the server stops its jobs; SIGKILL if it takes too long.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it gives a value, or panics after `within`.
#[track_caller]
pub fn eventually<T>(within: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A hosted repository `app` (branch `main`) with one commit, in a data directory about to be
/// served; returns nothing, the commit is read back with [`head`].
pub fn hosted_repository(data_dir: &Path) {
    let repos = data_dir.join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    git(&repos, &["init", "--bare", "-q", "-b", "main", "app.git"]);
    git(data_dir, &["clone", "-q", repos.join("app.git").to_str().unwrap(), "checkout"]);
    let work = data_dir.join("checkout");
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
}

/// The commit the hosted repository's checkout is at.
pub fn head(data_dir: &Path) -> String {
    let out = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(data_dir.join("checkout")).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git").args(args).current_dir(dir).env_remove("GIT_DIR").output().expect("git runs");
    assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// A pipeline with the hosted repository as its source, then a build stage of `commands`.
pub fn pipeline(name: &str, commands: &[&str]) -> String {
    // JSON strings are YAML double-quoted scalars: `true` stays a string, `#` no comment.
    let commands: Vec<String> =
        commands.iter().map(|c| format!("          - {}\n", serde_json::Value::from(*c))).collect();
    format!(
        "name: {name}\n\
         pipelineType: V2\n\
         variables:\n  - name: greeting\n    defaultValue: hello\n\
         stages:\n\
         \x20 - name: Source\n\
         \x20   actions:\n\
         \x20     - name: Src\n\
         \x20       namespace: SourceVariables\n\
         \x20       actionTypeId: {{category: Source, owner: AWS, provider: CodeCommit, version: \"1\"}}\n\
         \x20       configuration: {{RepositoryName: app, BranchName: main}}\n\
         \x20       outputArtifacts: [{{name: SourceOut}}]\n\
         \x20 - name: Build\n\
         \x20   actions:\n\
         \x20     - name: Compile\n\
         \x20       actionTypeId: {{category: Compute, owner: AWS, provider: Commands, version: \"1\"}}\n\
         \x20       inputArtifacts: [{{name: SourceOut}}]\n\
         \x20       commands:\n{}",
        commands.concat()
    )
}

/// Where `program` is on `PATH`. A missing client fails the test instead of skipping it: a
/// suite that passes without running its end-to-end tests proves nothing.
#[track_caller]
pub fn required(program: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
        .unwrap_or_else(|| {
            panic!(
                "`{program}` is not on PATH. Run scripts/test, which installs git, the aws CLI and boto3 \
                 (the last two into target/test-venv) and puts target/test-venv/bin first on PATH; or do the \
                 same by hand: PATH=$PWD/target/test-venv/bin:$PATH cargo nextest run -p sluice-cli"
            )
        })
}

/// The region every `aws` command names; sluice accepts any.
pub const REGION: &str = "us-east-1";

impl Server {
    /// Runs the real `aws ARGS` against this server as the admin.
    pub fn aws(&self, args: &[&str]) -> Run {
        self.aws_as(&self.access_key_id, &self.secret_access_key, args)
    }

    /// Runs the real `aws ARGS` against this server with another key: `--endpoint-url`,
    /// `--output json` and a region on the command line, the key in the environment, and no
    /// configuration, profile or pager from the caller.
    pub fn aws_as(&self, access_key_id: &str, secret_access_key: &str, args: &[&str]) -> Run {
        let mut command = Command::new(required("aws"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("AWS_ACCESS_KEY_ID", access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", secret_access_key)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_PAGER", "")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(["--endpoint-url", &self.endpoint, "--output", "json", "--region", REGION]);
        Run::of(command, args)
    }

    /// `http://<key id>:<url-encoded secret>@host/git/<repository>` with the admin key.
    pub fn clone_url(&self, repository: &str) -> String {
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
        let host = self.endpoint.strip_prefix("http://").expect("an http endpoint");
        format!("http://{}:{}@{host}/git/{repository}", encode(&self.access_key_id), encode(&self.secret_access_key))
    }
}

/// The real `git` with a home of its own: no user or system configuration, no credential
/// helper, no prompt.
pub struct Git {
    home: tempfile::TempDir,
    program: PathBuf,
}

impl Git {
    #[track_caller]
    pub fn new() -> Git {
        Git { home: tempfile::tempdir().expect("temp dir"), program: required("git") }
    }

    /// A directory inside this client's home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    /// Runs `git ARGS` in `dir`.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Run {
        let mut command = Command::new(&self.program);
        command
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("LANG", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com");
        Run::of(command, args)
    }

    /// Runs `git ARGS` in `dir`, asserting success; returns its trimmed standard output.
    #[track_caller]
    pub fn ok(&self, dir: &Path, args: &[&str]) -> String {
        self.run(dir, args).ok().trim().to_string()
    }

    /// Clones `url` into `name` in this client's home; returns the work tree.
    #[track_caller]
    pub fn clone(&self, url: &str, name: &str) -> PathBuf {
        self.ok(self.home.path(), &["clone", "-q", url, name]);
        self.path(name)
    }

    /// Writes `file`, commits it and returns the new commit.
    #[track_caller]
    pub fn commit(&self, work: &Path, file: &str, text: &str, message: &str) -> String {
        std::fs::write(work.join(file), text).unwrap();
        self.ok(work, &["add", "."]);
        self.ok(work, &["commit", "-q", "-m", message]);
        self.ok(work, &["rev-parse", "HEAD"])
    }
}
