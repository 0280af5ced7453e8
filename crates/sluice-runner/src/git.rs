//! The git CLI, run against a bare repository with a clean environment: no
//! `GIT_*` variable of the server (GIT_DIR, GIT_INDEX_FILE...) can redirect
//! it, and no user configuration applies.

use crate::Failure;
use crate::failure::excerpt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

pub(crate) struct Git {
    git_dir: PathBuf,
    home: PathBuf,
}

pub(crate) struct CommitInfo {
    pub(crate) id: String,
    pub(crate) author_date: String,
    pub(crate) committer_date: String,
    pub(crate) message: String,
}

impl Git {
    /// `home` stands in for HOME, so that no `~/.gitconfig` is read.
    pub(crate) fn new(git_dir: PathBuf, home: &Path) -> Self {
        Git { git_dir, home: home.to_owned() }
    }

    /// The commit `rev` names, or `None` when it names none.
    pub(crate) async fn resolve_commit(&self, rev: &str) -> Result<Option<String>, Failure> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.output(&["rev-parse", "--verify", "--quiet", "--end-of-options", &spec]).await?;
        Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
    }

    pub(crate) async fn commit_info(&self, commit: &str) -> Result<CommitInfo, Failure> {
        // %aI and %cI: strict ISO 8601; %B: the raw message, subject and body.
        let out =
            self.checked(&["show", "-s", "--no-show-signature", "--format=%H%x00%aI%x00%cI%x00%B", commit]).await?;
        let text = String::from_utf8_lossy(&out);
        let mut fields = text.splitn(4, '\0');
        let mut next = || fields.next().unwrap_or_default().to_owned();
        let (id, author_date, committer_date, message) = (next(), next(), next(), next());
        let message = message.trim_end_matches('\n').to_owned();
        Ok(CommitInfo { id, author_date, committer_date, message })
    }

    /// The commit's tree as a zip archive at `out` (unix modes kept).
    pub(crate) async fn archive_zip(&self, commit: &str, out: &Path) -> Result<(), Failure> {
        let out = out.to_string_lossy();
        self.checked(&["archive", "--format=zip", "-o", &out, commit]).await.map(drop)
    }

    /// Runs git; a non-zero exit is a failure quoting git's first line.
    async fn checked(&self, args: &[&str]) -> Result<Vec<u8>, Failure> {
        let out = self.output(args).await?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(Failure::new(format!("git {} failed: {}", args[0], excerpt(&stderr, 200))))
    }

    async fn output(&self, args: &[&str]) -> Result<std::process::Output, Failure> {
        let envs = crate::env::base();
        let mut command = Command::new(crate::env::program("git", &envs));
        command
            .arg("--git-dir")
            .arg(&self.git_dir)
            .args(args)
            .env_clear()
            .envs(envs)
            .env("HOME", &self.home)
            .stdin(Stdio::null())
            // A stopped job drops this future; git must not linger.
            .kill_on_drop(true);
        command.output().await.map_err(|e| Failure::new(format!("could not run git: {e}")))
    }
}
